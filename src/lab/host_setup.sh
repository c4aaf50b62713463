# Runs as the first process of a lab host's private mount + UTS + PID
# namespace (started by `unshare`), prepares the host's filesystem view and
# then becomes the host's sshd.
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

exec /usr/sbin/sshd -D -f "$run/sshd_config" -E "$run/sshd.log"
