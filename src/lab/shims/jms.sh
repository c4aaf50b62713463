# jms (JumpServer control script): start|stop|restart|status [SERVICE] [-d].
# `start` brings core up after knobs/start_delay_ms (default 1000): only
# then does it listen on this host's address, port knobs/port (8080), as
# gunicorn does once its workers have booted. knobs/start_fails makes core
# exit during boot (the real tool still prints the start lines and exits 0
# with -d; the port never opens): always when empty, else only when it
# names the version of the code jms runs from (./apps/jumpserver/const.py).
shim_log jms "$@"
dir=$SHIM_STATE/jms
mkdir -p "$dir"
knob() { cat "$dir/knobs/$1" 2>/dev/null || printf '%s\n' "$2"; }
components="gunicorn celery beat"
pidfile=$dir/gunicorn.pid
alive() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case ${1:-} in
    start | restart)
        if [ "$1" = restart ] && alive; then kill "$(cat "$pidfile")"; rm -f "$pidfile"; fi
        if alive; then
            printf 'gunicorn is running: %s\n' "$(cat "$pidfile")"
            echo running > "$dir/status"
            exit 0
        fi
        for c in $components; do printf 'Start service %s\n' "$c"; done
        echo running > "$dir/status"
        # Which code this is: ./apps/jumpserver/const.py, as jms runs from the checkout.
        code=$(sed -n "s/^VERSION = '\(.*\)'\$/\1/p" apps/jumpserver/const.py 2>/dev/null)
        if [ -e "$dir/knobs/start_fails" ] && { [ ! -s "$dir/knobs/start_fails" ] || [ "$(cat "$dir/knobs/start_fails")" = "$code" ]; }; then
            rm -f "$pidfile"
            exit 0
        fi
        delay=$(knob start_delay_ms 1000)
        port=$(knob port 8080)
        address=$(shim_address)
        python3 -c '
import socket, sys, time
time.sleep(int(sys.argv[1]) / 1000)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[3]))); s.listen(16)
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.0 302 Found\r\nLocation: /users/login/\r\nContent-Length: 0\r\n\r\n")
    c.close()
' "$delay" "$address" "$port" < /dev/null > /dev/null 2>&1 &
        echo $! > "$pidfile"
        ;;
    stop)
        if alive; then
            kill "$(cat "$pidfile")"
            for c in $components; do printf 'Stop service %s\n' "$c"; done
        else
            for c in $components; do printf '%s is stopped\n' "$c"; done
        fi
        rm -f "$pidfile"
        echo stopped > "$dir/status"
        ;;
    status)
        if alive; then
            for c in $components; do printf '%s is running: %s\n' "$c" "$(cat "$pidfile")"; done
        else
            for c in $components; do printf '%s is stopped\n' "$c"; done
            exit 1
        fi ;;
    *) shim_die 1 "Usage: ./jms [start|stop|restart|status] [all|gunicorn|celery|beat] [-d] (runbook lab shim)" ;;
esac
