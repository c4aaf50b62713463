# celery: `celery [-A app] multi start|stop|stopwait|restart NODES...` keeps
# one state file per worker node in $SHIM_STATE/celery/.
shim_log celery "$@"
dir=$SHIM_STATE/celery
mkdir -p "$dir"
while [ $# -gt 0 ]; do case $1 in -A | --app | -b | --broker) shift ;; -*) ;; *) break ;; esac; shift; done
command=${1:-}
[ $# -eq 0 ] || shift
case $command in
    multi)
        action=${1:-}
        [ $# -eq 0 ] || shift
        printf 'celery multi v5.3.6 (emerald-rush)\n'
        for node; do
            case $node in -* | *=*) continue ;; esac
            case $action in
                start) echo running > "$dir/$node"; printf '> Starting nodes...\n\t> %s@%s: OK\n' "$node" "$(hostname)" ;;
                restart) echo running > "$dir/$node"; printf '> Restarting node %s@%s: OK\n' "$node" "$(hostname)" ;;
                stop | stopwait | kill)
                    echo stopped > "$dir/$node"
                    printf '> Stopping nodes...\n\t> %s@%s: TERM -> 4242\n' "$node" "$(hostname)"
                    [ "$action" != stopwait ] || printf '> Waiting for 1 node -> 4242.....\n\t> %s@%s: OK\n' "$node" "$(hostname)" ;;
                *) shim_die 1 "celery multi: unknown action $action (runbook lab shim)" ;;
            esac
        done ;;
    status | inspect) printf '%s@%s: OK\n' celery "$(hostname)" ;;
    --version | version) echo '5.3.6 (emerald-rush)' ;;
    *) shim_die 1 "celery: unknown command $command (runbook lab shim)" ;;
esac
