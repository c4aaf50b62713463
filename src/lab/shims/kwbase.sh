# kwbase (KaiwuDB client): `node status` lists the lab's KWDB nodes from the
# lab-wide node list kept by `systemctl start|stop kaiwudb`.
shim_log kwbase "$@"
mkdir -p "$SHIM_STATE/kwdb"
nodes=$SHIM_STATE/cluster/kwdb

node_status() {
    printf '  id |   address   | build  | is_available | is_live\n'
    printf -- '-----+-------------+--------+--------------+----------\n'
    id=0
    for file in "$nodes"/*; do
        [ -f "$file" ] || continue
        id=$((id + 1))
        IFS='	' read -r node state version < "$file"
        if [ "$state" = live ]; then live=true; else live=false; fi
        printf '%4d | %-11s | %-6s | %-12s | %s\n' "$id" "$node:26257" "$version" "$live" "$live"
    done
    printf '(%d rows)\n' "$id"
}

case ${1:-}:${2:-} in
    node:status) node_status ;;
    sql:*)
        shift
        sql=
        while [ $# -gt 0 ]; do
            case $1 in -e | --execute) shift; sql=${1:-} ;; --execute=*) sql=${1#--execute=} ;; esac
            shift
        done
        [ -n "$sql" ] || sql=$(cat)
        printf '%s\n' "$sql" >> "$SHIM_STATE/kwdb/queries.sql"
        case $(printf '%s' "$sql" | tr 'A-Z' 'a-z') in
            *'version()'*) printf '  version\n-----------\n  %s\n(1 row)\n' "$(shim_kwdb_version)" ;;
        esac ;;
    version:* | --version:*)
        printf 'KaiwuDB Version:  V%s\nBuild Time:       2024/01/01 00:00:00\nPlatform:         linux amd64\n' "$(shim_kwdb_version)" ;;
    *) shim_die 1 "kwbase: unknown command ${1:-} (runbook lab shim)" ;;
esac
