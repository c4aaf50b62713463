//! `apt_repository`: one-line apt sources (`deb [options] URI suite
//! components`) in `/etc/apt/sources.list` and `sources.list.d/*.list`, as
//! Ansible's `apt_repository` edits them: a source already there (even
//! commented out) is enabled rather than added twice, a new one goes to a
//! file named after its URI, files left empty are deleted, and the cache is
//! updated after a change.

#[path = "apt_repository_sources.rs"]
mod sources;

use self::sources::{SourcesList, normalize, suggested_file};
use super::utils::apt::APT_ENVIRONMENT;
use super::utils::host::{parse_mode, require_tools, run_checked, write_file};
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, map_from_pairs};

pub(super) struct AptRepository;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "repo",
        "state",
        "mode",
        "update_cache",
        "update_cache_retries",
        "update_cache_retry_max_delay",
        "validate_certs",
        "filename",
        "codename",
        "install_python_apt",
    ],
    aliases: &[("update-cache", "update_cache")],
    required: &["repo"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

const SOURCES_DIR: &str = "/etc/apt/sources.list.d";

impl Module for AptRepository {
    fn name(&self) -> &'static str {
        "apt_repository"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let repo = args.str("repo")?.unwrap_or_default();
        let state = args.str("state")?.unwrap_or_else(|| "present".into());
        if state != "present" && state != "absent" {
            return Err(ModuleError::failed(format!(
                "value of state must be one of: absent, present, got: {state}"
            )));
        }
        if repo.starts_with("ppa:") {
            return Err(ModuleError::failed(
                "ppa: repositories are not supported by runbook's apt_repository: give the deb line (and its key) instead",
            ));
        }
        let Some(source) = normalize(&repo) else {
            return Err(ModuleError::failed(format!("Invalid repository string: {repo}")));
        };
        let mode = match args.get("mode") {
            Some(value) => Some(
                parse_mode(value)
                    .and_then(|mode| mode.resolve(0o644, false))
                    .map_err(|e| ModuleError::failed(format!("argument `mode`: {e}")))?,
            ),
            None => None,
        };
        let update_cache = if args.has("update_cache") {
            args.bool("update_cache", true)?
        } else {
            args.bool("update-cache", true)?
        };
        let file = format!(
            "{SOURCES_DIR}/{}",
            suggested_file(&source, args.str("filename")?.as_deref())
        );
        let before = SourcesList::parse(&read_sources(ctx)?);
        let mut after = before.clone();
        let (added, removed) = if state == "present" {
            (after.add(&source, &file), Vec::new())
        } else {
            (Vec::new(), after.remove(&source))
        };
        let changes = before.changed_files(&after);
        let mut outcome = Outcome::ok()
            .with("repo", repo.as_str())
            .with("state", state.as_str())
            .with("sources_added", strings(&added))
            .with("sources_removed", strings(&removed));
        if changes.is_empty() {
            return Ok(outcome);
        }
        outcome.changed = true;
        if ctx.diff {
            // As Ansible: a diff for each file added or removed.
            let diffs: Vec<Value> = added
                .iter()
                .chain(&removed)
                .map(|path| {
                    let (old, new) = (before.render(path), after.render(path));
                    map_from_pairs([
                        ("before", Value::from(old.clone().unwrap_or_default())),
                        ("after", Value::from(new.clone().unwrap_or_default())),
                        ("before_header", Value::from(header(path, old.is_some()))),
                        ("after_header", Value::from(header(path, new.is_some()))),
                    ])
                })
                .collect();
            outcome.data.insert("diff".into(), Value::from(diffs));
        }
        if ctx.check_mode {
            return Ok(outcome);
        }
        save(ctx, &after, &changes, mode)?;
        if update_cache {
            require_tools(ctx, "apt_repository", &["apt-get"])?;
            let update = format!("{APT_ENVIRONMENT}apt-get -q --error-on=any update");
            let output = ctx.connection()?.run(&update, None)?;
            if output.rc != 0 {
                save(ctx, &before, &changes, None)?;
                return Err(ModuleError::failed(format!(
                    "Failed to update apt cache: {}",
                    output.stderr_text().trim()
                )));
            }
        }
        Ok(outcome)
    }
}

fn strings(list: &[String]) -> Value {
    list.iter().map(|s| Value::from(s.as_str())).collect()
}

fn header(path: &str, exists: bool) -> String {
    if exists { path.to_string() } else { "/dev/null".into() }
}

/// Every one-line sources file, each after a `\x1e` marker line with its path.
fn read_sources(ctx: &mut ModuleContext) -> Result<String, ModuleError> {
    let script = format!(
        "for f in /etc/apt/sources.list {SOURCES_DIR}/*.list; do [ -f \"$f\" ] || continue; printf '\\036%s\\n' \"$f\"; cat -- \"$f\"; echo; done"
    );
    Ok(run_checked(ctx, "reading apt sources", &script, None)?.stdout_text())
}

/// Write the files that changed; delete those left without a line.
fn save(
    ctx: &mut ModuleContext,
    sources: &SourcesList,
    paths: &[String],
    mode: Option<u32>,
) -> Result<(), ModuleError> {
    for path in paths {
        match sources.render(path) {
            Some(text) => {
                let mode = mode.or((!sources.existed(path)).then_some(0o644));
                run_checked(ctx, "creating sources.list.d", &format!("mkdir -p {SOURCES_DIR}"), None)?;
                write_file(ctx, path, text.as_bytes(), mode)?;
            }
            None => {
                run_checked(ctx, &format!("removing {path}"), &format!("rm -f {}", shell_quote(path)), None)?;
            }
        }
    }
    Ok(())
}
