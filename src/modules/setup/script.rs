//! The one script that gathers every fact in one round trip, and the
//! sections its output splits into. Reads use the shell's `read` where a
//! file holds one line, so gathering starts few processes on the host.

use std::collections::HashMap;

const SECTION: &str = "--runbook-section-- ";

/// Prints `--runbook-section-- NAME` before each part; `$1` is the
/// `fact_path` directory.
pub(super) const SCRIPT: &str = r#"
section() { printf '%s%s\n' '--runbook-section-- ' "$1"; }
one() { v=; { IFS= read -r v < "$1"; } 2>/dev/null; printf '%s=%s\n' "$2" "$v"; }
section basics
printf 'hostname=%s\n' "$(hostname 2>/dev/null || uname -n)"
printf 'nodename=%s\n' "$(uname -n)"
printf 'kernel=%s\n' "$(uname -r)"
printf 'kernel_version=%s\n' "$(uname -v)"
printf 'architecture=%s\n' "$(uname -m)"
printf 'system=%s\n' "$(uname -s)"
printf 'user_id=%s\n' "$(id -un 2>/dev/null)"
printf 'ids=%s %s %s %s\n' "$(id -u)" "$(id -ru)" "$(id -g)" "$(id -rg)"
printf 'passwd=%s\n' "$(getent passwd "$(id -un 2>/dev/null)" 2>/dev/null)"
printf 'vcpus=%s\n' "$(nproc 2>/dev/null || grep -c '^processor' /proc/cpuinfo 2>/dev/null)"
printf 'python=%s\n' "$(command -v python3 2>/dev/null || command -v python 2>/dev/null)"
printf 'date=%s\n' "$(date '+%Y-%m-%d %H:%M:%S %Z %s %w %A %W %z %N')"
printf 'utc=%s\n' "$(date -u '+%Y-%m-%dT%H:%M:%S %N')"
printf 'fqdn_names=%s\n' "$(getent hosts "$(getent hosts "$(hostname 2>/dev/null)" 2>/dev/null | { read -r a _; echo "$a"; })" 2>/dev/null | { read -r _ names; echo "$names"; })"
printf 'root_ids=%s\n' "$(stat -c '%d:%i' / /proc/1/root/. 2>/dev/null | tr '\n' ' ')"
printf 'debian_chroot=%s\n' "${debian_chroot:-}"
one /etc/machine-id machine_id
one /proc/sys/crypto/fips_enabled fips
one /proc/1/comm pid1
one /proc/uptime uptime
one /proc/loadavg loadavg
one /etc/debian_version debian_version
one /proc/cmdline cmdline
one /run/systemd/container systemd_container
[ -d /sys/fs/selinux ] && printf 'selinux=%s\n' "$(getenforce 2>/dev/null || echo Enabled)"
[ -d /sys/kernel/security/apparmor ] && echo apparmor=enabled
for d in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do [ -d "$d" ] && echo systemd_canary=yes; done
command -v systemctl >/dev/null 2>&1 && echo systemctl=yes
[ -L /sbin/init ] && printf 'sbin_init=%s\n' "$(readlink /sbin/init)"
[ -d /etc/init.d ] && echo initd=yes
[ -d /etc/init ] && command -v initctl >/dev/null 2>&1 && echo upstart=yes
[ -f /sbin/openrc ] && echo openrc=yes
[ -f /.dockerenv ] || [ -f /.dockerinit ] && echo dockerenv=yes
[ -d /proc/vz ] && [ ! -d /proc/lve ] && printf 'openvz=%s\n' "$( [ -d /proc/bc ] && echo host || echo guest)"
[ -d /proc/xen ] && printf 'xen=%s\n' "$(grep -q control_d /proc/xen/capabilities 2>/dev/null && echo host || echo guest)"
[ -e /dev/kvm ] && echo dev_kvm=yes
printf 'environ_container=%s\n' "$(tr '\0' '\n' < /proc/1/environ 2>/dev/null | sed -n 's/^container=//p')"
printf 'pkg_paths='
for p in /usr/bin/rpm-ostree /usr/bin/dnf5 /usr/bin/dnf /usr/bin/yum /usr/bin/apt-get /usr/bin/zypper /sbin/apk /usr/bin/pacman /usr/sbin/pkg /usr/bin/emerge /usr/bin/xbps-install /usr/bin/swupd /usr/bin/opkg /usr/local/bin/brew; do
  [ -e "$p" ] && printf '%s ' "$p"
done
echo
section os_release
cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
section lsb
if command -v lsb_release >/dev/null 2>&1; then lsb_release -a 2>/dev/null; else cat /etc/lsb-release 2>/dev/null; fi
section meminfo
cat /proc/meminfo 2>/dev/null
section cpuinfo
cat /proc/cpuinfo 2>/dev/null
section cgroup
cat /proc/1/cgroup 2>/dev/null
section modules
cut -d' ' -f1 /proc/modules 2>/dev/null
section mounts
cat /proc/mounts 2>/dev/null
section statfs
while read -r dev mnt fs rest; do
  case "$dev" in
    /*|*:/*) [ "$fs" = none ] || printf '%s %s\n' "$(stat -f -c '%s %S %b %a %c %d' "$mnt" 2>/dev/null)" "$mnt" ;;
  esac
done < /proc/mounts
section uuids
lsblk -rno NAME,UUID 2>/dev/null
section dmi
for f in bios_date bios_vendor bios_version board_asset_tag board_name board_serial board_vendor board_version chassis_asset_tag chassis_serial chassis_vendor chassis_version chassis_type product_name product_serial product_uuid product_version product_family sys_vendor; do
  one "/sys/devices/virtual/dmi/id/$f" "$f"
done
section ssh_keys
for t in dsa rsa ecdsa ed25519; do one "/etc/ssh/ssh_host_${t}_key.pub" "$t"; done
section resolv
cat /etc/resolv.conf 2>/dev/null
section links
for i in /sys/class/net/*; do
  [ -d "$i" ] || continue
  n=${i##*/}; mtu=; addr=; state=; type=; flags=; speed=; dev=
  { read -r mtu < "$i/mtu"; read -r addr < "$i/address"; read -r state < "$i/operstate"; read -r type < "$i/type"; read -r flags < "$i/flags"; } 2>/dev/null
  { read -r speed < "$i/speed"; } 2>/dev/null
  [ -e "$i/device" ] && dev=$(readlink "$i/device")
  kind=; [ -d "$i/bridge" ] && kind=bridge; [ -d "$i/bonding" ] && kind=bonding
  printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$n" "${mtu:-}" "${addr:-}" "${state:-}" "${type:-}" "${flags:-}" "${speed:-}" "${dev##*/}" "$kind"
done
section addresses
ip -o addr show 2>/dev/null
section route4
ip -4 route get 8.8.8.8 2>/dev/null
section route6
ip -6 route get 2404:6800:400a:800::1012 2>/dev/null
section local4
ip -4 route show table local 2>/dev/null
section local6
ip -6 route show table local 2>/dev/null
section local_facts
if [ -d "$1" ]; then
  for f in "$1"/*.fact; do
    [ -f "$f" ] || continue
    printf '%s%s\n' '--runbook-fact-- ' "${f##*/}"
    if [ -x "$f" ]; then "$f" 2>/dev/null; else cat "$f" 2>/dev/null; fi
    echo
  done
fi
section env
env
"#;

/// The script's output by section name.
pub(super) struct Sections<'a> {
    parts: HashMap<&'a str, &'a str>,
}

impl<'a> Sections<'a> {
    pub(super) fn parse(output: &'a str) -> Self {
        let mut parts = HashMap::new();
        for chunk in output.split(SECTION).skip(1) {
            let (name, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
            parts.insert(name.trim(), body);
        }
        Self { parts }
    }

    /// A section's text (empty when the host printed nothing for it).
    pub(super) fn text(&self, name: &str) -> &'a str {
        self.parts.get(name).copied().unwrap_or_default()
    }

    /// A section of `key=value` lines (`key: value` with `colon`).
    pub(super) fn pairs(&self, name: &str) -> Pairs {
        Pairs::parse(self.text(name), '=')
    }
}

/// `key=value` lines, first occurrence wins for [`Pairs::get`].
pub(super) struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub(super) fn parse(text: &str, separator: char) -> Self {
        Self(
            text.lines()
                .filter_map(|line| line.split_once(separator))
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .filter(|(key, _)| !key.is_empty())
                .collect(),
        )
    }

    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key`, empty when missing.
    pub(super) fn text(&self, key: &str) -> &str {
        self.get(key).unwrap_or_default()
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
