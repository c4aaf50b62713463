# supervisorctl, as supervisor 4.x's, with supervisord's process control
# done by the shim itself. Programs come from the configuration (`-c FILE`,
# else /etc/supervisord.conf or /etc/supervisor/supervisord.conf, with their
# [include] files): [program:x] (command, directory, startsecs,
# stopwaitsecs, stdout_logfile) and [group:g] programs=a,b; a program in no
# group is its own group. `start` really runs the command (split as shlex
# does, no shell; setsid, in its directory, output to stdout_logfile) and,
# as supervisord, waits startsecs (default 1) with the program STARTING
# before it says `started`: a program that exits sooner is FATAL
# (`ERROR (spawn error)`, exit 1). `stop` sends TERM to its process group
# and waits stopwaitsecs (default 10) before KILL. Names: `name`,
# `group:name`, `group:*`, `group:`, `all`. Exit codes and messages as 4.x:
# `status` 3 when a program is STOPPED, EXITED or FATAL (STARTING is not),
# 4 for a bad name; `start` of a started or `stop` of a stopped program
# prints ERROR but exits 0. State: $SHIM_STATE/supervisor/procs/.
shim_log supervisorctl "$@"
dir=$SHIM_STATE/supervisor/procs
mkdir -p "$dir"
config=
while [ $# -gt 0 ]; do
    case $1 in
        -c | --configuration) shift; config=${1:-} ;;
        --configuration=*) config=${1#--configuration=} ;;
        -s | -u | -p | --serverurl | --username | --password) shift ;;
        -*) ;;
        *) break ;;
    esac
    shift
done
if [ -z "$config" ]; then
    for candidate in /etc/supervisord.conf /etc/supervisor/supervisord.conf; do
        [ -f "$candidate" ] && { config=$candidate; break; }
    done
fi
[ -n "$config" ] && [ -f "$config" ] || shim_die 2 "Error: could not find config file ${config:-/etc/supervisord.conf}
For help, use /usr/bin/supervisorctl -h"
command=${1:-}
[ $# -eq 0 ] || shift
[ -n "$command" ] || shim_die 2 "supervisorctl: the interactive shell is not modelled (runbook lab shim)"

# The configuration and its [include] files, in order.
config_files() {
    printf '%s\n' "$config"
    base=$(dirname "$config")
    sed -n '/^\[include\]/,/^\[/s/^files *= *//p' "$config" | tr ' ' '\n' | while read -r pattern; do
        [ -n "$pattern" ] || continue
        case $pattern in /*) ;; *) pattern=$base/$pattern ;; esac
        for file in $pattern; do [ -f "$file" ] && printf '%s\n' "$file"; done
    done
}

# One line per program: group, name, startsecs, stopwaitsecs, logfile,
# directory, command (separated by \037), in group then name order.
programs() {
    config_files | xargs cat | awk '
        function flush() { if (prog != "") { cmd[prog] = c; d[prog] = dr; ss[prog] = s; sw[prog] = w; lf[prog] = l } prog = "" }
        /^[ \t]*[;#]/ { next }
        /^\[/ {
            flush(); section = $0; gsub(/^\[|\][ \t]*$/, "", section)
            split(section, kv, ":"); kind = kv[1]; name = substr(section, length(kind) + 2); gsub(/^[ \t]+|[ \t]+$/, "", name)
            if (kind == "program") { prog = name; order[++n] = name; c = ""; dr = ""; s = 1; w = 10; l = "" }
            else if (kind == "group") { grp = name }
            else grp = ""
            next
        }
        /=/ {
            key = $0; sub(/=.*/, "", key); gsub(/[ \t]/, "", key)
            value = $0; sub(/^[^=]*=[ \t]*/, "", value); sub(/[ \t]+$/, "", value)
            if (prog != "") {
                if (key == "command") c = value; else if (key == "directory") dr = value
                else if (key == "startsecs") s = value; else if (key == "stopwaitsecs") w = value
                else if (key == "stdout_logfile") l = value
            } else if (grp != "" && key == "programs") {
                m = split(value, members, ","); for (i = 1; i <= m; i++) { p = members[i]; gsub(/[ \t]/, "", p); group_of[p] = grp }
            }
        }
        END {
            flush()
            for (i = 1; i <= n; i++) { p = order[i]; g = (p in group_of) ? group_of[p] : p
                printf "%s\037%s\037%s\037%s\037%s\037%s\037%s\n", g, p, ss[p], sw[p], lf[p], d[p], cmd[p] }
        }' | sort -t "$(printf '\037')" -k1,1 -k2,2
}

namespec() { if [ "$1" = "$2" ]; then printf '%s' "$2"; else printf '%s:%s' "$1" "$2"; fi; }

# The programs a name selects (all of them for `all`), one line each as
# programs() prints them; nothing when it selects none.
select_programs() {
    case $1 in
        *:*) group=${1%%:*} name=${1#*:}; [ "$name" != '*' ] || name= ;;
        *) group=$1 name=$1 ;;
    esac
    programs | awk -F '\037' -v g="$group" -v n="$name" -v all="$2" 'all == "all" || ($1 == g && (n == "" || $2 == n))'
}

# A zombie (a program that exited, not yet reaped) is not alive.
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# STATE and description of one program (its group, name, startsecs).
state_of() {
    file=$dir/$1:$2
    [ -f "$file" ] || { printf 'STOPPED\tNot started\n'; return; }
    read -r kind pid since < "$file"
    case $kind in
        running)
            if alive "$pid"; then
                up=$((($(shim_ms) - since) / 1000))
                if [ $(($(shim_ms) - since)) -lt $(($3 * 1000)) ]; then
                    printf 'STARTING\t\n'
                else
                    uptime=$(printf '%d:%02d:%02d' $((up / 3600)) $((up % 3600 / 60)) $((up % 60)))
                    [ $up -lt 86400 ] || uptime="$((up / 86400)) days, $(printf '%d:%02d:%02d' $((up % 86400 / 3600)) $((up % 3600 / 60)) $((up % 60)))"
                    printf 'RUNNING\tpid %s, uptime %s\n' "$pid" "$uptime"
                fi
            else
                printf 'EXITED\t%s\n' "$(date '+%b %d %I:%M %p')"
            fi ;;
        fatal) printf 'FATAL\tExited too quickly (process log may have details)\n' ;;
        *) printf 'STOPPED\t%s\n' "$(date -d "@$pid" '+%b %d %I:%M %p')" ;;
    esac
}

running_state() { case $1 in RUNNING | STARTING | BACKOFF) return 0 ;; *) return 1 ;; esac; }

start_one() {
    group=$1 name=$2 startsecs=$3 logfile=$5 workdir=$6 cmd=$7
    spec=$(namespec "$group" "$name")
    [ -n "$logfile" ] && [ "$logfile" != NONE ] || logfile=/dev/null
    [ "$logfile" = /dev/null ] || mkdir -p "$(dirname "$logfile")"
    (
        [ -z "$workdir" ] || cd "$workdir" || exit 127
        # supervisord splits the command as shlex does and execs it: no shell.
        exec setsid python3 -c 'import os, shlex, sys; argv = shlex.split(sys.argv[1]); os.execvp(argv[0], argv)' "$cmd" >> "$logfile" 2>&1 < /dev/null
    ) &
    pid=$!
    printf 'running %s %s\n' "$pid" "$(shim_ms)" > "$dir/$group:$name"
    deadline=$(($(shim_ms) + startsecs * 1000))
    while [ "$(shim_ms)" -lt "$deadline" ]; do
        if ! alive "$pid"; then
            printf 'fatal %s %s\n' "$pid" "$(date +%s)" > "$dir/$group:$name"
            printf '%s: ERROR (spawn error)\n' "$spec"
            return 1
        fi
        sleep 0.1
    done
    if ! alive "$pid"; then
        printf 'fatal %s %s\n' "$pid" "$(date +%s)" > "$dir/$group:$name"
        printf '%s: ERROR (spawn error)\n' "$spec"
        return 1
    fi
    printf '%s: started\n' "$spec"
}

stop_one() {
    group=$1 name=$2 stopwait=$4
    read -r kind pid since < "$dir/$group:$name"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    deadline=$(($(shim_ms) + stopwait * 1000))
    while alive "$pid" && [ "$(shim_ms)" -lt "$deadline" ]; do sleep 0.1; done
    alive "$pid" && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; }
    printf 'stopped %s 0\n' "$(date +%s)" > "$dir/$group:$name"
    printf '%s: stopped\n' "$(namespec "$group" "$name")"
}

status=0
tab=$(printf '\t')
case $command in
    status)
        selected=
        if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx all; then
            selected=$(programs)
        else
            for arg in "$@"; do
                found=$(select_programs "$arg")
                if [ -z "$found" ]; then
                    case $arg in *:*) [ -n "${arg#*:}" ] && [ "${arg#*:}" != '*' ] && what=process || what=group ;; *) what=process ;; esac
                    case $what in group) printf '%s: ERROR (no such group)\n' "${arg%%:*}" ;; *) printf '%s: ERROR (no such process)\n' "$arg" ;; esac
                    status=4
                fi
                selected="$selected${selected:+
}$found"
            done
        fi
        width=30
        lines=$(printf '%s\n' "$selected" | grep . | while IFS="$(printf '\037')" read -r group name startsecs rest; do
            spec=$(namespec "$group" "$name")
            printf '%s\t%s\n' "$spec" "$(state_of "$group" "$name" "$startsecs")"
        done)
        longest=$(printf '%s\n' "$lines" | awk -F '\t' 'length($1) > m { m = length($1) } END { print m + 0 }')
        [ "$longest" -le $width ] || width=$longest
        printf '%s\n' "$lines" | grep . | while IFS="$tab" read -r spec state desc; do
            printf "%-$((width + 3))s%-10s%s\n" "$spec" "$state" "$desc" | sed 's/ *$//'
        done
        # A stopped program's 3 wins over a bad name's 4, as in supervisor.
        if printf '%s\n' "$lines" | cut -f2 | grep -Eqx 'STOPPED|EXITED|FATAL|UNKNOWN'; then
            status=3
        fi ;;
    start | stop | restart)
        [ $# -gt 0 ] || shim_die 2 "Error: $command requires a process name"
        if [ "$command" = restart ]; then
            RUNBOOK_SHIM_LOGGED=1 "$0" -c "$config" stop "$@" || status=$?
            RUNBOOK_SHIM_LOGGED=1 "$0" -c "$config" start "$@" || status=$?
            exit $status
        fi
        for arg in "$@"; do
            case $arg in all | *:) group_call=yes ;; *:'*') group_call=yes ;; *) group_call=no ;; esac
            found=$(select_programs "$arg" "$([ "$arg" = all ] && echo all)")
            if [ -z "$found" ]; then
                if [ $group_call = yes ]; then printf '%s: ERROR (no such group)\n' "${arg%%:*}"; status=2
                else printf '%s: ERROR (no such process)\n' "$arg"; status=1; fi
                continue
            fi
            while IFS="$(printf '\037')" read -r group name startsecs stopwait logfile workdir cmd; do
                current=$(state_of "$group" "$name" "$startsecs" | cut -f1)
                spec=$(namespec "$group" "$name")
                case $command in
                    start)
                        if running_state "$current"; then
                            # A group start skips running programs; a named one says so.
                            [ $group_call = yes ] || printf '%s: ERROR (already started)\n' "$spec"
                        else
                            start_one "$group" "$name" "$startsecs" "$stopwait" "$logfile" "$workdir" "$cmd" || status=1
                        fi ;;
                    stop)
                        if running_state "$current"; then
                            stop_one "$group" "$name" "$startsecs" "$stopwait"
                        else
                            [ $group_call = yes ] || printf '%s: ERROR (not running)\n' "$spec"
                        fi ;;
                esac
            done <<EOF
$found
EOF
        done ;;
    avail)
        programs | while IFS="$(printf '\037')" read -r group name rest; do
            printf '%-32s in use    auto      999:999\n' "$(namespec "$group" "$name")"
        done ;;
    reread) echo 'No config updates to processes' ;;
    update | reload | pid) ;;
    *) printf '*** Unknown syntax: %s\n' "$command"; status=2 ;;
esac
exit $status
