//! `runbook init [DIR]`: write a GitOps repository (src/scaffold/), every
//! file or none — a file already there stops it before anything is written.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::cli::settings::InitRequest;
use crate::cli::{Failure, Outcome};
use crate::report::Reporter;
use crate::scaffold::{ScaffoldFile, WriteError, layout, write_new};
use crate::source::Diagnostic;
use crate::vault::{PasswordSource, Purpose, load_secret_for};

pub(super) fn init(request: &InitRequest, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let secret = request
        .vault_password_file
        .as_ref()
        .map(|file| {
            load_secret_for(
                "default",
                &PasswordSource::File(file.clone()),
                Purpose::Encrypt,
            )
            .map_err(|e| crate::cli::vault_settings::source_error(&e))
        })
        .transpose()?;
    let files = layout(secret.as_ref());
    let dir = &request.dir;
    write_new(dir, &files).map_err(|error| refusal(dir, error))?;
    reporter.notice(&summary(dir, &files, secret.is_some()));
    Ok(Outcome::Success)
}

fn refusal(dir: &Path, error: WriteError) -> Diagnostic {
    match error {
        WriteError::Exists(paths) => {
            let listed: String = paths
                .iter()
                .map(|path| format!("\n    {}", path.display()))
                .collect();
            Diagnostic::runtime(format!(
                "runbook init wrote nothing in {}: {} it would write {} already there",
                dir.display(),
                files_count(paths.len()),
                if paths.len() == 1 { "is" } else { "are" }
            ))
            .with_help(format!(
                "move them out of the way, or init another directory:{listed}"
            ))
        }
        WriteError::Io { path, error } => Diagnostic::runtime(format!(
            "cannot write {}: {error} (the files written before it were removed)",
            path.display()
        )),
    }
}

/// What was written, one line per top-level entry, and what to do next.
fn summary(dir: &Path, files: &[ScaffoldFile], vaulted: bool) -> String {
    let mut entries: BTreeMap<String, usize> = BTreeMap::new();
    for file in files {
        let mut components = file.path.components();
        let first = components
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = if components.next().is_some() {
            format!("{first}/")
        } else {
            first
        };
        *entries.entry(shown).or_default() += 1;
    }
    let mut text = format!(
        "Wrote a runbook repository in {} ({}):\n",
        dir.display(),
        files_count(files.len())
    );
    for (entry, count) in &entries {
        if entry.ends_with('/') {
            let _ = writeln!(text, "  {entry} ({})", files_count(*count));
        } else {
            let _ = writeln!(text, "  {entry}");
        }
    }
    text.push_str(if vaulted {
        "Each inventory's group_vars/all/vault.yml is encrypted with the vault password given.\n"
    } else {
        "No vault password given: inventories/*/group_vars/all/README.md says how to add the secrets.\n"
    });
    text.push_str(
        "Next: put your hosts in inventories/staging/hosts and inventories/prod/hosts, commit, and read README.md for the pipeline.",
    );
    text
}

fn files_count(count: usize) -> String {
    if count == 1 {
        "1 file".to_string()
    } else {
        format!("{count} files")
    }
}
