# uwsgi: --ini/--socket start it, --reload/--stop act on it; one state file.
shim_log uwsgi "$@"
state=$SHIM_STATE/uwsgi/status
mkdir -p "${state%/*}"
running() { [ "$(cat "$state" 2>/dev/null)" = running ]; }
case ${1:-} in
    --version) echo 2.0.23 ;;
    --reload) running || shim_die 1 "uwsgi: no uWSGI instance to reload"; echo 'signal sent to uWSGI' ;;
    --stop) running || shim_die 1 "uwsgi: no uWSGI instance to stop"; echo stopped > "$state" ;;
    '') shim_die 1 '*** uWSGI: no options given (runbook lab shim) ***' ;;
    *) echo running > "$state"; echo '*** uWSGI is running in multiple interpreter mode ***' ;;
esac
