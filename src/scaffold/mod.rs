//! `runbook init`: the files of a GitOps repository a team starts from —
//! inventories for staging and prod, the shipped procedures, ansible.cfg,
//! .gitignore, a README, and CI pipelines for GitHub Actions and GitLab CI
//! that lint every change, plan on review and apply on merge (docs/gitops.md).
//! [`layout`] decides the files; [`write_new`] writes them, or nothing.

mod file;
mod inventories;
mod pipelines;
mod procedures;
mod repository;
mod templates;
mod write;

pub use file::ScaffoldFile;
pub use write::{WriteError, write_new};

use crate::vault::Secret;

/// The inventories `runbook init` writes, in the order they are promoted.
pub const INVENTORIES: [&str; 2] = ["staging", "prod"];

/// Every file of a new repository; vault files are encrypted with `vault`
/// when a password is given, else a README says how to make them.
pub fn layout(vault: Option<&Secret>) -> Vec<ScaffoldFile> {
    let mut files = repository::files();
    files.extend(procedures::files());
    for name in INVENTORIES {
        files.extend(inventories::files(name, vault));
    }
    files.extend(pipelines::files());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}
