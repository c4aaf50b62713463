# nginx: `-t` tests the configuration as nginx parses it (/etc/nginx/nginx.conf
# or -c FILE, `include` globs relative to /etc/nginx): blocks, `;`-terminated
# directives, quotes, comments and known directive names; the messages and
# exit codes are nginx's (`[emerg] ... in FILE:LINE`, `test failed`, exit 1).
# With no -s it starts nginx (refused on a broken configuration or when it
# already runs); `-s reload` re-reads the configuration in the running master
# (the command exits 0 as the real one: a broken configuration is only logged
# to /var/log/nginx/error.log and the old one stays loaded); `-s stop|quit`.
# State: nginx/status, and nginx/loaded (the configuration in effect, every
# included file in order) and nginx/reloads (one line per accepted reload).
shim_log nginx "$@"
dir=$SHIM_STATE/nginx
mkdir -p "$dir"
root=${RUNBOOK_SHIM_ROOT:-}
running() { [ "$(cat "$dir/status" 2>/dev/null)" = running ]; }
conf=/etc/nginx/nginx.conf
test_only= signal= quiet=
while [ $# -gt 0 ]; do
    case $1 in
        -t | -T) test_only=yes ;;
        -q) quiet=yes ;;
        -c) shift; conf=${1:-} ;;
        -s) shift; signal=${1:-} ;;
        -g | -p | -e) shift ;;
        -v) printf 'nginx version: nginx/1.22.1\n' >&2; exit 0 ;;
        -V) printf 'nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.11\n' >&2; exit 0 ;;
        *) shim_die 1 "nginx: invalid option: \"$1\"" ;;
    esac
    shift
done

# parse OUT: check $conf; on success OUT holds the expanded configuration,
# on failure stderr has nginx's [emerg] line.
parse() {
    python3 - "$root" "$conf" "$1" <<'EOF'
import glob, os, sys

root, main, out = sys.argv[1:4]
KNOWN = set("""
user worker_processes error_log pid include events worker_connections multi_accept use http server
location listen server_name root alias index access_log log_format sendfile tcp_nopush tcp_nodelay
keepalive_timeout types default_type gzip gzip_types client_max_body_size proxy_pass proxy_set_header
proxy_read_timeout proxy_connect_timeout proxy_send_timeout proxy_buffering uwsgi_pass uwsgi_param
uwsgi_read_timeout uwsgi_send_timeout uwsgi_connect_timeout upstream return rewrite try_files if
set add_header expires autoindex charset ssl_certificate ssl_certificate_key ssl_protocols
ssl_ciphers worker_rlimit_nofile types_hash_max_size server_tokens server_names_hash_bucket_size
fastcgi_pass fastcgi_param allow deny limit_except error_page
""".split())
BLOCKS = {"events", "http", "server", "location", "upstream", "types", "if", "limit_except"}

def emerg(message):
    sys.stderr.write("nginx: [emerg] %s\n" % message)
    sys.exit(1)

def tokens(path):
    try:
        with open(root + path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as error:
        emerg('open() "%s" failed (%d: %s)' % (path, error.errno, os.strerror(error.errno)))
    line, i, n = 1, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1; i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "{};":
            yield c, line; i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                emerg('unexpected end of file, expecting ";" or "}" in %s:%d' % (path, line))
            yield text[i + 1:j], line
            line += text[i:j].count("\n"); i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "{};":
                j += 1
            yield text[i:j], line; i = j

expanded = []

def parse(path):
    depth, last = [], 1
    expanded.append("# configuration file %s:\n" % path)
    try:
        with open(root + path, encoding="utf-8", errors="replace") as handle:
            expanded.append(handle.read() + "\n")
    except OSError:
        pass
    words, line0 = [], 0
    for token, line in tokens(path):
        last = line
        if token in ("{", ";"):
            if not words:
                emerg('unexpected "%s" in %s:%d' % (token, path, line))
            name = words[0]
            if name not in KNOWN:
                emerg('unknown directive "%s" in %s:%d' % (name, path, line0))
            if token == "{" and name not in BLOCKS:
                emerg('directive "%s" is not terminated by ";" in %s:%d' % (name, path, line0))
            if token == ";" and name in BLOCKS:
                emerg('directive "%s" has no opening "{" in %s:%d' % (name, path, line0))
            if token == "{":
                depth.append((name, path, line0))
            elif name == "include":
                if len(words) != 2:
                    emerg('invalid number of arguments in "include" directive in %s:%d' % (path, line0))
                pattern = words[1] if words[1].startswith("/") else "/etc/nginx/" + words[1]
                matches = sorted(glob.glob(root + pattern))
                if not matches and not glob.has_magic(pattern):
                    emerg('open() "%s" failed (2: No such file or directory) in %s:%d' % (pattern, path, line0))
                for match in matches:
                    parse(match[len(root):])
            words = []
        elif token == "}":
            if words:
                emerg('unexpected "}" in %s:%d' % (path, line))
            if not depth:
                emerg('unexpected "}" in %s:%d' % (path, line))
            depth.pop()
        else:
            if not words:
                line0 = line
            words.append(token)
    if words:
        emerg('unexpected end of file, expecting ";" or "}" in %s:%d' % (path, line0))
    if depth:
        emerg('unexpected end of file, expecting "}" in %s:%d' % (path, last))

parse(main)
with open(out, "w", encoding="utf-8") as handle:
    handle.write("".join(expanded))
EOF
}

scratch=$dir/parsed.$$
trap 'rm -f "$scratch" "$scratch.err"' EXIT
if [ -n "$test_only" ]; then
    if parse "$scratch" 2> "$scratch.err"; then
        [ -n "$quiet" ] || printf 'nginx: the configuration file %s syntax is ok\nnginx: configuration file %s test is successful\n' "$conf" "$conf" >&2
        exit 0
    fi
    cat "$scratch.err" >&2
    printf 'nginx: configuration file %s test failed\n' "$conf" >&2
    exit 1
fi
case $signal in
    '')
        running && shim_die 1 'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)'
        parse "$scratch" || exit 1
        mv "$scratch" "$dir/loaded"
        echo running > "$dir/status" ;;
    reload)
        running || shim_die 1 'nginx: [error] invalid PID number "" in "/run/nginx.pid"'
        mkdir -p "$root/var/log/nginx"
        if parse "$scratch" 2> "$scratch.err"; then
            mv "$scratch" "$dir/loaded"
            date +%Y-%m-%dT%H:%M:%S.%N >> "$dir/reloads"
        else
            sed "s/^nginx: /$(date '+%Y\/%m\/%d %H:%M:%S') /" "$scratch.err" >> "$root/var/log/nginx/error.log"
        fi ;;
    stop | quit)
        running || shim_die 1 'nginx: [error] invalid PID number "" in "/run/nginx.pid"'
        echo stopped > "$dir/status" ;;
    reopen) running || shim_die 1 'nginx: [error] invalid PID number "" in "/run/nginx.pid"' ;;
    *) shim_die 1 "nginx: invalid option: \"-s $signal\"" ;;
esac
