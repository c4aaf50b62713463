//! Ansible's configuration: ansible.cfg, found as Ansible finds it, and the
//! `ANSIBLE_*` environment variables. Flags beat the environment, which
//! beats ansible.cfg, which beats the defaults (docs/configuration.md).
//!
//! Every setting in the file or the environment is accounted for: applied
//! as Ansible applies it, accepted as meaningless for runbook (and said so
//! by `runbook config dump`), refused when ignoring it would change
//! results, or named in one warning — never silently ignored.

pub mod definitions;
mod ini_file;
mod locate;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use definitions::{Definition, Effect, Kind};

use ini_file::IniEntry;

use crate::source::{Diagnostic, ErrorKind, SourceFile, Span};

/// ansible.cfg (if one was found) and the environment, read once.
#[derive(Debug, Default)]
pub struct AnsibleConfig {
    pub file: Option<Arc<SourceFile>>,
    entries: Vec<IniEntry>,
    env: Vec<(String, String)>,
    cwd: PathBuf,
    /// Said once, at start-up (a skipped world-writable ansible.cfg).
    notes: Vec<String>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone)]
pub enum Origin {
    Env(&'static str),
    File(Span),
}

/// A setting's raw text and its origin.
#[derive(Debug, Clone)]
pub struct Found {
    pub text: String,
    pub origin: Origin,
}

impl AnsibleConfig {
    /// Find and read ansible.cfg from `cwd`, with the process environment.
    pub fn load(cwd: &Path) -> Result<Self, Diagnostic> {
        Self::load_with(cwd, std::env::vars().collect())
    }

    /// As [`load`](Self::load), with the environment given.
    pub fn load_with(cwd: &Path, env: Vec<(String, String)>) -> Result<Self, Diagnostic> {
        let lookup = |name: &str| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let located = locate::find(cwd, lookup("ANSIBLE_CONFIG"), lookup("HOME"));
        let mut config = Self {
            cwd: cwd.to_path_buf(),
            notes: located.notes,
            ..Self::default()
        };
        if let Some(path) = located.path {
            let file = SourceFile::read(&path)
                .map_err(|e| Diagnostic::options(format!("cannot read {}: {e}", path.display())))?;
            config.entries = ini_file::parse(&file).map_err(|e| e.with_kind(ErrorKind::Options))?;
            config.file = Some(file);
        }
        config.env = env;
        config.check_refused()?;
        Ok(config)
    }

    /// The setting's text from the environment or ansible.cfg, if set there.
    pub fn find(&self, def: &Definition) -> Option<Found> {
        let from_env = def.env.iter().find_map(|var| {
            self.env
                .iter()
                .find(|(key, value)| key == var && !value.is_empty())
                .map(|(_, value)| Found {
                    text: value.clone(),
                    origin: Origin::Env(var),
                })
        });
        from_env.or_else(|| {
            def.ini.iter().find_map(|(section, key)| {
                self.entries
                    .iter()
                    .find(|entry| entry.section == *section && entry.key == *key)
                    .map(|entry| Found {
                        text: unquote(&entry.value).to_string(),
                        origin: Origin::File(entry.span.clone()),
                    })
            })
        })
    }

    pub fn flag(&self, def: &Definition) -> Option<bool> {
        self.find(def).map(|found| lenient_bool(&found.text))
    }

    pub fn number(&self, def: &Definition) -> Result<Option<u64>, Diagnostic> {
        self.find(def)
            .map(|found| {
                found
                    .text
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| self.invalid(def, &found, "a whole number"))
            })
            .transpose()
    }

    pub fn text(&self, def: &Definition) -> Option<String> {
        self.find(def).map(|found| found.text)
    }

    pub fn path(&self, def: &Definition) -> Option<PathBuf> {
        self.find(def)
            .filter(|found| !found.text.trim().is_empty())
            .map(|found| self.resolve(&found.text, &found.origin))
    }

    /// A `pathlist` (`,`) or `pathspec` (`:`) setting, each path resolved.
    pub fn paths(&self, def: &Definition) -> Option<Vec<PathBuf>> {
        self.find(def)
            .map(|found| self.split_paths(def, &found.text, &found.origin))
    }

    /// As [`paths`](Self::paths), with Ansible's default where unset.
    pub fn paths_or_default(&self, def: &Definition) -> Vec<PathBuf> {
        self.paths(def)
            .unwrap_or_else(|| self.split_paths(def, def.default, &Origin::Env("default")))
    }

    fn split_paths(&self, def: &Definition, text: &str, origin: &Origin) -> Vec<PathBuf> {
        let separator = if def.kind == Kind::PathSpec { ':' } else { ',' };
        text.split(separator)
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| self.resolve(part, origin))
            .collect()
    }

    /// One warning for everything set that runbook does not implement, and
    /// the notes from finding the file.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = self.notes.clone();
        let known = |section: &str, key: &str| {
            definitions::ALL
                .iter()
                .any(|def| def.ini.iter().any(|(s, k)| *s == section && *k == key))
        };
        let ignored: Vec<String> = self
            .entries
            .iter()
            .filter(|entry| !known(&entry.section, &entry.key))
            .map(|entry| {
                format!(
                    "[{}] {} (line {})",
                    entry.section, entry.key, entry.span.line
                )
            })
            .collect();
        if let (Some(file), false) = (&self.file, ignored.is_empty()) {
            warnings.push(format!(
                "{}: runbook does not implement {}, so {} no effect: {}",
                file.path.display(),
                if ignored.len() == 1 {
                    "this setting"
                } else {
                    "these settings"
                },
                if ignored.len() == 1 {
                    "it has"
                } else {
                    "they have"
                },
                ignored.join(", ")
            ));
        }
        let known_var = |name: &str| {
            definitions::ALL.iter().any(|def| def.env.contains(&name))
                || NOT_SETTINGS.contains(&name)
        };
        let mut ignored_vars: Vec<&str> = self
            .env
            .iter()
            .map(|(key, _)| key.as_str())
            .filter(|key| key.starts_with("ANSIBLE_") && !known_var(key))
            .collect();
        ignored_vars.sort_unstable();
        if !ignored_vars.is_empty() {
            warnings.push(format!(
                "runbook does not implement {}, so {} no effect: {}",
                if ignored_vars.len() == 1 {
                    "this environment variable"
                } else {
                    "these environment variables"
                },
                if ignored_vars.len() == 1 {
                    "it has"
                } else {
                    "they have"
                },
                ignored_vars.join(", ")
            ));
        }
        warnings
    }

    /// `runbook config dump`: each setting, its value and where it came from,
    /// as `ansible-config dump` prints them.
    pub fn dump(&self, only_changed: bool) -> Vec<DumpLine> {
        let mut lines: Vec<DumpLine> = definitions::ALL
            .iter()
            .filter_map(|def| {
                let found = self.find(def);
                if only_changed && found.is_none() {
                    return None;
                }
                let (value, origin) = match &found {
                    Some(found) => (
                        found.text.clone(),
                        match &found.origin {
                            Origin::Env(var) => format!("env: {var}"),
                            Origin::File(span) => span.file.path.display().to_string(),
                        },
                    ),
                    None => (def.default.to_string(), "default".to_string()),
                };
                Some(DumpLine {
                    name: def.name,
                    origin,
                    value,
                    effect: def.effect,
                })
            })
            .collect();
        lines.sort_by_key(|line| line.name);
        lines
    }

    /// Settings whose other values would change results are errors.
    fn check_refused(&self) -> Result<(), Diagnostic> {
        for def in definitions::ALL {
            let Effect::OnlyDefault(only) = def.effect else {
                continue;
            };
            let Some(found) = self.find(def) else {
                continue;
            };
            let same = if def.kind == Kind::Bool {
                lenient_bool(&found.text) == lenient_bool(only)
            } else {
                found.text.trim() == only
            };
            if !same {
                let message = format!(
                    "{} = {} is not supported by runbook (only {only}): ignoring it would change what playbooks do",
                    def.name, found.text
                );
                return Err(at_origin(Diagnostic::options(message), &found.origin));
            }
        }
        Ok(())
    }

    /// An error for a value that is not one the setting takes.
    pub fn invalid_choice(&self, def: &Definition, found: &Found, expected: &str) -> Diagnostic {
        self.invalid(def, found, expected)
    }

    fn invalid(&self, def: &Definition, found: &Found, expected: &str) -> Diagnostic {
        at_origin(
            Diagnostic::options(format!(
                "{} must be {expected}, not {:?}",
                def.name, found.text
            )),
            &found.origin,
        )
    }

    /// Ansible's path resolution: `~` and `$VARS` expanded, and a relative
    /// path taken from ansible.cfg's folder (from the environment: the
    /// current folder).
    fn resolve(&self, text: &str, origin: &Origin) -> PathBuf {
        let expanded = expand_vars(text.trim(), &self.env);
        let expanded = match expanded.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                let home = self
                    .env
                    .iter()
                    .find(|(key, _)| key == "HOME")
                    .map_or("", |(_, value)| value.as_str());
                format!("{home}{rest}")
            }
            _ => expanded,
        };
        let path = PathBuf::from(expanded);
        if path.is_absolute() {
            return path;
        }
        let base = match origin {
            Origin::File(span) => span
                .file
                .path
                .parent()
                .map_or_else(|| self.cwd.clone(), Path::to_path_buf),
            Origin::Env(_) => self.cwd.clone(),
        };
        base.join(path)
    }
}

/// One line of `runbook config dump`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DumpLine {
    pub name: &'static str,
    pub origin: String,
    pub value: String,
    #[serde(skip)]
    pub effect: Effect,
}

/// `ANSIBLE_*` variables that choose a file rather than set a setting.
const NOT_SETTINGS: &[&str] = &["ANSIBLE_CONFIG"];

fn at_origin(diagnostic: Diagnostic, origin: &Origin) -> Diagnostic {
    match origin {
        Origin::File(span) => diagnostic.with_span(span),
        Origin::Env(var) => Diagnostic {
            message: format!(
                "{} (from the environment variable {var})",
                diagnostic.message
            ),
            ..diagnostic
        },
    }
}

/// Ansible's non-strict boolean.
pub fn lenient_bool(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "y" | "yes" | "on" | "1" | "true" | "t"
    )
}

/// ansible.cfg values may be quoted; Ansible unquotes them.
fn unquote(text: &str) -> &str {
    let text = text.trim();
    for quote in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            return &text[1..text.len() - 1];
        }
    }
    text
}

/// `os.path.expandvars`: `$NAME` and `${NAME}` replaced when set, else kept.
fn expand_vars(text: &str, env: &[(String, String)]) -> String {
    let lookup = |name: &str| {
        env.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match lookup(name).filter(|_| !name.is_empty()) {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[at..at + 1 + consumed]),
        }
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
