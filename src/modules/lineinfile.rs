//! `lineinfile`: make sure one line is in a file (or that no line matching
//! a pattern is), as Ansible's module does, byte for byte.

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::text_edit::{
    Anchor, Edited, Finder, LineRemoval, LineWant, PyRegex, Template, remove_lines, set_line,
};
use super::utils::host::Attributes;
use super::utils::text_file::{self, Created, FileArgs, TextFile};
use super::{ArgSpec, Args, Changes, ModuleContext, ModuleError, Outcome, StateModule};
use crate::value::Value;

pub(super) struct LineInFile;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path",
        "state",
        "regexp",
        "search_string",
        "line",
        "insertafter",
        "insertbefore",
        "backrefs",
        "create",
        "backup",
        "firstmatch",
        "validate",
    ],
    groups: &[&FILE_ATTRIBUTES],
    aliases: &[
        ("dest", "path"),
        ("destfile", "path"),
        ("name", "path"),
        ("regex", "regexp"),
        ("value", "line"),
    ],
    required: &["path"],
    paths: &["path"],
    ..ArgSpec::EMPTY
};

/// What to do with the line.
#[derive(Debug, Clone)]
pub(super) enum Action {
    Present(LineWant),
    Absent(LineRemoval),
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    file: FileArgs,
    create: bool,
    action: Action,
}

/// The file as found and what the edit makes of it.
#[derive(Debug, Clone)]
pub(super) struct Observed {
    file: TextFile,
    edit: Edited,
    /// Lines removed (`state: absent`), Ansible's `found`.
    found: Option<usize>,
}

impl StateModule for LineInFile {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "lineinfile"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let file = FileArgs::from_args(args)?;
        let action = match args.str("state")?.as_deref() {
            None | Some("present") => Action::Present(present_args(args)?),
            Some("absent") => Action::Absent(absent_args(args)?),
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: absent, present, got: {other}"
                )));
            }
        };
        Ok(Desired {
            file,
            create: args.bool("create", false)?,
            action,
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        observe(want, text_file::inspect(ctx, &want.file.path)?)
    }

    /// With `create`, a missing file is created with the line in the same
    /// round trip that looks for it (its edit of nothing is known before);
    /// a file that is there comes back with its content, edited and
    /// written as after an inspection.
    fn settle_at_once(
        &self,
        want: &Desired,
        ctx: &mut ModuleContext,
    ) -> Result<Option<(Observed, Outcome)>, ModuleError> {
        let Action::Present(line) = &want.action else {
            return Ok(None);
        };
        if !want.create
            || ctx.diff
            || want.file.validate.is_some()
            || want.file.attributes != Attributes::default()
        {
            return Ok(None);
        }
        let new_file = set_line(b"", line);
        if !new_file.changed {
            return Ok(None);
        }
        let have = match text_file::create_or_read(ctx, &want.file.path, &new_file.content)? {
            None => return Ok(None),
            Some(Created::New(file)) => {
                let outcome = Outcome::ok().with_msg(text_file::message(&new_file.msg, false));
                let have = Observed {
                    file,
                    edit: new_file,
                    found: None,
                };
                return Ok(Some((have, outcome)));
            }
            Some(Created::Found(file)) => observe(want, file)?,
        };
        let changes = self.diff(want, &have)?;
        let outcome = if changes.is_empty() {
            Outcome::ok()
        } else {
            self.apply(want, &have, &changes, ctx)?
        };
        Ok(Some((have, outcome)))
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        text_file::edit_changes(&want.file, &have.file, &have.edit)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        // `describe` reports `backup: ""` when none was made.
        text_file::apply_edit(ctx, &want.file, &have.file, &have.edit, "backup")
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let mut outcome = Outcome::ok()
            .with_msg(text_file::edit_message(&want.file, &have.file, &have.edit))
            .with("backup", "");
        if let Some(found) = have.found {
            outcome = outcome.with("found", Value::from(found));
        }
        outcome
    }
}

/// The file as found and what the edit makes of it.
fn observe(want: &Desired, file: TextFile) -> Result<Observed, ModuleError> {
    let (edit, found) = match (&want.action, &file.content) {
        (Action::Absent(_), None) => (unchanged(b"", "file not present"), None),
        (Action::Absent(removal), Some(content)) => {
            let (edit, found) = remove_lines(content, removal);
            (edit, Some(found))
        }
        (Action::Present(_), None) if !want.create => {
            return Err(ModuleError::failed(format!(
                "Destination {} does not exist !",
                want.file.path
            )));
        }
        (Action::Present(line), content) => {
            (set_line(content.as_deref().unwrap_or_default(), line), None)
        }
    };
    Ok(Observed { file, edit, found })
}

fn unchanged(content: &[u8], msg: &str) -> Edited {
    Edited {
        content: content.to_vec(),
        changed: false,
        msg: msg.to_string(),
    }
}

fn regexp(args: &Args) -> Result<Option<PyRegex>, ModuleError> {
    let pattern = match args.str("regexp")? {
        Some(pattern) => Some(pattern),
        None => args.str("regex")?,
    };
    pattern
        .map(|p| PyRegex::for_lines(&p).map_err(|e| ModuleError::failed(e.to_string())))
        .transpose()
}

fn line(args: &Args) -> Result<Option<String>, ModuleError> {
    Ok(match args.str("line")? {
        Some(line) => Some(line),
        None => args.str("value")?,
    })
}

fn finder(args: &Args) -> Result<Option<Finder>, ModuleError> {
    let regexp = regexp(args)?;
    let search = args.str("search_string")?;
    match (regexp, search) {
        (Some(_), Some(_)) => Err(ModuleError::failed(
            "parameters are mutually exclusive: regexp|search_string",
        )),
        (Some(regex), None) => Ok(Some(Finder::Regex(regex))),
        (None, Some(text)) => Ok(Some(Finder::Substring(text))),
        (None, None) => Ok(None),
    }
}

fn present_args(args: &Args) -> Result<LineWant, ModuleError> {
    let finder = finder(args)?;
    let backrefs = args.bool("backrefs", false)?;
    let line =
        line(args)?.ok_or_else(|| ModuleError::failed("line is required with state=present"))?;
    let backrefs = match (&finder, backrefs) {
        (_, false) => None,
        (Some(Finder::Regex(regex)), true) => Some(
            Template::parse(&line, &regex.group_names())
                .map_err(|e| ModuleError::failed(e.to_string()))?,
        ),
        (Some(Finder::Substring(_)), true) => {
            return Err(ModuleError::failed(
                "parameters are mutually exclusive: backrefs|search_string",
            ));
        }
        (None, true) => {
            return Err(ModuleError::failed("regexp is required with backrefs=true"));
        }
    };
    Ok(LineWant {
        line,
        finder,
        anchor: anchor(args)?,
        backrefs,
        firstmatch: args.bool("firstmatch", false)?,
    })
}

fn anchor(args: &Args) -> Result<Anchor, ModuleError> {
    let compile = |p: &str| PyRegex::for_lines(p).map_err(|e| ModuleError::failed(e.to_string()));
    match (args.str("insertafter")?, args.str("insertbefore")?) {
        (Some(_), Some(_)) => Err(ModuleError::failed(
            "parameters are mutually exclusive: insertbefore|insertafter",
        )),
        (None, Some(before)) if before == "BOF" => Ok(Anchor::Bof),
        (None, Some(before)) => Ok(Anchor::Before(compile(&before)?)),
        (Some(after), None) if after == "BOF" => Ok(Anchor::Bof),
        (Some(after), None) if after != "EOF" => Ok(Anchor::After(compile(&after)?)),
        _ => Ok(Anchor::Eof),
    }
}

fn absent_args(args: &Args) -> Result<LineRemoval, ModuleError> {
    let removal = LineRemoval {
        line: line(args)?,
        finder: finder(args)?,
    };
    if removal.line.is_none() && removal.finder.is_none() {
        return Err(ModuleError::failed(
            "one of line, search_string, or regexp is required with state=absent",
        ));
    }
    Ok(removal)
}
