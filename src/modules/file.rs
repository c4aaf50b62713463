//! `file`: make a path a file, directory, symbolic or hard link, or absent,
//! with the given mode, owner, group and times; `recurse` carries the
//! attributes down a directory tree.

use super::utils::file_state::{Action, FileState, TimeSpec, action_for, kind_state, parse_time};
use super::utils::host::FILE_ATTRIBUTES;
use super::utils::host::{
    Attributes, FACTS_AFTER, FileInfo, FileKind, Mode, apply_attributes,
    PathWant, apply_attributes_and_stat, attribute_changes, facts_after, file_info, file_info_then, run_checked, settle_link,
    settle_path, then_stat,
};
use super::{ArgSpec, Args, Changes, Diff, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct File;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path",
        "state",
        "recurse",
        "src",
        "force",
        "follow",
        "modification_time",
        "modification_time_format",
        "access_time",
        "access_time_format",
    ],
    groups: &[&FILE_ATTRIBUTES],
    aliases: &[("dest", "path"), ("name", "path")],
    required: &["path"],
    paths: &["path", "src"],
    ..ArgSpec::EMPTY
};

const DEFAULT_TIME_FORMAT: &str = "%Y%m%d%H%M.%S";

/// The `file` task's arguments, read.
#[derive(Debug, Clone)]
pub(super) struct FileWant {
    path: String,
    state: Option<FileState>,
    attrs: Attributes,
    recurse: bool,
    src: Option<String>,
    force: bool,
    follow: bool,
    mtime: Option<TimeSpec>,
    atime: Option<TimeSpec>,
}

/// What the host has at `path`.
#[derive(Debug, Clone)]
pub(super) struct FileSeen {
    info: FileInfo,
    state: FileState,
    link_matches: bool,
    /// Entries below a directory whose attributes differ (`recurse`).
    children_differ: usize,
    /// Epoch seconds of the requested timestamps, read on the host.
    mtime_target: Option<i64>,
    atime_target: Option<i64>,
}

impl StateModule for File {
    type Desired = FileWant;
    type Observed = FileSeen;

    fn name(&self) -> &'static str {
        "file"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<FileWant, ModuleError> {
        let path = args
            .str("path")?
            .or(args.str("dest")?)
            .or(args.str("name")?)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| ModuleError::failed("path is required"))?;
        let state = match args.str("state")? {
            Some(text) => Some(FileState::parse(&text).map_err(ModuleError::failed)?),
            None => None,
        };
        let recurse = args.bool("recurse", false)?;
        if recurse && state.is_some_and(|s| s != FileState::Directory) {
            return Err(ModuleError::failed(
                "recurse option requires state to be 'directory'",
            ));
        }
        let src = args.str("src")?;
        if matches!(state, Some(FileState::Link | FileState::Hard)) && src.is_none() {
            return Err(ModuleError::failed(
                "src option requires state to be 'link' or 'hard'",
            ));
        }
        let mut attrs = Attributes::from_args(args)?;
        if attrs.mode == Some(Mode::Preserve) {
            return Err(ModuleError::failed("mode: preserve is only for copy"));
        }
        if matches!(state, Some(FileState::Link)) {
            attrs.mode = None;
        }
        Ok(FileWant {
            path: without_trailing_slash(&path),
            state,
            attrs,
            recurse,
            src,
            force: args.bool("force", false)?,
            follow: args.bool("follow", true)?,
            mtime: time_arg(args, "modification_time")?,
            atime: time_arg(args, "access_time")?,
        })
    }

    fn inspect(&self, want: &FileWant, ctx: &mut ModuleContext) -> Result<FileSeen, ModuleError> {
        let follow_link = want.follow
            && !matches!(
                want.state,
                Some(FileState::Link | FileState::Hard | FileState::Absent)
            );
        // Whether a link's source exists is asked with the facts, in case
        // the link has to be made.
        let may_link = matches!(
            want.state,
            None | Some(FileState::Link | FileState::Hard)
        );
        let (info, source_exists) = match &want.src {
            Some(src) if may_link => {
                let (info, printed) =
                    file_info_then(ctx, &want.path, follow_link, &source_check(&want.path, src))?;
                (info, printed.trim() == "present")
            }
            _ => (file_info(ctx, &want.path, follow_link, false)?, false),
        };
        let state = resolve_state(want, &info);
        let link_matches = link_matches(ctx, want, state, &info)?;
        if matches!(state, FileState::Link | FileState::Hard) && !link_matches {
            check_link_source(want, state, source_exists)?;
        }
        let children_differ = if want.recurse && info.kind == FileKind::Directory {
            children_differ(ctx, &want.path, &want.attrs)?
        } else {
            0
        };
        Ok(FileSeen {
            mtime_target: time_target(ctx, want.mtime.as_ref())?,
            atime_target: time_target(ctx, want.atime.as_ref())?,
            info,
            state,
            link_matches,
            children_differ,
        })
    }

    /// A directory, a symbolic link, or a mode on what is there, in one
    /// round trip; the other states and arguments (hard links, times,
    /// owners, `recurse`...) are inspected first.
    fn settle_at_once(
        &self,
        want: &FileWant,
        ctx: &mut ModuleContext,
    ) -> Result<Option<(FileSeen, Outcome)>, ModuleError> {
        if want.recurse
            || want.mtime.is_some()
            || want.atime.is_some()
            || want.attrs.owner.is_some()
            || want.attrs.group.is_some()
        {
            return Ok(None);
        }
        let path_want = match (want.state, &want.src) {
            (Some(FileState::Link), Some(src)) => return settle_symlink(want, src, ctx).map(Some),
            (Some(FileState::Directory), None) => PathWant::Directory,
            (Some(FileState::File), None) => PathWant::NoDirectory,
            (None, None) => PathWant::Anything,
            _ => return Ok(None),
        };
        let mode = match want.attrs.mode {
            None => None,
            Some(Mode::Octal(bits)) => Some(bits),
            Some(_) => return Ok(None),
        };
        if !want.follow {
            return Ok(None);
        }
        let settled = settle_path(ctx, &want.path, path_want, mode)?;
        let state = resolve_state(want, &settled.before);
        Ok(Some(settled_at_once(
            want,
            state,
            settled.before,
            settled.after.as_ref(),
            false,
        )))
    }

    fn diff(&self, want: &FileWant, have: &FileSeen) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        let action = action_for(
            have.state,
            &want.path,
            have.info.kind,
            have.link_matches,
            want.force,
        );
        let before = kind_state(have.info.kind, 1);
        match action {
            Action::Fail(message) => return Err(ModuleError::failed(message)),
            Action::Nothing => {}
            _ => changes.add(
                format!("state {before} -> {}", have.state.as_str()),
                Some(Diff::attribute(
                    &want.path,
                    "state",
                    before,
                    have.state.as_str(),
                )),
            ),
        }
        if have.state == FileState::Absent || !have.info.exists() {
            return Ok(changes);
        }
        if have.state != FileState::Link || have.link_matches {
            changes.extend(attribute_changes(&want.attrs, &have.info)?);
        }
        if have.children_differ > 0 {
            changes.add(
                format!(
                    "attributes of {} entries below {}",
                    have.children_differ, want.path
                ),
                None,
            );
        }
        for (name, spec, target, current) in [
            (
                "modification_time",
                want_time(want, have.state, &want.mtime),
                have.mtime_target,
                have.info.mtime,
            ),
            (
                "access_time",
                want_time(want, have.state, &want.atime),
                have.atime_target,
                have.info.atime,
            ),
        ] {
            let differs = match spec {
                TimeSpec::Now => true,
                TimeSpec::At(_) => target != Some(current),
                TimeSpec::Preserve => false,
            };
            if differs {
                changes.add(name, None);
            }
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &FileWant,
        have: &FileSeen,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let action = action_for(
            have.state,
            &want.path,
            have.info.kind,
            have.link_matches,
            want.force,
        );
        let follow = want.follow && have.state != FileState::Link;
        let performed = perform(ctx, want, have.state, &action, follow)?;
        if have.state == FileState::Absent {
            return Ok(Outcome::ok()
                .with("path", want.path.as_str())
                .with("state", "absent"));
        }
        for dir in &performed.created {
            let now = file_info(ctx, dir, false, false)?;
            apply_attributes(ctx, dir, &want.attrs, &now)?;
        }
        // What inspecting saw holds when nothing was done to the path and
        // it was looked at the same way (links are followed alike).
        let unchanged = matches!(action, Action::Nothing)
            && !matches!(have.state, FileState::Link | FileState::Hard);
        let mut now = match performed.now {
            Some(now) => now,
            None if unchanged => have.info.clone(),
            None => file_info(ctx, &want.path, follow, false)?,
        };
        if !attribute_changes(&want.attrs, &now)?.is_empty() {
            now = apply_attributes_and_stat(ctx, &want.path, &want.attrs, &now, follow)?;
        }
        let mut stale = false;
        if want.recurse && have.children_differ > 0 {
            apply_recursively(ctx, &want.path, &want.attrs)?;
            stale = true;
        }
        stale |= set_times(ctx, want, have)?;
        // Stat again only when something changed the path since `now`.
        let after = if stale {
            file_info(ctx, &want.path, follow, false)?
        } else {
            now
        };
        Ok(result_keys(want, have.state, &after))
    }

    fn describe(&self, want: &FileWant, have: &FileSeen) -> Outcome {
        if have.state == FileState::Absent {
            let outcome = Outcome::ok().with("path", want.path.as_str());
            return outcome.with("state", "absent");
        }
        result_keys(want, have.state, &have.info)
    }
}

/// `state: link` in one round trip: what was there, and the link's facts
/// when the script made it; a source missing without `force` fails the
/// task as the inspection would have (the script did not link then).
fn settle_symlink(
    want: &FileWant,
    src: &str,
    ctx: &mut ModuleContext,
) -> Result<(FileSeen, Outcome), ModuleError> {
    let settled = settle_link(ctx, &want.path, src, want.force)?;
    let state = FileState::Link;
    let link_matches = settled.before.kind == FileKind::Link
        && settled.before.link_target.as_deref() == Some(src);
    if !link_matches {
        check_link_source(want, state, settled.source_exists)?;
    }
    Ok(settled_at_once(
        want,
        state,
        settled.before,
        settled.after.as_ref(),
        link_matches,
    ))
}

/// What one settling script found (`before`) and made (`after`, when it
/// changed anything), as an inspection and the task's result.
fn settled_at_once(
    want: &FileWant,
    state: FileState,
    before: FileInfo,
    after: Option<&FileInfo>,
    link_matches: bool,
) -> (FileSeen, Outcome) {
    let outcome = match after {
        Some(after) => result_keys(want, state, after),
        None => Outcome::ok(),
    };
    let have = FileSeen {
        info: before,
        state,
        link_matches,
        children_differ: 0,
        mtime_target: None,
        atime_target: None,
    };
    (have, outcome)
}

fn without_trailing_slash(path: &str) -> String {
    match path.trim_end_matches('/') {
        "" => "/".to_string(),
        trimmed => trimmed.to_string(),
    }
}

fn time_arg(args: &Args, name: &str) -> Result<Option<TimeSpec>, ModuleError> {
    let Some(text) = args.str(name)? else {
        return Ok(None);
    };
    let format = args
        .str(&format!("{name}_format"))?
        .unwrap_or_else(|| DEFAULT_TIME_FORMAT.into());
    parse_time(&text, &format)
        .map(Some)
        .map_err(ModuleError::failed)
}

/// `touch` sets both times to now unless told otherwise; other states keep them.
fn want_time(_want: &FileWant, state: FileState, spec: &Option<TimeSpec>) -> TimeSpec {
    match (spec, state) {
        (Some(spec), _) => spec.clone(),
        (None, FileState::Touch) => TimeSpec::Now,
        (None, _) => TimeSpec::Preserve,
    }
}

/// Ansible's default state: what is there, else `link` with `src`,
/// `directory` with `recurse`, else `file`.
fn resolve_state(want: &FileWant, info: &FileInfo) -> FileState {
    if let Some(state) = want.state {
        return state;
    }
    if want.recurse {
        return FileState::Directory;
    }
    match info.kind {
        FileKind::Directory => FileState::Directory,
        FileKind::Link if want.src.is_some() => FileState::Link,
        FileKind::Absent if want.src.is_some() => FileState::Link,
        _ => FileState::File,
    }
}

fn link_matches(
    ctx: &mut ModuleContext,
    want: &FileWant,
    state: FileState,
    info: &FileInfo,
) -> Result<bool, ModuleError> {
    let Some(src) = &want.src else {
        return Ok(false);
    };
    match (state, info.kind) {
        (FileState::Link, FileKind::Link) => Ok(info.link_target.as_deref() == Some(src.as_str())),
        (FileState::Hard, FileKind::File) => {
            let script = format!(
                "a=$(stat -c %d:%i -- {p}) && b=$(stat -L -c %d:%i -- {s} 2>/dev/null) && [ \"$a\" = \"$b\" ]",
                p = shell_quote(&want.path),
                s = shell_quote(src)
            );
            Ok(ctx.connection()?.run(&script, None)?.rc == 0)
        }
        _ => Ok(false),
    }
}

/// `sh` printing `present` when a link's source exists, read relative to
/// the link's directory as a symbolic link's is (the directory found here,
/// not by `dirname` on the host).
fn source_check(path: &str, src: &str) -> String {
    format!(
        "cd -- {} 2>/dev/null; [ -e {} ] && echo present",
        shell_quote(&crate::connection::transfer::parent_dir(path)),
        shell_quote(src)
    )
}

/// A missing source is an error unless a symbolic link is `force`d; a hard
/// link needs its source.
fn check_link_source(
    want: &FileWant,
    state: FileState,
    source_exists: bool,
) -> Result<(), ModuleError> {
    let Some(src) = &want.src else {
        return Ok(());
    };
    if (state == FileState::Link && want.force) || source_exists {
        return Ok(());
    }
    Err(ModuleError::failed(if state == FileState::Link {
        format!(
            "src file does not exist, use \"force=yes\" if you really want to create the link: {src}"
        )
    } else {
        format!("src does not exist: {src}")
    }))
}

/// How many entries below `path` do not have the wanted attributes.
fn children_differ(
    ctx: &mut ModuleContext,
    path: &str,
    want: &Attributes,
) -> Result<usize, ModuleError> {
    if *want == Attributes::default() {
        return Ok(0);
    }
    let script = format!(
        "find {} -mindepth 1 ! -type l -exec stat -c '%F|%a|%u|%g|%U|%G' -- {{}} +",
        shell_quote(path)
    );
    let output = run_checked(ctx, &format!("listing {path}"), &script, None)?;
    let mut differ = 0;
    for line in output.stdout_text().lines() {
        let Some(info) = child_info(line) else {
            continue;
        };
        if !attribute_changes(want, &info)?.is_empty() {
            differ += 1;
        }
    }
    Ok(differ)
}

fn child_info(line: &str) -> Option<FileInfo> {
    let fields: Vec<&str> = line.split('|').collect();
    let [kind, mode, uid, gid, owner, group] = fields[..] else {
        return None;
    };
    Some(FileInfo {
        path: String::new(),
        kind: if kind == "directory" {
            FileKind::Directory
        } else {
            FileKind::File
        },
        mode: u32::from_str_radix(mode, 8).ok()?,
        uid: uid.parse().ok()?,
        gid: gid.parse().ok()?,
        owner: owner.to_string(),
        group: group.to_string(),
        size: 0,
        mtime: 0,
        atime: 0,
        link_target: None,
        checksum: None,
    })
}

/// Epoch seconds of a timestamp in the host's local time.
fn time_target(
    ctx: &mut ModuleContext,
    spec: Option<&TimeSpec>,
) -> Result<Option<i64>, ModuleError> {
    let Some(TimeSpec::At(stamp)) = spec else {
        return Ok(None);
    };
    let output = run_checked(
        ctx,
        "reading the time",
        &format!("date -d {} +%s", shell_quote(stamp)),
        None,
    )?;
    output
        .stdout_text()
        .trim()
        .parse()
        .map(Some)
        .map_err(|_| ModuleError::failed(format!("cannot read the time {stamp} on {}", ctx.host)))
}

/// What [`perform`] did.
#[derive(Default)]
struct Performed {
    /// Directories it created above the path.
    created: Vec<String>,
    /// The path's facts afterwards (links followed as `follow` says), from
    /// the same round trip; `None` when nothing ran or the path was removed.
    now: Option<FileInfo>,
}

/// Do what `action` says.
fn perform(
    ctx: &mut ModuleContext,
    want: &FileWant,
    state: FileState,
    action: &Action,
    follow: bool,
) -> Result<Performed, ModuleError> {
    let path = shell_quote(&want.path);
    let src = want.src.as_deref().map(shell_quote).unwrap_or_default();
    let then_stat = then_stat(&want.path, follow);
    let script = match action {
        Action::Nothing | Action::Fail(_) => return Ok(Performed::default()),
        Action::Remove => {
            let what = format!("setting {} to {}", want.path, state.as_str());
            run_checked(ctx, &what, &format!("rm -rf -- {path}"), None)?;
            return Ok(Performed::default());
        }
        Action::Touch => format!("touch -- {path}"),
        Action::MakeDirectory => {
            let script = format!(
                "p={path}\nwhile [ ! -e \"$p\" ] && [ ! -L \"$p\" ]; do printf '%s\\0' \"$p\"; p=$(dirname -- \"$p\"); done\nmkdir -p -- {path}{then_stat}"
            );
            let output = run_checked(ctx, &format!("creating {}", want.path), &script, None)?;
            let text = output.stdout_text();
            let listed = text.split(FACTS_AFTER).next().unwrap_or_default();
            return Ok(Performed {
                created: listed
                    .split('\0')
                    .filter(|d| !d.is_empty() && *d != want.path)
                    .map(str::to_string)
                    .collect(),
                now: Some(facts_after(&want.path, &output, ctx.host)?),
            });
        }
        Action::Link { replace } => {
            let flags = match (state, replace) {
                (FileState::Link, true) => "-sfn",
                (FileState::Link, false) => "-s",
                (_, true) => "-f",
                (_, false) => "",
            };
            format!("ln {flags} -- {src} {path}")
        }
    };
    let output = run_checked(
        ctx,
        &format!("setting {} to {}", want.path, state.as_str()),
        &format!("{script}{then_stat}"),
        None,
    )?;
    Ok(Performed {
        created: Vec::new(),
        now: Some(facts_after(&want.path, &output, ctx.host)?),
    })
}

fn apply_recursively(
    ctx: &mut ModuleContext,
    path: &str,
    want: &Attributes,
) -> Result<(), ModuleError> {
    let quoted = shell_quote(path);
    let mut script = Vec::new();
    if let Some(spec) = want.chown_spec() {
        script.push(format!("chown -R -h {} -- {quoted}", shell_quote(&spec)));
    }
    match &want.mode {
        Some(Mode::Octal(bits)) => script.push(format!("chmod -R {bits:o} -- {quoted}")),
        Some(Mode::Symbolic(text)) => {
            script.push(format!("chmod -R {} -- {quoted}", shell_quote(text)))
        }
        Some(Mode::Preserve) | None => {}
    }
    if script.is_empty() {
        return Ok(());
    }
    run_checked(
        ctx,
        &format!("setting attributes below {path}"),
        &script.join(" && "),
        None,
    )
    .map(|_| ())
}

/// Set the times `want` asks for; says whether it ran anything.
fn set_times(
    ctx: &mut ModuleContext,
    want: &FileWant,
    have: &FileSeen,
) -> Result<bool, ModuleError> {
    let path = shell_quote(&want.path);
    let mut script = Vec::new();
    for (flag, spec, target) in [
        (
            "-m",
            want_time(want, have.state, &want.mtime),
            have.mtime_target,
        ),
        (
            "-a",
            want_time(want, have.state, &want.atime),
            have.atime_target,
        ),
    ] {
        match (spec, target) {
            (TimeSpec::Now, _) => script.push(format!("touch -c -h {flag} -- {path}")),
            (TimeSpec::At(_), Some(epoch)) => {
                script.push(format!("touch -c -h {flag} -d @{epoch} -- {path}"));
            }
            _ => {}
        }
    }
    if script.is_empty() {
        return Ok(false);
    }
    run_checked(
        ctx,
        &format!("setting the times of {}", want.path),
        &script.join(" && "),
        None,
    )
    .map(|_| true)
}

fn result_keys(want: &FileWant, state: FileState, info: &FileInfo) -> Outcome {
    let shown_state = if info.exists() {
        match (state, info.kind) {
            (FileState::Hard, _) => "hard",
            (_, kind) => kind_state(kind, 1),
        }
    } else {
        "absent"
    };
    let mut outcome = Outcome::ok()
        .with("path", want.path.as_str())
        .with("state", shown_state);
    if matches!(state, FileState::Link | FileState::Hard) {
        outcome = outcome.with("dest", want.path.as_str());
        if let Some(src) = &want.src {
            outcome = outcome.with("src", src.as_str());
        }
    }
    if info.exists() {
        outcome = outcome
            .with("mode", info.mode_text())
            .with("owner", info.owner.as_str())
            .with("group", info.group.as_str())
            .with("uid", Value::from(info.uid))
            .with("gid", Value::from(info.gid))
            .with("size", Value::from(info.size));
    }
    outcome
}
