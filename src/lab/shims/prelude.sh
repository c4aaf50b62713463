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

shim_ms() { echo $(($(date +%s%N) / 1000000)); }

# A lab-wide or per-host KWDB knob (a file), or its default.
shim_kwdb_knob() { cat "$SHIM_STATE/kwdb/knobs/$1" 2>/dev/null || printf '%s\n' "$2"; }

# This host's advertised address: its /etc/hosts entry, as a real node
# advertises an IP rather than a hostname.
shim_address() {
    awk -v host="$(hostname)" '$1 !~ /^#/ { for (i = 2; i <= NF; i++) if ($i == host) { print $1; exit } }' /etc/hosts |
        grep . || echo 127.0.0.1
}

# Record this host's KWDB node in the lab-wide node list `kwbase` reads:
#   host, address, state (live|dead), build, node id, started_at (ms),
#   ready_at (ms: live and available from then), caught_up_at (ms: its
#   ranges fully replicated again), updated_at (ms).
# A started node takes knobs/rejoin_ms (default 1500) to become live and
# knobs/catch_up_ms (default 1000) more until it holds no under-replicated
# range; knobs/never_rejoin keeps it joining forever.
shim_kwdb_node() {
    dir=$SHIM_STATE/cluster/kwdb
    mkdir -p "$dir"
    file=$dir/$(hostname)
    now=$(shim_ms)
    id=$(cut -f5 "$file" 2>/dev/null)
    if [ -z "$id" ]; then
        # Node ids are handed out once, in join order, even when nodes start together.
        until mkdir "$dir/.id-lock" 2>/dev/null; do sleep 0.05; done
        id=$(($(cat "$dir/.next-id" 2>/dev/null || echo 0) + 1))
        echo "$id" > "$dir/.next-id"
        rmdir "$dir/.id-lock"
    fi
    if [ "$1" = live ]; then
        rejoin=$(shim_kwdb_knob rejoin_ms 1500)
        [ ! -e "$SHIM_STATE/kwdb/knobs/never_rejoin" ] || rejoin=999999999999
        ready=$((now + rejoin))
        caught=$((ready + $(shim_kwdb_knob catch_up_ms 1000)))
        started=$now
    else
        started=$(cut -f6 "$file" 2>/dev/null)
        ready=0 caught=0
    fi
    shim_kwdb_journal "$1" "$(hostname)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(hostname)" "$(shim_address)" "$1" \
        "$(shim_kwdb_version)" "$id" "${started:-$now}" "$ready" "$caught" "$now" > "$file.tmp"
    mv "$file.tmp" "$file"
}

# The lab-wide journal of what the KWDB cluster did and what kwbase told its
# clients (`ms<TAB>host<TAB>event<TAB>detail`), so a test can prove what a
# playbook saw before it acted.
shim_kwdb_journal() {
    mkdir -p "$SHIM_STATE/cluster"
    printf '%s\t%s\t%s\t%s\n' "$(shim_ms)" "$(hostname)" "$1" "${2:-}" >> "$SHIM_STATE/cluster/kwdb-journal"
}

shim_kwdb_version() {
    cat "$SHIM_STATE/kwdb/version" 2>/dev/null || echo 2.0.0
}
