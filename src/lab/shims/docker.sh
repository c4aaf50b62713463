# docker: containers are $SHIM_STATE/docker/containers/<name>/ (files id,
# image, status, args, created, logs); images are $SHIM_STATE/docker/images/<id>
# holding the image reference.
shim_log docker "$@"
docker_dir=$SHIM_STATE/docker
containers=$docker_dir/containers
images=$docker_dir/images
mkdir -p "$containers" "$images"

short_id() { printf '%s' "$1" | sha256sum | cut -c1-12; }

add_image() {
    ref=$1
    case $ref in *:*) ;; *) ref=$ref:latest ;; esac
    printf '%s\n' "$ref" > "$images/$(short_id "$ref")"
}

container() {
    [ -d "$containers/$1" ] || shim_die 1 "Error response from daemon: No such container: $1"
    printf '%s' "$containers/$1"
}

# Expand a --format template for container $1.
render() {
    dir=$containers/$1
    status=$(cat "$dir/status")
    if [ "$status" = running ]; then shown="Up 2 minutes"; else shown="Exited (0) 1 minute ago"; fi
    printf '%s\n' "$2" | sed -e "s|{{ *\.Names *}}|$1|g" -e "s|{{ *\.Name *}}|/$1|g" \
        -e "s|{{ *\.ID *}}|$(cat "$dir/id")|g" -e "s|{{ *\.Id *}}|$(cat "$dir/id")|g" \
        -e "s|{{ *\.Image *}}|$(cat "$dir/image")|g" -e "s|{{ *\.Config\.Image *}}|$(cat "$dir/image")|g" \
        -e "s|{{ *\.State\.Status *}}|$status|g" -e "s|{{ *\.State *}}|$status|g" \
        -e "s|{{ *\.State\.Running *}}|$([ "$status" = running ] && echo true || echo false)|g" \
        -e "s|{{ *\.Status *}}|$shown|g" -e 's|\\t|	|g'
}

ps_cmd() {
    all=no format= quiet=no
    while [ $# -gt 0 ]; do
        case $1 in
            -a | --all) all=yes ;;
            -q | --quiet) quiet=yes ;;
            --format) shift; format=${1:-} ;;
            --format=*) format=${1#--format=} ;;
            -f | --filter) shift ;;
        esac
        shift
    done
    [ $quiet = yes ] && format='{{.ID}}'
    [ -n "$format" ] || {
        format='{{.ID}}   {{.Image}}   "sh"   2 minutes ago   {{.Status}}      {{.Names}}'
        printf 'CONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\n'
    }
    format=${format#table }
    for dir in "$containers"/*/; do
        [ -d "$dir" ] || continue
        name=$(basename "$dir")
        [ $all = yes ] || [ "$(cat "$dir/status")" = running ] || continue
        render "$name" "$format"
    done
}

run_cmd() {
    detach=no name=
    while [ $# -gt 0 ]; do
        case $1 in
            -d | --detach) detach=yes ;;
            --name) shift; name=${1:-} ;;
            --name=*) name=${1#--name=} ;;
            -p | -v | -e | -w | -h | -u | -l | --restart | --network | --env | --env-file | --volume \
                | --publish | --workdir | --hostname | --user | --label | --entrypoint | --log-opt \
                | --ulimit | --memory | --cpus | --add-host | --mount | --device | --cap-add) shift ;;
            -*) ;;
            *) break ;;
        esac
        shift
    done
    image=${1:-}
    [ -n "$image" ] || shim_die 125 '"docker run" requires at least 1 argument.'
    shift
    [ -n "$name" ] || name=lab_$(short_id "$image$(date +%N)")
    [ ! -d "$containers/$name" ] ||
        shim_die 125 "docker: Error response from daemon: Conflict. The container name \"/$name\" is already in use."
    add_image "$image"
    dir=$containers/$name
    mkdir -p "$dir"
    id=$(short_id "$name$(date +%N)")
    printf '%s\n' "$id" > "$dir/id"
    printf '%s\n' "$image" > "$dir/image"
    printf '%s\n' "$*" > "$dir/args"
    date +%Y-%m-%dT%H:%M:%S > "$dir/created"
    if [ $detach = yes ]; then echo running > "$dir/status"; else echo exited > "$dir/status"; fi
    printf '%s started from %s\n' "$name" "$image" > "$dir/logs"
    [ $detach = no ] || printf '%s\n' "$id"
}

inspect_cmd() {
    format=
    names=
    while [ $# -gt 0 ]; do
        case $1 in
            -f | --format) shift; format=${1:-} ;;
            --format=*) format=${1#--format=} ;;
            --type=* | -s | --size) ;;
            --type) shift ;;
            *) names="$names $1" ;;
        esac
        shift
    done
    status=0
    [ -n "$format" ] || printf '[\n'
    for name in $names; do
        if [ ! -d "$containers/$name" ]; then
            printf 'Error: No such object: %s\n' "$name" >&2
            status=1
        elif [ -n "$format" ]; then
            render "$name" "$format"
        else
            render "$name" '    {"Id": "{{.ID}}", "Name": "{{.Name}}", "State": {"Status": "{{.State.Status}}", "Running": {{.State.Running}}}, "Config": {"Image": "{{.Image}}"}}'
        fi
    done
    [ -n "$format" ] || printf ']\n'
    exit $status
}

set_status() {
    new=$1
    shift
    for name in "$@"; do
        dir=$(container "$name") || exit 1
        echo "$new" > "$dir/status"
        printf '%s\n' "$name"
    done
}

command=${1:-}
[ $# -eq 0 ] || shift
case $command in
    ps) ps_cmd "$@" ;;
    run) run_cmd "$@" ;;
    inspect) inspect_cmd "$@" ;;
    start | restart) set_status running "$@" ;;
    stop | kill) set_status exited "$@" ;;
    rm)
        force=no
        for name in "$@"; do
            case $name in -f | --force) force=yes; continue ;; -*) continue ;; esac
            dir=$(container "$name") || exit 1
            if [ "$(cat "$dir/status")" = running ] && [ $force = no ]; then
                shim_die 1 "Error response from daemon: You cannot remove a running container $name. Stop the container before attempting removal or force remove"
            fi
            rm -rf "$dir"
            printf '%s\n' "$name"
        done ;;
    pull)
        for ref; do case $ref in -*) ;; *) add_image "$ref"; printf 'Status: Downloaded newer image for %s\n' "$ref" ;; esac; done ;;
    images)
        quiet=no
        [ "${1:-}" != -q ] || quiet=yes
        [ $quiet = yes ] || printf 'REPOSITORY   TAG   IMAGE ID   CREATED   SIZE\n'
        for file in "$images"/*; do
            [ -f "$file" ] || continue
            ref=$(cat "$file")
            if [ $quiet = yes ]; then basename "$file"
            else printf '%s   %s   %s   2 days ago   120MB\n' "${ref%:*}" "${ref##*:}" "$(basename "$file")"
            fi
        done ;;
    load)
        file=
        while [ $# -gt 0 ]; do
            case $1 in -i | --input) shift; file=${1:-} ;; --input=*) file=${1#--input=} ;; esac
            shift
        done
        [ -f "$file" ] || shim_die 1 "open $file: no such file or directory"
        ref=$(tar -xOf "$file" manifest.json 2>/dev/null | sed -n 's/.*"RepoTags":\["\([^"]*\)".*/\1/p')
        if [ -z "$ref" ]; then
            ref=$(basename "$file"); ref=${ref%.tar.gz}; ref=${ref%.tgz}; ref=${ref%.tar}
            ref=$(printf '%s' "$ref" | sed 's/[-_]\([0-9][0-9.]*\)$/:\1/')
        fi
        add_image "$ref"
        printf 'Loaded image: %s\n' "$ref" ;;
    tag)
        [ $# -eq 2 ] || shim_die 1 '"docker tag" requires exactly 2 arguments.'
        grep -qx -e "$1" -e "$1:latest" "$images"/* 2>/dev/null || shim_die 1 "Error response from daemon: No such image: $1"
        add_image "$2" ;;
    exec)
        while [ $# -gt 0 ]; do case $1 in -e | -u | -w) shift ;; -*) ;; *) break ;; esac; shift; done
        dir=$(container "${1:-}") || exit 1
        [ "$(cat "$dir/status")" = running ] || shim_die 1 "Error response from daemon: Container ${1:-} is not running" ;;
    logs)
        for name; do case $name in -*) ;; *) dir=$(container "$name") || exit 1; cat "$dir/logs" ;; esac; done ;;
    compose) RUNBOOK_SHIM_LOGGED=1 exec docker-compose "$@" ;;
    version)
        case "$*" in *Server.Version*) echo 24.0.7 ;; *) printf 'Client: Docker Engine (runbook lab)\n Version: 24.0.7\nServer:\n Version: 24.0.7\n' ;; esac ;;
    info) printf 'Server Version: 24.0.7\nStorage Driver: overlay2\n' ;;
    *) shim_die 1 "docker: '$command' is not a docker command (runbook lab shim)." ;;
esac
