//! `/proc/self/mountinfo` read as Ansible's `get_linux_mounts` reads it.

use std::collections::BTreeMap;

/// A mount as `/proc/self/mountinfo` lists it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Mounted {
    /// The source as Ansible reads it: for a bind mount, the directory
    /// bound (the mount's root below its parent's mount point).
    pub(super) src: String,
    /// The source field as the kernel gives it (`mount -v`'s first word).
    pub(super) device: String,
}

/// `/proc/self/mountinfo` writes space, tab, newline and backslash as `\ooo`.
fn unescape_octal(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes.get(i + 1..i + 4);
        if bytes[i] == b'\\'
            && let Some(digits) = digits.filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)))
            && let Ok(byte) = u8::from_str_radix(&String::from_utf8_lossy(digits), 8)
        {
            out.push(byte);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Mounts by mount point, as Ansible's `get_linux_mounts` reads them.
pub(super) fn parse_mountinfo(text: &str) -> BTreeMap<String, Mounted> {
    struct Record {
        id: u64,
        parent: u64,
        root: String,
        dst: String,
        device: String,
    }
    let mut records: Vec<Record> = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 10 {
            continue;
        }
        let (Ok(id), Ok(parent)) = (fields[0].parse(), fields[1].parse()) else {
            continue;
        };
        records.push(Record {
            id,
            parent,
            root: unescape_octal(fields[3]),
            dst: unescape_octal(fields[4]),
            device: unescape_octal(fields[fields.len() - 2]),
        });
    }
    let mut mounts = BTreeMap::new();
    for record in &records {
        let parent = (record.parent != 1)
            .then(|| records.iter().find(|r| r.id == record.parent))
            .flatten();
        let src = match parent {
            Some(parent) => {
                let mut root = record.root.clone();
                if parent.root.len() > 1 && root.starts_with(&format!("{}/", parent.root)) {
                    root = root[parent.root.len()..].to_string();
                }
                if parent.dst != "/" {
                    root = format!("{}{root}", parent.dst);
                }
                root
            }
            None => record.device.clone(),
        };
        mounts.insert(
            record.dst.clone(),
            Mounted {
                src,
                device: record.device.clone(),
            },
        );
    }
    mounts
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
42 22 0:35 / /tmp rw - tmpfs tmpfs rw
78 42 0:35 /aaa /srv/data rw - tmpfs tmpfs rw
140 22 253:2 /rootfs /mnt/root rw - ext4 /dev/sdb2 rw
141 140 253:2 /rootfs/tmp/aaa /srv/my\\040dir rw - ext4 /dev/sdb2 rw
";

    #[test]
    fn bind_mounts_name_the_directory_bound_as_ansible_reads_them() {
        let mounts = parse_mountinfo(MOUNTINFO);
        assert_eq!(mounts["/"].src, "/dev/sda1");
        // A mount below another is read as a bind of its root, as Ansible
        // reads it: the plain tmpfs on /tmp "binds" `/`.
        assert_eq!(mounts["/tmp"].src, "/");
        assert_eq!(mounts["/srv/data"].src, "/tmp/aaa");
        assert_eq!(mounts["/srv/data"].device, "tmpfs");
        assert_eq!(mounts["/srv/my dir"].src, "/mnt/root/tmp/aaa");
    }

    #[test]
    fn mountinfo_escapes_are_read() {
        assert_eq!(unescape_octal("/a\\040b\\134c\\0"), "/a b\\c\\0");
    }
}
