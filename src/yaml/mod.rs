//! YAML as runbook reads it: YAML 1.1 scalars (as Ansible's PyYAML does: `yes`,
//! `on`, `0755` octal) and a source position on every node.

mod node;
mod parse;
mod quoting;
mod vaulted;

pub use node::{Node, NodeKind};
pub use parse::{parse_file, parse_str, parse_with_keyring};
pub use vaulted::{decrypt_vaulted_file, diagnostic as vault_diagnostic};
