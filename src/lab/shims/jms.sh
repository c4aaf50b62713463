# jms (JumpServer control script): start|stop|restart|status, one state file.
shim_log jms "$@"
state=$SHIM_STATE/jms/status
mkdir -p "${state%/*}"
components="core celery koko lion chen web"
case ${1:-} in
    start | restart) echo running > "$state"; for c in $components; do printf '%s is running\n' "$c"; done ;;
    stop) echo stopped > "$state"; for c in $components; do printf '%s is stopped\n' "$c"; done ;;
    status)
        if [ "$(cat "$state" 2>/dev/null)" = running ]; then
            for c in $components; do printf '%s is running\n' "$c"; done
        else
            for c in $components; do printf '%s is stopped\n' "$c"; done
            exit 1
        fi ;;
    *) shim_die 1 "Usage: jms {start|stop|restart|status} (runbook lab shim)" ;;
esac
