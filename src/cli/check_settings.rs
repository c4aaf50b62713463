//! `runbook check`'s arguments resolved: where to look, how to show what is
//! found, and the names defined outside the playbooks (`-e`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::args::{CheckArgs, CheckFormat};
use crate::config::{AnsibleConfig, definitions as cfg};
use crate::report::FindingsFormat;
use crate::source::{Diagnostic, ErrorKind};

/// `runbook check`.
pub struct CheckRequest {
    /// Files and directories to search for playbooks.
    pub paths: Vec<PathBuf>,
    pub format: FindingsFormat,
    pub strict: bool,
    /// `-i`, else ansible.cfg's `inventory`.
    pub inventory: Vec<String>,
    /// Names given with `-e`.
    pub extra_var_names: BTreeSet<String>,
    /// `--tags` and `--skip-tags`, checked against the playbooks' tags.
    pub tags: Vec<String>,
    pub skip_tags: Vec<String>,
    pub roles_path: Vec<PathBuf>,
    pub collections_path: Vec<PathBuf>,
    pub cwd: PathBuf,
}

pub fn check_request(
    args: CheckArgs,
    cwd: &Path,
    config: &AnsibleConfig,
) -> Result<CheckRequest, Diagnostic> {
    let CheckArgs {
        paths,
        format,
        strict,
        inventory,
        extra_vars,
        tags,
        skip_tags,
        roles_path,
        vault,
    } = args;
    // As `play --syntax-check`: nothing runs, so an inline vaulted value no
    // secret opens stays encrypted; files vaulted whole still need one.
    crate::vault::session::set_nothing_runs(true);
    super::vault_settings::install_for_run(&super::vault_settings::vault_settings(vault, config))?;
    let paths = if paths.is_empty() {
        let default = PathBuf::from("playbooks");
        vec![if cwd.join(&default).is_dir() {
            default
        } else {
            PathBuf::from(".")
        }]
    } else {
        // A file named without its folder is found as `play` finds it;
        // what exists as given (a file or a directory) is kept.
        super::settings::playbook_paths(&paths, cwd, config)
            .map_err(|e| e.with_kind(ErrorKind::Options))?
    };
    let mut extra_var_names = BTreeSet::new();
    for text in &extra_vars {
        let vars = super::settings::parse_extra_vars(text, cwd)
            .map_err(|e| e.with_kind(ErrorKind::Options))?;
        extra_var_names.extend(vars.keys().cloned());
    }
    let mut roles_path = roles_path;
    roles_path.extend(config.paths_or_default(cfg::ROLES_PATH));
    Ok(CheckRequest {
        paths,
        format: match format {
            CheckFormat::Human => FindingsFormat::Human,
            CheckFormat::Github => FindingsFormat::Github,
            CheckFormat::Json => FindingsFormat::Json,
        },
        strict,
        inventory: super::settings::inventory_sources(&inventory, config),
        extra_var_names,
        tags: without_empty(tags),
        skip_tags: without_empty(skip_tags),
        roles_path,
        collections_path: config.paths_or_default(cfg::COLLECTIONS_PATHS),
        cwd: cwd.to_path_buf(),
    })
}

/// `--tags a,,b` names two tags, as for `play`.
fn without_empty(tags: Vec<String>) -> Vec<String> {
    tags.into_iter()
        .map(|tag| tag.trim().to_string())
        .filter(|tag| !tag.is_empty())
        .collect()
}
