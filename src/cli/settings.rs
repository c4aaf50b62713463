//! Command-line arguments resolved into what the core takes. Nothing past
//! this point sees clap.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::args::ConnectArgs;
use crate::connection::{BecomeMethod, Secret};
use crate::executor::{BecomeDefaults, RunOptions};
use crate::inventory::Inventory;
use crate::modules::{ArgSpec, FreeForm};
use crate::source::{Diagnostic, SourceFile};
use crate::value::{VarMap, overlay, to_var_map};

/// Run options from the shared connection flags. Errors name the bad flag.
pub fn run_options(args: &ConnectArgs, cwd: &Path) -> Result<RunOptions, Diagnostic> {
    if args.forks == 0 {
        return Err(Diagnostic::new("--forks must be at least 1"));
    }
    let mut extra_vars = VarMap::new();
    for text in &args.extra_vars {
        overlay(&mut extra_vars, &parse_extra_vars(text, cwd)?);
    }
    Ok(RunOptions {
        forks: args.forks,
        check: args.check,
        diff: args.diff,
        verbosity: args.verbose,
        extra_vars,
        limit: args.limit.clone(),
        connect_timeout: Duration::from_secs(args.timeout.max(1)),
        accept_new_host_keys: args.accept_new_host_keys,
        tags: crate::executor::TagFilter::default(),
        start_at_task: None,
        force_handlers: false,
        step: false,
        inventory_sources: (!args.inventory.is_empty()).then(|| {
            crate::executor::InventorySources {
                sources: args.inventory.clone(),
                cwd: cwd.to_path_buf(),
            }
        }),
        become_: become_defaults(args)?,
    })
}

/// `-b`, `--become-user`, `--become-method`; `-K` asks for the password now,
/// before any host is touched.
fn become_defaults(args: &ConnectArgs) -> Result<BecomeDefaults, Diagnostic> {
    if let Some(method) = &args.become_method
        && BecomeMethod::parse(method).is_none()
    {
        return Err(Diagnostic::new(format!(
            "--become-method {method:?} is not supported by runbook (it has sudo and su)"
        ))
        .suggesting(method, BecomeMethod::NAMES.iter().copied()));
    }
    let password = if args.ask_become_pass {
        let answer = crate::terminal::ask("BECOME password: ", false).ok_or_else(|| {
            Diagnostic::new(
                "-K/--ask-become-pass needs a terminal to ask on; set ansible_become_password (e.g. in a vault) instead",
            )
        })?;
        Some(Secret::new(answer))
    } else {
        None
    };
    Ok(BecomeDefaults {
        enabled: args.become_,
        user: args.become_user.clone(),
        method: args.become_method.clone(),
        password,
    })
}

/// One `-e` value: `@file` (YAML or JSON), an inline `{...}` document, or `k=v` pairs.
pub fn parse_extra_vars(text: &str, cwd: &Path) -> Result<VarMap, Diagnostic> {
    if let Some(path) = text.strip_prefix('@') {
        let node = crate::yaml::parse_file(&cwd.join(path))?;
        return mapping_vars(&node, text);
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let node = crate::yaml::parse_str(SourceFile::new("<--extra-vars>", text))?;
        return mapping_vars(&node, text);
    }
    const KEY_VALUE: ArgSpec = ArgSpec {
        free_form: FreeForm::KeyValue,
        any_name: true,
        ..ArgSpec::EMPTY
    };
    crate::playbook::parse_free_form(text, &KEY_VALUE)
        .map_err(|e| Diagnostic::new(format!("--extra-vars {text:?}: {e}")))
}

fn mapping_vars(node: &crate::yaml::Node, text: &str) -> Result<VarMap, Diagnostic> {
    if node.is_null() {
        return Ok(VarMap::new());
    }
    node.expect_map(&format!("--extra-vars {text:?}"))?;
    Ok(to_var_map(&node.to_value()))
}

/// Load the inventory from `-i` sources (none: only the implicit localhost).
pub fn inventory(sources: &[String], cwd: &Path) -> Result<Arc<Inventory>, Diagnostic> {
    if sources.is_empty() {
        return Ok(Arc::new(Inventory::default()));
    }
    Inventory::load(sources, cwd).map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, String)> {
        parse_extra_vars(text, Path::new("."))
            .expect("valid")
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect()
    }

    #[test]
    fn extra_vars_in_every_shape() {
        assert_eq!(
            vars("a=1 b='two words'"),
            [("a".into(), "1".into()), ("b".into(), "two words".into())]
        );
        assert_eq!(
            vars(r#"{"n": 2, "list": [1]}"#),
            [("n".into(), "2".into()), ("list".into(), "[1]".into())]
        );
        assert!(parse_extra_vars("[1, 2]", Path::new(".")).is_err());
        assert!(parse_extra_vars("@/nonexistent/file.yml", Path::new(".")).is_err());
    }
}
