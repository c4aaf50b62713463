//! `replace`: replace every match of a pattern in a file (optionally only
//! between `after` and `before`), with Python's `re.sub` semantics.

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::text_edit::{Edited, PyTextRegex, ReplaceWant, Template, replace_all};
use super::utils::text_file::{self, FileArgs, TextFile};
use super::{ArgSpec, Args, Changes, ModuleContext, ModuleError, Outcome, StateModule};

pub(super) struct Replace;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path", "regexp", "replace", "after", "before", "backup", "validate", "encoding",
    ],
    groups: &[&FILE_ATTRIBUTES],
    aliases: &[("dest", "path"), ("destfile", "path"), ("name", "path")],
    required: &["path", "regexp"],
    paths: &["path"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone)]
pub(super) struct Desired {
    file: FileArgs,
    edit: ReplaceWant,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    file: TextFile,
    edit: Edited,
}

impl StateModule for Replace {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "replace"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let encoding = args.str("encoding")?.unwrap_or_else(|| "utf-8".into());
        if !matches!(
            encoding.to_ascii_lowercase().replace('_', "-").as_str(),
            "utf-8" | "utf8" | "ascii"
        ) {
            return Err(ModuleError::failed(format!(
                "encoding {encoding} is not supported by runbook (only utf-8)"
            )));
        }
        let pattern = args
            .str("regexp")?
            .ok_or_else(|| ModuleError::failed("missing required arguments: regexp"))?;
        let regexp = PyTextRegex::multiline(&pattern).map_err(failed)?;
        let replace = Template::parse(
            &args.str("replace")?.unwrap_or_default(),
            &regexp.group_names(),
        )
        .map_err(|e| ModuleError::failed(format!("Unable to process replace due to error: {e}")))?;
        Ok(Desired {
            file: FileArgs::from_args(args)?,
            edit: ReplaceWant {
                regexp,
                replace,
                section: section(args)?,
            },
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let path = &want.file.path;
        let file = text_file::inspect(ctx, path)?;
        let Some(bytes) = &file.content else {
            return Err(ModuleError::failed(format!("Path {path} does not exist !")));
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|e| ModuleError::failed(format!("{path} is not valid utf-8 text: {e}")))?;
        let edit = replace_all(text, &want.edit);
        Ok(Observed { file, edit })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if have.edit.changed {
            let before = have.file.content.as_deref().unwrap_or_default();
            changes.add(
                have.edit.msg.clone(),
                Some(text_file::content_diff(
                    &want.file.path,
                    before,
                    &have.edit.content,
                )),
            );
        }
        changes.extend(text_file::attribute_diff(&want.file, &have.file)?);
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        text_file::apply_edit(ctx, &want.file, &have.file, &have.edit, "backup_file")
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        Outcome::ok()
            .with_msg(text_file::edit_message(&want.file, &have.file, &have.edit))
            .with("rc", 0)
    }
}

fn failed(error: impl std::fmt::Display) -> ModuleError {
    ModuleError::failed(error.to_string())
}

/// Ansible's section pattern from `after` and `before` (empty ones ignored).
fn section(args: &Args) -> Result<Option<(PyTextRegex, String)>, ModuleError> {
    let after = args.str("after")?.filter(|s| !s.is_empty());
    let before = args.str("before")?.filter(|s| !s.is_empty());
    let pattern = match (after, before) {
        (Some(after), Some(before)) => format!("{after}(?P<subsection>.*?){before}"),
        (Some(after), None) => format!("{after}(?P<subsection>.*)"),
        (None, Some(before)) => format!("(?P<subsection>.*){before}"),
        (None, None) => return Ok(None),
    };
    let regex = PyTextRegex::dotall(&pattern).map_err(failed)?;
    Ok(Some((regex, pattern)))
}
