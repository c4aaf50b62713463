# nginx: `-t` always passes, `-s stop|quit|reload|reopen` acts on a running
# nginx, no arguments starts it; one state file.
shim_log nginx "$@"
state=$SHIM_STATE/nginx/status
mkdir -p "${state%/*}"
running() { [ "$(cat "$state" 2>/dev/null)" = running ]; }
case ${1:-}:${2:-} in
    -t:* | -T:*)
        printf 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n' >&2
        printf 'nginx: configuration file /etc/nginx/nginx.conf test is successful\n' >&2 ;;
    -v:* | -V:*) printf 'nginx version: nginx/1.22.1\n' >&2 ;;
    -s:*)
        running || shim_die 1 'nginx: [error] invalid PID number "" in "/run/nginx.pid"'
        case $2 in stop | quit) echo stopped > "$state" ;; esac ;;
    *) running && shim_die 1 'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)'
       echo running > "$state" ;;
esac
