# runbook lab shim prelude: logging and state helpers shared by every shim.
# (The overrides exist for runbook's own tests; ssh sessions never set them.)
SHIM_STATE=${RUNBOOK_SHIM_STATE:-/var/lib/runbook-shims}
SHIM_LOG=${RUNBOOK_SHIM_LOG:-/var/log/runbook-shims.log}

# One word, quoted for sh only when it needs to be.
shim_quote() {
    case $1 in
        '') printf "''" ;;
        *[!A-Za-z0-9_./=:@%+,-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *) printf '%s' "$1" ;;
    esac
}

# shim_log NAME ARGS...: one line per call, unless a shim delegates to
# another shim (`docker compose` -> docker-compose) and already logged.
shim_log() {
    [ -n "${RUNBOOK_SHIM_LOGGED:-}" ] && return 0
    shim_name=$1
    shift
    shim_args=
    for shim_arg in "$@"; do
        shim_args="$shim_args${shim_args:+ }$(shim_quote "$shim_arg")"
    done
    mkdir -p "${SHIM_LOG%/*}"
    printf '%s\t%s\t%s\n' "$(date +%Y-%m-%dT%H:%M:%S.%N)" "$shim_name" "$shim_args" >> "$SHIM_LOG"
}

shim_now() { date '+%a %Y-%m-%d %H:%M:%S %Z'; }

shim_die() {
    status=$1
    shift
    printf '%s\n' "$*" >&2
    exit "$status"
}

# Record this host's KWDB node as live or dead in the lab-wide node list
# that `kwbase node status` prints.
shim_kwdb_node() {
    mkdir -p "$SHIM_STATE/cluster/kwdb"
    printf '%s\t%s\t%s\n' "$(hostname)" "$1" "$(shim_kwdb_version)" > "$SHIM_STATE/cluster/kwdb/$(hostname)"
}

shim_kwdb_version() {
    cat "$SHIM_STATE/kwdb/version" 2>/dev/null || echo 2.0.0
}
