//! The files at the top of a new repository: README, ansible.cfg,
//! .gitignore and the empty roles/ folder.

use super::file::ScaffoldFile;
use super::templates::{self, fill};

pub(super) fn files() -> Vec<ScaffoldFile> {
    vec![
        ScaffoldFile::new("README.md", fill(templates::README, "")),
        ScaffoldFile::new("ansible.cfg", fill(templates::ANSIBLE_CFG, "")),
        ScaffoldFile::new(".gitignore", fill(templates::GITIGNORE, "")),
        ScaffoldFile::keep("roles"),
    ]
}
