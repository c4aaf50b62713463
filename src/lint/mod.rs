//! `runbook check`: lint playbooks without hosts. Everything the loader
//! refuses (`play --syntax-check`), plus what it accepts but is likely a
//! mistake: YAML traps, undefined variables, notify without a handler,
//! keywords Ansible removed. One concept per file; findings are data,
//! shown by `report/`.

mod definitions;
mod deprecated;
mod discover;
mod duplicate_keys;
mod finding;
#[cfg(test)]
mod fuzz;
mod handlers;
mod model_walk;
mod octal_mode;
mod sources;
mod string_booleans;
mod structure;
mod syntax;
mod templated_conditions;
mod undefined;
mod unknown_tags;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

pub use definitions::vars_dir_names;
pub use discover::playbooks;
pub use finding::{Code, Finding, LintReport, Severity};

use crate::playbook::{self, LoadOptions, Playbook};
use crate::source::SourceFile;
use sources::Sources;

/// What a check needs besides the playbooks.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Paths are shown relative to this directory when inside it.
    pub cwd: PathBuf,
    pub roles_path: Vec<PathBuf>,
    pub collections_path: Vec<PathBuf>,
    /// Variables defined outside the playbooks' own files (the inventory, `-e`).
    pub known_variables: BTreeSet<String>,
    /// `--tags` and `--skip-tags`: each must be a tag the playbooks have.
    pub tags: Vec<String>,
    pub skip_tags: Vec<String>,
}

/// Check `playbooks`; every finding of every file, sorted by position.
pub fn check(playbooks: &[PathBuf], options: &LintOptions) -> LintReport {
    let load = LoadOptions {
        roles_path: options.roles_path.clone(),
        collections_path: options.collections_path.clone(),
        ..LoadOptions::default()
    };
    let mut findings = Vec::new();
    let mut files = Sources::default();
    let mut tags = unknown_tags::TagsSeen::default();
    let mut all_loaded = true;
    for path in playbooks {
        if let Ok(file) = SourceFile::read(path) {
            files.add(&file);
        }
        match playbook::load(path, &load) {
            Ok(book) => {
                tags.add(&book);
                check_loaded(&book, options, &mut files, &mut findings);
            }
            Err(diagnostics) => {
                // Its tags are unknown: a tag it has is no finding.
                all_loaded = false;
                for diagnostic in &diagnostics {
                    let mut finding = syntax::finding(diagnostic);
                    finding.file = Some(shown(path, &options.cwd));
                    findings.push(finding);
                    if let Some(span) = &diagnostic.span {
                        files.add_span(span);
                    }
                }
            }
        }
    }
    if let (true, Some(first)) = (all_loaded, playbooks.first()) {
        let first = shown(first, &options.cwd);
        unknown_tags::check(&tags, "--tags", &options.tags, &first, &mut findings);
        unknown_tags::check(
            &tags,
            "--skip-tags",
            &options.skip_tags,
            &first,
            &mut findings,
        );
    }
    let mut count = 0;
    for (_, tree) in files.files() {
        count += 1;
        let Some(tree) = tree else { continue };
        duplicate_keys::check(tree, &mut findings);
        let entries = structure::entries(tree, structure::kind_of(tree));
        octal_mode::check(&entries, &mut findings);
        string_booleans::check(&entries, &mut findings);
        deprecated::check(&entries, &mut findings);
        templated_conditions::check(&entries, &mut findings);
    }
    LintReport {
        playbooks: playbooks
            .iter()
            .map(|path| shown(path, &options.cwd))
            .collect(),
        files: count,
        findings: arranged(findings, &options.cwd),
    }
}

/// The checks that need the loader's model, and the files it read.
fn check_loaded(
    book: &Playbook,
    options: &LintOptions,
    files: &mut Sources,
    findings: &mut Vec<Finding>,
) {
    let mut sources = Sources::default();
    for span in model_walk::spans(book) {
        sources.add_span(span);
        files.add_span(span);
    }
    handlers::check(book, &sources, findings);
    let mut defined = definitions::defined(book, &options.known_variables);
    defined.extend(vars_dir_names(&options.cwd));
    undefined::check(book, &sources, &defined, findings);
    for data_file in data_files(book) {
        if let Ok(file) = SourceFile::read(&data_file) {
            files.add(&file);
        }
    }
}

/// Role defaults, vars and metadata, and the play's vars_files.
fn data_files(book: &Playbook) -> Vec<PathBuf> {
    let mut role_dirs = Vec::new();
    let mut found = Vec::new();
    for play in &book.plays {
        for file in play.vars_files.iter().flat_map(|entry| &entry.names) {
            found.push(book.dir.join(file));
        }
        for item in model_walk::items(play) {
            if let model_walk::Item::Task(task) | model_walk::Item::Handler(task) = item
                && let Some(role) = &task.role
                && !role_dirs.contains(&role.dir)
            {
                role_dirs.push(role.dir.clone());
            }
        }
    }
    for dir in role_dirs {
        for sub in ["defaults", "vars", "meta"] {
            for name in ["main.yml", "main.yaml"] {
                found.push(dir.join(sub).join(name));
            }
        }
    }
    found.retain(|path| path.is_file());
    found
}

/// Findings once each, sorted by file and position, with their paths as
/// shown; a loader error where a finding of its own explains the same
/// spot (`include:` is both unsupported and removed) is left out.
fn arranged(findings: Vec<Finding>, cwd: &Path) -> Vec<Finding> {
    let explained: HashSet<(PathBuf, usize, usize)> = findings
        .iter()
        .filter(|finding| finding.code != Code::Syntax && finding.severity == Severity::Error)
        .filter_map(position)
        .collect();
    let mut seen = HashSet::new();
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|finding| {
            finding.code != Code::Syntax
                || !position(finding).is_some_and(|at| explained.contains(&at))
        })
        .filter(|finding| seen.insert((position(finding), finding.code, finding.message.clone())))
        .map(|mut finding| {
            if let Some(span) = &finding.span {
                finding.file = Some(shown(&span.file.path, cwd));
            }
            finding
        })
        .collect();
    kept.sort_by(|a, b| {
        (&a.file, a.line(), a.column(), a.code).cmp(&(&b.file, b.line(), b.column(), b.code))
    });
    kept
}

fn position(finding: &Finding) -> Option<(PathBuf, usize, usize)> {
    let span = finding.span.as_ref()?;
    Some((span.file.path.clone(), span.line, span.column))
}

/// `path` relative to `cwd` when it is inside it.
fn shown(path: &Path, cwd: &Path) -> String {
    let canonical_cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let relative = path
        .strip_prefix(&canonical_cwd)
        .or_else(|_| path.strip_prefix(cwd))
        .unwrap_or(path);
    relative
        .strip_prefix(".")
        .unwrap_or(relative)
        .display()
        .to_string()
}
