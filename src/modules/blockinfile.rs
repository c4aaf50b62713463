//! `blockinfile`: keep a block of lines between two marker lines, as
//! Ansible's module does, byte for byte.

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::text_edit::{BlockAnchor, BlockEdit, Edited, PyRegex, Template, edit_block};
use super::utils::text_file::{self, FileArgs, TextFile};
use super::{ArgSpec, Args, Changes, ModuleContext, ModuleError, Outcome, StateModule};

pub(super) struct BlockInFile;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path",
        "state",
        "marker",
        "block",
        "insertafter",
        "insertbefore",
        "create",
        "backup",
        "validate",
        "marker_begin",
        "marker_end",
        "append_newline",
        "prepend_newline",
    ],
    groups: &[&FILE_ATTRIBUTES],
    aliases: &[
        ("dest", "path"),
        ("destfile", "path"),
        ("name", "path"),
        ("content", "block"),
    ],
    required: &["path"],
    paths: &["path"],
    ..ArgSpec::EMPTY
};

const DEFAULT_MARKER: &str = "# {mark} ANSIBLE MANAGED BLOCK";

#[derive(Debug, Clone)]
pub(super) struct Desired {
    file: FileArgs,
    create: bool,
    block: BlockEdit,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    file: TextFile,
    edit: Edited,
}

impl StateModule for BlockInFile {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "blockinfile"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let present = match args.str("state")?.as_deref() {
            None | Some("present") => true,
            Some("absent") => false,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: absent, present, got: {other}"
                )));
            }
        };
        let marker = args.str("marker")?.unwrap_or_else(|| DEFAULT_MARKER.into());
        let block = match args.str("block")? {
            Some(block) => block,
            None => args.str("content")?.unwrap_or_default(),
        };
        Ok(Desired {
            file: FileArgs::from_args(args)?,
            create: args.bool("create", false)?,
            block: BlockEdit {
                marker_begin: mark(
                    &marker,
                    &args.str("marker_begin")?.unwrap_or("BEGIN".into()),
                )?,
                marker_end: mark(&marker, &args.str("marker_end")?.unwrap_or("END".into()))?,
                block: block.into_bytes(),
                present,
                anchor: anchor(args)?,
                append_newline: args.bool("append_newline", false)?,
                prepend_newline: args.bool("prepend_newline", false)?,
            },
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let file = text_file::inspect(ctx, &want.file.path)?;
        let edit = match &file.content {
            None if !want.create => {
                return Err(ModuleError::failed(format!(
                    "Path {} does not exist !",
                    want.file.path
                )));
            }
            None if !want.block.present => Edited {
                content: Vec::new(),
                changed: false,
                msg: format!("File {} not present", want.file.path),
            },
            content => edit_block(content.as_deref(), &want.block),
        };
        Ok(Observed { file, edit })
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
        text_file::apply_edit(ctx, &want.file, &have.file, &have.edit, "backup_file")
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        Outcome::ok().with_msg(text_file::edit_message(&want.file, &have.file, &have.edit))
    }
}

/// A marker line: `{mark}` replaced as Ansible does it, with `re.sub`, so
/// the replacement reads backslash escapes.
fn mark(marker: &str, mark: &str) -> Result<Vec<u8>, ModuleError> {
    let template = Template::parse(mark, &Default::default())
        .map_err(|e| ModuleError::failed(e.to_string()))?;
    let mark = template.expand(|_| None);
    Ok(marker
        .replace("{mark}", &String::from_utf8_lossy(&mark))
        .into_bytes())
}

fn anchor(args: &Args) -> Result<BlockAnchor, ModuleError> {
    let compile = |p: &str| PyRegex::for_lines(p).map_err(|e| ModuleError::failed(e.to_string()));
    match (args.str("insertafter")?, args.str("insertbefore")?) {
        (Some(_), Some(_)) => Err(ModuleError::failed(
            "parameters are mutually exclusive: insertbefore|insertafter",
        )),
        (None, Some(before)) if before == "BOF" => Ok(BlockAnchor::Bof),
        (None, Some(before)) => Ok(BlockAnchor::Before(compile(&before)?)),
        (Some(after), None) if after != "EOF" => Ok(BlockAnchor::After(compile(&after)?)),
        _ => Ok(BlockAnchor::Eof),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_replace_every_mark() {
        assert_eq!(
            mark(DEFAULT_MARKER, "BEGIN").expect("ok"),
            b"# BEGIN ANSIBLE MANAGED BLOCK"
        );
        assert_eq!(mark("<{mark}/{mark}>", "x").expect("ok"), b"<x/x>");
        assert_eq!(mark("none", "x").expect("ok"), b"none");
    }
}
