//! Putting files on a host with given content and attributes: the logic
//! `copy` and `template` share. Checksums are compared first (SHA-1 on the
//! host, SHA-1 of the content here), content is written atomically, and
//! `mode`/`owner`/`group` are set only where they differ.

use sha1::{Digest, Sha1};

use super::host::{
    Attributes, FileInfo, FileKind, Fill, Mode, Settled, WantedFile, WriteOptions,
    apply_attributes, apply_attributes_and_stat, attribute_changes, backup_file, file_info,
    file_info_and_parent, read_file, run_checked, write_file_and_stat, write_if_differs,
};
use crate::connection::shell_quote;
use crate::modules::{Changes, Diff, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

/// Where a file's new content comes from.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// Bytes from the controller (`content`, a local `src`, a rendered template).
    Bytes(Vec<u8>),
    /// A file on the host itself (`remote_src: true`).
    HostFile(String),
    /// A large file on the controller, read in chunks whenever it is needed
    /// (its checksum, the upload) so that no host's task holds it whole.
    LocalFile(std::path::PathBuf),
}

/// One file to place.
#[derive(Debug, Clone)]
pub(crate) struct FileWant {
    /// Where it goes: `dest`, or a path below it for directory copies.
    pub dest: String,
    /// The name it takes when `dest` turns out to be a directory.
    pub name: Option<String>,
    pub payload: Payload,
    /// The source's own mode, for `mode: preserve`.
    pub source_mode: Option<u32>,
}

/// Everything `copy`/`template` want on the host.
#[derive(Debug, Clone)]
pub(crate) struct PlacementWant {
    pub files: Vec<FileWant>,
    /// Directories to create first (directory copies), parents before children.
    pub dirs: Vec<String>,
    pub attrs: Attributes,
    pub directory_mode: Option<Mode>,
    pub backup: bool,
    pub force: bool,
    pub validate: Option<String>,
    /// The `src` result key (a path on the controller or the host).
    pub src: Option<String>,
    /// What the diff's "after" header names.
    pub after_header: String,
}

/// One file as found.
#[derive(Debug, Clone)]
pub(crate) struct FileSeen {
    /// The final path (inside `dest` when `dest` is a directory).
    pub path: String,
    pub info: FileInfo,
    /// SHA-1 of the new content.
    pub new_checksum: String,
    /// The current content as text, for `--diff` of a file that changes.
    pub before: Option<String>,
}

/// What the host has for a placement.
#[derive(Debug, Clone)]
pub(crate) struct PlacementSeen {
    pub files: Vec<FileSeen>,
    pub missing_dirs: Vec<String>,
    /// Whether content diffs were asked for (`--diff`).
    pub show_diff: bool,
}

/// Largest file whose content is shown in a diff, like Ansible's default.
const MAX_DIFF_BYTES: u64 = 104_448;

pub(crate) fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// Look at every destination, in one round trip per file.
/// SHA-1 of a controller file, read a chunk at a time.
pub(crate) fn sha1_of_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut hasher = Sha1::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(hex::encode(hasher.finalize())),
            Ok(count) => hasher.update(&buffer[..count]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(cannot(error)),
        }
    }
}

pub(crate) fn inspect(
    want: &PlacementWant,
    ctx: &mut ModuleContext,
) -> Result<PlacementSeen, ModuleError> {
    let missing_dirs = missing_dirs(ctx, &want.dirs)?;
    let mut files = Vec::with_capacity(want.files.len());
    for file in &want.files {
        files.push(inspect_file(want, file, ctx)?);
    }
    Ok(PlacementSeen {
        files,
        missing_dirs,
        show_diff: ctx.diff,
    })
}

fn missing_dirs(ctx: &mut ModuleContext, dirs: &[String]) -> Result<Vec<String>, ModuleError> {
    if dirs.is_empty() {
        return Ok(Vec::new());
    }
    let script: Vec<String> = dirs
        .iter()
        .map(|d| format!("[ -d {q} ] || printf '%s\\0' {q}", q = shell_quote(d)))
        .collect();
    let output = ctx.connection()?.run(&script.join("\n"), None)?;
    Ok(output
        .stdout_text()
        .split('\0')
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect())
}

fn inspect_file(
    want: &PlacementWant,
    file: &FileWant,
    ctx: &mut ModuleContext,
) -> Result<FileSeen, ModuleError> {
    let mut path = file.dest.clone();
    let (mut info, mut parent_exists) =
        file_info_and_parent(ctx, &path, true, true, Some(parent_of(&path)))?;
    let into_dir = info.kind == FileKind::Directory || (!info.exists() && path.ends_with('/'));
    if into_dir {
        let name = file.name.as_deref().ok_or_else(|| {
            ModuleError::failed(format!("can not use content with a dir as dest ({path})"))
        })?;
        path = format!("{}/{name}", path.trim_end_matches('/'));
        (info, parent_exists) =
            file_info_and_parent(ctx, &path, true, true, Some(parent_of(&path)))?;
    }
    if info.kind == FileKind::Directory {
        return Err(ModuleError::failed(format!(
            "{path} is a directory; cannot write a file there"
        )));
    }
    let new_checksum = match &file.payload {
        Payload::Bytes(bytes) => sha1_hex(bytes),
        Payload::HostFile(source) => host_checksum(ctx, source)?,
        Payload::LocalFile(local) => sha1_of_file(local).map_err(ModuleError::failed)?,
    };
    // Ansible fails when the destination's directory does not exist (one
    // the task creates first is there by then).
    let parent = parent_of(&path);
    if !parent_exists && !want.dirs.iter().any(|d| parent == d.as_str()) {
        return Err(ModuleError::failed(format!(
            "Destination directory {parent} does not exist"
        )));
    }
    let before = if ctx.diff
        && info.exists()
        && info.size <= MAX_DIFF_BYTES
        && info.checksum.as_deref() != Some(new_checksum.as_str())
    {
        read_file(ctx, &path)?.and_then(|bytes| String::from_utf8(bytes).ok())
    } else {
        None
    };
    Ok(FileSeen {
        path,
        info,
        new_checksum,
        before,
    })
}

fn parent_of(path: &str) -> &str {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) => "/",
        Some((parent, _)) => parent,
        None => ".",
    }
}

fn host_checksum(ctx: &mut ModuleContext, source: &str) -> Result<String, ModuleError> {
    let info = file_info(ctx, source, true, true)?;
    match (info.kind, info.checksum) {
        (FileKind::File, Some(sum)) => Ok(sum),
        (FileKind::Absent, _) => Err(ModuleError::failed(format!("Source {source} not found"))),
        _ => Err(ModuleError::failed(format!(
            "Source {source} is not a readable regular file"
        ))),
    }
}

/// What would change: missing directories, content, attributes.
pub(crate) fn diff(want: &PlacementWant, have: &PlacementSeen) -> Result<Changes, ModuleError> {
    let mut changes = Changes::none();
    for dir in &have.missing_dirs {
        changes.add(
            format!("create directory {dir}"),
            Some(Diff::attribute(dir, "state", "absent", "directory")),
        );
    }
    for (file, seen) in want.files.iter().zip(&have.files) {
        changes.extend(file_changes(want, file, seen, have.show_diff)?);
    }
    Ok(changes)
}

fn file_changes(
    want: &PlacementWant,
    file: &FileWant,
    seen: &FileSeen,
    show_diff: bool,
) -> Result<Changes, ModuleError> {
    let mut changes = Changes::none();
    if seen.info.exists() && !want.force {
        return Ok(changes);
    }
    let differs = seen.info.checksum.as_deref() != Some(seen.new_checksum.as_str());
    if differs {
        let what = if seen.info.exists() {
            "content"
        } else {
            "create"
        };
        changes.add(
            format!("{what} {}", seen.path),
            content_diff(want, file, seen, show_diff),
        );
    }
    let attrs = effective_attrs(want, file);
    changes.extend(attribute_changes(&attrs, &seen.info)?);
    Ok(changes)
}

fn content_diff(
    want: &PlacementWant,
    file: &FileWant,
    seen: &FileSeen,
    show: bool,
) -> Option<Diff> {
    if !show {
        return None;
    }
    let Payload::Bytes(bytes) = &file.payload else {
        return None;
    };
    let after = std::str::from_utf8(bytes).ok()?;
    let before = match (&seen.before, seen.info.exists()) {
        (Some(before), _) => before.clone(),
        (None, false) => String::new(),
        (None, true) => return None,
    };
    Some(Diff {
        before_header: seen.path.clone(),
        after_header: want.after_header.clone(),
        before,
        after: after.to_string(),
    })
}

/// `mode: preserve` means the source's mode.
fn effective_attrs(want: &PlacementWant, file: &FileWant) -> Attributes {
    let mut attrs = want.attrs.clone();
    if attrs.mode == Some(Mode::Preserve) {
        attrs.mode = file.source_mode.map(Mode::Octal);
    }
    attrs
}

/// Inspect and write in one round trip (see `host::write_if_differs`) when
/// the task is one file of content from the controller, without `--diff`
/// (whose old content needs reading first), `backup`, `validate`, owner,
/// group or a symbolic mode: what was found and the result keys of the
/// placed file. `None`: nothing was done, inspect and apply instead.
pub(crate) fn settle_at_once(
    want: &PlacementWant,
    ctx: &mut ModuleContext,
) -> Result<Option<(PlacementSeen, Outcome)>, ModuleError> {
    let [file] = want.files.as_slice() else {
        return Ok(None);
    };
    let Payload::Bytes(content) = &file.payload else {
        return Ok(None);
    };
    let attrs = effective_attrs(want, file);
    let mode = match attrs.mode {
        None => None,
        Some(Mode::Octal(bits)) => Some(bits),
        Some(_) => return Ok(None),
    };
    if ctx.diff
        || !want.dirs.is_empty()
        || want.backup
        || want.validate.is_some()
        || attrs.owner.is_some()
        || attrs.group.is_some()
    {
        return Ok(None);
    }
    let new_checksum = sha1_hex(content);
    let wanted = WantedFile {
        dest: &file.dest,
        name: file.name.as_deref(),
        content,
        checksum: &new_checksum,
        mode,
        force: want.force,
        read_existing: false,
    };
    let Some(settled) = write_if_differs(ctx, &wanted)? else {
        return Ok(None);
    };
    let (path, info, after) = match settled {
        Settled::IntoDirectoryWithoutName => {
            return Err(ModuleError::failed(format!(
                "can not use content with a dir as dest ({})",
                file.dest
            )));
        }
        Settled::Directory { path } => {
            return Err(ModuleError::failed(format!(
                "{path} is a directory; cannot write a file there"
            )));
        }
        Settled::NoParent { path } => {
            return Err(ModuleError::failed(format!(
                "Destination directory {} does not exist",
                parent_of(&path)
            )));
        }
        Settled::Done {
            path,
            before,
            after,
            ..
        } => (path, *before, after),
    };
    let mut outcome = Outcome::ok();
    if let Some(after) = after {
        outcome.data.extend(file_keys(&after, &new_checksum));
    }
    let seen = FileSeen {
        path,
        info,
        new_checksum,
        before: None,
    };
    let have = PlacementSeen {
        files: vec![seen],
        missing_dirs: Vec::new(),
        show_diff: false,
    };
    Ok(Some((have, outcome)))
}

/// Create directories, write files that differ, set attributes; returns the
/// result keys of the placed file(s).
pub(crate) fn apply(
    want: &PlacementWant,
    have: &PlacementSeen,
    ctx: &mut ModuleContext,
) -> Result<Outcome, ModuleError> {
    create_dirs(want, have, ctx)?;
    let mut outcome = Outcome::ok();
    let mut after = None;
    for (file, seen) in want.files.iter().zip(&have.files) {
        if seen.info.exists() && !want.force {
            after = Some(seen.info.clone());
            continue;
        }
        let placed = place_file(want, file, seen, ctx)?;
        if let Some(backup) = placed.backup {
            outcome
                .data
                .insert("backup_file".into(), Value::from(backup));
        }
        after = Some(placed.now);
    }
    if let [seen] = have.files.as_slice() {
        let after = match after {
            Some(known) => known,
            None => file_info(ctx, &seen.path, true, false)?,
        };
        outcome.data.extend(file_keys(&after, &seen.new_checksum));
    }
    Ok(outcome)
}

fn create_dirs(
    want: &PlacementWant,
    have: &PlacementSeen,
    ctx: &mut ModuleContext,
) -> Result<(), ModuleError> {
    for dir in &have.missing_dirs {
        run_checked(
            ctx,
            &format!("creating {dir}"),
            &format!("mkdir -p -- {}", shell_quote(dir)),
            None,
        )?;
        let dir_attrs = Attributes {
            mode: want.directory_mode.clone(),
            owner: want.attrs.owner.clone(),
            group: want.attrs.group.clone(),
        };
        if dir_attrs != Attributes::default() {
            let info = file_info(ctx, dir, false, false)?;
            apply_attributes(ctx, dir, &dir_attrs, &info)?;
        }
    }
    Ok(())
}

/// What placing one file did.
struct Placed {
    /// The backup's path, when one was made.
    backup: Option<String>,
    /// The file's facts now.
    now: FileInfo,
}

/// Write one file if its content differs, then fix its attributes.
fn place_file(
    want: &PlacementWant,
    file: &FileWant,
    seen: &FileSeen,
    ctx: &mut ModuleContext,
) -> Result<Placed, ModuleError> {
    let attrs = effective_attrs(want, file);
    let mut backup = None;
    // What inspecting saw holds until something is written.
    let mut now = seen.info.clone();
    if seen.info.checksum.as_deref() != Some(seen.new_checksum.as_str()) {
        if want.backup && seen.info.exists() {
            backup = Some(backup_file(ctx, &seen.path)?);
        }
        let mode = match &attrs.mode {
            Some(Mode::Octal(bits)) => Some(*bits),
            _ => None,
        };
        let fill = match &file.payload {
            Payload::Bytes(bytes) => Fill::Content(bytes),
            Payload::HostFile(source) => Fill::HostFile(source),
            Payload::LocalFile(local) => Fill::LocalFile(local),
        };
        let options = WriteOptions {
            mode,
            validate: want.validate.clone(),
        };
        now = write_file_and_stat(ctx, &seen.path, fill, &options)?;
    }
    let needs_attrs = matches!(attrs.mode, Some(Mode::Symbolic(_)))
        || attrs.owner.is_some()
        || attrs.group.is_some()
        || (seen.info.exists() && attrs.mode.is_some());
    if needs_attrs && !attribute_changes(&attrs, &now)?.is_empty() {
        now = apply_attributes_and_stat(ctx, &seen.path, &attrs, &now, true)?;
    }
    Ok(Placed { backup, now })
}

/// The result keys Ansible reports for a placed file.
pub(crate) fn file_keys(info: &FileInfo, checksum: &str) -> Vec<(String, Value)> {
    let mut keys = vec![
        ("dest".to_string(), Value::from(info.path.as_str())),
        ("checksum".to_string(), Value::from(checksum)),
    ];
    if info.exists() {
        keys.extend([
            ("path".to_string(), Value::from(info.path.as_str())),
            ("size".to_string(), Value::from(info.size)),
            ("mode".to_string(), Value::from(info.mode_text())),
            ("owner".to_string(), Value::from(info.owner.as_str())),
            ("group".to_string(), Value::from(info.group.as_str())),
            ("uid".to_string(), Value::from(info.uid)),
            ("gid".to_string(), Value::from(info.gid)),
            ("state".to_string(), Value::from("file")),
        ]);
    }
    keys
}

/// Result keys reported whether or not anything changed.
pub(crate) fn describe(want: &PlacementWant, have: &PlacementSeen) -> Outcome {
    let mut outcome = Outcome::ok();
    if let Some(src) = &want.src {
        outcome.data.insert("src".into(), Value::from(src.as_str()));
    }
    match have.files.as_slice() {
        [seen] => {
            let mut info = seen.info.clone();
            info.path = seen.path.clone();
            outcome.data.extend(file_keys(&info, &seen.new_checksum));
        }
        _ => {
            if let Some(first) = want.files.first() {
                outcome
                    .data
                    .insert("dest".into(), Value::from(first.dest.as_str()));
            }
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_directories() {
        assert_eq!(parent_of("/opt/app/x.conf"), "/opt/app");
        assert_eq!(parent_of("/x"), "/");
        assert_eq!(parent_of("x"), ".");
        assert_eq!(parent_of("/opt/app/"), "/opt");
    }

    #[test]
    fn sha1_matches_sha1sum() {
        assert_eq!(
            sha1_hex(b"hello\n"),
            "f572d396fae9206628714fb2ce00f72e94f2258f"
        );
    }
}
