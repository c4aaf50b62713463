# systemctl: units are directories under $SHIM_STATE/systemd/<unit>/ holding
# `active` (its content: since when) and `enabled` marker files.
shim_log systemctl "$@"
units_dir=$SHIM_STATE/systemd
quiet=no
now=no
value=no
properties=
command=
units=
while [ $# -gt 0 ]; do
    case $1 in
        -q | --quiet) quiet=yes ;;
        --now) now=yes ;;
        --value) value=yes ;;
        -p | --property) shift; properties="$properties,${1:-}" ;;
        --property=*) properties="$properties,${1#--property=}" ;;
        -*) ;;
        *) if [ -z "$command" ]; then command=$1; else units="$units $1"; fi ;;
    esac
    shift
done

unit_name() { case $1 in *.*) printf '%s' "$1" ;; *) printf '%s.service' "$1" ;; esac; }

unit_exists() {
    [ -d "$units_dir/$1" ] || [ -f "/etc/systemd/system/$1" ] || return 1
    mkdir -p "$units_dir/$1"
}

is_active() { [ -e "$units_dir/$1/active" ]; }
is_enabled() { [ -e "$units_dir/$1/enabled" ]; }

say() { [ "$quiet" = yes ] || printf '%s\n' "$*"; }

not_found() { printf 'Unit %s could not be found.\n' "$1" >&2; }

# kaiwudb fails to start once a failed upgrade removed its binaries, or
# when a test sets the kwdb start_fails knob; any unit fails to start while
# systemd-knobs/start_fails/UNIT exists. The unit is then `failed`.
activate() {
    if [ ! -e "$units_dir/$1/active" ] && {
        [ -e "$SHIM_STATE/systemd-knobs/start_fails/$1" ] ||
        { [ "$1" = kaiwudb.service ] &&
            { [ -e "$SHIM_STATE/kwdb/removed" ] || [ -e "$SHIM_STATE/kwdb/knobs/start_fails" ]; }; }
    }; then
        : > "$units_dir/$1/failed"
        printf 'Job for %s failed because the control process exited with error code.\nSee "systemctl status %s" and "journalctl -xeu %s" for details.\n' "$1" "$1" "$1" >&2
        status=1
        return
    fi
    rm -f "$units_dir/$1/failed"
    [ -e "$units_dir/$1/active" ] && return
    shim_now > "$units_dir/$1/active"
    [ "$1" != kaiwudb.service ] || shim_kwdb_node live
}

deactivate() {
    was_active=no
    [ ! -e "$units_dir/$1/active" ] || was_active=yes
    rm -f "$units_dir/$1/active" "$units_dir/$1/failed"
    [ "$1" != kaiwudb.service ] || [ $was_active = no ] || shim_kwdb_node dead
}

print_status() {
    if is_enabled "$1"; then enabled=enabled; else enabled=disabled; fi
    printf '● %s - %s (runbook lab)\n' "$1" "${1%.*}"
    printf '     Loaded: loaded (/etc/systemd/system/%s; %s; preset: enabled)\n' "$1" "$enabled"
    if is_active "$1"; then
        printf '     Active: active (running) since %s\n' "$(cat "$units_dir/$1/active")"
    elif [ -e "$units_dir/$1/failed" ]; then
        printf '     Active: failed (Result: exit-code)\n'
    else
        printf '     Active: inactive (dead)\n'
    fi
}

show() {
    if unit_exists "$1"; then load=loaded; else load=not-found; fi
    if is_active "$1"; then active=active sub=running
    elif [ -e "$units_dir/$1/failed" ]; then active=failed sub=failed
    else active=inactive sub=dead; fi
    if [ $load = not-found ]; then file_state=; elif is_enabled "$1"; then file_state=enabled; else file_state=disabled; fi
    for pair in "Id=$1" "Names=$1" "Description=${1%.*} (runbook lab)" "LoadState=$load" \
        "ActiveState=$active" "SubState=$sub" "UnitFileState=$file_state" "MainPID=0"; do
        key=${pair%%=*}
        case ",$properties," in ,, | *",$key,"*) ;; *) continue ;; esac
        if [ "$value" = yes ]; then printf '%s\n' "${pair#*=}"; else printf '%s\n' "$pair"; fi
    done
}

# Every unit the shim knows: its state directories and the unit files.
known_units() {
    { ls "$units_dir" 2>/dev/null; ls /etc/systemd/system 2>/dev/null | grep '\.service$'; } | sort -u
}

# `list-units --type service --all --plain`, in systemd 252's columns.
list_units() {
    printf '%-24s %-6s %-8s %-7s %s\n' UNIT LOAD ACTIVE SUB DESCRIPTION
    count=0
    for unit in $(known_units); do
        if is_active "$unit"; then active=active sub=running
        elif [ -e "$units_dir/$unit/failed" ]; then active=failed sub=failed
        else active=inactive sub=dead; fi
        printf '%-24s %-6s %-8s %-7s %s\n' "$unit" loaded "$active" "$sub" "${unit%.*} (runbook lab)"
        count=$((count + 1))
    done
    printf '\nLOAD   = Reflects whether the unit definition was properly loaded.\n'
    printf 'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n'
    printf 'SUB    = The low-level unit activation state, values depend on unit type.\n'
    printf '%s loaded units listed.\n' "$count"
}

# `list-unit-files --type service --all`: units with a file under /etc/systemd/system.
list_unit_files() {
    printf '%-24s %-8s %s\n' 'UNIT FILE' STATE PRESET
    count=0
    for unit in $(known_units); do
        [ -f "/etc/systemd/system/$unit" ] || continue
        if is_enabled "$unit"; then state=enabled; else state=disabled; fi
        printf '%-24s %-8s %s\n' "$unit" "$state" enabled
        count=$((count + 1))
    done
    printf '\n%s unit files listed.\n' "$count"
}

status=0
case $command in
    daemon-reload | daemon-reexec | reset-failed) exit 0 ;;
    reboot | poweroff | halt) RUNBOOK_SHIM_LOGGED=1 exec "${0%/*}/$command" ;;
    list-units) list_units; exit 0 ;;
    list-unit-files) list_unit_files; exit 0 ;;
    '') shim_die 1 "systemctl: no command given (runbook lab shim)" ;;
esac
for raw in $units; do
    unit=$(unit_name "$raw")
    case $command in
        start | restart | try-restart | reload-or-restart | stop | enable | disable | reload | status)
            if ! unit_exists "$unit"; then
                case $command in
                    status) not_found "$unit"; status=4 ;;
                    enable | disable) printf 'Failed to %s unit: Unit file %s does not exist.\n' "$command" "$unit" >&2; status=1 ;;
                    *) printf 'Failed to %s %s: Unit %s not found.\n' "$command" "$unit" "$unit" >&2; status=5 ;;
                esac
                continue
            fi ;;
    esac
    case $command in
        start) activate "$unit" ;;
        restart | reload-or-restart) deactivate "$unit"; activate "$unit" ;;
        try-restart) if is_active "$unit"; then deactivate "$unit"; activate "$unit"; fi ;;
        stop) deactivate "$unit" ;;
        reload)
            if ! is_active "$unit"; then
                printf 'Job for %s failed because the unit is not active.\n' "$unit" >&2
                status=1
            fi ;;
        enable) : > "$units_dir/$unit/enabled"; [ $now = no ] || activate "$unit" ;;
        disable) rm -f "$units_dir/$unit/enabled"; [ $now = no ] || deactivate "$unit" ;;
        is-active)
            if is_active "$unit"; then say active
            elif [ -e "$units_dir/$unit/failed" ]; then say failed; status=3
            else say inactive; status=3; fi ;;
        is-enabled)
            if ! unit_exists "$unit"; then
                printf 'Failed to get unit file state for %s: No such file or directory\n' "$unit" >&2
                status=1
            elif is_enabled "$unit"; then say enabled
            else say disabled; status=1
            fi ;;
        status)
            [ "$quiet" = yes ] || print_status "$unit"
            is_active "$unit" || status=3 ;;
        show) show "$unit" ;;
        *) shim_die 1 "Unknown command verb $command." ;;
    esac
done
exit $status
