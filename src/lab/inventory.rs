//! The Ansible INI inventory `runbook lab up` writes for its hosts.

use std::fmt::Write as _;
use std::path::Path;

/// One `[lab]` line's worth of a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InventoryHost<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub port: u16,
}

/// Render the inventory text (format documented in the module docs of
/// [`crate::lab`]).
pub(super) fn render(
    hosts: &[InventoryHost<'_>],
    private_key: &Path,
    known_hosts: &Path,
) -> String {
    let mut text = String::from("[lab]\n");
    for host in hosts {
        let _ = writeln!(
            text,
            "{} ansible_host={} ansible_port={}",
            host.name, host.address, host.port
        );
    }
    let common_args = format!(
        "-o UserKnownHostsFile={} -o StrictHostKeyChecking=yes",
        known_hosts.display()
    );
    text.push_str("\n[lab:vars]\nansible_user=root\n");
    let _ = writeln!(
        text,
        "ansible_ssh_private_key_file={}",
        private_key.display()
    );
    let _ = writeln!(text, "ansible_ssh_common_args='{common_args}'");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<InventoryHost<'static>> {
        vec![
            InventoryHost {
                name: "node1",
                address: "127.0.3.1",
                port: 22,
            },
            InventoryHost {
                name: "node2",
                address: "127.0.3.2",
                port: 40022,
            },
        ]
    }

    #[test]
    fn lists_every_host_with_its_address_and_port() {
        let text = render(&hosts(), Path::new("/l/id"), Path::new("/l/kh"));
        let lab_section: Vec<&str> = text
            .lines()
            .skip_while(|line| *line != "[lab]")
            .skip(1)
            .take_while(|line| !line.is_empty())
            .collect();
        assert_eq!(
            lab_section,
            [
                "node1 ansible_host=127.0.3.1 ansible_port=22",
                "node2 ansible_host=127.0.3.2 ansible_port=40022"
            ]
        );
    }

    #[test]
    fn vars_pin_the_lab_key_and_known_hosts() {
        let text = render(&hosts(), Path::new("/l/id"), Path::new("/l/kh"));
        assert!(text.contains("\n[lab:vars]\nansible_user=root\n"), "{text}");
        assert!(
            text.contains("ansible_ssh_private_key_file=/l/id\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "ansible_ssh_common_args='-o UserKnownHostsFile=/l/kh -o StrictHostKeyChecking=yes'\n"
            ),
            "{text}"
        );
    }
}
