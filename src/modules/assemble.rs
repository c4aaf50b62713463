//! `assemble`: concatenate a directory of fragments (on the host, or on
//! the controller with `remote_src: false`) into `dest`, then place the
//! result as `copy` places a file: compared by checksum, written
//! atomically, `mode`/`owner`/`group` set where they differ.

use std::path::Path;

use regex::Regex;

use super::utils::fragments::{self, Fragment, Joining};
use super::utils::host::{Attributes, FILE_ATTRIBUTES, Mode};
use super::utils::local_source::find_local;
use super::utils::placement::{self, FileWant, Payload, PlacementSeen, PlacementWant};
use super::{
    ArgSpec, Args, Changes, Module, ModuleContext, ModuleError, Outcome, StateModule, Stateful,
};
use crate::value::Value;

pub(super) struct Assemble;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "src",
        "dest",
        "backup",
        "delimiter",
        "remote_src",
        "regexp",
        "ignore_hidden",
        "validate",
        "decrypt",
    ],
    groups: &[&FILE_ATTRIBUTES],
    required: &["src", "dest"],
    paths: &["dest"],
    ..ArgSpec::EMPTY
};

impl Module for Assemble {
    fn name(&self) -> &'static str {
        "assemble"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    /// The fragments are read and joined first (from the host or the
    /// controller); placing the result is a state module like `copy`.
    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let src = args
            .str("src")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ModuleError::failed("src and dest are required"))?;
        let validate = args.str("validate")?;
        if let Some(command) = &validate
            && !command.contains("%s")
        {
            return Err(ModuleError::failed(format!(
                "validate must contain %s: {command}"
            )));
        }
        let joining = joining(args)?;
        let remote = args.bool("remote_src", true)?;
        let (fragments, src) = if remote {
            (host_fragments(ctx, &src)?, src)
        } else {
            local_fragments(&src, ctx.search_dirs, args.bool("decrypt", true)?)?
        };
        let content = fragments::join(fragments, &joining).map_err(ModuleError::failed)?;
        Stateful(Assembled {
            content,
            src,
            remote,
        })
        .run(args, ctx)
    }
}

fn joining(args: &Args) -> Result<Joining, ModuleError> {
    let regexp = match args.str("regexp")? {
        Some(pattern) => Some(Regex::new(&pattern).map_err(|e| {
            ModuleError::failed(format!("Invalid Regexp ({e}) in \"{pattern}\""))
        })?),
        None => None,
    };
    Ok(Joining {
        regexp,
        ignore_hidden: args.bool("ignore_hidden", false)?,
        delimiter: args.str("delimiter")?,
    })
}

/// Every regular file of the host directory, in one round trip.
fn host_fragments(ctx: &mut ModuleContext, src: &str) -> Result<Vec<Fragment>, ModuleError> {
    let output = ctx.connection()?.run(&fragments::host_script(src), None)?;
    match output.rc {
        0 => fragments::parse_host_listing(&output.stdout)
            .map_err(|e| ModuleError::failed(format!("reading {src} on {}: {e}", ctx.host))),
        fragments::MISSING => Err(ModuleError::failed(format!(
            "Source ({src}) does not exist"
        ))),
        fragments::NOT_A_DIRECTORY => Err(ModuleError::failed(format!(
            "Source ({src}) is not a directory"
        ))),
        rc => Err(ModuleError::failed(format!(
            "reading {src} failed (rc={rc}): {}",
            output.stderr_text().trim()
        ))),
    }
}

/// Every regular file of a controller directory found as `copy` finds its
/// `src` (the role's and the playbook's `files/`), vaulted ones decrypted
/// unless `decrypt: false`.
fn local_fragments(
    src: &str,
    search_dirs: &[std::path::PathBuf],
    decrypt: bool,
) -> Result<(Vec<Fragment>, String), ModuleError> {
    let dir = find_local("file", src, search_dirs, "files", |p| p.exists())
        .map_err(ModuleError::failed)?;
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(ModuleError::failed(format!(
            "Source ({shown}) is not a directory"
        )));
    }
    let unreadable = |path: &Path, e: &dyn std::fmt::Display| {
        ModuleError::failed(format!("cannot read {}: {e}", path.display()))
    };
    let mut fragments = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| unreadable(&dir, &e))? {
        let path = entry.map_err(|e| unreadable(&dir, &e))?.path();
        if !path.is_file() {
            continue;
        }
        let mut content = std::fs::read(&path).map_err(|e| unreadable(&path, &e))?;
        if decrypt {
            content = crate::vault::session::cleartext_of_file(content)
                .map_err(|e| unreadable(&path, &e))?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        fragments.push(Fragment { name, content });
    }
    Ok((fragments, shown))
}

/// The joined content, placed at `dest`.
struct Assembled {
    content: Vec<u8>,
    /// The `src` result key: the host directory, or the controller's.
    src: String,
    /// Ansible shows no `--diff` for fragments read on the host.
    remote: bool,
}

impl StateModule for Assembled {
    type Desired = PlacementWant;
    type Observed = PlacementSeen;

    fn name(&self) -> &'static str {
        "assemble"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<PlacementWant, ModuleError> {
        let dest = args
            .str("dest")?
            .filter(|d| !d.is_empty())
            .ok_or_else(|| ModuleError::failed("src and dest are required"))?;
        let mut attrs = Attributes::from_args(args)?;
        if attrs.mode == Some(Mode::Preserve) {
            attrs.mode = None;
        }
        Ok(PlacementWant {
            files: vec![FileWant {
                dest,
                name: None,
                payload: Payload::Bytes(self.content.clone()),
                source_mode: None,
            }],
            dirs: Vec::new(),
            attrs,
            directory_mode: None,
            backup: args.bool("backup", false)?,
            force: true,
            validate: args.str("validate")?,
            src: Some(self.src.clone()),
            after_header: self.src.clone(),
        })
    }

    fn inspect(
        &self,
        want: &PlacementWant,
        ctx: &mut ModuleContext,
    ) -> Result<PlacementSeen, ModuleError> {
        let mut seen = placement::inspect(want, ctx)?;
        seen.show_diff &= !self.remote;
        Ok(seen)
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
        let mut outcome = placement::apply(want, have, ctx)?;
        outcome.data.shift_remove("path");
        Ok(outcome)
    }

    fn describe(&self, want: &PlacementWant, have: &PlacementSeen) -> Outcome {
        let mut outcome = placement::describe(want, have);
        outcome.data.shift_remove("path");
        outcome
            .data
            .insert("md5sum".into(), Value::from(md5_hex(&self.content)));
        outcome.msg = Some("OK".into());
        outcome
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_md5sum() {
        assert_eq!(md5_hex(b"hello\n"), "b1946ac92492d2347c6235b4d2611184");
    }

    #[test]
    fn a_local_directory_is_found_beside_the_playbook_and_must_be_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("files/parts/skip")).expect("mkdir");
        std::fs::write(dir.path().join("files/parts/b"), "b").expect("write");
        std::fs::write(dir.path().join("files/parts/a"), "a\n").expect("write");
        std::fs::write(dir.path().join("files/plain"), "x").expect("write");
        let dirs = [dir.path().to_path_buf()];
        let (mut found, shown) = local_fragments("parts", &dirs, true).expect("found");
        found.sort_by(|a, b| a.name.cmp(&b.name));
        let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b"], "the subdirectory is no fragment");
        assert!(shown.ends_with("files/parts"), "{shown}");
        let Err(ModuleError::Failed(message)) = local_fragments("plain", &dirs, true) else {
            panic!("a file is no fragment directory");
        };
        assert!(message.contains("is not a directory"), "{message}");
    }
}
