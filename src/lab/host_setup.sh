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

# The real package database, read-only: queries answer truthfully while an
# accidental `apt-get install` on a lab host cannot rewrite the controller's /usr.
mkdir -p "$root/var/lib/dpkg"
if [ -d /var/lib/dpkg ]; then
    mount --bind -o ro /var/lib/dpkg "$root/var/lib/dpkg"
fi

mount_etc
for dir in opt srv var/log usr/local/sbin; do
    mount --bind "$root/$dir" "/$dir"
done
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
