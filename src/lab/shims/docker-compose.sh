# docker-compose / `docker compose`: a project's services become docker shim
# containers named <project>-<service>-1.
shim_log docker-compose "$@"
project_dir=$PWD
project=
file=
while [ $# -gt 0 ]; do
    case $1 in
        -f | --file) shift; file=${1:-}; project_dir=$(dirname "$file") ;;
        -p | --project-name) shift; project=${1:-} ;;
        --project-directory) shift; project_dir=${1:-} ;;
        -*) ;;
        *) break ;;
    esac
    shift
done
[ -n "$project" ] || project=$(basename "$project_dir" | tr 'A-Z' 'a-z')
if [ -z "$file" ]; then
    for candidate in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
        [ -f "$project_dir/$candidate" ] && file=$project_dir/$candidate && break
    done
fi
[ -n "$file" ] && [ -f "$file" ] ||
    shim_die 1 "no configuration file provided: not found"

# The top-level keys under `services:`.
services() {
    awk '/^services:/ { inside = 1; next }
         /^[^ #]/ { inside = 0 }
         inside && /^  [A-Za-z0-9_.-]+:/ { sub(/^  /, ""); sub(/:.*/, ""); print }' "$file"
}

containers=$SHIM_STATE/docker/containers
command=${1:-}
[ $# -eq 0 ] || shift
case $command in
    up | start | restart)
        for service in $(services); do
            name=$project-$service-1
            if [ ! -d "$containers/$name" ]; then
                RUNBOOK_SHIM_LOGGED=1 docker run -d --name "$name" "$project-$service" > /dev/null || exit 1
            fi
            echo running > "$containers/$name/status"
            printf ' Container %s  Started\n' "$name" >&2
        done ;;
    down | stop | rm)
        for service in $(services); do
            name=$project-$service-1
            [ -d "$containers/$name" ] || continue
            if [ "$command" = stop ]; then echo exited > "$containers/$name/status"
            else rm -rf "${containers:?}/$name"; fi
            printf ' Container %s  Removed\n' "$name" >&2
        done ;;
    pull)
        for service in $(services); do printf ' %s Pulled\n' "$service" >&2; done ;;
    ps)
        printf 'NAME   IMAGE   SERVICE   STATUS\n'
        for service in $(services); do
            name=$project-$service-1
            [ -d "$containers/$name" ] || continue
            printf '%s   %s   %s   %s\n' "$name" "$(cat "$containers/$name/image")" "$service" "$(cat "$containers/$name/status")"
        done ;;
    config) cat "$file" ;;
    version) echo 'Docker Compose version v2.24.5' ;;
    *) shim_die 1 "docker-compose: unknown command '$command' (runbook lab shim)" ;;
esac
