# Runs as the first process of a lab host's private mount + UTS + PID
# namespace (started by `unshare`), prepares the host's filesystem view and
# then stays its init, running sshd until the host stops (and again after
# each reboot).
#
# usage: sh host_setup.sh HOST LAB_DIR
#   LAB_DIR/hosts/HOST/...  the host's private root (etc, opt, srv, var/...)
#   LAB_DIR/sshd/HOST/...   its sshd_config, host key, logs, overlay workdir
set -eu

host=$1
lab=$2
root=$lab/hosts/$host
run=$lab/sshd/$host

# Keep a handle on the lab directory: it may live below a directory we are
# about to cover (the default is under /var/lib), and sshd reads its config,
# host key and authorized_keys from there for every connection.
exec 3<"$lab"

mount_etc() {
    if mount -t overlay overlay \
        -o "lowerdir=/etc,upperdir=$root/etc,workdir=$run/etc-work" /etc 2>/dev/null; then
        echo overlay > "$run/etc-mode"
    else
        # No overlayfs here: a private copy, made once and kept across restarts.
        if [ ! -e "$run/etc-copied" ]; then
            cp -a -n /etc/. "$root/etc/"
            : > "$run/etc-copied"
        fi
        mount --bind "$root/etc" /etc
        echo copy > "$run/etc-mode"
    fi
}

# Packages: the host sees the machine's /usr, /var/cache (apt's archives,
# debconf's database) and dpkg database through overlays whose upper layers
# are its own (hosts/HOST/overlay/), so the real apt and dpkg install and
# remove packages on a lab host without touching the machine. Without
# overlayfs the dpkg database is the machine's, read-only: queries answer
# truthfully and an `apt-get install` fails instead of rewriting /usr.
overlay_dir() {
    # usage: overlay_dir DIR LAYER [MOUNTPOINT]
    mkdir -p "$root/overlay/$2" "$run/overlay-work/$2"
    mount -t overlay overlay \
        -o "lowerdir=$1,upperdir=$root/overlay/$2,workdir=$run/overlay-work/$2" "${3:-$1}" 2>/dev/null
}
mkdir -p "$root/var/lib/dpkg" "$root/var/lib/apt/lists/partial"
if [ -d /var/lib/dpkg ]; then
    if overlay_dir /var/lib/dpkg dpkg "$root/var/lib/dpkg" &&
        overlay_dir /usr usr && overlay_dir /var/cache var-cache; then
        echo overlay > "$run/packages-mode"
    else
        umount "$root/var/lib/dpkg" 2>/dev/null || :
        umount /usr 2>/dev/null || :
        mount --bind -o ro /var/lib/dpkg "$root/var/lib/dpkg"
        echo read-only > "$run/packages-mode"
    fi
fi

mount_etc
for dir in opt srv var/log usr/local/sbin; do
    mount --bind "$root/$dir" "/$dir"
done
# --- users, cron and alternatives (issue 9) ---------------------------------
# useradd -m, userdel -r, crontab and update-alternatives write outside /etc:
# give the host its own /home, /var/mail and cron spool, and its own copy of
# dpkg's alternatives database (the rest of the dpkg database stays read-only).
private_dir() { # DIR: an empty private DIR with the machine's mode and owner
    [ -d "/$1" ] || return 0
    if [ ! -d "$root/$1" ]; then
        mkdir -p "$root/$1"
        chmod --reference="/$1" "$root/$1"
        chown --reference="/$1" "$root/$1"
    fi
    mount --bind "$root/$1" "/$1"
}
private_dir home
private_dir var/mail
if [ -d /var/spool/cron ]; then
    if [ ! -d "$root/var/spool/cron/crontabs" ]; then
        mkdir -p "$root/var/spool/cron"
        chmod --reference=/var/spool/cron "$root/var/spool/cron"
        if [ -d /var/spool/cron/crontabs ]; then
            mkdir -p "$root/var/spool/cron/crontabs"
            chmod --reference=/var/spool/cron/crontabs "$root/var/spool/cron/crontabs"
            chown --reference=/var/spool/cron/crontabs "$root/var/spool/cron/crontabs"
        fi
    fi
    mount --bind "$root/var/spool/cron" /var/spool/cron
fi
if [ -d /var/lib/dpkg/alternatives ]; then
    if [ ! -d "$root/var/lib/runbook-alternatives" ]; then
        cp -a /var/lib/dpkg/alternatives "$root/var/lib/runbook-alternatives"
    fi
    # Onto the host's own dpkg tree, before /var/lib becomes it (below):
    # $root may itself be under the machine's /var/lib.
    mount --bind "$root/var/lib/runbook-alternatives" "$root/var/lib/dpkg/alternatives"
fi
# --- end of issue 9's block ---------------------------------------------------

mount --rbind "$root/var/lib" /var/lib

mkdir -p "$lab"
mount -c --bind /proc/self/fd/3 "$lab"
exec 3<&-

# State every host of the lab shares, e.g. the KWDB cluster membership.
mkdir -p /var/lib/runbook-shims/cluster
mount --bind "$lab/cluster" /var/lib/runbook-shims/cluster

hostname "$host"
echo "$host" > /etc/hostname
if ! grep -q '# runbook lab' /etc/hosts; then
    cat "$lab/hosts.lab" >> /etc/hosts
fi
mkdir -p /run/sshd
chmod 0755 /run/sshd

# --- power: boot id, shutdown, reboot (issue 9) -------------------------------
# The host's boot id is a file of its own bound over the kernel's, new at every
# boot, so `cat /proc/sys/kernel/random/boot_id` tells its boots apart as on a
# real host.
boot_id=$run/boot_id
: > "$boot_id"
mount --bind "$boot_id" /proc/sys/kernel/random/boot_id

# The machine's shutdown, reboot, halt and poweroff (links to its systemctl)
# must never run on a lab host, also when named by full path as Ansible's
# reboot does (/sbin first): on the host they are the lab's `shutdown` shim.
power_commands="shutdown reboot halt poweroff"
shadow_power() { # DIR
    [ -d "$1" ] && [ ! -L "$1" ] || return 0
    if [ "$1" = /usr/sbin ] && [ "$(cat "$run/packages-mode" 2>/dev/null)" = overlay ]; then
        # /usr is the host's own overlay: replace the links there.
        for name in $power_commands; do ln -sfn "/usr/local/sbin/$name" "/usr/sbin/$name"; done
        return 0
    fi
    # The machine's own directory: bind a copy of its entries over it, each
    # a link to the original (kept reachable below $run), the power ones
    # to the shim.
    hidden=$run/machine$(printf '%s' "$1" | tr / -)
    farm=$run/power$(printf '%s' "$1" | tr / -)
    mkdir -p "$hidden"
    mount --bind "$1" "$hidden"
    rm -rf "$farm"
    mkdir -p "$farm"
    for entry in "$hidden"/*; do
        if [ -L "$entry" ]; then
            cp -P "$entry" "$farm/"
        elif [ -e "$entry" ]; then
            ln -s "$entry" "$farm/${entry##*/}"
        fi
    done
    for name in $power_commands; do ln -sfn "/usr/local/sbin/$name" "$farm/$name"; done
    mount --bind "$farm" "$1"
}
shadow_power /usr/sbin
shadow_power /sbin

# This script stays the host's init (PID 1 of its namespace) with sshd as its
# child, so that a reboot can end every process of the host and start sshd
# again, as a machine's init does. The `shutdown` shim asks for one by
# writing `reboot` or `poweroff` to $power/request and sending SIGUSR1.
# Knobs: $power/knobs/down_ms (how long the host is unreachable, 2000) and
# $power/knobs/stays_down (a reboot powers the host off instead).
[ "$$" = 1 ] || { echo "host_setup.sh: not the init of a PID namespace" >&2; exit 1; }
power=/var/lib/runbook-shims/power
mkdir -p "$power/knobs"
rm -f "$power/request" "$power/scheduled"
set +e
sshd=
requested=no
trap 'requested=yes' USR1
trap '[ -z "$sshd" ] || kill -TERM "$sshd" 2>/dev/null; exit 0' TERM
down_ms() {
    ms=$(cat "$power/knobs/down_ms" 2>/dev/null)
    case $ms in '' | *[!0-9]*) ms=2000 ;; esac
    printf '%s\n' "$ms"
}
pause_ms() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }
while :; do
    cat /proc/sys/kernel/random/uuid > "$boot_id"
    /usr/sbin/sshd -D -f "$run/sshd_config" -E "$run/sshd.log" &
    sshd=$!
    while [ "$requested" = no ] && kill -0 "$sshd" 2>/dev/null; do
        wait "$sshd"
    done
    # sshd ended without a request: `runbook lab stop`.
    [ "$requested" = yes ] || exit 0
    requested=no
    action=$(cat "$power/request" 2>/dev/null)
    rm -f "$power/request" "$power/scheduled"
    # As on a real host, the shutdown command returns before the host goes.
    pause_ms 500
    kill -TERM -1 2>/dev/null
    pause_ms 300
    kill -KILL -1 2>/dev/null
    wait
    sshd=
    if [ "$action" = poweroff ] || [ -e "$power/knobs/stays_down" ]; then
        exit 0
    fi
    pause_ms "$(down_ms)"
done
