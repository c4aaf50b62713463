//! `copy`: put a file (from `content`, a local `src`, or a file already on
//! the host) or a whole directory (local, or on the host with
//! `remote_src`) at `dest`, idempotently.

mod remote_dir;

use std::path::Path;

use super::utils::copy_source::{LocalSource, read_local_source, streamed_file};
use super::utils::host::FILE_ATTRIBUTES;
use super::utils::host::{Attributes, parse_mode};
use super::utils::local_source::find_local;
use super::utils::placement::{self, FileWant, Payload, PlacementSeen, PlacementWant};
use super::{
    ArgSpec, Args, Changes, Module, ModuleContext, ModuleError, Outcome, StateModule, Stateful,
};
use crate::connection::shell_quote;

/// The module: a directory already on the host (`remote_src` with a
/// directory `src`) is copied by [`remote_dir`], everything else by
/// [`FileCopy`].
pub(super) struct Copy;

impl Module for Copy {
    fn name(&self) -> &'static str {
        "copy"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        if args.bool("remote_src", false)?
            && !args.has("content")
            && let Some(src) = args.str("src")?
            && host_directory(ctx, &src)?
        {
            return Stateful(remote_dir::RemoteDirCopy).run(args, ctx);
        }
        Stateful(FileCopy).run(args, ctx)
    }
}

fn host_directory(ctx: &mut ModuleContext, path: &str) -> Result<bool, ModuleError> {
    let output = ctx
        .connection()?
        .run(&format!("[ -d {} ]", shell_quote(path)), None)?;
    Ok(output.rc == 0)
}

/// Files: from `content`, a local `src` (file or tree), or a host file.
struct FileCopy;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "src",
        "content",
        "dest",
        "backup",
        "force",
        "validate",
        "remote_src",
        "directory_mode",
        "follow",
        "local_follow",
        "checksum",
        "decrypt",
    ],
    groups: &[&FILE_ATTRIBUTES],
    aliases: &[("thirsty", "force")],
    required: &["dest"],
    paths: &["dest"],
    ..ArgSpec::EMPTY
};

impl StateModule for FileCopy {
    type Desired = PlacementWant;
    type Observed = PlacementSeen;

    fn name(&self) -> &'static str {
        "copy"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, ctx: &ModuleContext) -> Result<PlacementWant, ModuleError> {
        let dest = args
            .str("dest")?
            .filter(|d| !d.is_empty())
            .ok_or_else(|| ModuleError::failed("dest is required"))?;
        let remote_src = args.bool("remote_src", false)?;
        let (files, dirs, src) = match (args.get("content"), args.str("src")?) {
            (Some(_), Some(_)) => {
                return Err(ModuleError::failed(
                    "parameters are mutually exclusive: content|src",
                ));
            }
            (Some(content), None) => {
                let decrypt = args.bool("decrypt", true)?;
                (content_file(content, &dest, decrypt)?, Vec::new(), None)
            }
            (None, Some(src)) if remote_src => {
                let name = file_name(&src);
                let file = FileWant {
                    dest: dest.clone(),
                    name,
                    payload: Payload::HostFile(src.clone()),
                    source_mode: None,
                };
                (vec![file], Vec::new(), Some(src))
            }
            (None, Some(src)) => {
                let decrypt = args.bool("decrypt", true)?;
                local_files(&src, &dest, ctx.search_dirs, decrypt)?
            }
            (None, None) => return Err(ModuleError::failed("src (or content) is required")),
        };
        check_checksum(args, &files)?;
        let validate = args.str("validate")?;
        if let Some(command) = &validate
            && !command.contains("%s")
        {
            return Err(ModuleError::failed(format!(
                "validate must contain %s: {command}"
            )));
        }
        let directory_mode = match args.get("directory_mode") {
            Some(value) => Some(parse_mode(value).map_err(ModuleError::failed)?),
            None => None,
        };
        // Ansible names `content` by the file it becomes.
        let after_header = src.clone().unwrap_or_else(|| {
            files
                .first()
                .map_or_else(|| dest.clone(), |file| file.dest.clone())
        });
        Ok(PlacementWant {
            files,
            dirs,
            attrs: Attributes::from_args(args)?,
            directory_mode,
            backup: args.bool("backup", false)?,
            force: args.bool("force", true)?,
            validate,
            src,
            after_header,
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

fn content_file(
    content: &crate::value::Value,
    dest: &str,
    decrypt: bool,
) -> Result<Vec<FileWant>, ModuleError> {
    if dest.ends_with('/') {
        return Err(ModuleError::failed(
            "can not use content with a dir as dest",
        ));
    }
    // Ansible writes a mapping or list given as `content` as Python's json.dumps does.
    let text = match content.as_str() {
        Some(text) => text.to_string(),
        None if content.kind() == minijinja::value::ValueKind::Map
            || content.kind() == minijinja::value::ValueKind::Seq =>
        {
            crate::template::python_json(content, crate::template::JsonStyle::default())
        }
        None => content.to_string(),
    };
    // Ansible writes `content` to a file and reads it back as it reads a
    // `src`: vaulted text (`{{ x | vault(pw) }}`) is decrypted with the
    // run's secrets unless `decrypt: false`.
    let mut bytes = text.into_bytes();
    if decrypt && bytes.starts_with(crate::vault::HEADER.as_bytes()) {
        bytes = crate::vault::session::cleartext_of_file(bytes)
            .map_err(|e| ModuleError::failed(format!("{e}.")))?;
    }
    Ok(vec![FileWant {
        dest: dest.to_string(),
        name: None,
        payload: Payload::Bytes(bytes),
        source_mode: None,
    }])
}

fn file_name(path: &str) -> Option<String> {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

type LocalFiles = (Vec<FileWant>, Vec<String>, Option<String>);

/// A local file, or a directory's tree (`src: dir/` copies what is inside,
/// `src: dir` the directory itself).
fn local_files(
    src: &str,
    dest: &str,
    search_dirs: &[std::path::PathBuf],
    decrypt: bool,
) -> Result<LocalFiles, ModuleError> {
    let found = find_local(
        "file",
        src.trim_end_matches('/'),
        search_dirs,
        "files",
        |p| p.exists(),
    )
    .map_err(ModuleError::failed)?;
    let shown = found.display().to_string();
    if let Some(mode) = streamed_file(&found, decrypt) {
        let file = FileWant {
            dest: dest.to_string(),
            name: file_name(src),
            payload: Payload::LocalFile(found),
            source_mode: Some(mode),
        };
        return Ok((vec![file], Vec::new(), Some(shown)));
    }
    match read_local_source(&found, decrypt).map_err(ModuleError::failed)? {
        LocalSource::File { content, mode } => {
            let file = FileWant {
                dest: dest.to_string(),
                name: file_name(src),
                payload: Payload::Bytes(content),
                source_mode: Some(mode),
            };
            Ok((vec![file], Vec::new(), Some(shown)))
        }
        LocalSource::Tree { dirs, files } => {
            let root = dest.trim_end_matches('/');
            let root = if src.ends_with('/') {
                root.to_string()
            } else {
                format!("{root}/{}", file_name(src).unwrap_or_default())
            };
            let mut all_dirs = vec![root.clone()];
            all_dirs.extend(dirs.iter().map(|d| format!("{root}/{d}")));
            let wanted = files
                .into_iter()
                .map(|f| FileWant {
                    dest: format!("{root}/{}", f.relative),
                    name: None,
                    payload: match f.on_disk {
                        Some(path) => Payload::LocalFile(path),
                        None => Payload::Bytes(f.content),
                    },
                    source_mode: Some(f.mode),
                })
                .collect();
            Ok((wanted, all_dirs, Some(shown)))
        }
    }
}

/// `checksum:` is the SHA-1 the content must have.
fn check_checksum(args: &Args, files: &[FileWant]) -> Result<(), ModuleError> {
    let Some(expected) = args.str("checksum")? else {
        return Ok(());
    };
    for file in files {
        let actual = match &file.payload {
            Payload::Bytes(bytes) => Some(placement::sha1_hex(bytes)),
            Payload::LocalFile(path) => {
                Some(placement::sha1_of_file(path).map_err(ModuleError::failed)?)
            }
            Payload::HostFile(_) => None,
        };
        if let Some(actual) = actual
            && !actual.eq_ignore_ascii_case(expected.trim())
        {
            return Err(ModuleError::failed(format!(
                "Copied file does not match the expected checksum. Transfer failed. (expected {expected}, got {actual})"
            )));
        }
    }
    Ok(())
}
