use super::*;

/// What the script prints on a small Debian VM (trimmed).
const DEBIAN: &str = "--runbook-section-- basics
hostname=node1
nodename=node1
kernel=6.1.0-18-amd64
kernel_version=#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1
architecture=x86_64
system=Linux
user_id=deploy
ids=1000 1000 1000 1000
passwd=deploy:x:1000:1000:Deploy User,,,:/home/deploy:/bin/bash
vcpus=2
python=
date=2026-11-24 01:02:03 UTC 1795482123 2 Tuesday 47 +0000 123456789
utc=2026-11-24T01:02:03 123456789
fqdn_names=node1.lab.example node1
root_ids=2049:2 2049:2 
machine_id=abc123
fips=0
pid1=systemd
uptime=3600.52 7000.1
loadavg=0.50 0.25 0.10 1/200 999
debian_version=12.5
cmdline=BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet console=tty0 console=ttyS0
systemd_canary=yes
systemctl=yes
environ_container=
pkg_paths=/usr/bin/apt-get 
--runbook-section-- os_release
PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"
NAME=\"Debian GNU/Linux\"
VERSION_ID=\"12\"
VERSION_CODENAME=bookworm
ID=debian
--runbook-section-- lsb
Distributor ID:\tDebian
Description:\tDebian GNU/Linux 12 (bookworm)
Release:\t12
Codename:\tbookworm
--runbook-section-- meminfo
MemTotal:        2048000 kB
MemFree:         1024000 kB
Buffers:           10240 kB
Cached:           102400 kB
SwapTotal:        524288 kB
SwapFree:         524288 kB
SwapCached:            0 kB
--runbook-section-- cpuinfo
processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel Xeon
physical id\t: 0
siblings\t: 2
cpu cores\t: 2

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Intel Xeon
physical id\t: 0
siblings\t: 2
cpu cores\t: 2

--runbook-section-- cgroup
0::/init.scope
--runbook-section-- modules
--runbook-section-- mounts
/dev/vda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
/dev/vdb1 /srv/my\\040data xfs rw 0 2
--runbook-section-- statfs
4096 4096 1000 400 5000 4000 /
4096 4096 200 100 300 250 /srv/my data
--runbook-section-- uuids
vda1 1111-2222
--runbook-section-- dmi
bios_vendor=SeaBIOS
product_name=KVM
sys_vendor=QEMU
chassis_type=1
--runbook-section-- ssh_keys
ed25519=ssh-ed25519 AAAAkey root@node1
rsa=
--runbook-section-- resolv
search lab.example
nameserver 10.0.0.2
options ndots:2 rotate
--runbook-section-- links
eth0|1500|52:54:00:12:34:56|up|1|0x1003|1000|0000:00:03.0|
lo|65536|00:00:00:00:00:00|unknown|772|0x9|||
--runbook-section-- addresses
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever
1: lo    inet6 ::1/128 scope host \\       valid_lft forever
2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever
2: eth0    inet 10.0.0.6/24 brd 10.0.0.255 scope global secondary eth0\\       valid_lft forever
2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever
--runbook-section-- route4
8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 1000
--runbook-section-- route6
--runbook-section-- local4
local 10.0.0.5 dev eth0 proto kernel scope host src 10.0.0.5
local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1
broadcast 10.0.0.255 dev eth0 proto kernel scope link src 10.0.0.5
--runbook-section-- local6
--runbook-section-- local_facts
--runbook-fact-- app.fact
{\"release\": \"4.2\"}

--runbook-section-- env
HOME=/home/deploy
LANG=C.UTF-8
";

fn facts(subsets: &[&str]) -> serde_json::Value {
    serde_json::to_value(map_value(collect(&Sections::parse(DEBIAN), subsets)))
        .expect("facts are JSON")
}

#[test]
fn the_minimal_facts_of_a_debian_host() {
    let facts = facts(&["min"]);
    let expected = serde_json::json!({
        "distribution": "Debian",
        "distribution_version": "12.5",
        "distribution_major_version": "12",
        "distribution_minor_version": "5",
        "distribution_release": "bookworm",
        "os_family": "Debian",
        "pkg_mgr": "apt",
        "service_mgr": "systemd",
        "fqdn": "node1.lab.example",
        "domain": "lab.example",
        "hostname": "node1",
        "user_dir": "/home/deploy",
        "user_shell": "/bin/bash",
        "user_gecos": "Deploy User,,,",
        "user_uid": 1000,
        "user_gid": 1000,
        "is_chroot": false,
        "fips": false,
        "selinux": {"status": "disabled"},
        "lsb": {"codename": "bookworm", "description": "Debian GNU/Linux 12 (bookworm)",
                "id": "Debian", "major_release": "12", "release": "12"},
        "dns": {"nameservers": ["10.0.0.2"], "search": ["lab.example"],
                "options": {"ndots": "2", "rotate": true}},
        "ansible_local": {"app": {"release": "4.2"}},
        "ssh_host_key_ed25519_public": "AAAAkey",
        "ssh_host_key_ed25519_public_keytype": "ssh-ed25519",
    });
    for (key, value) in expected.as_object().expect("object") {
        assert_eq!(&facts[key], value, "{key}");
    }
    assert_eq!(facts["cmdline"]["console"], "ttyS0");
    assert_eq!(
        facts["proc_cmdline"]["console"],
        serde_json::json!(["tty0", "ttyS0"])
    );
    assert_eq!(facts["date_time"]["iso8601"], "2026-11-24T01:02:03Z");
    assert_eq!(
        facts["date_time"]["iso8601_micro"],
        "2026-11-24T01:02:03.123456Z"
    );
    assert_eq!(facts["date_time"]["weekday_number"], "2");
    for subset_only in ["mounts", "interfaces", "memory_mb", "virtualization_type"] {
        assert!(facts.get(subset_only).is_none(), "{subset_only} is not minimal");
    }
}

#[test]
fn hardware_network_and_virtual_facts() {
    let facts = facts(&["min", "hardware", "network", "virtual"]);
    assert_eq!(facts["memtotal_mb"], 2000);
    assert_eq!(facts["memfree_mb"], 1000);
    assert_eq!(
        facts["memory_mb"]["nocache"],
        serde_json::json!({"free": 1110, "used": 890})
    );
    assert_eq!(facts["processor_count"], 1);
    assert_eq!(facts["processor_cores"], 2);
    assert_eq!(facts["processor_vcpus"], 2);
    assert_eq!(
        facts["processor"],
        serde_json::json!(["0", "GenuineIntel", "Intel Xeon", "1", "GenuineIntel", "Intel Xeon"])
    );
    assert_eq!(facts["uptime_seconds"], 3600);
    let mounts = facts["mounts"].as_array().expect("mounts");
    assert_eq!(mounts.len(), 2, "{mounts:?}");
    assert_eq!(mounts[0]["uuid"], "1111-2222");
    assert_eq!(mounts[0]["size_total"], 4_096_000);
    assert_eq!(mounts[0]["block_used"], 600);
    assert_eq!(mounts[1]["mount"], "/srv/my data");
    assert_eq!(mounts[1]["passno"], 2);
    assert_eq!(facts["interfaces"], serde_json::json!(["eth0", "lo"]));
    assert_eq!(
        facts["eth0"]["ipv4"],
        serde_json::json!({"address": "10.0.0.5", "broadcast": "10.0.0.255",
            "netmask": "255.255.255.0", "network": "10.0.0.0", "prefix": "24"})
    );
    assert_eq!(facts["eth0"]["ipv4_secondaries"][0]["address"], "10.0.0.6");
    assert_eq!(facts["eth0"]["speed"], 1000);
    assert_eq!(facts["lo"]["type"], "loopback");
    assert!(facts["lo"].get("macaddress").is_none());
    assert_eq!(facts["default_ipv4"]["gateway"], "10.0.0.1");
    assert_eq!(facts["default_ipv4"]["macaddress"], "52:54:00:12:34:56");
    assert_eq!(facts["default_ipv4"]["network"], "10.0.0.0");
    assert_eq!(
        facts["all_ipv4_addresses"],
        serde_json::json!(["10.0.0.5", "10.0.0.6"])
    );
    assert_eq!(
        facts["locally_reachable_ips"]["ipv4"],
        serde_json::json!(["10.0.0.5", "127.0.0.0/8"])
    );
    assert_eq!(facts["virtualization_type"], "kvm");
    assert_eq!(facts["virtualization_role"], "guest");
    assert_eq!(facts["form_factor"], "Other");
    assert_eq!(facts["product_serial"], "NA");
}

#[test]
fn subsets_as_ansible_reads_them() {
    let of = |items: &[&str]| {
        subsets(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("valid")
    };
    assert_eq!(of(&["all"]), ["min", "hardware", "network", "virtual", "loadavg"]);
    assert_eq!(of(&["!all"]), ["min"]);
    // `loadavg` is a collector of its own: `!hardware` keeps it.
    assert_eq!(of(&["all", "!hardware"]), ["min", "network", "virtual", "loadavg"]);
    assert_eq!(of(&["!all", "loadavg"]), ["min", "loadavg"]);
    assert_eq!(of(&["!all", "network"]), ["min", "network"]);
    assert_eq!(of(&["network", "!network"]), ["min", "network"]);
    assert_eq!(of(&["!all", "!min"]), Vec::<&str>::new());
    // Without `all`, only what is named: `!hardware` alone leaves `min`.
    assert_eq!(of(&["!hardware"]), ["min"]);
    // A fact id brings its collector; excluding one (or an unknown name) does not.
    assert_eq!(of(&["!all", "mounts"]), ["min", "hardware"]);
    assert_eq!(of(&["!all", "distribution", "min"]), ["min"]);
    assert_eq!(of(&["all", "!mounts", "!bogus"]), of(&["all"]));
    assert!(subsets(&["hardwar".to_string()]).is_err());
}
