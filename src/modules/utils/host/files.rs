use crate::connection::{inline_data, shell_quote, transfer};
use crate::modules::{ModuleContext, ModuleError};

use super::conditional_write::{Settled, WantedFile, write_if_differs};
use super::file_info::{FileInfo, facts_after, then_stat};
use super::{run_checked, run_checked_streaming};
use crate::connection::ExecOutput;

/// A file's content, or `None` when it does not exist.
pub(crate) fn read_file(
    ctx: &mut ModuleContext,
    path: &str,
) -> Result<Option<Vec<u8>>, ModuleError> {
    let quoted = shell_quote(path);
    let output = ctx
        .connection()?
        .run(&format!("[ -e {quoted} ] || exit 3\ncat -- {quoted}"), None)?;
    match output.rc {
        0 => Ok(Some(output.stdout)),
        3 => Ok(None),
        rc => Err(ModuleError::failed(format!(
            "cannot read {path} (rc={rc}): {}",
            output.stderr_text().trim()
        ))),
    }
}

/// Write `content` to `path` atomically: a temporary file in the same
/// directory, checked on the host against the content's length and checksum
/// (a transfer cut short must not replace the file), then a rename, so
/// readers never see half a file and a failed write leaves no temporary file. An existing
/// file's mode and ownership are kept; a new file gets `0666 & ~umask`.
/// `mode` (when given) is applied to the temporary file before the rename.
pub(crate) fn write_file(
    ctx: &mut ModuleContext,
    path: &str,
    content: &[u8],
    mode: Option<u32>,
) -> Result<(), ModuleError> {
    write_file_with(
        ctx,
        path,
        Fill::Content(content),
        &WriteOptions {
            mode,
            validate: None,
        },
    )
}

/// Where the new content of a file comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fill<'a> {
    /// Bytes sent from the controller.
    Content(&'a [u8]),
    /// A file already on the host (`copy` with `remote_src`).
    HostFile(&'a str),
    /// A file on the controller, sent as it is read (too large to hold).
    LocalFile(&'a std::path::Path),
}

/// How [`write_file_with`] finishes the temporary file before the rename.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteOptions {
    /// Mode bits for the file; `None` keeps an existing file's mode and owner.
    pub mode: Option<u32>,
    /// A command that must accept the new file before it replaces the old
    /// one; `%s` stands for the temporary file (Ansible's `validate`).
    pub validate: Option<String>,
}

/// [`write_file`] with the content from the controller or from the host,
/// and an optional validation of the new file before it takes the place
/// of the old one.
pub(crate) fn write_file_with(
    ctx: &mut ModuleContext,
    path: &str,
    fill: Fill,
    options: &WriteOptions,
) -> Result<(), ModuleError> {
    write_then(ctx, path, fill, options, "").map(|_| ())
}

/// [`write_file_with`], and the written file's facts (following a link,
/// without its checksum) from the same round trip.
pub(crate) fn write_file_and_stat(
    ctx: &mut ModuleContext,
    path: &str,
    fill: Fill,
    options: &WriteOptions,
) -> Result<FileInfo, ModuleError> {
    if let (Fill::Content(content), None) = (fill, &options.validate) {
        let checksum = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(content));
        let wanted = WantedFile {
            dest: path,
            name: None,
            content,
            checksum: &checksum,
            mode: options.mode,
            force: true,
            read_existing: false,
        };
        if let Some(settled) = write_if_differs(ctx, &wanted)? {
            return match settled {
                Settled::Done { after, before, .. } => Ok(*after.unwrap_or(before)),
                Settled::NoParent { .. } => Err(ModuleError::failed(format!(
                    "writing {path} failed: its directory {} does not exist",
                    transfer::parent_dir(path)
                ))),
                Settled::Directory { .. } | Settled::IntoDirectoryWithoutName => Err(
                    ModuleError::failed(format!("writing {path} failed: it is a directory")),
                ),
            };
        }
    }
    let output = write_then(ctx, path, fill, options, &then_stat(path, true))?;
    facts_after(path, &output, ctx.host)
}

/// The write, then `then` (more `sh`) once the file is in place.
fn write_then(
    ctx: &mut ModuleContext,
    path: &str,
    fill: Fill,
    options: &WriteOptions,
    then: &str,
) -> Result<ExecOutput, ModuleError> {
    let what = format!("writing {path}");
    let script = |fill: &str| format!("{}{then}", write_script(path, fill, options));
    match fill {
        Fill::Content(content) => match inline_data::assignment("content", content) {
            Some(set) => {
                let fill = format!(
                    "printf '%s' \"${}\" > \"$tmp\"",
                    inline_data::variable("content")
                );
                run_checked(ctx, &what, &format!("{set}\n{}", script(&fill)), None)
            }
            None => run_checked(ctx, &what, &script(&received(content)), Some(content)),
        },
        Fill::HostFile(source) => {
            let fill = format!("cat -- {} > \"$tmp\"", shell_quote(source));
            run_checked(ctx, &what, &script(&fill), None)
        }
        Fill::LocalFile(local) => {
            // Read twice (its checksum first, for the script that checks
            // it), so neither read holds more than a chunk of it.
            let open = || {
                std::fs::File::open(local).map_err(|e| {
                    ModuleError::failed(format!("cannot read {}: {e}", local.display()))
                })
            };
            let expected = transfer::cksum_of(&mut open()?).map_err(|e| {
                ModuleError::failed(format!("cannot read {}: {e}", local.display()))
            })?;
            let fill = format!(
                "cat > \"$tmp\" && {}",
                transfer::verify_cksum("tmp", &expected)
            );
            run_checked_streaming(ctx, &what, &script(&fill), &mut open()?)
        }
    }
}

/// The fill command for content from stdin, checked against `content`.
fn received(content: &[u8]) -> String {
    format!(
        "cat > \"$tmp\" && {}",
        transfer::verify_received("tmp", content)
    )
}

/// The `sh` of [`write_file_with`]: `fill_command` fills `"$tmp"`.
fn write_script(path: &str, fill_command: &str, options: &WriteOptions) -> String {
    let quoted = shell_quote(path);
    // The temporary file is created with its final mode when a umask can
    // give it, else private (077) until its mode is set; a new file without
    // `mode` keeps the shell's umask, as a file the user creates would.
    let (umask, chmod) = match options.mode {
        Some(mode) => match transfer::creation_umask(mode) {
            Some(umask) => (format!("umask {umask:03o}\n"), String::new()),
            None => (
                "umask 077\n".to_string(),
                format!(" && chmod {mode:o} \"$tmp\""),
            ),
        },
        None => (
            format!("[ -e {quoted} ] && umask 077\n"),
            format!(
                " && {{ [ ! -e {quoted} ] || {{ set -- $(stat -c '%a %u:%g' -- {quoted}) && chmod \"$1\" \"$tmp\" && chown \"$2\" \"$tmp\"; }}; }}"
            ),
        ),
    };
    let validate = match &options.validate {
        Some(command) => format!(
            " && {{ {} >&2 || {{ echo 'failed to validate' >&2; exit 5; }}; }}",
            command.replace("%s", "\"$tmp\"")
        ),
        None => String::new(),
    };
    format!(
        "{umask}{create}\n{remove}\n{fill_command}{chmod}{validate} && mv -f \"$tmp\" {quoted} && {keep}",
        create = transfer::create_beside("tmp", path),
        remove = transfer::remove_on_exit("tmp"),
        keep = transfer::keep_on_exit(),
    )
}

/// Copy `path` to `path.<pid>.<time>~` as Ansible's `backup: yes` names it,
/// keeping its attributes; returns the backup's path.
pub(crate) fn backup_file(ctx: &mut ModuleContext, path: &str) -> Result<String, ModuleError> {
    let quoted = shell_quote(path);
    let script = format!(
        "b={quoted}.$$.$(date +%Y-%m-%d@%H:%M:%S)~\ncp -p -- {quoted} \"$b\" && printf '%s' \"$b\""
    );
    let output = run_checked(ctx, &format!("backing up {path}"), &script, None)?;
    Ok(output.stdout_text())
}

#[cfg(test)]
mod tests {
    use super::{WriteOptions, received, write_script};
    use crate::connection::{Connection, LocalConnection};

    /// A write whose input arrives cut short (what the host's `sh` runs when
    /// the connection breaks inside the here-document) keeps the old file
    /// and leaves no temporary file.
    #[test]
    fn a_write_cut_short_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("app.conf");
        std::fs::write(&path, "old\n").expect("write");
        let content = vec![b'n'; 100_000];
        let script = write_script(
            &path.display().to_string(),
            &received(&content),
            &WriteOptions::default(),
        );
        let mut local = LocalConnection::new();
        let cut = local.run(&script, Some(&content[..40_000])).expect("run");
        assert_ne!(cut.rc, 0);
        assert!(cut.stderr_text().contains("the transfer was cut short"));
        assert_eq!(std::fs::read(&path).expect("read"), b"old\n");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
        let whole = local.run(&script, Some(&content)).expect("run");
        assert_eq!(whole.rc, 0, "{}", whole.stderr_text());
        assert_eq!(std::fs::read(&path).expect("read"), content);
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }
}
