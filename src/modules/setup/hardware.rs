//! Ansible's hardware subset: memory, processors, mounts, firmware (DMI)
//! and uptime; and its `loadavg` collector.

use super::platform::{number, put};
use super::script::{Pairs, Sections};
use crate::value::{Value, VarMap, map_from_pairs};

pub(super) fn hardware(sections: &Sections, facts: &mut VarMap) {
    memory(sections, facts);
    processors(sections, facts);
    facts.insert("mounts".into(), mounts(sections));
    firmware(sections, facts);
    let basics = sections.pairs("basics");
    let uptime = basics
        .text("uptime")
        .split_whitespace()
        .next()
        .and_then(|seconds| seconds.parse::<f64>().ok())
        .unwrap_or_default();
    facts.insert("uptime_seconds".into(), Value::from(uptime as i64));
    let vcpus = number(basics.text("vcpus"));
    facts.insert("processor_nproc".into(), vcpus);
}

/// `loadavg`, Ansible's collector of its own.
pub(super) fn loadavg(sections: &Sections, facts: &mut VarMap) {
    let load: Vec<f64> = sections
        .pairs("basics")
        .text("loadavg")
        .split_whitespace()
        .take(3)
        .filter_map(|n| n.parse().ok())
        .collect();
    if let [one, five, fifteen] = load[..] {
        facts.insert(
            "loadavg".into(),
            map_from_pairs([
                ("1m", Value::from(one)),
                ("5m", Value::from(five)),
                ("15m", Value::from(fifteen)),
            ]),
        );
    }
}

/// `/proc/meminfo` as `memtotal_mb`, `memfree_mb`, `swap*_mb` and
/// `memory_mb`, computed as Ansible computes them.
fn memory(sections: &Sections, facts: &mut VarMap) {
    let meminfo = Pairs::parse(sections.text("meminfo"), ':');
    let mb = |key: &str| -> i64 {
        meminfo
            .text(key)
            .split_whitespace()
            .next()
            .and_then(|kb| kb.parse::<i64>().ok())
            .unwrap_or_default()
            / 1024
    };
    let (total, free) = (mb("MemTotal"), mb("MemFree"));
    let (buffers, cached) = (mb("Buffers"), mb("Cached"));
    let (swap_total, swap_free, swap_cached) = (mb("SwapTotal"), mb("SwapFree"), mb("SwapCached"));
    for (key, value) in [
        ("memtotal_mb", total),
        ("memfree_mb", free),
        ("swaptotal_mb", swap_total),
        ("swapfree_mb", swap_free),
    ] {
        facts.insert(key.into(), Value::from(value));
    }
    let nocache_free = free + buffers + cached;
    let pairs = |items: &[(&str, i64)]| {
        map_from_pairs(items.iter().map(|(k, v)| (*k, Value::from(*v))))
    };
    facts.insert(
        "memory_mb".into(),
        map_from_pairs([
            (
                "real",
                pairs(&[("total", total), ("used", total - free), ("free", free)]),
            ),
            (
                "nocache",
                pairs(&[("free", nocache_free), ("used", total - nocache_free)]),
            ),
            (
                "swap",
                pairs(&[
                    ("total", swap_total),
                    ("free", swap_free),
                    ("used", swap_total - swap_free),
                    ("cached", swap_cached),
                ]),
            ),
        ]),
    );
}

/// `/proc/cpuinfo` as Ansible reads it on x86 and ARM: `processor` lists
/// index, vendor and model of every logical CPU.
fn processors(sections: &Sections, facts: &mut VarMap) {
    let mut processor = Vec::new();
    let mut sockets = std::collections::BTreeSet::new();
    let mut cores_per_socket = 0i64;
    let mut siblings = 0i64;
    let mut logical = 0i64;
    for block in sections.text("cpuinfo").split("\n\n") {
        let fields = Pairs::parse(block, ':');
        let Some(index) = fields.get("processor") else {
            continue;
        };
        logical += 1;
        processor.push(Value::from(index.trim()));
        for key in ["vendor_id", "CPU implementer"] {
            if let Some(vendor) = fields.get(key) {
                processor.push(Value::from(vendor.trim()));
                break;
            }
        }
        if let Some(model) = fields.get("model name").or(fields.get("Processor")) {
            processor.push(Value::from(model.trim()));
        }
        if let Some(id) = fields.get("physical id") {
            sockets.insert(id.trim().to_string());
        }
        if let Some(cores) = fields.get("cpu cores").and_then(|c| c.trim().parse().ok()) {
            cores_per_socket = cores;
        }
        if let Some(count) = fields.get("siblings").and_then(|c| c.trim().parse().ok()) {
            siblings = count;
        }
    }
    let count = if sockets.is_empty() {
        logical
    } else {
        sockets.len() as i64
    };
    let cores = if cores_per_socket > 0 { cores_per_socket } else { 1 };
    let threads = if siblings > 0 && cores_per_socket > 0 {
        siblings / cores_per_socket
    } else {
        1
    };
    facts.insert("processor".into(), Value::from(processor));
    facts.insert("processor_count".into(), Value::from(count));
    facts.insert("processor_cores".into(), Value::from(cores));
    facts.insert("processor_threads_per_core".into(), Value::from(threads));
    facts.insert(
        "processor_vcpus".into(),
        Value::from(if sockets.is_empty() {
            logical
        } else {
            threads * cores * count
        }),
    );
}

/// Mounted filesystems backed by a device or a network share, with the
/// sizes `statvfs` gives, as `ansible_mounts`.
fn mounts(sections: &Sections) -> Value {
    let sizes: Vec<(String, Vec<i64>)> = sections
        .text("statfs")
        .lines()
        .filter_map(|line| {
            let mut words = line.splitn(7, ' ');
            let numbers: Vec<i64> = words
                .by_ref()
                .take(6)
                .map_while(|w| w.parse().ok())
                .collect();
            let mount = words.next()?.to_string();
            (numbers.len() == 6).then_some((mount, numbers))
        })
        .collect();
    let uuids: Vec<(String, String)> = sections
        .text("uuids")
        .lines()
        .filter_map(|line| {
            let (name, uuid) = line.split_once(' ')?;
            (!uuid.is_empty()).then(|| (format!("/dev/{name}"), uuid.to_string()))
        })
        .collect();
    let mut mounts = Vec::new();
    for line in sections.text("mounts").lines() {
        let fields: Vec<String> = line.split_whitespace().map(unescape_octal).collect();
        let [device, mount, fstype, options, dump, passno] = &fields[..] else {
            continue;
        };
        let backed = device.starts_with('/') || device.starts_with('\\') || device.contains(":/");
        if !backed || fstype == "none" {
            continue;
        }
        let mut pairs = vec![
            ("mount", Value::from(mount.as_str())),
            ("device", Value::from(device.as_str())),
            ("fstype", Value::from(fstype.as_str())),
            ("options", Value::from(options.as_str())),
            ("dump", number(dump)),
            ("passno", number(passno)),
        ];
        if let Some((_, numbers)) = sizes.iter().rev().find(|(m, _)| m == mount) {
            let [block_size, fragment, blocks, available, inodes, inodes_free] = numbers[..] else {
                continue;
            };
            pairs.extend([
                ("size_total", Value::from(fragment * blocks)),
                ("size_available", Value::from(fragment * available)),
                ("block_size", Value::from(block_size)),
                ("block_total", Value::from(blocks)),
                ("block_available", Value::from(available)),
                ("block_used", Value::from(blocks - available)),
                ("inode_total", Value::from(inodes)),
                ("inode_available", Value::from(inodes_free)),
                ("inode_used", Value::from(inodes - inodes_free)),
            ]);
        }
        let uuid = uuids
            .iter()
            .find(|(name, _)| name == device)
            .map_or("N/A", |(_, uuid)| uuid.as_str());
        pairs.push(("uuid", Value::from(uuid)));
        mounts.push(map_from_pairs(pairs));
    }
    Value::from(mounts)
}

/// `/proc/mounts` writes spaces and tabs in paths as `\040`, `\011`.
fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let octal = bytes
            .get(index + 1..index + 4)
            .filter(|digits| bytes[index] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)));
        match octal {
            Some(digits) => {
                let value = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                index += 4;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// DMI facts; what the host hides (serials for non-root users) is `NA`.
fn firmware(sections: &Sections, facts: &mut VarMap) {
    let dmi = sections.pairs("dmi");
    let read = |key: &str| {
        let value = dmi.text(key).trim();
        if value.is_empty() { "NA" } else { value }.to_string()
    };
    for (fact, file) in [
        ("bios_date", "bios_date"),
        ("bios_vendor", "bios_vendor"),
        ("bios_version", "bios_version"),
        ("board_asset_tag", "board_asset_tag"),
        ("board_name", "board_name"),
        ("board_serial", "board_serial"),
        ("board_vendor", "board_vendor"),
        ("board_version", "board_version"),
        ("chassis_asset_tag", "chassis_asset_tag"),
        ("chassis_serial", "chassis_serial"),
        ("chassis_vendor", "chassis_vendor"),
        ("chassis_version", "chassis_version"),
        ("product_name", "product_name"),
        ("product_serial", "product_serial"),
        ("product_uuid", "product_uuid"),
        ("product_version", "product_version"),
        ("system_vendor", "sys_vendor"),
    ] {
        put(facts, fact, &read(file));
    }
    let form_factor = dmi
        .text("chassis_type")
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|index| FORM_FACTORS.get(index).copied())
        .unwrap_or("NA");
    put(facts, "form_factor", form_factor);
}

/// SMBIOS chassis types by number, as Ansible names them.
const FORM_FACTORS: [&str; 37] = [
    "Unknown",
    "Other",
    "Unknown",
    "Desktop",
    "Low Profile Desktop",
    "Pizza Box",
    "Mini Tower",
    "Tower",
    "Portable",
    "Laptop",
    "Notebook",
    "Hand Held",
    "Docking Station",
    "All In One",
    "Sub Notebook",
    "Space-saving",
    "Lunch Box",
    "Main System Chassis",
    "Expansion Chassis",
    "Sub Chassis",
    "Bus Expansion Chassis",
    "Peripheral Chassis",
    "RAID Chassis",
    "Rack Mount Chassis",
    "Sealed-case PC",
    "Multi-system",
    "CompactPCI",
    "AdvancedTCA",
    "Blade",
    "Blade Enclosure",
    "Tablet",
    "Convertible",
    "Detachable",
    "IoT Gateway",
    "Embedded PC",
    "Mini PC",
    "Stick PC",
];

#[cfg(test)]
mod tests {
    use super::unescape_octal;

    #[test]
    fn mount_paths_with_spaces_read_back() {
        assert_eq!(unescape_octal("/mnt/my\\040disk"), "/mnt/my disk");
        assert_eq!(unescape_octal("/plain"), "/plain");
        assert_eq!(unescape_octal("\\09"), "\\09");
    }
}
