//! `template`: render a Jinja2 file on the controller with the task's
//! variables, then place the result on the host exactly as `copy` would.

use std::path::Path;

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::host::{Attributes, Mode};
use super::utils::local_source::find_local;
use super::utils::placement::{self, FileWant, Payload, PlacementSeen, PlacementWant};
use super::utils::template_text::{Whitespace, newline_sequence, prepare_source};
use super::{ArgSpec, Args, Changes, ModuleContext, ModuleError, Outcome, StateModule};

use crate::value::{Value, map_from_pairs};

pub(super) struct Template;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "src",
        "dest",
        "backup",
        "force",
        "validate",
        "newline_sequence",
        "trim_blocks",
        "lstrip_blocks",
        "output_encoding",
        "follow",
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
    ],
    groups: &[&FILE_ATTRIBUTES],
    required: &["src", "dest"],
    paths: &["dest"],
    ..ArgSpec::EMPTY
};

/// What Ansible's `ansible_managed` says by default.
const ANSIBLE_MANAGED: &str = "Ansible managed";

impl StateModule for Template {
    type Desired = PlacementWant;
    type Observed = PlacementSeen;

    fn name(&self) -> &'static str {
        "template"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, ctx: &ModuleContext) -> Result<PlacementWant, ModuleError> {
        refuse_custom_delimiters(args)?;
        let src = args.str("src")?.unwrap_or_default();
        let dest = args.str("dest")?.unwrap_or_default();
        if dest.is_empty() {
            return Err(ModuleError::failed("dest is required"));
        }
        let encoding = args
            .str("output_encoding")?
            .unwrap_or_else(|| "utf-8".into());
        if !matches!(encoding.to_ascii_lowercase().as_str(), "utf-8" | "utf8") {
            return Err(ModuleError::failed(format!(
                "output_encoding {encoding} is not supported (only utf-8)"
            )));
        }
        let path = find_local(
            "template",
            &src,
            ctx.search_dirs,
            "templates",
            Path::is_file,
        )
        .map_err(ModuleError::failed)?;
        let raw = std::fs::read(&path)
            .map_err(|e| ModuleError::failed(format!("cannot read template {}: {e}", path.display())))?;
        let vaulted = crate::vault::is_vaulted(&raw);
        let text = Ok(raw)
            .and_then(|bytes| {
                crate::vault::session::cleartext_of_file(bytes)
                    .map_err(|e| format!("{}: {e}", path.display()))
            })
            .and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|_| format!("template {} is not UTF-8 text", path.display()))
            })
            .map_err(ModuleError::failed)?;
        let whitespace = Whitespace {
            trim_blocks: args.bool("trim_blocks", true)?,
            lstrip_blocks: args.bool("lstrip_blocks", false)?,
        };
        let newline =
            newline_sequence(&args.str("newline_sequence")?.unwrap_or_else(|| "\n".into()))
                .map_err(ModuleError::failed)?;
        let vars = template_vars(ctx.vars, &path, &dest);
        let rendered = ctx
            .templar
            .render_text(&prepare_source(&text, whitespace), &vars)
            .map_err(|e| ModuleError::failed(format!("{}: {e}", path.display())))?;
        if vaulted {
            // What a vaulted template renders is as secret as the template.
            crate::vault::session::reveal_lines(&rendered);
        }
        let content = if newline == "\n" {
            rendered
        } else {
            rendered.replace('\n', newline)
        };
        let mut attrs = Attributes::from_args(args)?;
        if attrs.mode == Some(Mode::Preserve) {
            attrs.mode = None;
        }
        let shown = path.display().to_string();
        Ok(PlacementWant {
            files: vec![FileWant {
                dest,
                name: Path::new(&src)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned()),
                payload: Payload::Bytes(content.into_bytes()),
                source_mode: local_mode(&path),
            }],
            dirs: Vec::new(),
            attrs,
            directory_mode: None,
            backup: args.bool("backup", false)?,
            force: args.bool("force", true)?,
            validate: validate(args)?,
            src: Some(shown.clone()),
            after_header: shown,
        })
    }

    fn inspect(
        &self,
        want: &PlacementWant,
        ctx: &mut ModuleContext,
    ) -> Result<PlacementSeen, ModuleError> {
        placement::inspect(want, ctx)
    }

    fn settle_at_once(
        &self,
        want: &PlacementWant,
        ctx: &mut ModuleContext,
    ) -> Result<Option<(PlacementSeen, Outcome)>, ModuleError> {
        placement::settle_at_once(want, ctx)
    }

    fn diff(&self, want: &PlacementWant, have: &PlacementSeen) -> Result<Changes, ModuleError> {
        placement::diff(want, have)
    }

    fn apply(
        &self,
        want: &PlacementWant,
        have: &PlacementSeen,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        placement::apply(want, have, ctx)
    }

    fn describe(&self, want: &PlacementWant, have: &PlacementSeen) -> Outcome {
        placement::describe(want, have)
    }
}

/// The task's variables with Ansible's template variables on top.
fn template_vars(task_vars: &Value, path: &Path, dest: &str) -> Value {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extra = map_from_pairs([
        ("ansible_managed", Value::from(ANSIBLE_MANAGED)),
        ("template_path", Value::from(file_name)),
        ("template_fullpath", Value::from(path.display().to_string())),
        ("template_destpath", Value::from(dest)),
        ("template_host", Value::from(controller_hostname())),
    ]);
    // The template variables shadow the task's own of the same name.
    minijinja::value::merge_maps([extra, task_vars.clone()])
}

fn controller_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|name| name.trim().to_string())
        .unwrap_or_default()
}

fn local_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

fn validate(args: &Args) -> Result<Option<String>, ModuleError> {
    let command = args.str("validate")?;
    if let Some(command) = &command
        && !command.contains("%s")
    {
        return Err(ModuleError::failed(format!(
            "validate must contain %s: {command}"
        )));
    }
    Ok(command)
}

/// Other delimiters would need a second template engine configuration.
fn refuse_custom_delimiters(args: &Args) -> Result<(), ModuleError> {
    for name in [
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
    ] {
        if args.has(name) {
            return Err(ModuleError::failed(format!(
                "{name} is not supported by runbook: templates use Jinja2's default delimiters"
            )));
        }
    }
    Ok(())
}
