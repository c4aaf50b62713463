# kwbase (the KaiwuDB CLI, derived from CockroachDB's): `node status` and
# `sql` against the lab-wide node list that `systemctl start|stop kaiwudb`
# keeps (see shim_kwdb_node), `version` from the installed binary.
#
# As the real client it connects to --host (default localhost:26257): a
# node that is not running refuses the connection. Without --insecure it
# wants a --certs-dir holding ca.crt; a cluster is secure when
# cluster/kwdb-settings/certs_dir exists. Results print as --format says,
# and as TSV (tab-separated, header first, no row count) when stdout is not
# a terminal, as a table when it is.
#
# Cluster knobs in cluster/kwdb-settings/: num_replicas (default 3), jobs
# (SHOW JOBS rows, tab-separated), ranges ("unavailable underreplicated"
# added to what down nodes cause), lease_holders (one node id per range).
shim_log kwbase "$@"
nodes=$SHIM_STATE/cluster/kwdb

# `kwbase server-state live|dead` is the lab's own hook, not a kwbase
# command: a kwbase built from the lab's source tree (playbooks/lab/
# kwdb-source-upgrade.yml) is a real server process that reports its start
# and its stop here, with the version it was built as.
if [ "${1:-}" = server-state ]; then
    mkdir -p "$SHIM_STATE/kwdb"
    [ -z "${KWDB_BUILD_VERSION:-}" ] || printf '%s\n' "$KWDB_BUILD_VERSION" > "$SHIM_STATE/kwdb/version"
    shim_kwdb_node "${2:-dead}"
    exit 0
fi
settings=$SHIM_STATE/cluster/kwdb-settings
ranges_per_node=8

setting() { cat "$settings/$1" 2>/dev/null || printf '%s\n' "$2"; }

command=${1:-}
[ $# -eq 0 ] || shift
sub=
case $command in node | cert) sub=${1:-}; [ $# -eq 0 ] || shift ;; esac

format=
if [ -t 1 ]; then format=table; else format=tsv; fi
host=localhost:26257 insecure=no certs_dir=${KWBASE_CERTS_DIR:-${HOME:-/root}/.kwbase-certs} sql=
[ "${KWBASE_INSECURE:-}" != true ] || insecure=yes
while [ $# -gt 0 ]; do
    opt=$1 value=
    case $opt in
        --*=*) value=${opt#*=}; opt=${opt%%=*} ;;
        --insecure) ;;
        --host | --certs-dir | --format | -e | --execute | --port | --user | -u | --database | -d | --url)
            shift; value=${1:-} ;;
    esac
    case $opt in
        --insecure) if [ "$value" = false ]; then insecure=no; else insecure=yes; fi ;;
        --host) host=$value ;;
        --port) host=${host%%:*}:$value ;;
        --certs-dir) certs_dir=$value ;;
        --format) format=$value ;;
        -e | --execute) sql="$sql${sql:+; }$value" ;;
        --url | --user | -u | --database | -d) ;;
        -*) shim_die 1 "Error: unknown flag: $opt (runbook lab shim)" ;;
    esac
    shift
done
case $format in
    tsv | csv | table) ;;
    *) shim_die 1 "Error: invalid argument \"$format\" for \"--format\" flag: invalid value (runbook lab shim supports tsv, csv, table)" ;;
esac

now=$(shim_ms)

# Node records, one tab-separated line each, sorted by node id.
records() {
    for file in "$nodes"/*; do
        [ -f "$file" ] || continue
        cat "$file"
    done | sort -t '	' -k5,5n
}

# The node a client reaches at --host (hostname, address or localhost).
target_record() {
    want=${host%:*}
    case $want in localhost | 127.0.0.1 | '::1' | '[::1]' | '') want=$(hostname) ;; esac
    records | awk -F '\t' -v want="$want" '$1 == want || $2 == want { print; exit }'
}

connect() {
    record=$(target_record)
    state=$(printf '%s' "$record" | cut -f3)
    if [ "$state" != live ]; then
        printf 'ERROR: cannot dial server.\nIs the server running?\nIf the server is running, check --host client-side and --advertise server side.\n\ndial tcp %s: connect: connection refused\nFailed running "%s"\n' \
            "$host" "$command${sub:+ $sub}" >&2
        exit 1
    fi
    secure=$(setting certs_dir '')
    if [ $insecure = yes ] && [ -n "$secure" ]; then
        shim_die 1 "ERROR: node is running secure mode, SSL connection required"
    fi
    if [ $insecure = no ]; then
        [ -f "$certs_dir/ca.crt" ] ||
            shim_die 1 "ERROR: cannot load certificates.
Check your certificate settings, set --certs-dir, or use --insecure for insecure clusters.

problem with CA certificate: not found"
        [ -n "$secure" ] ||
            shim_die 1 "ERROR: failed to connect to $host: tls: first record does not look like a TLS handshake"
    fi
}

stamp() {
    [ "${1:-0}" -gt 0 ] || { printf 'NULL'; return; }
    date -u -d "@$(($1 / 1000))" "+%Y-%m-%d %H:%M:%S.$(printf '%03d' $(($1 % 1000)))000+00:00"
}

# Is a record's node live and available now? Has it caught up?
node_flags() {
    printf '%s\n' "$1" | awk -F '\t' -v now="$now" '{
        live = ($3 == "live" && now >= $7) ? "true" : "false"
        caught = ($3 == "live" && now >= $8) ? "yes" : "no"
        print live "\t" caught }'
}

node_status_rows() {
    printf 'id\taddress\tsql_address\tbuild\tstarted_at\tupdated_at\tlocality\tis_available\tis_live\n'
    records | while IFS='	' read -r name address state build id started ready caught updated; do
        live=$(node_flags "$name	$address	$state	$build	$id	$started	$ready	$caught" | cut -f1)
        if [ "$live" = true ]; then seen=$now; else seen=$updated; fi
        printf '%s\t%s:26257\t%s:26257\tv%s\t%s\t%s\t\t%s\t%s\n' "$id" "$address" "$address" "$build" \
            "$(stamp "$started")" "$(stamp "$seen")" "$live" "$live"
    done
}

# Counts of nodes not live, and of nodes live but still catching up.
down_counts() {
    records | while IFS= read -r record; do node_flags "$record"; done |
        awk -F '\t' '$1 != "true" { down++ } $1 == "true" && $2 == "no" { catching++ }
            END { print down + 0, catching + 0 }'
}

ranges_rows() {
    set -- $(down_counts)
    down=$1 catching=$2
    replicas=$(setting num_replicas 3)
    set -- $(setting ranges '0 0')
    unavailable=$1 under=$2
    if [ "$down" -gt 0 ] && [ $((2 * down)) -ge "$replicas" ]; then
        unavailable=$((unavailable + ranges_per_node * down))
    fi
    under=$((under + ranges_per_node * (down + catching)))
    printf 'ranges_unavailable\tranges_underreplicated\n%s\t%s\n' "$unavailable" "$under"
}

zone_sql() {
    printf 'ALTER RANGE %s CONFIGURE ZONE USING\\n\\trange_min_bytes = 134217728,\\n\\trange_max_bytes = 536870912,\\n\\tgc.ttlseconds = 90000,\\n\\tnum_replicas = %s,\\n\\tconstraints = '"'"'[]'"'"',\\n\\tlease_preferences = '"'"'[]'"'"'' "$1" "$2"
}

zones_rows() {
    replicas=$(setting num_replicas 3)
    printf 'target\traw_config_sql\n'
    printf 'RANGE default\t%s\n' "$(zone_sql default "$replicas")"
    [ "$1" = all ] || return 0
    system=5
    [ "$replicas" -le 5 ] || system=$replicas
    printf 'RANGE liveness\t%s\n' "$(zone_sql liveness "$system")"
    printf 'RANGE meta\t%s\n' "$(zone_sql meta "$system")"
    printf 'RANGE system\t%s\n' "$(zone_sql system "$system")"
}

jobs_rows() {
    printf 'job_id\tjob_type\tdescription\tstatement\tuser_name\tstatus\trunning_status\tcreated\tstarted\tfinished\tmodified\tfraction_completed\terror\tcoordinator_id\n'
    [ ! -f "$settings/jobs" ] || cat "$settings/jobs"
}

# kwdb_internal.ranges: every range, its replicas and its leaseholder.
ranges_table_rows() {
    printf 'range_id\tstart_pretty\tend_pretty\tdatabase_name\ttable_name\treplicas\tlease_holder\n'
    live_ids=$(records | while IFS= read -r record; do
        [ "$(node_flags "$record" | cut -f1)" = true ] && printf '%s\n' "$record" | cut -f5
    done | tr '\n' ' ')
    set -- $live_ids
    [ $# -gt 0 ] || return 0
    replicas="{$(printf '%s\n' "$@" | head -n "$(setting num_replicas 3)" | paste -sd, -)}"
    total=$((ranges_per_node * $#))
    if [ -f "$settings/lease_holders" ]; then holders=$(cat "$settings/lease_holders")
    else holders=$(i=0; while [ $i -lt $total ]; do eval "printf '%s\n' \${$((i % $# + 1))}"; i=$((i + 1)); done)
    fi
    printf '%s\n' "$holders" | awk -v replicas="$replicas" 'NF { printf "%d\t/Table/%d\t/Table/%d\tdb\tt%d\t%s\t%s\n", NR, 50 + NR, 51 + NR, NR, replicas, $1 }'
}

# Print tab-separated rows (header first; "\n" inside a field stands for
# a newline) as the chosen format does.
present() {
    awk -F '\t' -v format="$format" '
        function quoted(field, separator) {
            if (field ~ /\\n/ || index(field, "\"") || index(field, separator)) {
                gsub(/"/, "\"\"", field)
                field = "\"" field "\""
            }
            gsub(/\\n/, "\n", field)
            gsub(/\\t/, "\t", field)
            return field
        }
        format != "table" {
            separator = format == "csv" ? "," : "\t"
            line = ""
            for (i = 1; i <= NF; i++) line = line (i > 1 ? separator : "") quoted($i, separator)
            print line
            next
        }
        { rows[NR] = $0; if (NF > columns) columns = NF
          for (i = 1; i <= NF; i++) { cell = $i; gsub(/\\n|\\t/, " ", cell); if (length(cell) > width[i]) width[i] = length(cell) } }
        END {
            if (format != "table") exit
            for (r = 1; r <= NR; r++) {
                n = split(rows[r], cells, "\t")
                line = ""
                for (i = 1; i <= columns; i++) {
                    cell = cells[i]; gsub(/\\n|\\t/, " ", cell)
                    line = line (i > 1 ? " | " : "  ") sprintf("%-" width[i] "s", cell)
                }
                sub(/ +$/, "", line)
                print line
                if (r == 1) {
                    line = ""
                    for (i = 1; i <= columns; i++) { dashes = sprintf("%" width[i] + 2 "s", ""); gsub(/ /, "-", dashes); line = line (i > 1 ? "+" : "") dashes }
                    print line
                }
            }
            printf "(%d row%s)\n", NR - 1, NR == 2 ? "" : "s"
        }'
}

run_sql() {
    printf '%s\n' "$1" >> "$SHIM_STATE/kwdb/queries.sql"
    lower=$(printf '%s' "$1" | tr 'A-Z\n' 'a-z ')
    case $lower in
        *'ranges.unavailable'* | *'ranges.underreplicated'*)
            rows=$(ranges_rows)
            shim_kwdb_journal ranges "$(printf '%s\n' "$rows" | sed -n 2p | tr '\t' ' ')"
            printf '%s\n' "$rows" | present ;;
        *'show all zone configurations'*) zones_rows all | present ;;
        *'show zone configuration'*) zones_rows default | present ;;
        *'show jobs'*) jobs_rows | present ;;
        *'kwdb_internal.ranges'*) ranges_table_rows | present ;;
        *'version()'*) printf 'version\nKaiwuDB %s (x86_64-linux-gnu)\n' "$(shim_kwdb_version)" | present ;;
        *) ;;
    esac
}

mkdir -p "$SHIM_STATE/kwdb"
case $command:$sub in
    node:status)
        connect
        rows=$(node_status_rows)
        shim_kwdb_journal node-status "$(printf '%s\n' "$rows" | awk -F '\t' 'NR > 1 { printf "%s%s=%s/%s", (NR > 2 ? " " : ""), $2, $4, $9 }')"
        printf '%s\n' "$rows" | present ;;
    sql:)
        connect
        [ -n "$sql" ] || sql=$(cat)
        run_sql "$sql" ;;
    version: | --version:)
        [ ! -e "$SHIM_STATE/kwdb/removed" ] || shim_die 127 "kwbase: KaiwuDB binaries were removed (runbook lab shim)"
        printf 'KaiwuDB Version:  V%s\nBuild Time:       2024/01/01 00:00:00\nPlatform:         linux amd64\n' "${KWDB_BUILD_VERSION:-$(shim_kwdb_version)}" ;;
    *) shim_die 1 "kwbase: unknown command $command${sub:+ $sub} (runbook lab shim)" ;;
esac
