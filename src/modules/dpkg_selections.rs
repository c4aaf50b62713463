//! `dpkg_selections`: a package's dpkg selection (`install`, `hold`,
//! `deinstall`, `purge`), read with `dpkg --get-selections` and set with
//! `dpkg --set-selections`, as Ansible's module does.

use super::utils::host::require_tools;
use super::{ArgSpec, Args, Diff, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;

pub(super) struct DpkgSelections;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "selection"],
    required: &["name", "selection"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

const SELECTIONS: &[&str] = &["install", "hold", "deinstall", "purge"];

impl Module for DpkgSelections {
    fn name(&self) -> &'static str {
        "dpkg_selections"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let name = args.str("name")?.unwrap_or_default();
        let selection = args.str("selection")?.unwrap_or_default();
        if !SELECTIONS.contains(&selection.as_str()) {
            return Err(ModuleError::failed(format!(
                "value of selection must be one of: {}, got: {selection}",
                SELECTIONS.join(", ")
            )));
        }
        require_tools(ctx, "dpkg_selections", &["dpkg"])?;
        let query = format!("LC_ALL=C dpkg --get-selections {}", shell_quote(&name));
        let output = ctx.connection()?.run(&query, None)?;
        let stderr = output.stderr_text();
        if stderr.contains("no packages found matching") {
            return Err(ModuleError::failed(format!(
                "Failed to find package '{name}' to perform selection '{selection}'."
            )));
        }
        if output.rc != 0 {
            return Err(ModuleError::failed(format!(
                "dpkg --get-selections {name} failed (rc={}): {}",
                output.rc,
                stderr.trim()
            )));
        }
        let current = current_selection(&output.stdout_text());
        let changed = current != selection;
        let mut outcome = Outcome::ok()
            .with("before", current.as_str())
            .with("after", selection.as_str());
        outcome.changed = changed;
        if changed && ctx.diff {
            let diff = Diff::attribute(&name, "selection", &current, &selection);
            outcome.data.insert("diff".into(), diff.to_value());
        }
        if !changed || ctx.check_mode {
            return Ok(outcome);
        }
        let line = format!("{name} {selection}\n");
        let set = ctx
            .connection()?
            .run("LC_ALL=C dpkg --set-selections", Some(line.as_bytes()))?;
        if set.rc != 0 {
            return Err(ModuleError::failed(format!(
                "dpkg --set-selections failed (rc={}): {}",
                set.rc,
                set.stderr_text().trim()
            )));
        }
        Ok(outcome)
    }
}

/// The second word of `dpkg --get-selections`; `not present` when dpkg
/// printed nothing.
fn current_selection(text: &str) -> String {
    text.split_whitespace()
        .nth(1)
        .unwrap_or("not present")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_selection_word() {
        assert_eq!(current_selection("bash\t\t\t\t\thold\n"), "hold");
        assert_eq!(current_selection(""), "not present");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,100}") {
            let _ = current_selection(&text);
        }
    }
}
