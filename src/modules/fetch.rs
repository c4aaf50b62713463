//! `fetch`: copy a file from a host to the controller, into
//! `dest/<inventory_hostname>/<src>` (or exactly `dest` with `flat`).
//! Changed only when the local copy differs from the remote file (SHA-1).

use std::path::{Path, PathBuf};

use sha1::Digest;

use super::utils::host::{FileKind, file_info};
use super::{ArgSpec, Args, Changes, ModuleContext, ModuleError, Outcome, StateModule};

pub(super) struct Fetch;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "src",
        "dest",
        "flat",
        "validate_checksum",
        "fail_on_missing",
    ],
    aliases: &[("validate_md5", "validate_checksum")],
    required: &["src", "dest"],
    ..ArgSpec::EMPTY
};

pub(super) struct Wanted {
    src: String,
    dest: PathBuf,
    validate_checksum: bool,
    fail_on_missing: bool,
}

pub(super) enum Found {
    /// The remote file is missing and that is not an error.
    Missing,
    File {
        remote_checksum: String,
        local_checksum: Option<String>,
    },
}

impl StateModule for Fetch {
    type Desired = Wanted;
    type Observed = Found;

    fn name(&self) -> &'static str {
        "fetch"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, ctx: &ModuleContext) -> Result<Wanted, ModuleError> {
        let src = args.str("src")?.unwrap_or_default();
        let dest = args.str("dest")?.unwrap_or_default();
        if src.is_empty() || dest.is_empty() {
            return Err(ModuleError::failed("src and dest are required"));
        }
        let flat = args.bool("flat", false)?;
        let dest = local_dest(ctx.playbook_dir, &dest, &src, ctx.host, flat);
        Ok(Wanted {
            src,
            dest,
            validate_checksum: args.bool("validate_checksum", true)?,
            fail_on_missing: args.bool("fail_on_missing", true)?,
        })
    }

    fn inspect(&self, want: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
        let info = file_info(ctx, &want.src, true, true)?;
        match info.kind {
            FileKind::Absent if want.fail_on_missing => Err(ModuleError::failed(
                "the remote file does not exist, not transferring, ignored",
            )),
            FileKind::Absent => Ok(Found::Missing),
            FileKind::Directory => Err(ModuleError::failed(
                "remote file is a directory, fetch cannot work on directories",
            )),
            _ => Ok(Found::File {
                remote_checksum: info.checksum.ok_or_else(|| {
                    ModuleError::failed(format!("cannot read {} on {}", want.src, ctx.host))
                })?,
                local_checksum: local_checksum(&want.dest)?,
            }),
        }
    }

    fn diff(&self, _want: &Wanted, have: &Found) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if let Found::File {
            remote_checksum,
            local_checksum,
        } = have
            && local_checksum.as_ref() != Some(remote_checksum)
        {
            changes.add("local copy differs", None);
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Wanted,
        have: &Found,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let content = ctx.connection()?.get_file(&want.src)?;
        let checksum = sha1_hex(&content);
        if let Found::File {
            remote_checksum, ..
        } = have
            && want.validate_checksum
            && &checksum != remote_checksum
        {
            return Err(ModuleError::failed(
                "checksum mismatch: the file changed on the host while it was fetched",
            ));
        }
        write_local(&want.dest, &content)?;
        Ok(Outcome::ok().with("checksum", checksum))
    }

    fn describe(&self, want: &Wanted, have: &Found) -> Outcome {
        let outcome = Outcome::ok()
            .with("dest", want.dest.display().to_string())
            .with("file", want.src.as_str());
        match have {
            Found::Missing => {
                outcome.with_msg("the remote file does not exist, not transferring, ignored")
            }
            Found::File {
                remote_checksum, ..
            } => outcome
                .with("checksum", remote_checksum.as_str())
                .with("remote_checksum", remote_checksum.as_str()),
        }
    }
}

/// Where the file lands on the controller, as Ansible lays it out: `flat`
/// puts it at `dest` (or `dest/<basename>` when `dest` ends with `/`),
/// otherwise under `dest/<host>/<src without its leading />`. Relative
/// destinations are beside the playbook.
fn local_dest(playbook_dir: &Path, dest: &str, src: &str, host: &str, flat: bool) -> PathBuf {
    let base = playbook_dir.join(dest);
    if flat {
        if dest.ends_with('/') {
            let name = Path::new(src).file_name().unwrap_or_default();
            return base.join(name);
        }
        return base;
    }
    base.join(host).join(src.trim_start_matches('/'))
}

fn local_checksum(path: &Path) -> Result<Option<String>, ModuleError> {
    match std::fs::read(path) {
        Ok(content) => Ok(Some(sha1_hex(&content))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ModuleError::failed(format!(
            "cannot read {}: {error}",
            path.display()
        ))),
    }
}

pub(super) fn sha1_hex(content: &[u8]) -> String {
    hex::encode(sha1::Sha1::digest(content))
}

/// Write through a temporary file beside `path` and a rename, so a reader
/// never sees half a file.
fn write_local(path: &Path, content: &[u8]) -> Result<(), ModuleError> {
    let fail = |error: std::io::Error| {
        ModuleError::failed(format!("cannot write {}: {error}", path.display()))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.runbook-{}", std::process::id()));
    std::fs::write(&tmp, content).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|error| {
        let _ = std::fs::remove_file(&tmp);
        fail(error)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_files_out_per_host_or_flat() {
        let dir = Path::new("/play");
        assert_eq!(
            local_dest(dir, "out", "/etc/hosts", "web1", false),
            PathBuf::from("/play/out/web1/etc/hosts")
        );
        assert_eq!(
            local_dest(dir, "/abs/", "/etc/hosts", "web1", true),
            PathBuf::from("/abs/hosts")
        );
        assert_eq!(
            local_dest(dir, "copy.txt", "/etc/hosts", "web1", true),
            PathBuf::from("/play/copy.txt")
        );
    }
}
