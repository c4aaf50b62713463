//! The CI pipelines: GitHub Actions (a workflow and the composite action
//! its jobs share to install runbook and write the secrets) and GitLab CI.
//! Both run the same commands: docs/gitops.md.

use super::file::ScaffoldFile;
use super::templates::{self, fill};

pub(super) fn files() -> Vec<ScaffoldFile> {
    vec![
        ScaffoldFile::new(
            ".github/workflows/runbook.yml",
            fill(templates::GITHUB_WORKFLOW, ""),
        ),
        ScaffoldFile::new(
            ".github/actions/setup-runbook/action.yml",
            fill(templates::GITHUB_SETUP_ACTION, ""),
        ),
        ScaffoldFile::new(".gitlab-ci.yml", fill(templates::GITLAB_CI, "")),
    ]
}
