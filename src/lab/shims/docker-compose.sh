# docker-compose / `docker compose`: a project's services become docker shim
# containers named <project>-<service>-1 (or their container_name), labelled
# com.docker.compose.project/service as the real tool labels them.
shim_log docker-compose "$@"
project_dir=
project=
files=
while [ $# -gt 0 ]; do
    case $1 in
        -f | --file) shift; files="$files${files:+
}${1:-}" ;;
        --file=*) files="$files${files:+
}${1#--file=}" ;;
        -p | --project-name) shift; project=${1:-} ;;
        --project-name=*) project=${1#--project-name=} ;;
        --project-directory) shift; project_dir=${1:-} ;;
        --project-directory=*) project_dir=${1#--project-directory=} ;;
        -*) ;;
        *) break ;;
    esac
    shift
done
if [ -z "$files" ]; then
    [ -n "$project_dir" ] || project_dir=$PWD
    for candidate in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
        [ -f "$project_dir/$candidate" ] && files=$project_dir/$candidate && break
    done
    [ -n "$files" ] || shim_die 1 "no configuration file provided: not found"
else
    first=$(printf '%s\n' "$files" | head -n 1)
    case $first in /*) ;; *) first=$PWD/$first ;; esac
    [ -n "$project_dir" ] || project_dir=$(dirname "$first")
fi
while IFS= read -r file; do
    case $file in /*) ;; *) file=$project_dir/$file ;; esac
    [ -f "$file" ] || shim_die 1 "open $file: no such file or directory"
done <<EOF
$files
EOF
[ -n "$project" ] || project=$(basename "$project_dir" | tr 'A-Z' 'a-z')

# `service<TAB>image<TAB>container_name` for each service; a later file
# overrides an earlier one's image, as compose merges files.
service_table() {
    while IFS= read -r file; do
        case $file in /*) ;; *) file=$project_dir/$file ;; esac
        awk '/^services:/ { inside = 1; next }
             /^[^ #]/ { inside = 0 }
             inside && /^  [A-Za-z0-9_.-]+:/ { service = $0; sub(/^  /, "", service); sub(/:.*/, "", service); print service "\t\t" }
             inside && service != "" && /^    image:/ { v = $0; sub(/^    image: */, "", v); gsub(/["\047]/, "", v); print service "\timage\t" v }
             inside && service != "" && /^    container_name:/ { v = $0; sub(/^    container_name: */, "", v); gsub(/["\047]/, "", v); print service "\tname\t" v }
             inside && service != "" && /^    [a-z_]+:/ { list = ($0 ~ /^    volumes: *$/) }
             inside && service != "" && list && /^      - / { v = $0; sub(/^      - */, "", v); gsub(/["\047]/, "", v); print service "\tvolume\t" v }' "$file"
    done <<EOF
$files
EOF
}
table=$(service_table)
services() { printf '%s\n' "$table" | cut -f1 | awk 'NF && !seen[$0]++'; }
service_value() { printf '%s\n' "$table" | awk -F '\t' -v s="$1" -v k="$2" '$1 == s && $2 == k { v = $3 } END { print v }'; }
service_image() {
    image=$(service_value "$1" image)
    [ -n "$image" ] || image=$project-$1
    printf '%s' "$image"
}
container_name() {
    name=$(service_value "$1" name)
    [ -n "$name" ] || name=$project-$1-1
    printf '%s' "$name"
}

containers=$SHIM_STATE/docker/containers
docker_quiet() { RUNBOOK_SHIM_LOGGED=1 docker "$@"; }

# The project's containers as `service<TAB>container` lines.
project_containers() {
    for dir in "$containers"/*/; do
        [ -d "$dir" ] || continue
        grep -qxF "com.docker.compose.project=$project" "$dir/labels" || continue
        service=$(sed -n 's/^com\.docker\.compose\.service=//p' "$dir/labels")
        printf '%s\t%s\n' "$service" "$(basename "$dir")"
    done
}

# The services named on the command line, or all of them.
chosen() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; else services; fi
}

create_service() {
    name=$(container_name "$1")
    set -- "$1"
    for volume in $(printf '%s\n' "$table" | awk -F '\t' -v s="$1" '$1 == s && $2 == "volume" { print $3 }'); do
        set -- "$@" -v "$volume"
    done
    service=$1
    shift
    docker_quiet run -d --name "$name" --label "com.docker.compose.project=$project" \
        --label "com.docker.compose.service=$service" "$@" "$(service_image "$service")" > /dev/null || exit 1
}

up_cmd() {
    detach=no recreate=no orphans=no
    while [ $# -gt 0 ]; do
        case $1 in
            -d | --detach) detach=yes ;;
            --force-recreate) recreate=yes ;;
            --remove-orphans) orphans=yes ;;
            --pull | --scale) shift ;;
            -*) ;;
            *) break ;;
        esac
        shift
    done
    for service in $(chosen "$@"); do
        name=$(container_name "$service")
        dir=$containers/$name
        if [ -d "$dir" ] && { [ $recreate = yes ] || [ "$(cat "$dir/image")" != "$(service_image "$service")" ]; }; then
            docker_quiet rm -f "$name" > /dev/null
            create_service "$service"
            printf ' Container %s  Recreated\n' "$name" >&2
        elif [ ! -d "$dir" ]; then
            create_service "$service"
            printf ' Container %s  Created\n' "$name" >&2
        fi
        echo running > "$dir/status"
        printf ' Container %s  Started\n' "$name" >&2
    done
    [ $orphans = yes ] || return 0
    project_containers | while IFS="$(printf '\t')" read -r service name; do
        services | grep -qxF "$service" && continue
        docker_quiet rm -f "$name" > /dev/null
        printf ' Container %s  Removed\n' "$name" >&2
    done
}

down_cmd() {
    orphans=no
    for arg; do [ "$arg" != --remove-orphans ] || orphans=yes; done
    project_containers | while IFS="$(printf '\t')" read -r service name; do
        [ $orphans = yes ] || services | grep -qxF "$service" || continue
        docker_quiet rm -f "$name" > /dev/null
        printf ' Container %s  Removed\n' "$name" >&2
    done
}

# stop/start/restart the named (or all) services' existing containers.
status_cmd() {
    new=$1 verb=$2
    shift 2
    for arg; do case $arg in -*) shift ;; *) break ;; esac; done
    for service in $(chosen "$@"); do
        name=$(container_name "$service")
        [ -d "$containers/$name" ] || continue
        echo "$new" > "$containers/$name/status"
        printf ' Container %s  %s\n' "$name" "$verb" >&2
    done
}

ps_cmd() {
    format=
    while [ $# -gt 0 ]; do
        case $1 in --format) shift; format=${1:-} ;; --format=*) format=${1#--format=} ;; esac
        shift
    done
    [ "$format" = json ] || printf 'NAME   IMAGE   SERVICE   STATUS\n'
    project_containers | while IFS="$(printf '\t')" read -r service name; do
        dir=$containers/$name
        if [ "$format" = json ]; then
            printf '{"Name":"%s","Image":"%s","Project":"%s","Service":"%s","State":"%s"}\n' \
                "$name" "$(cat "$dir/image")" "$project" "$service" "$(cat "$dir/status")"
        else
            printf '%s   %s   %s   %s\n' "$name" "$(cat "$dir/image")" "$service" "$(cat "$dir/status")"
        fi
    done
}

command=${1:-}
[ $# -eq 0 ] || shift
case $command in
    up) up_cmd "$@" ;;
    down) down_cmd "$@" ;;
    start) status_cmd running Started "$@" ;;
    restart) status_cmd running Restarted "$@" ;;
    stop) status_cmd exited Stopped "$@" ;;
    rm)
        for service in $(services); do
            name=$(container_name "$service")
            [ -d "$containers/$name" ] && [ "$(cat "$containers/$name/status")" != running ] || continue
            docker_quiet rm "$name" > /dev/null
            printf ' Container %s  Removed\n' "$name" >&2
        done ;;
    pull)
        for arg; do case $arg in -*) shift ;; *) break ;; esac; done
        for service in $(chosen "$@"); do
            [ -n "$(service_value "$service" image)" ] || continue
            docker_quiet pull "$(service_image "$service")" > /dev/null || exit 1
            printf ' %s Pulled\n' "$service" >&2
        done ;;
    build) for service in $(services); do printf ' %s Built\n' "$service" >&2; done ;;
    ps) ps_cmd "$@" ;;
    config) while IFS= read -r file; do cat "$file"; done <<EOF
$files
EOF
    ;;
    version) echo 'Docker Compose version v2.24.5' ;;
    *) shim_die 1 "docker-compose: unknown command '$command' (runbook lab shim)" ;;
esac
