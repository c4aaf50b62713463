# supervisorctl: a program exists once $SHIM_STATE/supervisor/<name> exists
# (RUNNING or STOPPED) or a [program:<name>] section is in /etc/supervisor.
shim_log supervisorctl "$@"
dir=$SHIM_STATE/supervisor
mkdir -p "$dir"
while [ $# -gt 0 ]; do case $1 in -c | -s | -u | -p) shift ;; -*) ;; *) break ;; esac; shift; done
command=${1:-status}
[ $# -eq 0 ] || shift

configured() {
    cat /etc/supervisor/supervisord.conf /etc/supervisor/conf.d/*.conf 2>/dev/null |
        sed -n 's/^\[program:\([^]]*\)\].*/\1/p'
}

known() { { ls "$dir"; configured; } | sort -u; }

exists() {
    [ -f "$dir/$1" ] && return 0
    configured | grep -qx "$1" || return 1
    echo STOPPED > "$dir/$1"
}

state() { cat "$dir/$1"; }

targets() {
    if [ $# -eq 0 ] || [ "$1" = all ]; then known; else printf '%s\n' "$@"; fi
}

status=0
case $command in
    status)
        for name in $(targets "$@"); do
            if ! exists "$name"; then printf '%s: ERROR (no such process)\n' "$name"; status=4; continue; fi
            if [ "$(state "$name")" = RUNNING ]; then
                printf '%-32s RUNNING   pid 4242, uptime 0:10:00\n' "$name"
            else
                printf '%-32s STOPPED   Not started\n' "$name"; status=3
            fi
        done ;;
    start | stop | restart)
        for name in $(targets "$@"); do
            if ! exists "$name"; then printf '%s: ERROR (no such process)\n' "$name"; status=7; continue; fi
            case $command:$(state "$name") in
                start:RUNNING) printf '%s: ERROR (already started)\n' "$name"; status=7 ;;
                stop:STOPPED) printf '%s: ERROR (not running)\n' "$name"; status=7 ;;
                stop:*) echo STOPPED > "$dir/$name"; printf '%s: stopped\n' "$name" ;;
                restart:RUNNING) printf '%s: stopped\n%s: started\n' "$name" "$name" ;;
                *) echo RUNNING > "$dir/$name"; printf '%s: started\n' "$name" ;;
            esac
        done ;;
    reread) echo 'No config updates to processes' ;;
    update | reload | avail | pid) ;;
    *) printf '*** Unknown syntax: %s\n' "$command"; status=2 ;;
esac
exit $status
