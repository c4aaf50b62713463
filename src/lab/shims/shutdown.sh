# shutdown, reboot, halt, poweroff as systemd's: they ask the host's init
# (the lab's host_setup.sh, PID 1 of the host) to reboot or power off, by
# writing the action to $SHIM_STATE/power/request and sending it SIGUSR1.
# The init ends every process of the host (ssh sessions included), keeps the
# host unreachable for power/knobs/down_ms (2000) and starts sshd again with
# a new boot id; poweroff stops the host (`runbook lab start` powers it on).
name=${0##*/}
shim_log "$name" "$@"
power=$SHIM_STATE/power
mkdir -p "$power"

case $name in
    reboot) action=reboot ;;
    *) action=poweroff ;;
esac
when=now
cancel=no
wall_only=no
if [ "$name" = shutdown ]; then
    when=+1
    timed=no
    while [ $# -gt 0 ]; do
        case $1 in
            -r | --reboot) action=reboot ;;
            -h | -P | -H | --poweroff | --halt) action=poweroff ;;
            -c) cancel=yes ;;
            -k) wall_only=yes ;;
            --no-wall) ;;
            --help) printf 'shutdown [OPTIONS...] [TIME] [WALL...]\n\nShut down the system. (runbook lab shim)\n'; exit 0 ;;
            -*) shim_die 1 "shutdown: invalid option -- '${1#-}'" ;;
            *) if [ $timed = no ]; then when=$1; timed=yes; fi ;;
        esac
        shift
    done
fi

if [ $cancel = yes ]; then
    pid=$(cat "$power/scheduled" 2>/dev/null)
    [ -z "$pid" ] || kill "$pid" 2>/dev/null
    rm -f "$power/scheduled"
    exit 0
fi
[ $wall_only = no ] || exit 0

case $when in
    now) minutes=0 ;;
    +*) minutes=${when#+} ;;
    *:*)
        target=$(date -d "$when" +%s 2>/dev/null) || shim_die 1 "Failed to parse time specification: $when"
        now=$(date +%s)
        [ "$target" -gt "$now" ] || target=$((target + 86400))
        minutes=$(((target - now + 59) / 60)) ;;
    *) minutes=$when ;;
esac
case $minutes in '' | *[!0-9]*) shim_die 1 "Failed to parse time specification: $when" ;; esac

# Only a lab host's own init may be asked: anywhere else PID 1 is a real one.
grep -q host_setup.sh /proc/1/cmdline 2>/dev/null ||
    shim_die 1 "$name: PID 1 is not a runbook lab host's init; refusing (runbook lab shim)"

request() { printf '%s\n' "$action" > "$power/request" && kill -USR1 1; }

if [ "$minutes" -eq 0 ]; then
    request
    exit 0
fi
pid=$(cat "$power/scheduled" 2>/dev/null)
[ -z "$pid" ] || kill "$pid" 2>/dev/null
seconds=$((minutes * 60))
setsid sh -c 'sleep "$1" && printf "%s\n" "$2" > "$3/request" && kill -USR1 1' \
    shutdown "$seconds" "$action" "$power" < /dev/null > /dev/null 2>&1 &
printf '%s\n' "$!" > "$power/scheduled"
if [ $action = reboot ]; then what=Reboot; else what=Shutdown; fi
printf "%s scheduled for %s, use 'shutdown -c' to cancel.\n" "$what" \
    "$(date -d "@$(($(date +%s) + seconds))" '+%a %Y-%m-%d %H:%M:%S %Z')" >&2
exit 0
