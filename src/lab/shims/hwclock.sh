# hwclock (shim: the lab must not set the machine's real-time clock):
# `--systohc [--utc|--localtime]` records the mode in /etc/adjtime as the
# real hwclock does; `--show` prints the system time. Anything else fails.
shim_log hwclock "$@"
mode= action=
for arg in "$@"; do
    case $arg in
        --systohc | -w) action=systohc ;;
        --show | -r) action=show ;;
        --utc | -u) mode=UTC ;;
        --localtime | -l) mode=LOCAL ;;
    esac
done
case $action in
    systohc)
        [ -n "$mode" ] || mode=$(sed -n 3p /etc/adjtime 2>/dev/null)
        now=$(date +%s)
        printf '0.000000 %s 0.000000\n%s\n%s\n' "$now" "$now" "${mode:-UTC}" > /etc/adjtime ;;
    show) date '+%Y-%m-%d %H:%M:%S.000000%:z' ;;
    *) shim_die 1 'hwclock: the lab shim handles only --systohc and --show' ;;
esac
