//! The text of the files `runbook init` writes that are not copies of the
//! shipped procedures (src/scaffold/templates/), with `@RUNBOOK_VERSION@`
//! and `@INVENTORY@` filled in.

pub(super) const README: &str = include_str!("templates/README.md");
pub(super) const ANSIBLE_CFG: &str = include_str!("templates/ansible.cfg");
pub(super) const GITIGNORE: &str = include_str!("templates/gitignore");
pub(super) const GITHUB_WORKFLOW: &str = include_str!("templates/github-workflow.yml");
pub(super) const GITHUB_SETUP_ACTION: &str = include_str!("templates/github-setup-action.yml");
pub(super) const GITLAB_CI: &str = include_str!("templates/gitlab-ci.yml");
pub(super) const GROUP_VARS_ALL: &str = include_str!("templates/group_vars_all.yml");
pub(super) const VAULT_HEADER: &str = include_str!("templates/vault_header.yml");
pub(super) const VAULT_README: &str = include_str!("templates/vault_README.md");

/// `template` with its placeholders replaced.
pub(super) fn fill(template: &str, inventory: &str) -> String {
    template
        .replace("@RUNBOOK_VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@INVENTORY@", inventory)
}
