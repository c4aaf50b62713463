//! Whole-inventory tests: Ansible's documented examples, precedence,
//! errors with positions, and round trips of generated inventories.

mod errors;
mod formats;
mod patterns;
mod precedence;
mod roundtrip;
mod sources;

use std::path::Path;

use super::Inventory;

pub(super) fn ini(text: &str) -> Inventory {
    Inventory::from_ini(Path::new("/inv/hosts"), text).expect("valid INI inventory")
}

pub(super) fn yaml(text: &str) -> Inventory {
    Inventory::from_yaml(Path::new("/inv/hosts.yml"), text).expect("valid YAML inventory")
}

pub(super) fn names(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}
