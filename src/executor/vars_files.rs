//! Play `vars_files`, read as Ansible reads them: each entry a file or a
//! list of alternatives (the first that exists is read), looked for in the
//! playbook's `vars/` folder and then beside the playbook. An entry whose
//! names need a host's variables (`vars/{{ ansible_os_family }}.yml`) is
//! skipped at the play's start with Ansible's warning and read for each
//! host from its own variables and facts, every time its tasks are
//! templated (so facts gathered at the start count).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::context::Context;
use super::run::Run;
use crate::playbook::VarsFile;
use crate::source::Diagnostic;
use crate::template::TemplateErrorKind;
use crate::value::{VarMap, to_var_map};

const SKIPPED: &str = "skipping vars_files item due to an undefined variable";

/// What rendering an entry's names gave.
enum Found {
    File(PathBuf),
    /// None of the names is a file.
    Missing(Vec<String>),
    /// A name needs a variable the view does not have (the template error).
    Undefined(String),
}

/// The play's entries that are read per host, and the files read so far.
#[derive(Default)]
pub(super) struct HostVarsFiles {
    entries: Vec<VarsFile>,
    parsed: Mutex<HashMap<PathBuf, Arc<VarMap>>>,
}

impl HostVarsFiles {
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The variables of the entries for a host whose variables (facts and
    /// extra vars included) are `view`. An entry still undefined there, or
    /// whose files are all missing, is skipped with a warning.
    pub(super) fn read(&self, run: &Run, view: &Context) -> Arc<VarMap> {
        let mut vars = VarMap::new();
        for entry in &self.entries {
            match find(run, entry, view) {
                Ok(Found::File(path)) => match self.parse(&path) {
                    Ok(read) => crate::value::overlay(&mut vars, &read),
                    Err(diagnostic) => run.warn(diagnostic.to_string()),
                },
                Ok(Found::Missing(names)) => run.warn(not_found(run, &names).to_string()),
                Ok(Found::Undefined(_)) => run.warn(SKIPPED),
                Err(diagnostic) => run.warn(diagnostic.to_string()),
            }
        }
        Arc::new(vars)
    }

    /// The error Ansible ends the run with when an entry is still undefined
    /// for a host whose facts were gathered (`view` is its task's view):
    /// only before facts exist is such an entry skipped with a warning.
    pub(super) fn undefined_after_facts(&self, run: &Run, view: &Context) -> Option<Diagnostic> {
        self.entries.iter().find_map(|entry| match find(run, entry, view) {
            Ok(Found::Undefined(error)) => Some(
                Diagnostic::runtime(format!(
                    "an undefined variable was found when attempting to template the vars_files item '{}': {error}",
                    shown_entry(entry)
                ))
                .with_span(&entry.span),
            ),
            _ => None,
        })
    }

    fn parse(&self, path: &Path) -> Result<Arc<VarMap>, Diagnostic> {
        let mut parsed = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(read) = parsed.get(path) {
            return Ok(read.clone());
        }
        let read = Arc::new(parse(path)?);
        parsed.insert(path.to_path_buf(), read.clone());
        Ok(read)
    }
}

/// Play `vars` with the `vars_files` every host shares above them, and the
/// entries left for each host.
pub(super) fn play_vars(
    run: &Run,
    vars: &VarMap,
    entries: &[VarsFile],
) -> Result<(VarMap, HostVarsFiles), Diagnostic> {
    let mut merged = vars.clone();
    let mut per_host = HostVarsFiles::default();
    for entry in entries {
        let view = run
            .extra_vars_view()
            .with_layer(Arc::new(merged.clone()))
            .with_layer(run.extra_vars.clone());
        match find(run, entry, &view)? {
            Found::File(path) => crate::value::overlay(&mut merged, &parse(&path)?),
            Found::Missing(names) => return Err(not_found(run, &names).with_span(&entry.span)),
            Found::Undefined(_) => {
                run.warn(SKIPPED);
                per_host.entries.push(entry.clone());
            }
        }
    }
    Ok((merged, per_host))
}

fn find(run: &Run, entry: &VarsFile, view: &Context) -> Result<Found, Diagnostic> {
    let values = view.value();
    let mut tried = Vec::new();
    for name in &entry.names {
        let rendered = match run.templar.render_str(name, &values) {
            Ok(rendered) => crate::value::text(&rendered),
            Err(e) if matches!(e.kind, TemplateErrorKind::Undefined(_)) => {
                return Ok(Found::Undefined(e.to_string()));
            }
            Err(e) => {
                return Err(
                    Diagnostic::runtime(format!("cannot template vars_files entry: {e}"))
                        .with_span(&entry.span),
                );
            }
        };
        let beside = run.playbook_dir.join(&rendered);
        let in_vars = run.playbook_dir.join("vars").join(&rendered);
        if let Some(path) = [in_vars, beside].into_iter().find(|path| path.is_file()) {
            return Ok(Found::File(path));
        }
        tried.push(rendered);
    }
    Ok(Found::Missing(tried))
}

/// An entry as Ansible names it: the name, or the list of alternatives.
fn shown_entry(entry: &VarsFile) -> String {
    match entry.names.as_slice() {
        [one] => one.clone(),
        many => {
            let quoted: Vec<String> = many.iter().map(|name| format!("'{name}'")).collect();
            format!("[{}]", quoted.join(", "))
        }
    }
}

fn not_found(run: &Run, names: &[String]) -> Diagnostic {
    let shown: Vec<String> = names
        .iter()
        .map(|name| run.playbook_dir.join(name).display().to_string())
        .collect();
    match shown.as_slice() {
        [one] => Diagnostic::runtime(format!("vars file {one} was not found")),
        many => Diagnostic::runtime(format!(
            "none of the vars files {} was found",
            many.join(", ")
        )),
    }
}

fn parse(path: &Path) -> Result<VarMap, Diagnostic> {
    let node = crate::yaml::parse_file(path)?;
    if node.is_null() {
        return Ok(VarMap::new());
    }
    node.expect_map("a vars file")?;
    Ok(to_var_map(&node.to_value()))
}
