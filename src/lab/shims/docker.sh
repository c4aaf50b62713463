# docker: a small engine in files, enough for playbooks and the docker_*
# modules to drive as they would a real daemon.
#   containers/<name>/  id, image (reference), image_id, status, created, logs,
#                       labels (k=v lines), config.json, host.json
#   tags/<ref, / as %>  the image id a reference points to
#   meta/<id>           when that image was created
#   registry/<ref, / as %>  (optional, seeded by tests) the registry's current
#                       version of a reference; "missing" makes pulls fail
shim_log docker "$@"
docker_dir=$SHIM_STATE/docker
containers=$docker_dir/containers
tags=$docker_dir/tags
# Directories are made on first write only: reading must leave no trace.

short_id() { printf '%s' "$1" | sha256sum | cut -c1-12; }
long_id() { printf '%s' "$1" | sha256sum | cut -c1-64; }
image_env='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# A JSON string.
js() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

# Lines as a JSON array of strings, or null when there are none.
js_lines() {
    [ -n "$1" ] || { printf null; return; }
    printf '['
    sep=
    while IFS= read -r line; do printf '%s%s' "$sep" "$(js "$line")"; sep=,; done <<EOF
$1
EOF
    printf ']'
}

# k=v lines as a JSON object.
js_pairs() {
    printf '{'
    sep=
    if [ -n "$1" ]; then
        while IFS= read -r line; do
            printf '%s%s:%s' "$sep" "$(js "${line%%=*}")" "$(js "${line#*=}")"
            sep=,
        done <<EOF
$1
EOF
    fi
    printf '}'
}

# `name` → `name:latest`; a registry port is not a tag.
full_ref() {
    case ${1##*/} in *:* | *@*) printf '%s' "$1" ;; *) printf '%s:latest' "$1" ;; esac
}
tag_file() { printf '%s/%s' "$tags" "$(full_ref "$1" | sed 's|/|%|g')"; }

# The id (sha256:...) a reference or an id prefix names, if any.
image_id() {
    file=$(tag_file "$1")
    if [ -f "$file" ]; then cat "$file"; return 0; fi
    want=${1#sha256:}
    [ ${#want} -ge 4 ] || return 1
    for file in "$tags"/*; do
        [ -f "$file" ] || continue
        case $(cat "$file") in "sha256:$want"*) cat "$file"; return 0 ;; esac
    done
    return 1
}

set_tag() {
    mkdir -p "$tags" "$docker_dir/meta"
    printf '%s\n' "$2" > "$(tag_file "$1")"
    meta=$docker_dir/meta/${2#sha256:}
    [ -f "$meta" ] || date +%Y-%m-%dT%H:%M:%S.000000000Z > "$meta"
}

refs_of() {
    for file in "$tags"/*; do
        [ -f "$file" ] && [ "$(cat "$file")" = "$1" ] && basename "$file" | sed 's|%|/|g'
    done
    return 0
}

image_json() {
    id=$1
    printf '{"Id":%s,"RepoTags":%s,"RepoDigests":[],"Created":%s,"Config":{"Env":%s,"Cmd":["sh"],"Labels":null}}' \
        "$(js "$id")" "$(js_lines "$(refs_of "$id")")" "$(js "$(cat "$docker_dir/meta/${id#sha256:}")")" \
        "$(js_lines "$image_env")"
}

pull_image() {
    ref=$(full_ref "$1")
    version=$(cat "$docker_dir/registry/$(printf '%s' "$ref" | sed 's|/|%|g')" 2>/dev/null || echo 1)
    [ "$version" != missing ] ||
        shim_die 1 "Error response from daemon: manifest for $ref not found: manifest unknown"
    id=sha256:$(long_id "pull $ref $version")
    if [ "$(image_id "$ref" 2>/dev/null)" = "$id" ]; then
        printf 'Status: Image is up to date for %s\n' "$ref"
    else
        set_tag "$ref" "$id"
        printf 'Status: Downloaded newer image for %s\n' "$ref"
    fi
}

container() {
    [ -d "$containers/$1" ] || shim_die 1 "Error response from daemon: No such container: $1"
    printf '%s' "$containers/$1"
}

# Expand a --format template for container $1.
render() {
    dir=$containers/$1
    state=$(cat "$dir/status")
    id=$(cat "$dir/id")
    case $state in running) shown="Up 2 minutes" ;; created) shown=Created ;; *) shown="Exited (0) 1 minute ago" ;; esac
    printf '%s\n' "$2" | sed -e "s|{{ *\.Names *}}|$1|g" -e "s|{{ *\.Name *}}|/$1|g" \
        -e "s|{{ *\.ID *}}|$(printf '%s' "$id" | cut -c1-12)|g" -e "s|{{ *\.Id *}}|$id|g" \
        -e "s|{{ *\.Image *}}|$(cat "$dir/image")|g" -e "s|{{ *\.Config\.Image *}}|$(cat "$dir/image")|g" \
        -e "s|{{ *\.State\.Status *}}|$state|g" -e "s|{{ *\.State *}}|$state|g" \
        -e "s|{{ *\.State\.Running *}}|$([ "$state" = running ] && echo true || echo false)|g" \
        -e "s|{{ *\.Status *}}|$shown|g" -e 's|\\t|	|g'
}

# The Mounts docker reports for a container: its binds (a host path, or a
# named volume under /var/lib/docker/volumes) and its anonymous volumes.
mounts_json() {
    dir=$1
    sed -n 's/.*"Binds":\(\[[^]]*\]\|null\).*/\1/p' "$dir/host.json" | tr -d '[]' | tr ',' '\n' |
        sed -n 's/^"\(.*\)"$/\1/p' | awk -F ':' '
        function js(v) { gsub(/\\/, "\\\\", v); gsub(/"/, "\\\"", v); return "\"" v "\"" }
        { mode = (NF >= 3 ? $3 : ""); rw = (mode ~ /(^|,)ro(,|$)/ ? "false" : "true")
          if ($1 ~ /^\//)
              printf "%s{\"Type\":\"bind\",\"Source\":%s,\"Destination\":%s,\"Mode\":%s,\"RW\":%s,\"Propagation\":\"rprivate\"}", sep, js($1), js($2), js(mode), rw
          else
              printf "%s{\"Type\":\"volume\",\"Name\":%s,\"Source\":%s,\"Destination\":%s,\"Driver\":\"local\",\"Mode\":%s,\"RW\":%s,\"Propagation\":\"\"}", sep, js($1), js("/var/lib/docker/volumes/" $1 "/_data"), js($2), js(mode == "" ? "z" : mode), rw
          sep = "," }'
}

container_json() {
    dir=$containers/$1
    status=$(cat "$dir/status")
    running=false
    [ "$status" = running ] && running=true
    printf '{"Id":%s,"Created":%s,"Name":%s,"Image":%s,"State":{"Status":%s,"Running":%s,"ExitCode":%s},"Config":%s,"HostConfig":%s,"Mounts":[%s]}' \
        "$(js "$(cat "$dir/id")")" "$(js "$(cat "$dir/created")")" "$(js "/$1")" \
        "$(js "$(cat "$dir/image_id")")" "$(js "$status")" "$running" "$(cat "$dir/exit_code" 2>/dev/null || echo 0)" \
        "$(cat "$dir/config.json")" "$(cat "$dir/host.json")" "$(mounts_json "$dir")"
}

rename_cmd() {
    [ $# -eq 2 ] || shim_die 1 '"docker rename" requires exactly 2 arguments.'
    container "$1" > /dev/null || exit 1
    [ ! -d "$containers/$2" ] ||
        shim_die 1 "Error response from daemon: Error when allocating new name: Conflict. The container name \"/$2\" is already in use."
    mv "$containers/$1" "$containers/$2"
}

# docker update --restart=POLICY NAME...: the restart policy of existing containers.
update_cmd() {
    policy=
    while [ $# -gt 0 ]; do
        case $1 in
            --restart) shift; policy=${1:-} ;;
            --restart=*) policy=${1#--restart=} ;;
            -*) ;;
            *) break ;;
        esac
        shift
    done
    [ -n "$policy" ] || shim_die 1 "docker update: only --restart is supported (runbook lab shim)"
    name=${policy%%:*} retries=0
    case $policy in *:*) retries=${policy#*:} ;; esac
    for target; do
        dir=$(container "$target") || exit 1
        sed -i "s/\"RestartPolicy\":{[^}]*}/\"RestartPolicy\":{\"Name\":\"$name\",\"MaximumRetryCount\":$retries}/" "$dir/host.json"
        printf '%s\n' "$target"
    done
}

# Does container directory $1 pass every --filter in $2 (newline-separated)?
passes() {
    [ -n "$2" ] || return 0
    while IFS= read -r filter; do
        case $filter in
            name=*) case $(basename "$1") in *"${filter#name=}"*) ;; *) return 1 ;; esac ;;
            label=*=*) grep -qxF "${filter#label=}" "$1/labels" || return 1 ;;
            label=*) grep -q "^${filter#label=}=" "$1/labels" || return 1 ;;
            status=*) [ "$(cat "$1/status")" = "${filter#status=}" ] || return 1 ;;
        esac
    done <<EOF
$2
EOF
}

ps_cmd() {
    all=no format= quiet=no filters=
    while [ $# -gt 0 ]; do
        case $1 in
            -a | --all) all=yes ;;
            -q | --quiet) quiet=yes ;;
            --format) shift; format=${1:-} ;;
            --format=*) format=${1#--format=} ;;
            -f | --filter) shift; filters="$filters${filters:+
}${1:-}" ;;
            --filter=*) filters="$filters${filters:+
}${1#--filter=}" ;;
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
        dir=${dir%/}
        [ $all = yes ] || [ "$(cat "$dir/status")" = running ] || continue
        passes "$dir" "$filters" || continue
        render "$(basename "$dir")" "$format"
    done
}

# `-p [ip:][host:]container[/proto]` as a PortBindings entry.
port_binding() {
    spec=$1 proto=tcp
    case $spec in */*) proto=${spec##*/}; spec=${spec%/*} ;; esac
    cport=${spec##*:}
    rest=${spec%"$cport"}
    rest=${rest%:}
    hip= hport=$rest
    case $rest in *:*) hip=${rest%:*}; hport=${rest##*:} ;; esac
    printf '%s:[{"HostIp":%s,"HostPort":%s}]' "$(js "$cport/$proto")" "$(js "$hip")" "$(js "$hport")"
}

# `--ulimit name=soft[:hard]` as an Ulimits entry.
ulimit_entry() {
    name=${1%%=*} soft=${1#*=}
    hard=${soft#*:}
    soft=${soft%%:*}
    printf '{"Name":%s,"Soft":%s,"Hard":%s}' "$(js "$name")" "$soft" "$hard"
}

# docker run / docker create: $1 is the status the container starts in.
create_cmd() {
    start=$1
    shift
    detach=no name= env=$image_env binds= volumes= ports= ulimits= labels= workdir= restart=no retries=0
    privileged=false ipc=private network=default
    while [ $# -gt 0 ]; do
        opt=$1 value=
        case $opt in
            --*=*) value=${opt#*=}; opt=${opt%%=*} ;;
            -d | --detach | --privileged | --rm | -i | -t | -it | --init | --read-only) ;;
            -*) shift; value=${1:-} ;;
        esac
        case $opt in
            -d | --detach) detach=yes ;;
            --privileged) privileged=true ;;
            --name) name=$value ;;
            -e | --env)
                case $value in *=*) ;; *) value=$value=$(printenv "$value" || true) ;; esac
                env=$(printf '%s\n' "$env" | grep -v "^${value%%=*}=" || true)
                env="$env${env:+
}$value" ;;
            -v | --volume)
                case $value in
                    *:*) binds="$binds${binds:+
}$value" ;;
                    *) volumes="$volumes${volumes:+,}$(js "$value"):{}" ;;
                esac ;;
            -p | --publish) ports="$ports${ports:+,}$(port_binding "$value")" ;;
            --ulimit) ulimits="$ulimits${ulimits:+,}$(ulimit_entry "$value")" ;;
            -l | --label) labels="$labels${labels:+
}$value" ;;
            -w | --workdir) workdir=$value ;;
            --restart) restart=${value%%:*}; case $value in *:*) retries=${value#*:} ;; esac ;;
            --ipc) ipc=$value ;;
            --network | --net) network=$value ;;
            -*) ;;
            *) break ;;
        esac
        shift
    done
    image=${1:-}
    [ -n "$image" ] || shim_die 125 "\"docker $command\" requires at least 1 argument."
    shift
    [ -n "$name" ] || name=lab_$(short_id "$image$(date +%N)")
    [ ! -d "$containers/$name" ] ||
        shim_die 125 "docker: Error response from daemon: Conflict. The container name \"/$name\" is already in use."
    id=$(image_id "$image") || { pull_image "$image" >&2 || exit 125; id=$(image_id "$image"); }
    cmd=
    if [ $# -gt 0 ]; then cmd=$(printf '%s\n' "$@"); else cmd=sh; fi
    dir=$containers/$name
    mkdir -p "$dir"
    cid=$(long_id "$name$(date +%N)")
    printf '%s\n' "$cid" > "$dir/id"
    printf '%s\n' "$image" > "$dir/image"
    printf '%s\n' "$id" > "$dir/image_id"
    printf '%s\n' "$*" > "$dir/args"
    printf '%s\n' "$labels" > "$dir/labels"
    date +%Y-%m-%dT%H:%M:%S.000000000Z > "$dir/created"
    [ -n "$volumes" ] && volumes="{$volumes}" || volumes=null
    printf '{"Hostname":%s,"Image":%s,"Env":%s,"Cmd":%s,"WorkingDir":%s,"Labels":%s,"Volumes":%s}\n' \
        "$(js "$(printf '%s' "$cid" | cut -c1-12)")" "$(js "$image")" "$(js_lines "$env")" \
        "$(js_lines "$cmd")" "$(js "$workdir")" "$(js_pairs "$labels")" "$volumes" > "$dir/config.json"
    [ -n "$ulimits" ] && ulimits="[$ulimits]" || ulimits=null
    printf '{"Binds":%s,"PortBindings":{%s},"RestartPolicy":{"Name":%s,"MaximumRetryCount":%s},"Privileged":%s,"Ulimits":%s,"IpcMode":%s,"NetworkMode":%s}\n' \
        "$(js_lines "$binds")" "$ports" "$(js "$restart")" "$retries" "$privileged" "$ulimits" \
        "$(js "$ipc")" "$(js "$network")" > "$dir/host.json"
    if [ "$start" = created ]; then echo created > "$dir/status"
    elif [ $detach = yes ] && [ -e "$docker_dir/knobs/run_exits" ]; then
        # knobs/run_exits: the container's program dies at once; `run -d`
        # still prints the ID and exits 0, as the real engine does.
        echo exited > "$dir/status"
        echo 1 > "$dir/exit_code"
    elif [ $detach = yes ]; then echo running > "$dir/status"
    else echo exited > "$dir/status"; fi
    printf '%s started from %s\n' "$name" "$image" > "$dir/logs"
    [ ! -e "$dir/exit_code" ] || printf 'Error: the server exited at start (runbook lab shim knob run_exits)\n' >> "$dir/logs"
    if [ "$start" = created ] || [ $detach = yes ]; then printf '%s\n' "$cid"; else cat "$dir/logs"; fi
}

inspect_cmd() {
    format= names= type=
    while [ $# -gt 0 ]; do
        case $1 in
            -f | --format) shift; format=${1:-} ;;
            --format=*) format=${1#--format=} ;;
            --type=*) type=${1#--type=} ;;
            --type) shift; type=${1:-} ;;
            -s | --size) ;;
            *) names="$names $1" ;;
        esac
        shift
    done
    status=0 sep=
    [ -n "$format" ] || printf '['
    for name in $names; do
        if [ "$type" != image ] && [ -d "$containers/$name" ]; then
            # A container's .Image is its image's ID (.Config.Image the reference).
            if [ -n "$format" ]; then render "$name" "$(printf '%s' "$format" | sed "s|{{ *\.Image *}}|$(cat "$containers/$name/image_id")|g")"
            else printf '%s%s' "$sep" "$(container_json "$name")"; sep=,
            fi
        elif [ "$type" != container ] && id=$(image_id "$name"); then
            if [ -n "$format" ]; then printf '%s\n' "$format" | sed "s|{{ *\.Id *}}|$id|g"
            else printf '%s%s' "$sep" "$(image_json "$id")"; sep=,
            fi
        else
            printf 'Error: No such %s: %s\n' "${type:-object}" "$name" >&2
            status=1
        fi
    done
    [ -n "$format" ] || printf ']\n'
    exit $status
}

set_status() {
    new=$1
    shift
    for name in "$@"; do
        case $name in -*) continue ;; esac
        dir=$(container "$name") || exit 1
        if [ "$new" = running ] && [ -e "$docker_dir/knobs/run_exits" ]; then
            echo exited > "$dir/status"
            echo 1 > "$dir/exit_code"
        else
            echo "$new" > "$dir/status"
            [ "$new" != running ] || rm -f "$dir/exit_code"
        fi
        printf '%s\n' "$name"
    done
}

rm_cmd() {
    force=no
    for name in "$@"; do
        case $name in -f | --force) force=yes; continue ;; -*) continue ;; esac
        dir=$(container "$name") || exit 1
        if [ "$(cat "$dir/status")" = running ] && [ $force = no ]; then
            shim_die 1 "Error response from daemon: You cannot remove a running container $name. Stop the container before attempting removal or force remove"
        fi
        rm -rf "$dir"
        printf '%s\n' "$name"
    done
}

rmi_cmd() {
    force=no
    for ref in "$@"; do
        case $ref in -f | --force) force=yes; continue ;; -*) continue ;; esac
        id=$(image_id "$ref") || shim_die 1 "Error response from daemon: No such image: $ref"
        if [ $force = no ]; then
            for dir in "$containers"/*/; do
                [ -d "$dir" ] && [ "$(cat "$dir/image_id")" = "$id" ] &&
                    shim_die 1 "Error response from daemon: conflict: unable to remove repository reference \"$ref\" (must force) - container $(cut -c1-12 "$dir/id") is using its referenced image $(printf '%s' "${id#sha256:}" | cut -c1-12)"
            done
        fi
        if [ -f "$(tag_file "$ref")" ]; then
            rm -f "$(tag_file "$ref")"
            printf 'Untagged: %s\n' "$(full_ref "$ref")"
        else
            for tagged in $(refs_of "$id"); do rm -f "$(tag_file "$tagged")"; printf 'Untagged: %s\n' "$tagged"; done
        fi
        [ -n "$(refs_of "$id")" ] || printf 'Deleted: %s\n' "$id"
    done
}

images_cmd() {
    quiet=no
    [ "${1:-}" != -q ] || quiet=yes
    [ $quiet = yes ] || printf 'REPOSITORY   TAG   IMAGE ID   CREATED   SIZE\n'
    for file in "$tags"/*; do
        [ -f "$file" ] || continue
        ref=$(basename "$file" | sed 's|%|/|g')
        id=$(cut -c8-19 "$file")
        if [ $quiet = yes ]; then printf '%s\n' "$id"
        else printf '%s   %s   %s   2 days ago   120MB\n' "${ref%:*}" "${ref##*:}" "$id"
        fi
    done
}

load_cmd() {
    file=
    while [ $# -gt 0 ]; do
        case $1 in -i | --input) shift; file=${1:-} ;; --input=*) file=${1#--input=} ;; esac
        shift
    done
    if [ -z "$file" ]; then
        file=$(mktemp)
        trap 'rm -f "$file"' EXIT
        cat > "$file"
        named=
    else
        [ -f "$file" ] || shim_die 1 "open $file: no such file or directory"
        named=$file
    fi
    refs=$(tar -xOf "$file" manifest.json 2>/dev/null | tr ',' '\n' | sed -n 's/.*"RepoTags":\["\([^"]*\)".*/\1/p; s/^"\([^"]*:[^"]*\)"\]*}*\]*$/\1/p')
    if [ -z "$refs" ] && [ -n "$named" ]; then
        refs=$(basename "$named"); refs=${refs%.tar.gz}; refs=${refs%.tgz}; refs=${refs%.tar}
        refs=$(printf '%s' "$refs" | sed 's/[-_]\([0-9][0-9.]*\)$/:\1/')
    fi
    [ -n "$refs" ] || shim_die 1 "Error: archive has no manifest.json with RepoTags (runbook lab shim)"
    id=sha256:$(sha256sum < "$file" | cut -c1-64)
    for ref in $refs; do
        set_tag "$ref" "$id"
        printf 'Loaded image: %s\n' "$ref"
    done
}

dispatch() {
    command=${1:-}
    [ $# -eq 0 ] || shift
    case $command in
        container | image)
            sub=${1:-}
            [ $# -eq 0 ] || shift
            case $command:$sub in
                container:ls | container:list) ps_cmd "$@" ;;
                image:ls | image:list) images_cmd "$@" ;;
                image:rm) rmi_cmd "$@" ;;
                image:inspect) inspect_cmd --type image "$@" ;;
                container:inspect) inspect_cmd --type container "$@" ;;
                *) dispatch "$sub" "$@" ;;
            esac ;;
        ps) ps_cmd "$@" ;;
        run) create_cmd started "$@" ;;
        create) create_cmd created "$@" ;;
        inspect) inspect_cmd "$@" ;;
        start | restart) set_status running "$@" ;;
        stop | kill) set_status exited "$@" ;;
        rm) rm_cmd "$@" ;;
        rename) rename_cmd "$@" ;;
        update) update_cmd "$@" ;;
        rmi) rmi_cmd "$@" ;;
        pull)
            for ref; do case $ref in -*) ;; *) pull_image "$ref" || exit 1 ;; esac; done ;;
        images) images_cmd "$@" ;;
        load) load_cmd "$@" ;;
        tag)
            [ $# -eq 2 ] || shim_die 1 '"docker tag" requires exactly 2 arguments.'
            id=$(image_id "$1") || shim_die 1 "Error response from daemon: No such image: $1"
            set_tag "$2" "$id" ;;
        exec)
            while [ $# -gt 0 ]; do case $1 in -e | -u | -w) shift ;; -*) ;; *) break ;; esac; shift; done
            dir=$(container "${1:-}") || exit 1
            [ "$(cat "$dir/status")" = running ] || shim_die 1 "Error response from daemon: Container ${1:-} is not running"
            # knobs/exec_fails: the program in the container does not answer.
            [ ! -e "$docker_dir/knobs/exec_fails" ] ||
                shim_die 1 "ERROR: cannot dial server. Is the server running? (runbook lab shim knob exec_fails)" ;;
        logs)
            for name; do case $name in -*) ;; *) dir=$(container "$name") || exit 1; cat "$dir/logs" ;; esac; done ;;
        compose) RUNBOOK_SHIM_LOGGED=1 exec docker-compose "$@" ;;
        version)
            case "$*" in *Server.Version*) echo 24.0.7 ;; *) printf 'Client: Docker Engine (runbook lab)\n Version: 24.0.7\nServer:\n Version: 24.0.7\n' ;; esac ;;
        info) printf 'Server Version: 24.0.7\nStorage Driver: overlay2\n' ;;
        *) shim_die 1 "docker: '$command' is not a docker command (runbook lab shim)." ;;
    esac
}

dispatch "$@"
