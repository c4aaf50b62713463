//! `copy` with `remote_src` and a directory `src`: a tree already on the
//! host copied to `dest` on the same host, as Ansible's module does it.
//!
//! Where the tree lands follows `src`'s trailing slash: `src: dir/` copies
//! what is inside `dir` into `dest`; `src: dir` copies `dir` itself, to
//! `dest/dir` when `dest` is a directory. Inside an existing destination
//! only entries that are missing or whose content differs are copied
//! (with the source's mode), entries of another kind are left alone (as
//! Python's `filecmp.dircmp` leaves them), and nothing is removed.
//! `owner`/`group` apply to the whole destination tree, `mode` to the
//! directory the result's `dest` names.

use std::collections::{BTreeMap, HashSet};

use crate::connection::shell_quote;
use crate::modules::utils::host::{
    Attributes, FileInfo, FileKind, Mode, apply_attributes, attribute_changes, file_info,
    parse_mode, require_tools, run_checked,
};
use crate::modules::{ArgSpec, Args, Changes, ModuleContext, ModuleError, Outcome, StateModule};
use crate::value::Value;

pub(super) struct RemoteDirCopy;

#[derive(Debug, Clone)]
pub(super) struct TreeWant {
    /// `src` as given (its trailing slash matters).
    src: String,
    dest: String,
    attrs: Attributes,
    directory_mode: Option<Mode>,
    local_follow: Option<bool>,
}

/// One entry of a tree, relative to its root.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    kind: FileKind,
    mode: u32,
    uid: u32,
    gid: u32,
    owner: String,
    group: String,
    link_target: Option<String>,
    checksum: Option<String>,
}

/// How the source reaches its target directory.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placement {
    /// The target exists: copy what is missing or differs.
    Merge,
    /// The target is missing: copy the whole source tree there.
    WholeTree,
}

#[derive(Debug, Clone)]
pub(super) struct TreeSeen {
    /// `dest` ends with `/` and is missing: Ansible creates it first.
    create_dest: bool,
    /// The directory the source's entries go into.
    target: String,
    placement: Placement,
    /// The path the result's `dest` (and `mode`) names.
    result_dest: String,
    source: BTreeMap<String, Entry>,
    existing: BTreeMap<String, Entry>,
    /// The target directory itself, when it exists.
    target_root: Option<Entry>,
    /// What the result path is now (absent when it is still to be made).
    result_info: FileInfo,
}

/// One step of the copy, relative to the source and target roots.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A file, link or directory the target lacks.
    CopyNew(String, FileKind),
    /// A file whose content differs.
    Replace(String),
    /// A link the target lacks while `local_follow` is unset: Ansible's
    /// module copies nothing for it and reports a change, every run.
    LinkLeftOut(String),
}

static UNUSED_SPEC: ArgSpec = ArgSpec::EMPTY;

impl StateModule for RemoteDirCopy {
    type Desired = TreeWant;
    type Observed = TreeSeen;

    fn name(&self) -> &'static str {
        "copy"
    }

    // The arguments were checked against `copy`'s own spec.
    fn spec(&self) -> &'static ArgSpec {
        &UNUSED_SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<TreeWant, ModuleError> {
        let src = args
            .str("src")?
            .ok_or_else(|| ModuleError::failed("src is required"))?;
        let dest = args
            .str("dest")?
            .filter(|d| !d.is_empty())
            .ok_or_else(|| ModuleError::failed("dest is required"))?;
        let directory_mode = match args.get("directory_mode") {
            Some(value) => Some(parse_mode(value).map_err(ModuleError::failed)?),
            None => None,
        };
        let attrs = Attributes::from_args(args)?;
        let local_follow = match args.get("local_follow") {
            Some(_) => Some(args.bool("local_follow", false)?),
            None => None,
        };
        Ok(TreeWant {
            src,
            dest,
            attrs,
            directory_mode,
            local_follow,
        })
    }

    fn inspect(&self, want: &TreeWant, ctx: &mut ModuleContext) -> Result<TreeSeen, ModuleError> {
        require_tools(ctx, "copy", &["find", "sha1sum"])?;
        let src_root = want.src.trim_end_matches('/');
        let src_root = if src_root.is_empty() { "/" } else { src_root };
        let dest_info = file_info(ctx, &want.dest, true, false)?;
        let create_dest = !dest_info.exists() && want.dest.ends_with('/');
        let dest_is_dir = dest_info.kind == FileKind::Directory || create_dest;
        if dest_info.exists() && dest_info.kind != FileKind::Directory {
            return Err(ModuleError::failed(format!(
                "failed to copy: {} to {}: the destination is not a directory",
                want.src, want.dest
            )));
        }
        let dest_root = want.dest.trim_end_matches('/');
        let name = src_root.rsplit('/').next().unwrap_or(src_root);
        let slash = want.src.ends_with('/');
        // Ansible 2.19: the tree goes to `dest/<name>` unless `src` ends
        // with a slash; the result's `dest` names `dest/<name>` (or
        // `dest/`) only when `dest` already was a directory.
        let target = if slash {
            dest_root.to_string()
        } else {
            format!("{dest_root}/{name}")
        };
        let result_dest = match (slash, dest_is_dir) {
            (true, true) => format!("{dest_root}/"),
            (false, true) => target.clone(),
            (_, false) => want.dest.clone(),
        };
        let source = list_tree(ctx, src_root)?;
        let target_info = if create_dest {
            None
        } else {
            Some(file_info(ctx, &target, false, false)?)
        };
        let target_exists = target_info.as_ref().is_some_and(FileInfo::exists);
        let placement = if target_exists {
            Placement::Merge
        } else {
            Placement::WholeTree
        };
        let existing = if target_exists {
            list_tree(ctx, &target)?
        } else {
            BTreeMap::new()
        };
        let target_root = target_info.filter(FileInfo::exists).map(|info| Entry {
            kind: info.kind,
            mode: info.mode,
            uid: info.uid,
            gid: info.gid,
            owner: info.owner,
            group: info.group,
            link_target: info.link_target,
            checksum: None,
        });
        let result_path = result_dest.trim_end_matches('/');
        let result_info = file_info(ctx, if result_path.is_empty() { "/" } else { result_path }, false, false)?;
        Ok(TreeSeen {
            create_dest,
            target,
            placement,
            result_dest,
            source,
            existing,
            target_root,
            result_info,
        })
    }

    fn diff(&self, want: &TreeWant, have: &TreeSeen) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if have.create_dest {
            changes.add(format!("create directory {}", want.dest), None);
        }
        match have.placement {
            Placement::WholeTree => changes.add(format!("copy {} to {}", want.src, have.target), None),
            Placement::Merge => {}
        }
        for step in steps(have, want.local_follow) {
            match step {
                Step::CopyNew(rel, _) => changes.add(format!("copy {rel}"), None),
                Step::Replace(rel) => changes.add(format!("content {rel}"), None),
                Step::LinkLeftOut(rel) => changes.add(format!("link {rel} (not copied)"), None),
            }
        }
        if ownership_differs(&want.attrs, have) {
            changes.add(format!("ownership below {}", have.target), None);
        }
        if let Some(mode) = &want.attrs.mode
            && have.result_info.exists()
        {
            let mode_only = Attributes {
                mode: Some(resolve_preserve(mode, have)),
                ..Attributes::default()
            };
            changes.extend(attribute_changes(&mode_only, &have.result_info)?);
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &TreeWant,
        have: &TreeSeen,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let src_root = want.src.trim_end_matches('/');
        let src_root = if src_root.is_empty() { "/" } else { src_root };
        let mut script = vec!["set -e".to_string()];
        if have.create_dest {
            script.push(format!("mkdir -p -- {}", shell_quote(&want.dest)));
        }
        let follow = if want.local_follow == Some(true) {
            "-L"
        } else {
            "-P"
        };
        match have.placement {
            Placement::WholeTree => {
                script.push(format!(
                    "mkdir -p -- \"$(dirname -- {t})\"\ncp -R {follow} --preserve=mode,timestamps -- {s} {t}",
                    s = shell_quote(src_root),
                    t = shell_quote(&have.target)
                ));
            }
            Placement::Merge => {}
        }
        for step in steps(have, want.local_follow) {
            let (rel, kind) = match &step {
                Step::CopyNew(rel, kind) => (rel, Some(*kind)),
                Step::Replace(rel) => (rel, None),
                Step::LinkLeftOut(_) => continue,
            };
            let from = shell_quote(&format!("{src_root}/{rel}"));
            let to = shell_quote(&format!("{}/{rel}", have.target));
            script.push(match kind {
                Some(FileKind::Directory) => {
                    format!("cp -R {follow} --preserve=mode,timestamps -- {from} {to}")
                }
                Some(_) => format!("cp {follow} --preserve=mode -- {from} {to}"),
                None => format!("cp -- {from} {to}\nchmod --reference={from} -- {to}"),
            });
        }
        if let Some(spec) = want.attrs.chown_spec() {
            script.push(format!(
                "chown -R -h {} -- {}",
                shell_quote(&spec),
                shell_quote(&have.target)
            ));
            if have.create_dest {
                script.push(format!(
                    "chown -h {} -- {}",
                    shell_quote(&spec),
                    shell_quote(want.dest.trim_end_matches('/'))
                ));
            }
        }
        run_checked(
            ctx,
            &format!("copying {} to {}", want.src, have.target),
            &script.join("\n"),
            None,
        )?;
        if have.create_dest
            && let Some(mode) = &want.directory_mode
        {
            let dir = want.dest.trim_end_matches('/');
            let info = file_info(ctx, dir, false, false)?;
            let attrs = Attributes {
                mode: Some(mode.clone()),
                ..Attributes::default()
            };
            apply_attributes(ctx, dir, &attrs, &info)?;
        }
        let path = have.result_dest.trim_end_matches('/');
        let path = if path.is_empty() { "/" } else { path };
        let mut info = file_info(ctx, path, false, false)?;
        if let Some(mode) = &want.attrs.mode {
            let attrs = Attributes {
                mode: Some(resolve_preserve(mode, have)),
                ..Attributes::default()
            };
            if !attribute_changes(&attrs, &info)?.is_empty() {
                apply_attributes(ctx, path, &attrs, &info)?;
                info = file_info(ctx, path, false, false)?;
            }
        }
        let mut outcome = Outcome::ok();
        outcome.data.extend(path_keys(&info));
        Ok(outcome)
    }

    fn describe(&self, want: &TreeWant, have: &TreeSeen) -> Outcome {
        let mut outcome = Outcome::ok()
            .with("dest", have.result_dest.as_str())
            .with("src", want.src.as_str())
            .with("md5sum", Value::from(()))
            .with("checksum", Value::from(()));
        outcome.data.extend(path_keys(&have.result_info));
        outcome
    }
}

/// What Ansible adds about the `dest` path as the module leaves it.
fn path_keys(info: &FileInfo) -> Vec<(String, Value)> {
    if !info.exists() {
        return Vec::new();
    }
    vec![
        ("uid".into(), Value::from(info.uid)),
        ("gid".into(), Value::from(info.gid)),
        ("owner".into(), Value::from(info.owner.as_str())),
        ("group".into(), Value::from(info.group.as_str())),
        ("mode".into(), Value::from(info.mode_text())),
        ("state".into(), Value::from("directory")),
        ("size".into(), Value::from(info.size)),
    ]
}

/// `mode: preserve` is the source directory's own mode.
fn resolve_preserve(
    mode: &Mode,
    have: &TreeSeen,
) -> Mode {
    match (mode, have.source.get("")) {
        (Mode::Preserve, Some(root)) => Mode::Octal(root.mode),
        _ => mode.clone(),
    }
}

/// What to copy into an existing target, in the source's walk order;
/// Python's `filecmp.dircmp` rules: same-named entries of another kind
/// are left as they are, and are not descended into.
fn steps(have: &TreeSeen, local_follow: Option<bool>) -> Vec<Step> {
    let mut steps = Vec::new();
    if have.placement == Placement::WholeTree {
        return steps;
    }
    let mut not_walked: HashSet<&str> = HashSet::new();
    for (rel, entry) in &have.source {
        if rel.is_empty() || ancestors(rel).any(|a| not_walked.contains(a)) {
            continue;
        }
        match have.existing.get(rel) {
            None if entry.kind == FileKind::Link && local_follow.is_none() => {
                steps.push(Step::LinkLeftOut(rel.clone()));
            }
            None => {
                if entry.kind == FileKind::Directory {
                    not_walked.insert(rel);
                }
                steps.push(Step::CopyNew(rel.clone(), entry.kind));
            }
            Some(found) => match (entry.kind, found.kind) {
                (FileKind::File, FileKind::File) if entry.checksum != found.checksum => {
                    steps.push(Step::Replace(rel.clone()));
                }
                (FileKind::Directory, FileKind::Directory) => {}
                _ => {
                    not_walked.insert(rel);
                }
            },
        }
    }
    steps
}

fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(at, _)| &rel[..at])
}

/// Whether `owner`/`group` differ anywhere in the target tree (Ansible's
/// `chown_recursive`); new entries are covered by their copy's change.
fn ownership_differs(attrs: &Attributes, have: &TreeSeen) -> bool {
    let differs = |entry: &Entry| {
        let wrong = |wanted: &Option<String>, name: &str, id: u32| {
            wanted
                .as_ref()
                .is_some_and(|w| w != name && *w != id.to_string())
        };
        wrong(&attrs.owner, &entry.owner, entry.uid)
            || wrong(&attrs.group, &entry.group, entry.gid)
    };
    have.target_root.iter().any(differs) || have.existing.values().any(differs)
}

/// Every entry below `root` (`""` is `root` itself), with SHA-1 sums of
/// regular files, in two `find` passes of one round trip.
fn list_tree(
    ctx: &mut ModuleContext,
    root: &str,
) -> Result<BTreeMap<String, Entry>, ModuleError> {
    let script = format!(
        "cd -- {root} || exit 2\nfind . -printf '%y\\0%P\\0%m\\0%U\\0%G\\0%u\\0%g\\0%l\\0' || exit 2\nprintf '\\0--sums--\\0'\nfind . -type f -exec sha1sum -z -- {{}} + || exit 2",
        root = shell_quote(root)
    );
    let output = ctx.connection()?.run(&script, None)?;
    if output.rc != 0 {
        return Err(ModuleError::failed(format!(
            "cannot read the tree {root} on {}: {}",
            ctx.host,
            output.stderr_text().trim()
        )));
    }
    parse_tree(&output.stdout_text())
        .ok_or_else(|| ModuleError::failed(format!("cannot read the tree {root} on {}", ctx.host)))
}

fn parse_tree(text: &str) -> Option<BTreeMap<String, Entry>> {
    let (records, sums) = text.split_once("\0--sums--\0")?;
    let mut entries = BTreeMap::new();
    let fields: Vec<&str> = records.split('\0').collect();
    for record in fields.chunks_exact(8) {
        let [kind, rel, mode, uid, gid, owner, group, link] = record else {
            return None;
        };
        entries.insert(
            rel.to_string(),
            Entry {
                kind: match *kind {
                    "f" => FileKind::File,
                    "d" => FileKind::Directory,
                    "l" => FileKind::Link,
                    _ => FileKind::Other,
                },
                mode: u32::from_str_radix(mode, 8).ok()?,
                uid: uid.parse().ok()?,
                gid: gid.parse().ok()?,
                owner: owner.to_string(),
                group: group.to_string(),
                link_target: (!link.is_empty()).then(|| link.to_string()),
                checksum: None,
            },
        );
    }
    for line in sums.split('\0').filter(|l| !l.is_empty()) {
        let (sum, path) = line.split_once("  ").or_else(|| line.split_once(" *"))?;
        let rel = path.strip_prefix("./").unwrap_or(path);
        if let Some(entry) = entries.get_mut(rel) {
            entry.checksum = Some(sum.to_string());
        }
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: FileKind, sum: Option<&str>) -> Entry {
        Entry {
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            owner: "root".into(),
            group: "root".into(),
            link_target: None,
            checksum: sum.map(str::to_string),
        }
    }

    #[test]
    fn reads_find_and_sha1sum_output() {
        let records = [
            ["d", "", "755", "0", "0", "root", "root", ""],
            ["f", "a b", "644", "0", "0", "root", "root", ""],
            ["l", "ln", "777", "0", "0", "root", "root", "a b"],
        ];
        let mut text: String = records.iter().flatten().map(|f| format!("{f}\0")).collect();
        text.push_str("\0--sums--\0da39a3ee5e6b4b0d3255bfef95601890afd80709  ./a b\0");
        let tree = parse_tree(&text).expect("parses");
        assert_eq!(tree[""].kind, FileKind::Directory);
        assert_eq!(
            tree["a b"].checksum.as_deref(),
            Some("da39a3ee5e6b4b0d3255bfef95601890afd80709")
        );
        assert_eq!(tree["ln"].link_target.as_deref(), Some("a b"));
    }

    #[test]
    fn copies_what_is_missing_or_differs_and_skips_other_kinds() {
        let source: BTreeMap<String, Entry> = [
            ("", entry(FileKind::Directory, None)),
            ("same", entry(FileKind::File, Some("1"))),
            ("changed", entry(FileKind::File, Some("2"))),
            ("new", entry(FileKind::Directory, None)),
            ("new/inner", entry(FileKind::File, Some("3"))),
            ("kind", entry(FileKind::Directory, None)),
            ("kind/x", entry(FileKind::File, Some("4"))),
            ("sub", entry(FileKind::Directory, None)),
            ("sub/deep", entry(FileKind::File, Some("5"))),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let existing: BTreeMap<String, Entry> = [
            ("", entry(FileKind::Directory, None)),
            ("same", entry(FileKind::File, Some("1"))),
            ("changed", entry(FileKind::File, Some("0"))),
            ("kind", entry(FileKind::File, Some("4"))),
            ("sub", entry(FileKind::Directory, None)),
            ("extra", entry(FileKind::File, Some("9"))),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let have = TreeSeen {
            create_dest: false,
            target: "/t".into(),
            placement: Placement::Merge,
            result_dest: "/t/".into(),
            source,
            existing,
            target_root: None,
            result_info: FileInfo {
                path: "/t".into(),
                kind: FileKind::Directory,
                mode: 0o755,
                uid: 0,
                gid: 0,
                owner: "root".into(),
                group: "root".into(),
                size: 0,
                mtime: 0,
                atime: 0,
                link_target: None,
                checksum: None,
            },
        };
        assert_eq!(
            steps(&have, None),
            vec![
                Step::Replace("changed".into()),
                Step::CopyNew("new".into(), FileKind::Directory),
                Step::CopyNew("sub/deep".into(), FileKind::File),
            ]
        );
    }
}
