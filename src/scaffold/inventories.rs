//! `inventories/NAME/`: the example inventory of the shipped procedures
//! (inventories/NAME.example: hosts and each procedure's group_vars), with
//! `group_vars/all/main.yml` for every host, `host_vars/`, and the fleet's
//! secrets in `group_vars/all/vault.yml` — encrypted when a vault password
//! is given, else a README saying how to make it.
//!
//! One `group_vars/all/` folder, never also `group_vars/all.yml`: Ansible
//! (and runbook) read only the first of `all`, `all.yml`… that exists.

use super::file::ScaffoldFile;
use super::procedures::{shipped, shipped_under};
use super::templates::{self, fill};
use crate::vault::{Secret, encrypt_with};

/// The example's own `group_vars/all/`: replaced by main.yml and the vault.
const EXAMPLE_ALL: &str = "group_vars/all/";

pub(super) fn files(name: &str, vault: Option<&Secret>) -> Vec<ScaffoldFile> {
    let dir = format!("inventories/{name}");
    let example = format!("inventories/{name}.example");
    let mut files: Vec<ScaffoldFile> = shipped_under(&example)
        .filter(|(relative, _)| !relative.starts_with(EXAMPLE_ALL))
        .map(|(relative, text)| {
            let text = if relative == "hosts" {
                hosts_text(name, text)
            } else {
                text.to_string()
            };
            ScaffoldFile::new(format!("{dir}/{relative}"), text)
        })
        .collect();
    files.push(ScaffoldFile::keep(&format!("{dir}/host_vars")));
    let mut main = fill(templates::GROUP_VARS_ALL, name);
    match vault {
        Some(secret) => {
            let vault_path = format!("{dir}/group_vars/all/vault.yml");
            let cleartext = vault_cleartext(name, &example);
            files.push(ScaffoldFile::private(
                vault_path,
                encrypt_with(cleartext.as_bytes(), secret),
            ));
        }
        None => {
            main = main.replace("\nansible_become_password:", "\n# ansible_become_password:");
            files.push(ScaffoldFile::new(
                format!("{dir}/group_vars/all/README.md"),
                fill(templates::VAULT_README, name),
            ));
        }
    }
    files.push(ScaffoldFile::new(
        format!("{dir}/group_vars/all/main.yml"),
        main,
    ));
    files
}

/// The example's hosts, told it is now the real inventory.
fn hosts_text(name: &str, example: &str) -> String {
    example
        .replace(
            &format!("Copy to inventories/{name} and fill in real addresses."),
            "Replace the example addresses with your hosts'.",
        )
        .replace("(docs/procedures.md)", "(docs/playbooks/)")
}

/// What the vault holds at first: the example's secret names, to be changed
/// with `runbook vault edit`.
fn vault_cleartext(name: &str, example: &str) -> String {
    let mut text = fill(templates::VAULT_HEADER, name);
    let names = shipped(&format!("{example}/{EXAMPLE_ALL}vault.yml.example")).unwrap_or_default();
    for line in names
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
    {
        text.push_str(line);
        text.push('\n');
    }
    text
}
