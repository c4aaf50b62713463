//! Facts about the system as Ansible's minimal subset names them: platform,
//! distribution, LSB, user, date and time, kernel command line, package and
//! service managers, security modules, and virtualization.

use super::script::{Pairs, Sections};
use crate::value::{Value, VarMap, map_from_pairs};

pub(super) fn platform(sections: &Sections, facts: &mut VarMap) {
    let basics = sections.pairs("basics");
    let hostname = basics.text("hostname");
    let short = hostname.split('.').next().unwrap_or_default();
    put(facts, "hostname", short);
    put(facts, "nodename", basics.text("nodename"));
    let fqdn = fqdn(hostname, basics.text("fqdn_names"));
    let domain = fqdn
        .split_once('.')
        .map(|(_, domain)| domain.to_string())
        .unwrap_or_default();
    put(facts, "fqdn", fqdn.as_str());
    put(facts, "domain", domain.as_str());
    put(facts, "kernel", basics.text("kernel"));
    put(facts, "kernel_version", basics.text("kernel_version"));
    let machine = basics.text("architecture");
    put(facts, "system", basics.text("system"));
    put(facts, "machine", machine);
    put(facts, "architecture", machine);
    put(facts, "userspace_architecture", machine);
    let bits = if machine.contains("64") || machine == "s390x" {
        "64"
    } else {
        "32"
    };
    put(facts, "userspace_bits", bits);
    put(facts, "machine_id", basics.text("machine_id"));
    let python = basics.text("python");
    if !python.is_empty() {
        facts.insert(
            "python".into(),
            map_from_pairs([("executable", Value::from(python))]),
        );
    }
}

/// Python's `socket.getfqdn()`: the first name for the host's address that
/// holds a dot, else the address's first name, else the hostname.
fn fqdn(hostname: &str, names: &str) -> String {
    let names: Vec<&str> = names.split_whitespace().collect();
    names
        .iter()
        .find(|name| name.contains('.'))
        .or(names.first())
        .map_or_else(|| hostname.to_string(), |name| (*name).to_string())
}

pub(super) fn distribution(sections: &Sections, facts: &mut VarMap) {
    let os_release = Pairs::parse(sections.text("os_release"), '=');
    let os = |key: &str| {
        os_release
            .get(key)
            .map(|value| value.trim().trim_matches('"').trim_matches('\'').to_string())
    };
    let basics = sections.pairs("basics");
    let id = os("ID").unwrap_or_default();
    let name = distribution_name(&id, os("NAME").as_deref());
    let family = os_family(&id, os("ID_LIKE").as_deref());
    // Debian's point release is only in /etc/debian_version.
    let debian_version = basics.text("debian_version").trim();
    let version = match (id.as_str(), os("VERSION_ID")) {
        ("debian", _) if debian_version.starts_with(|c: char| c.is_ascii_digit()) => {
            debian_version.to_string()
        }
        (_, Some(version)) => version,
        _ => String::new(),
    };
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or_default().to_string();
    let minor = parts.next().unwrap_or_default().to_string();
    put(facts, "distribution", name.as_str());
    put(facts, "distribution_version", version.as_str());
    put(facts, "distribution_major_version", major.as_str());
    if !minor.is_empty() {
        put(facts, "distribution_minor_version", minor.as_str());
    }
    put(
        facts,
        "distribution_release",
        os("VERSION_CODENAME").unwrap_or_default().as_str(),
    );
    put(facts, "os_family", family.as_str());
    if os_release.iter().next().is_some() {
        put(facts, "distribution_file_path", "/etc/os-release");
        put(facts, "distribution_file_variety", name.as_str());
        facts.insert("distribution_file_parsed".into(), Value::from(true));
    }
    let lsb = lsb(sections.text("lsb"));
    facts.insert("lsb".into(), lsb);
    put(
        facts,
        "pkg_mgr",
        pkg_mgr(&family, basics.text("pkg_paths")).as_str(),
    );
    put(facts, "service_mgr", service_mgr(&basics).as_str());
}

/// Ansible's names for the common distributions.
fn distribution_name(id: &str, name: Option<&str>) -> String {
    let known = match id {
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "centos" => "CentOS",
        "rhel" => "RedHat",
        "rocky" => "Rocky",
        "almalinux" => "AlmaLinux",
        "fedora" => "Fedora",
        "alpine" => "Alpine",
        "arch" => "Archlinux",
        "sles" => "SLES",
        "opensuse-leap" | "opensuse" => "openSUSE Leap",
        "opensuse-tumbleweed" => "openSUSE Tumbleweed",
        "ol" => "OracleLinux",
        "amzn" => "Amazon",
        "linuxmint" => "Linux Mint",
        "kylin" => "Kylin",
        "openEuler" | "openeuler" => "openEuler",
        _ => "",
    };
    if known.is_empty() {
        name.unwrap_or(id).to_string()
    } else {
        known.to_string()
    }
}

fn os_family(id: &str, like: Option<&str>) -> String {
    let candidates = std::iter::once(id).chain(like.unwrap_or_default().split_whitespace());
    for candidate in candidates {
        let family = match candidate {
            "debian" | "ubuntu" | "linuxmint" => "Debian",
            "rhel" | "centos" | "fedora" | "rocky" | "almalinux" | "ol" | "amzn" | "openEuler"
            | "openeuler" => "RedHat",
            "suse" | "sles" | "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => "Suse",
            "alpine" => "Alpine",
            "arch" => "Archlinux",
            _ => continue,
        };
        return family.to_string();
    }
    id.to_string()
}

/// `lsb_release -a` (or /etc/lsb-release) as Ansible's `ansible_lsb`.
fn lsb(text: &str) -> Value {
    let mut pairs = Vec::new();
    for line in text.lines() {
        let (key, value) = match line.split_once(':') {
            Some((key, value)) => (key.trim(), value.trim()),
            None => match line.split_once('=') {
                Some((key, value)) => (key.trim(), value.trim().trim_matches('"')),
                None => continue,
            },
        };
        let name = match key {
            "Distributor ID" | "DISTRIB_ID" => "id",
            "Release" | "DISTRIB_RELEASE" => "release",
            "Description" | "DISTRIB_DESCRIPTION" => "description",
            "Codename" | "DISTRIB_CODENAME" => "codename",
            _ => continue,
        };
        pairs.push((name, Value::from(value)));
    }
    if let Some((_, release)) = pairs.iter().find(|(name, _)| *name == "release") {
        let major = crate::value::text(release)
            .split('.')
            .next()
            .unwrap_or_default()
            .to_string();
        pairs.push(("major_release", Value::from(major)));
    }
    map_from_pairs(pairs)
}

/// Ansible's package manager: the distribution family's own, else the
/// first manager whose binary exists.
fn pkg_mgr(family: &str, paths: &str) -> String {
    let found: Vec<&str> = paths.split_whitespace().collect();
    let has = |path: &str| found.contains(&path);
    let by_family = match family {
        "Debian" if has("/usr/bin/apt-get") => Some("apt"),
        "RedHat" if has("/usr/bin/rpm-ostree") => Some("atomic_container"),
        "RedHat" if has("/usr/bin/dnf5") => Some("dnf5"),
        "RedHat" if has("/usr/bin/dnf") => Some("dnf"),
        "RedHat" if has("/usr/bin/yum") => Some("yum"),
        "Suse" if has("/usr/bin/zypper") => Some("zypper"),
        "Alpine" if has("/sbin/apk") => Some("apk"),
        "Archlinux" if has("/usr/bin/pacman") => Some("pacman"),
        _ => None,
    };
    if let Some(manager) = by_family {
        return manager.to_string();
    }
    found
        .iter()
        .find_map(|path| {
            Some(match *path {
                "/usr/bin/apt-get" => "apt",
                "/usr/bin/dnf5" => "dnf5",
                "/usr/bin/dnf" => "dnf",
                "/usr/bin/yum" => "yum",
                "/usr/bin/zypper" => "zypper",
                "/sbin/apk" => "apk",
                "/usr/bin/pacman" => "pacman",
                "/usr/sbin/pkg" => "pkgng",
                "/usr/bin/emerge" => "portage",
                "/usr/bin/xbps-install" => "xbps",
                "/usr/bin/swupd" => "swupd",
                "/usr/bin/opkg" => "opkg",
                "/usr/local/bin/brew" => "homebrew",
                _ => return None,
            })
        })
        .unwrap_or("unknown")
        .to_string()
}

/// Ansible's service manager: what PID 1 is, unless it is a plain `init`
/// or a shell, then systemd's marks, upstart, OpenRC, SysV, or `service`.
fn service_mgr(basics: &Pairs) -> String {
    let pid1 = basics.text("pid1").trim();
    let pid1 = pid1.rsplit('/').next().unwrap_or_default();
    let systemd = basics.has("systemctl") && basics.has("systemd_canary");
    if !pid1.is_empty() && pid1 != "init" && !pid1.ends_with("sh") {
        return match pid1 {
            "procd" => "openwrt_init",
            "runit-init" => "runit",
            "svscan" => "svc",
            "openrc-init" => "openrc",
            "systemd" if !systemd => "systemd",
            other => other,
        }
        .to_string();
    }
    if systemd {
        "systemd"
    } else if basics.has("upstart") {
        "upstart"
    } else if basics.has("openrc") {
        "openrc"
    } else if basics.text("sbin_init").ends_with("systemd") {
        "systemd"
    } else if basics.has("initd") {
        "sysvinit"
    } else {
        "service"
    }
    .to_string()
}

pub(super) fn user(sections: &Sections, facts: &mut VarMap) {
    let basics = sections.pairs("basics");
    put(facts, "user_id", basics.text("user_id"));
    let ids: Vec<Value> = basics
        .text("ids")
        .split_whitespace()
        .map(number)
        .collect();
    for (index, name) in [
        "effective_user_id",
        "real_user_id",
        "effective_group_id",
        "real_group_id",
    ]
    .iter()
    .enumerate()
    {
        facts.insert(
            (*name).into(),
            ids.get(index).cloned().unwrap_or_default(),
        );
    }
    facts.insert(
        "user_uid".into(),
        ids.first().cloned().unwrap_or_default(),
    );
    let passwd: Vec<&str> = basics.text("passwd").split(':').collect();
    if passwd.len() >= 7 {
        facts.insert("user_gid".into(), number(passwd[3]));
        put(facts, "user_gecos", passwd[4]);
        put(facts, "user_dir", passwd[5]);
        put(facts, "user_shell", passwd[6]);
    }
}

/// `ansible_date_time`, from `date '+%Y-%m-%d %H:%M:%S %Z %s %w %A %W %z %N'`
/// and `date -u '+%Y-%m-%dT%H:%M:%S %N'`.
pub(super) fn date_time(sections: &Sections, facts: &mut VarMap) {
    let basics = sections.pairs("basics");
    let local: Vec<&str> = basics.text("date").split_whitespace().collect();
    let [date, time, tz, epoch, weekday_number, weekday, weeknumber, offset, nanos] = local[..]
    else {
        return;
    };
    let utc: Vec<&str> = basics.text("utc").split_whitespace().collect();
    let utc_time = utc.first().copied().unwrap_or_default();
    let micros = |nanos: &str| {
        if nanos.len() == 9 && nanos.bytes().all(|b| b.is_ascii_digit()) {
            nanos[..6].to_string()
        } else {
            "000000".to_string()
        }
    };
    let mut ymd = date.split('-');
    let mut hms = time.split(':');
    let compact = format!("{}T{}", date.replace('-', ""), time.replace(':', ""));
    let utc_micros = micros(utc.get(1).copied().unwrap_or_default());
    facts.insert(
        "date_time".into(),
        map_from_pairs([
            ("date", Value::from(date)),
            ("time", Value::from(time)),
            ("year", Value::from(ymd.next().unwrap_or_default())),
            ("month", Value::from(ymd.next().unwrap_or_default())),
            ("day", Value::from(ymd.next().unwrap_or_default())),
            ("hour", Value::from(hms.next().unwrap_or_default())),
            ("minute", Value::from(hms.next().unwrap_or_default())),
            ("second", Value::from(hms.next().unwrap_or_default())),
            ("tz", Value::from(tz)),
            ("tz_dst", Value::from(tz)),
            ("tz_offset", Value::from(offset)),
            ("epoch", Value::from(epoch)),
            ("epoch_int", Value::from(epoch)),
            ("weekday", Value::from(weekday)),
            ("weekday_number", Value::from(weekday_number)),
            ("weeknumber", Value::from(weeknumber)),
            ("iso8601", Value::from(format!("{utc_time}Z"))),
            (
                "iso8601_micro",
                Value::from(format!("{utc_time}.{utc_micros}Z")),
            ),
            (
                "iso8601_basic",
                Value::from(format!("{compact}{}", micros(nanos))),
            ),
            ("iso8601_basic_short", Value::from(compact)),
        ]),
    );
}

/// `/proc/cmdline` twice, as Ansible gives it: `cmdline` keeps the last
/// value of a repeated key, `proc_cmdline` keeps them all as a list.
pub(super) fn cmdline(sections: &Sections, facts: &mut VarMap) {
    let text = sections.pairs("basics").text("cmdline").to_string();
    let mut last = VarMap::new();
    let mut all: Vec<(String, Vec<Value>)> = Vec::new();
    for word in text.split_whitespace() {
        let (key, value) = match word.split_once('=') {
            Some((key, value)) => (key, Value::from(value)),
            None => (word, Value::from(true)),
        };
        last.insert(key.to_string(), value.clone());
        match all.iter_mut().find(|(k, _)| k == key) {
            Some((_, values)) => values.push(value),
            None => all.push((key.to_string(), vec![value])),
        }
    }
    facts.insert("cmdline".into(), crate::value::map_value(last));
    facts.insert(
        "proc_cmdline".into(),
        map_from_pairs(all.into_iter().map(|(key, mut values)| {
            let value = if values.len() == 1 {
                values.remove(0)
            } else {
                Value::from(values)
            };
            (key, value)
        })),
    );
}

/// SELinux, AppArmor, FIPS, chroot and the host's SSH public keys.
pub(super) fn security(sections: &Sections, facts: &mut VarMap) {
    let basics = sections.pairs("basics");
    let selinux = match basics.get("selinux").map(str::trim) {
        None => map_from_pairs([("status", Value::from("disabled"))]),
        Some(mode) => map_from_pairs([
            ("status", Value::from("enabled")),
            ("mode", Value::from(mode.to_lowercase())),
        ]),
    };
    facts.insert("selinux".into(), selinux);
    let apparmor = if basics.has("apparmor") {
        "enabled"
    } else {
        "disabled"
    };
    facts.insert(
        "apparmor".into(),
        map_from_pairs([("status", Value::from(apparmor))]),
    );
    facts.insert(
        "fips".into(),
        Value::from(basics.text("fips").trim() == "1"),
    );
    let roots: Vec<&str> = basics.text("root_ids").split_whitespace().collect();
    let chroot = !basics.text("debian_chroot").is_empty()
        || matches!(roots[..], [mine, init] if mine != init);
    facts.insert("is_chroot".into(), Value::from(chroot));
    for (key, line) in sections.pairs("ssh_keys").iter() {
        let mut words = line.split_whitespace();
        if let (Some(keytype), Some(key_data)) = (words.next(), words.next()) {
            put(facts, &format!("ssh_host_key_{key}_public"), key_data);
            put(facts, &format!("ssh_host_key_{key}_public_keytype"), keytype);
        }
    }
}

/// Ansible's Linux virtualization facts: containers first, then hypervisors
/// named by the firmware, then what the host runs for guests.
pub(super) fn virtualization(sections: &Sections, facts: &mut VarMap) {
    let basics = sections.pairs("basics");
    let dmi = sections.pairs("dmi");
    let mut guest: Vec<String> = Vec::new();
    let mut host: Vec<String> = Vec::new();
    let mut found: Option<(String, &str)> = None;
    let add = |list: &mut Vec<String>, tech: &str, role: &'static str, found: &mut Option<(String, &str)>| {
        if !list.iter().any(|t| t == tech) {
            list.push(tech.to_string());
        }
        if found.is_none() {
            *found = Some((tech.to_string(), role));
        }
    };
    for line in sections.text("cgroup").lines() {
        if line.contains("/docker/") || line.contains("/docker-") {
            add(&mut guest, "docker", "guest", &mut found);
        }
        if line.contains("/lxc/") || line.contains("/machine.slice/machine-lxc") {
            add(&mut guest, "lxc", "guest", &mut found);
        }
        if line.contains("/system.slice/containerd.service") {
            add(&mut guest, "containerd", "guest", &mut found);
        }
    }
    let container = basics.text("environ_container").trim();
    match container {
        "" => {}
        "lxc" | "podman" => add(&mut guest, container, "guest", &mut found),
        _ => add(&mut guest, "container", "guest", &mut found),
    }
    if let Some(role) = basics.get("openvz") {
        let list = if role == "host" { &mut host } else { &mut guest };
        add(list, "openvz", if role == "host" { "host" } else { "guest" }, &mut found);
    }
    let systemd_container = basics.text("systemd_container").trim();
    if !systemd_container.is_empty() {
        add(&mut guest, systemd_container, "guest", &mut found);
    }
    if basics.has("dockerenv") {
        add(&mut guest, "docker", "guest", &mut found);
    }
    let containers = ["docker", "lxc", "podman", "openvz", "containerd"];
    if guest.iter().any(|t| containers.contains(&t.as_str())) || !systemd_container.is_empty()
    {
        add(&mut guest, "container", "guest", &mut found);
    }
    if let Some(role) = basics.get("xen") {
        if role == "host" {
            add(&mut host, "xen", "host", &mut found);
        } else {
            add(&mut guest, "xen", "guest", &mut found);
        }
    }
    let product = dmi.text("product_name").trim();
    let vendor = dmi.text("sys_vendor").trim();
    let bios = dmi.text("bios_vendor").trim();
    let firmware: &[(bool, &str)] = &[
        (
            matches!(product, "KVM" | "KVM Server" | "Bochs" | "AHV" | "CloudStack KVM Hypervisor"),
            "kvm",
        ),
        (vendor == "oVirt", "oVirt"),
        (product.starts_with("VMware"), "VMware"),
        (matches!(product, "OpenStack Compute" | "OpenStack Nova"), "openstack"),
        (bios == "Xen", "xen"),
        (bios == "innotek GmbH", "virtualbox"),
        (matches!(bios, "Amazon EC2" | "DigitalOcean" | "Hetzner" | "Linode"), "kvm"),
        (
            matches!(vendor, "QEMU" | "Amazon EC2" | "DigitalOcean" | "Google" | "Scaleway" | "Nutanix"),
            "kvm",
        ),
        (vendor == "KubeVirt", "KubeVirt"),
        (vendor == "Microsoft Corporation", "VirtualPC"),
        (vendor == "Parallels Software International Inc.", "parallels"),
        (vendor == "OpenStack Foundation", "openstack"),
    ];
    for (applies, tech) in firmware {
        if *applies {
            add(&mut guest, tech, "guest", &mut found);
        }
    }
    if sections
        .text("cpuinfo")
        .lines()
        .any(|line| line.starts_with("model name") && line.contains("QEMU Virtual CPU"))
    {
        add(&mut guest, "kvm", "guest", &mut found);
    }
    let modules: Vec<&str> = sections.text("modules").lines().collect();
    if modules.contains(&"kvm") {
        add(&mut host, "kvm", "host", &mut found);
    }
    if modules.contains(&"vboxdrv") {
        add(&mut host, "virtualbox", "host", &mut found);
    }
    if modules.contains(&"virtio") {
        add(&mut host, "kvm", "guest", &mut found);
    }
    if basics.has("dev_kvm") {
        add(&mut host, "kvm", "host", &mut found);
    }
    let (kind, role) = found.unwrap_or_else(|| ("NA".to_string(), "NA"));
    put(facts, "virtualization_type", kind.as_str());
    put(facts, "virtualization_role", role);
    facts.insert("virtualization_tech_guest".into(), strings(&guest));
    facts.insert("virtualization_tech_host".into(), strings(&host));
}

fn strings(list: &[String]) -> Value {
    list.iter().map(|s| Value::from(s.as_str())).collect()
}

pub(super) fn put(facts: &mut VarMap, key: &str, value: &str) {
    facts.insert(key.to_string(), Value::from(value));
}

pub(super) fn number(text: &str) -> Value {
    text.trim()
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or_default()
}
