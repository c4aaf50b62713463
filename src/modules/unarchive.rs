//! `unarchive`: unpack a tar (gz/bz2/xz) or zip archive into an existing
//! directory on the host. The archive comes from the controller (sent over
//! stdin into a temporary file) or is already there (`remote_src`).
//! Idempotent as Ansible: `tar --diff` against `dest` (zip: every member's
//! content), or `creates`.

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::host::{Attributes, FileKind, file_info, require_tools};
use super::{ArgSpec, Args, Changes, Diff, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct Unarchive;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "src",
        "dest",
        "remote_src",
        "creates",
        "extra_opts",
        "list_files",
        "exclude",
        "keep_newer",
    ],
    groups: &[&FILE_ATTRIBUTES],
    required: &["src", "dest"],
    paths: &["dest"],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Tar,
    Zip,
}

pub(super) struct Wanted {
    src: String,
    /// The archive on the controller, when it comes from there: sent from
    /// disk as it is read (archives can be large).
    local: Option<std::path::PathBuf>,
    dest: String,
    format: Format,
    creates: Option<String>,
    extra_opts: Vec<String>,
    exclude: Vec<String>,
    keep_newer: bool,
    list_files: bool,
    attributes: Attributes,
}

pub(super) struct Found {
    /// `creates` exists: nothing to do.
    created: bool,
    /// What differs between the archive and `dest` (empty: unpacked).
    differences: Vec<String>,
    files: Vec<String>,
}

impl StateModule for Unarchive {
    type Desired = Wanted;
    type Observed = Found;

    fn name(&self) -> &'static str {
        "unarchive"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, ctx: &ModuleContext) -> Result<Wanted, ModuleError> {
        let src = args.str("src")?.unwrap_or_default();
        let remote = args.bool("remote_src", false)?;
        let local =
            if remote {
                None
            } else {
                let path = super::utils::local_source::find_local(
                    "archive",
                    &src,
                    ctx.search_dirs,
                    "files",
                    std::path::Path::is_file,
                )
                .map_err(ModuleError::failed)?;
                Some(path)
            };
        let format = if src.to_ascii_lowercase().ends_with(".zip") {
            Format::Zip
        } else {
            Format::Tar
        };
        Ok(Wanted {
            src,
            local,
            dest: args.str("dest")?.unwrap_or_default(),
            format,
            creates: args.str("creates")?,
            extra_opts: args.str_list("extra_opts")?.unwrap_or_default(),
            exclude: args.str_list("exclude")?.unwrap_or_default(),
            keep_newer: args.bool("keep_newer", false)?,
            list_files: args.bool("list_files", false)?,
            attributes: Attributes::from_args(args)?,
        })
    }

    fn inspect(&self, want: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
        if let Some(creates) = &want.creates
            && file_info(ctx, creates, false, false)?.exists()
        {
            return Ok(Found {
                created: true,
                differences: Vec::new(),
                files: Vec::new(),
            });
        }
        if file_info(ctx, &want.dest, true, false)?.kind != FileKind::Directory {
            return Err(ModuleError::failed(format!(
                "dest '{}' must be an existing dir",
                want.dest
            )));
        }
        let tools: &[&str] = match want.format {
            Format::Tar => &["tar"],
            Format::Zip => &["unzip"],
        };
        require_tools(ctx, "unarchive", tools)?;
        let body = format!(
            "{}\necho '--'\n{}",
            list_command(want.format),
            compare_command(want)
        );
        let output = with_archive(ctx, want, &body, "reading")?;
        let text = output.stdout_text();
        let (listing, comparison) = text.split_once("--\n").unwrap_or((&text, ""));
        let mut differences = significant_differences(comparison, &want.attributes);
        differences.extend(significant_differences(
            &output.stderr_text(),
            &want.attributes,
        ));
        Ok(Found {
            created: false,
            differences,
            files: listing.lines().map(str::to_string).collect(),
        })
    }

    fn diff(&self, want: &Wanted, have: &Found) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if !have.created && !have.differences.is_empty() {
            changes.add(
                format!("unpack into {}", want.dest),
                Some(Diff {
                    before_header: want.dest.clone(),
                    after_header: want.dest.clone(),
                    before: String::new(),
                    after: have.differences.join("\n") + "\n",
                }),
            );
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
        with_archive(ctx, want, &extract_command(want), "unpacking")?;
        set_attributes(ctx, want, &have.files)?;
        Ok(Outcome::ok())
    }

    fn describe(&self, want: &Wanted, have: &Found) -> Outcome {
        if have.created {
            let creates = want.creates.clone().unwrap_or_default();
            return Outcome::skipped(format!("skipped, since {creates} exists"));
        }
        let handler = match (want.format, want.src.to_ascii_lowercase()) {
            (Format::Zip, _) => "ZipArchive",
            (_, s) if s.ends_with(".tar") => "TarArchive",
            (_, s) if s.ends_with(".bz2") || s.ends_with(".tbz2") => "TarBzipArchive",
            (_, s) if s.ends_with(".xz") || s.ends_with(".txz") => "TarXzArchive",
            _ => "TgzArchive",
        };
        let mut outcome = Outcome::ok()
            .with("dest", want.dest.as_str())
            .with("src", want.src.as_str())
            .with("handler", handler);
        if want.list_files {
            outcome = outcome.with(
                "files",
                have.files
                    .iter()
                    .map(|f| crate::value::Value::from(f.as_str()))
                    .collect::<Vec<_>>(),
            );
        }
        outcome
    }
}

/// Run `body` with `$a` naming the archive on the host: the remote file, or
/// a temporary copy of the controller's, removed afterwards.
fn with_archive(
    ctx: &mut ModuleContext,
    want: &Wanted,
    body: &str,
    what: &str,
) -> Result<crate::connection::ExecOutput, ModuleError> {
    let dest = shell_quote(&want.dest);
    let script = match &want.local {
        Some(_) => format!(
            "a=$(mktemp) || exit 1\ntrap 'rm -f \"$a\"' EXIT\ncat > \"$a\" || exit 1\ncd {dest} || exit 1\n{body}"
        ),
        None => format!(
            "a={}\ncase \"$a\" in /*) ;; *) a=\"$PWD/$a\";; esac\n[ -f \"$a\" ] || {{ echo \"Source '$a' does not exist\" >&2; exit 1; }}\ncd {dest} || exit 1\n{body}",
            shell_quote(&want.src)
        ),
    };
    let output = match &want.local {
        Some(path) => {
            let mut archive = std::fs::File::open(path).map_err(|e| {
                ModuleError::failed(format!("cannot read {}: {e}", path.display()))
            })?;
            ctx.connection()?.run_streaming(&script, &[], &mut archive)?
        }
        None => ctx.connection()?.run(&script, None)?,
    };
    if output.rc != 0 && (what != "reading" || output.stdout.is_empty()) {
        return Err(ModuleError::failed(format!(
            "{what} {} failed (rc={}): {}",
            want.src,
            output.rc,
            output.stderr_text().trim()
        )));
    }
    Ok(output)
}

fn list_command(format: Format) -> &'static str {
    match format {
        Format::Tar => "tar -tf \"$a\" || exit 1",
        Format::Zip => "unzip -Z1 \"$a\" || exit 1",
    }
}

/// Lines describing how `dest` differs from the archive.
fn compare_command(want: &Wanted) -> String {
    match want.format {
        Format::Tar => format!(
            "LC_ALL=C tar --diff -f \"$a\"{} 2>&1 || true",
            tar_options(want)
        ),
        Format::Zip => "unzip -Z1 \"$a\" | while IFS= read -r m; do case \"$m\" in */) [ -d \"$m\" ] || echo \"$m: No such file or directory\";; *) if [ ! -e \"$m\" ]; then echo \"$m: No such file or directory\"; elif [ \"$(unzip -p \"$a\" \"$m\" | sha1sum)\" != \"$(sha1sum < \"$m\")\" ]; then echo \"$m: Contents differ\"; fi;; esac; done".to_string(),
    }
}

fn extract_command(want: &Wanted) -> String {
    match want.format {
        Format::Tar => format!("tar -xf \"$a\"{}", tar_options(want)),
        Format::Zip => {
            let mut words = vec!["unzip -o -q".to_string()];
            words.extend(want.extra_opts.iter().map(|o| shell_quote(o)));
            words.push("\"$a\"".into());
            if !want.exclude.is_empty() {
                words.push("-x".into());
                words.extend(want.exclude.iter().map(|e| shell_quote(e)));
            }
            words.join(" ")
        }
    }
}

fn tar_options(want: &Wanted) -> String {
    let mut words: Vec<String> = want.extra_opts.iter().map(|o| shell_quote(o)).collect();
    if let Some(owner) = &want.attributes.owner {
        words.push(shell_quote(&format!("--owner={owner}")));
    }
    if let Some(group) = &want.attributes.group {
        words.push(shell_quote(&format!("--group={group}")));
    }
    if want.keep_newer {
        words.push("--keep-newer-files".into());
    }
    words.extend(
        want.exclude
            .iter()
            .map(|e| shell_quote(&format!("--exclude={e}"))),
    );
    words.iter().map(|w| format!(" {w}")).collect()
}

/// The `tar --diff` lines that mean a change, as Ansible filters them: owner,
/// group and mode differences count only when the task does not set them.
fn significant_differences(output: &str, attributes: &Attributes) -> Vec<String> {
    const ALWAYS: &[&str] = &[
        "Mod time differs",
        "No such file or directory",
        "Invalid owner",
        "Invalid group",
        "Symlink differs",
        "Contents differ",
        "Size differs",
    ];
    output
        .lines()
        .filter(|line| !line.contains(": : Warning: Cannot stat"))
        .filter(|line| {
            ALWAYS.iter().any(|m| line.contains(m))
                || (attributes.owner.is_none() && line.contains("Uid differs"))
                || (attributes.group.is_none() && line.contains("Gid differs"))
                || (attributes.mode.is_none() && line.contains("Mode differs"))
        })
        .map(str::to_string)
        .collect()
}

/// mode/owner/group on every unpacked member, as Ansible applies them.
fn set_attributes(
    ctx: &mut ModuleContext,
    want: &Wanted,
    files: &[String],
) -> Result<(), ModuleError> {
    let attrs = &want.attributes;
    if attrs.mode.is_none() && attrs.owner.is_none() && attrs.group.is_none() {
        return Ok(());
    }
    for file in files {
        let path = format!(
            "{}/{}",
            want.dest.trim_end_matches('/'),
            file.trim_end_matches('/')
        );
        let info = file_info(ctx, &path, false, false)?;
        if info.exists() {
            super::utils::host::apply_attributes(ctx, &path, attrs, &info)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_meaningful_tar_differences_count() {
        let output = "a.txt: Mod time differs\nb.txt: Mode differs\nc: Uid differs\ntar: d: Warning: Cannot stat: No such file or directory\n";
        let none = Attributes::default();
        assert_eq!(significant_differences(output, &none).len(), 4);
        let with_mode = Attributes {
            mode: Some(crate::modules::utils::host::Mode::Octal(0o644)),
            owner: Some("root".into()),
            ..Attributes::default()
        };
        assert_eq!(
            significant_differences(output, &with_mode),
            vec![
                "a.txt: Mod time differs",
                "tar: d: Warning: Cannot stat: No such file or directory"
            ]
        );
        assert!(significant_differences("", &none).is_empty());
    }
}
