# uwsgi: `uwsgi --ini FILE` reads the [uwsgi] section (socket or http-socket,
# pidfile, daemonize, chdir, wsgi-file or module, pythonpath, vacuum). With
# daemonize it returns at once and the instance logs there; without, it
# stays in the foreground. The master writes its pidfile, loads the app
# (wsgi-file missing: `*** no app loaded. going in full dynamic mode ***`,
# as the real server, which then answers 500), and only after
# knobs/start_delay_ms (default 1000) binds its socket; an address in use
# ends it (`probably another instance of uWSGI is running on the same
# address`). Requests on the socket are answered with HTTP (the lab's
# stand-in for the uwsgi protocol nginx speaks). `--reload PIDFILE` (SIGHUP:
# the app is loaded again) and `--stop PIDFILE` (SIGINT: gone after
# knobs/stop_delay_ms, default 500; the command returns at once) act on the
# pid in the file; vacuum removes the pidfile on exit. uwsgi/instances logs
# every start (`pid<TAB>ini<TAB>wsgi-file`) for tests.
shim_log uwsgi "$@"
dir=$SHIM_STATE/uwsgi
mkdir -p "$dir"
knob() { cat "$dir/knobs/$1" 2>/dev/null || printf '%s\n' "$2"; }
signal_pidfile() { # SIGNAL PIDFILE
    [ -n "${2:-}" ] || shim_die 1 "uwsgi: option '--$3' requires an argument"
    pid=$(tr -d ' \n' < "$2" 2>/dev/null)
    [ -n "$pid" ] || shim_die 1 "[uwsgi-signal] unable to read pidfile $2: No such file or directory"
    kill "-$1" "$pid" 2>/dev/null || shim_die 1 "[uwsgi-signal] error sending signal $1 to pid $pid: No such process"
}
ini=
case ${1:-} in
    --version) echo 2.0.23; exit 0 ;;
    --reload) signal_pidfile HUP "${2:-}" reload; exit 0 ;;
    --stop) signal_pidfile INT "${2:-}" stop; exit 0 ;;
    --ini) ini=${2:-} ;;
    --ini=*) ini=${1#--ini=} ;;
    '') shim_die 1 '*** uWSGI: no options given (runbook lab shim) ***' ;;
    *) shim_die 1 "uwsgi: unrecognized option '$1' (runbook lab shim)" ;;
esac
[ -f "$ini" ] || shim_die 1 "realpath() of $ini failed: No such file or directory [core/utils.c line 3662]"

python3 - "$ini" "$(knob start_delay_ms 1000)" "$(knob stop_delay_ms 500)" "$dir/instances" <<'EOF'
import configparser, os, signal, socket, sys, time

ini, start_delay, stop_delay, instances = sys.argv[1:5]
parser = configparser.ConfigParser(strict=False, interpolation=None)
parser.read(ini)
conf = parser["uwsgi"] if parser.has_section("uwsgi") else {}
address = conf.get("socket") or conf.get("http-socket") or conf.get("http")
daemonize = conf.get("daemonize")
pidfile = conf.get("pidfile")
vacuum = conf.get("vacuum", "false").lower() in ("true", "1", "yes")
chdir = conf.get("chdir")
if chdir:
    os.chdir(chdir)
app = conf.get("wsgi-file") or (conf.get("module", "").replace(".", "/").split(":")[0] + ".py" if conf.get("module") else "")
if conf.get("module") and conf.get("pythonpath") and not app.startswith("/"):
    app = os.path.join(conf.get("pythonpath"), app)
if not address:
    sys.stderr.write("The -s/--socket option is missing and stdin is not a socket.\n")
    sys.exit(1)

if daemonize:
    if os.fork():
        sys.exit(0)
    os.setsid()
    log = open(daemonize, "a", buffering=1)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(devnull, 0)

def say(message):
    sys.stdout.write(message + "\n")
    sys.stdout.flush()

say("*** Starting uWSGI 2.0.23 (64bit) on [%s] ***" % time.ctime())
if pidfile:
    with open(pidfile, "w") as handle:
        handle.write("%d\n" % os.getpid())
with open(instances, "a") as handle:
    handle.write("%d\t%s\t%s\n" % (os.getpid(), os.path.abspath(ini), app))

loaded = False
def load():
    global loaded
    loaded = bool(app) and os.path.isfile(app)
    if loaded:
        say("WSGI app 0 (mountpoint='') ready in 1 seconds on interpreter 0x55d0c0 pid: %d (default app)" % os.getpid())
    else:
        if app:
            say("failed to open python file %s" % app)
        say("*** no app loaded. going in full dynamic mode ***")
load()

def stop(signum, frame):
    say("SIGINT/SIGTERM received...killing workers...")
    time.sleep(int(stop_delay) / 1000)
    if vacuum and pidfile:
        try:
            os.unlink(pidfile)
        except OSError:
            pass
    say("goodbye to uWSGI.")
    os._exit(0)
def reload(signum, frame):
    say("...gracefully killing workers...")
    load()
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGQUIT, stop)
signal.signal(signal.SIGHUP, reload)

time.sleep(int(start_delay) / 1000)
host, _, port = address.rpartition(":")
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    server.bind((host or "0.0.0.0", int(port)))
except OSError as error:
    say("probably another instance of uWSGI is running on the same address (%s)." % address)
    say("bind(): %s [core/socket.c line 769]" % error.strerror)
    if vacuum and pidfile:
        os.unlink(pidfile)
    sys.exit(1)
server.listen(128)
say("uwsgi socket 0 bound to TCP address %s fd 3" % address)
say("spawned uWSGI master process (pid: %d)" % os.getpid())
while True:
    try:
        client, _ = server.accept()
    except InterruptedError:
        continue
    try:
        client.recv(65536)
        if loaded:
            body = b"loonflow"
            client.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        else:
            client.sendall(b"HTTP/1.0 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
    client.close()
EOF
