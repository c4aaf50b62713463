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
    paths: &["src"],
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
/// never sees half a file. The temporary name is unique (several hosts may
/// fetch into one `flat` destination at once), and it is removed whatever
/// goes wrong, a full disk included.
fn write_local(path: &Path, content: &[u8]) -> Result<(), ModuleError> {
    use std::io::Write;
    let fail = |error: std::io::Error| {
        ModuleError::failed(format!("cannot write {}: {error}", path.display()))
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".runbook")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(content).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|error| fail(error.error))?;
    Ok(())
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

    #[test]
    fn hosts_fetching_into_one_flat_destination_do_not_collide() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("out.txt");
        let results: Vec<_> = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..20u8)
                .map(|host| {
                    let dest = &dest;
                    scope.spawn(move || write_local(dest, &vec![host; 100_000]))
                })
                .collect();
            writers.into_iter().map(|w| w.join().is_ok_and(|r| r.is_ok())).collect()
        });
        assert_eq!(results, vec![true; 20]);
        let content = std::fs::read(&dest).expect("read");
        assert_eq!(content.len(), 100_000);
        assert!(content.iter().all(|b| *b == content[0]));
        assert_eq!(entries(dir.path()), vec!["out.txt".to_string()]);
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A real full disk: a 64 KiB tmpfs (the tests run as root, as CI does).
    #[test]
    fn a_full_disk_leaves_no_temporary_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mount = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount");
        assert!(mount.success(), "mounting a tmpfs needs root");
        let dest = dir.path().join("old.txt");
        std::fs::write(&dest, b"old content\n").expect("write");
        let error = write_local(&dest, &vec![b'x'; 1 << 20]).expect_err("the disk is full");
        let names = entries(dir.path());
        let content = std::fs::read(&dest).expect("read");
        let _ = std::process::Command::new("umount").arg(dir.path()).status();
        assert!(error.to_string().contains("No space left on device"), "{error}");
        assert_eq!(names, vec!["old.txt".to_string()]);
        assert_eq!(content, b"old content\n");
    }
}
