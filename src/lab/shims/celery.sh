# celery: `celery [-A APP] multi start|stop|stopwait|restart|kill|names NODE...
# [worker options]` as celery multi does it. Node names (`worker` is
# worker@<hostname>) and worker options may come in any order; the pidfile
# and logfile are --pidfile=/-p and --logfile=/-f (defaults
# /var/run/celery/%n.pid and /var/log/celery/%n%I.log; %n, %h, %i and %I
# are expanded; relative paths are the current directory's). A stop finds
# its worker only through that pidfile: given other paths than the start it
# says `DOWN`, exits 0, and the worker runs on, as the real tool does.
#
# start: the worker loads the -A module from the current directory (APP.py or
# APP/__init__.py), refuses a pidfile whose process lives, then detaches: a
# real background process that writes the pidfile and logs `ready` to the
# logfile. stop sends TERM and returns; stopwait also waits until the worker
# has gone, which takes its warm shutdown: knobs/stop_delay_ms (default
# 1500) as it reads when the TERM arrives, the tasks it runs then; a worker
# whose tasks never end never goes, and stopwait never returns. Each node's options are kept in celery/<node@host> (app, queues,
# concurrency, loglevel, directory, pidfile, logfile) for tests to read.
shim_log celery "$@"
dir=$SHIM_STATE/celery
mkdir -p "$dir"
app= broker=
while [ $# -gt 0 ]; do
    case $1 in
        -A | --app) shift; app=${1:-} ;;
        --app=*) app=${1#--app=} ;;
        -b | --broker) shift; broker=${1:-} ;;
        --broker=*) broker=${1#--broker=} ;;
        --workdir) shift; cd "${1:-.}" || exit 1 ;;
        -*) ;;
        *) break ;;
    esac
    shift
done
command=${1:-}
[ $# -eq 0 ] || shift
: "$broker"

case $command in
    multi) ;;
    status | inspect) printf '%s@%s: OK\n' celery "$(hostname)"; exit 0 ;;
    --version | version) echo '5.3.6 (emerald-rush)'; exit 0 ;;
    *) shim_die 2 "Usage: celery [OPTIONS] COMMAND [ARGS]...
Error: No such command '$command'." ;;
esac

action=${1:-}
[ $# -eq 0 ] || shift
nodes= pidfile=/var/run/celery/%n.pid logfile=/var/log/celery/%n%I.log
loglevel=WARNING concurrency= queues=celery
while [ $# -gt 0 ]; do
    case $1 in
        -A | --app) shift; app=${1:-} ;;
        --app=*) app=${1#--app=} ;;
        --pidfile=*) pidfile=${1#--pidfile=} ;;
        -p | --pidfile) shift; pidfile=${1:-} ;;
        --logfile=*) logfile=${1#--logfile=} ;;
        -f | --logfile) shift; logfile=${1:-} ;;
        -l | --loglevel) shift; loglevel=${1:-} ;;
        --loglevel=*) loglevel=${1#--loglevel=} ;;
        -c | --concurrency) shift; concurrency=${1:-} ;;
        --concurrency=*) concurrency=${1#--concurrency=} ;;
        -Q | --queues) shift; queues=${1:-} ;;
        --queues=*) queues=${1#--queues=} ;;
        -b | --broker | -n | --hostname | -O | -P | --pool | -E) [ "$1" = -E ] || shift ;;
        -*) ;;
        *) nodes="$nodes $1" ;;
    esac
    shift
done
[ -n "$nodes" ] || shim_die 1 "usage: celery multi start <node1 node2 nodeN|range> [worker options]
       celery multi stop <n1 n2 nN|range> [-SIG (default: -TERM)]"

printf 'celery multi v5.3.6 (emerald-rush)\n'
host=$(hostname)
full_name() { case $1 in *@*) printf '%s' "$1" ;; *) printf '%s@%s' "$1" "$host" ;; esac; }
expand() { # TEMPLATE NODE
    short=${2%%@*}
    printf '%s' "$1" | sed "s|%n|$short|g; s|%h|$2|g; s|%i|0|g; s|%I||g; s|%d|${2#*@}|g"
}
pid_of() { cat "$1" 2>/dev/null | tr -d ' \n'; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

start_node() { # NODE PIDFILE LOGFILE
    printf '\t> %s: ' "$1"
    if [ -z "$app" ] || { [ ! -f "$app.py" ] && [ ! -f "$app/__init__.py" ]; }; then
        printf "Usage: celery [OPTIONS] COMMAND [ARGS]...\nTry 'celery --help' for help.\n\nError: Invalid value for '-A' / '--app': \nUnable to load celery application.\nThe module %s was not found.\n" "${app:-celery}" >&2
        printf '* Child terminated with exit code 2\nFAILED\n'
        return 1
    fi
    old=$(pid_of "$2")
    if alive "$old"; then
        printf "ERROR: Pidfile (%s) already exists.\nSeems we're already running? (pid: %s)\n" "$2" "$old" >&2
        printf '* Child terminated with exit code 1\nFAILED\n'
        return 1
    fi
    mkdir -p "$(dirname "$2")" "$(dirname "$3")"
    rm -f "$2"
    python3 -c '
import os, signal, sys, time
pidfile, logfile, name, delay, queues = sys.argv[1:6]
def log(level, message):
    with open(logfile, "a") as handle:
        handle.write("[%s: %s/MainProcess] %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S,000"), level, message))
def shutdown(signum, frame):
    log("WARNING", "worker: Warm shutdown (MainProcess)")
    # As long as the tasks running at this moment take.
    try:
        with open(delay) as handle:
            wait = int(handle.read().strip() or 0)
    except (OSError, ValueError):
        wait = 1500
    time.sleep(wait / 1000)
    os.unlink(pidfile)
    sys.exit(0)
signal.signal(signal.SIGTERM, shutdown)
signal.signal(signal.SIGINT, shutdown)
with open(pidfile, "w") as handle:
    handle.write("%d\n" % os.getpid())
log("INFO", "Connected to redis://127.0.0.1:6379/1")
log("INFO", "%s ready. (queues: %s, cwd: %s)" % (name, queues, os.getcwd()))
while True:
    time.sleep(3600)
' "$2" "$3" "$1" "$dir/knobs/stop_delay_ms" "$queues" < /dev/null > /dev/null 2>&1 &
    printf 'app=%s\nqueues=%s\nconcurrency=%s\nloglevel=%s\ndirectory=%s\npidfile=%s\nlogfile=%s\n' \
        "$app" "$queues" "$concurrency" "$loglevel" "$(pwd)" "$2" "$3" > "$dir/$1"
    # The detached worker has written its pidfile before `multi` returns.
    tries=0
    while [ ! -s "$2" ] && [ $tries -lt 100 ]; do sleep 0.05; tries=$((tries + 1)); done
    printf 'OK\n'
}

# stop_nodes SIGNAL WAIT: every node found through its pidfile gets SIGNAL.
stop_nodes() {
    found=
    for node in $nodes; do
        name=$(full_name "$node")
        pid=$(pid_of "$(expand "$pidfile" "$name")")
        if [ -z "$pid" ]; then printf '> %s: DOWN\n' "$name"; continue; fi
        found="$found $name=$pid"
    done
    [ -n "$found" ] || return 0
    printf '> Stopping nodes...\n'
    waiting=
    for entry in $found; do
        name=${entry%=*} pid=${entry#*=}
        printf '\t> %s: %s -> %s\n' "$name" "$1" "$pid"
        if kill "-$1" "$pid" 2>/dev/null; then
            waiting="$waiting $entry"
        else
            printf 'Could not signal %s (%s): No such process\n' "$name" "$pid"
            printf '> %s: DOWN\n' "$name"
        fi
    done
    [ "$2" = wait ] && [ -n "$waiting" ] || return 0
    set -- $waiting
    printf '> Waiting for %s %s -> %s...' "$#" "$( [ $# -eq 1 ] && echo node || echo nodes)" \
        "$(for entry; do printf '%s ' "${entry#*=}"; done | sed 's/ $//; s/ /, /g')"
    for entry; do
        name=${entry%=*} pid=${entry#*=}
        while alive "$pid"; do printf '.'; sleep 0.5; done
        printf '\n\t> %s: OK\n> %s: DOWN\n' "$name" "$name"
    done
}

status=0
case $action in
    start)
        printf '> Starting nodes...\n'
        for node in $nodes; do
            name=$(full_name "$node")
            start_node "$name" "$(expand "$pidfile" "$name")" "$(expand "$logfile" "$name")" || status=1
        done ;;
    stop) stop_nodes TERM no ;;
    stopwait | stop_verify) stop_nodes TERM wait ;;
    kill) stop_nodes KILL no ;;
    restart)
        stop_nodes TERM wait
        printf '> Restarting nodes...\n'
        for node in $nodes; do
            name=$(full_name "$node")
            start_node "$name" "$(expand "$pidfile" "$name")" "$(expand "$logfile" "$name")" || status=1
        done ;;
    names) for node in $nodes; do full_name "$node"; echo; done ;;
    *) shim_die 1 "Invalid command: $action" ;;
esac
exit $status
