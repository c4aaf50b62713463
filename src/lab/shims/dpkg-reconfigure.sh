# dpkg-reconfigure (shim for `tzdata` only: the real one would rewrite the
# machine's shared debconf database). Like tzdata's postinst, it records the
# zone /etc/localtime points to in /etc/timezone. Other packages go to the
# real dpkg-reconfigure.
shim_log dpkg-reconfigure "$@"
for arg in "$@"; do
    case $arg in -*) ;; tzdata) is_tzdata=yes ;; esac
done
[ -n "${is_tzdata:-}" ] || exec /usr/sbin/dpkg-reconfigure "$@"
target=$(readlink /etc/localtime 2>/dev/null) || shim_die 1 'dpkg-reconfigure: /etc/localtime is not a link'
zone=${target#*/zoneinfo/}
printf '%s\n' "$zone" > /etc/timezone
printf "\nCurrent default time zone: '%s'\n" "$zone"
printf 'Local time is now:      %s.\n' "$(TZ=$zone date)"
printf 'Universal Time is now:  %s.\n' "$(date -u)"
