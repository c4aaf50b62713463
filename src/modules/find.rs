//! `find`: the files under some directories that match names, age, size,
//! type, mode and content, in Ansible's result shape (`files` of stat-like
//! dicts, `matched`, `examined`, `skipped_paths`). The host lists every
//! entry once with `find -printf` (one round trip for all paths); the walk
//! Ansible does with `os.walk` (each directory's files, then its
//! directories, then into them) is replayed here over that listing, so
//! order, `examined`, `depth` and `limit` come out as Ansible's. `contains`
//! and `get_checksum` read the candidate files in one more round trip.

use std::collections::{BTreeMap, HashMap};

use globset::GlobBuilder;
use regex::Regex;

use super::utils::probe::Probe;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, map_from_pairs};

pub(super) struct Find;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "paths",
        "patterns",
        "excludes",
        "contains",
        "read_whole_file",
        "file_type",
        "age",
        "age_stamp",
        "size",
        "recurse",
        "hidden",
        "follow",
        "get_checksum",
        "checksum_algorithm",
        "use_regex",
        "depth",
        "mode",
        "exact_mode",
        "encoding",
        "limit",
    ],
    aliases: &[
        ("name", "paths"),
        ("path", "paths"),
        ("pattern", "patterns"),
        ("exclude", "excludes"),
        ("checksum", "checksum_algorithm"),
        ("checksum_algo", "checksum_algorithm"),
    ],
    required: &["paths"],
    free_form: FreeForm::KeyValue,
    choices: &[
        ("file_type", &["any", "directory", "file", "link"]),
        ("age_stamp", &["atime", "ctime", "mtime"]),
        (
            "checksum_algorithm",
            &["md5", "sha1", "sha224", "sha256", "sha384", "sha512"],
        ),
    ],
    paths: &["paths"],
    ..ArgSpec::EMPTY
};

/// One `-printf` record: type, type followed, mode, uid, gid, owner,
/// group, size, mtime, atime, ctime, inode, device, links, path below the
/// start point; NUL-terminated so any name survives.
const PRINTF: &str = "%y|%Y|%m|%U|%G|%u|%g|%s|%T@|%A@|%C@|%i|%D|%n|%P\\0";

#[derive(Debug, Clone, Copy, PartialEq)]
enum FileType {
    Any,
    Directory,
    File,
    Link,
}

/// Names are matched by shell globs (Python's `fnmatch`) or, with
/// `use_regex`, by regular expressions anchored at the start (`re.match`).
#[derive(Debug)]
enum Matcher {
    Glob(globset::GlobMatcher),
    Regex(Regex),
}

impl Matcher {
    fn new(pattern: &str, use_regex: bool) -> Result<Self, ModuleError> {
        if use_regex {
            Regex::new(&format!("^(?:{pattern})"))
                .map(Matcher::Regex)
                .map_err(|e| ModuleError::failed(format!("invalid regular expression {pattern:?}: {e}")))
        } else {
            GlobBuilder::new(pattern)
                .backslash_escape(false)
                .literal_separator(false)
                .build()
                .map(|glob| Matcher::Glob(glob.compile_matcher()))
                .map_err(|e| ModuleError::failed(format!("invalid pattern {pattern:?}: {e}")))
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Matcher::Glob(glob) => glob.is_match(name),
            Matcher::Regex(regex) => regex.is_match(name),
        }
    }
}

#[derive(Debug)]
struct Request {
    paths: Vec<String>,
    patterns: Vec<Matcher>,
    excludes: Vec<Matcher>,
    contains: Option<Regex>,
    read_whole_file: bool,
    file_type: FileType,
    age: Option<i64>,
    age_stamp: usize,
    size: Option<i64>,
    recurse: bool,
    hidden: bool,
    follow: bool,
    checksum: Option<&'static str>,
    depth: Option<u64>,
    mode: Option<u32>,
    exact_mode: bool,
    limit: Option<usize>,
}

/// One entry the host listed.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    kind: char,
    followed_kind: char,
    mode: u32,
    uid: u64,
    gid: u64,
    owner: String,
    group: String,
    size: i64,
    /// mtime, atime, ctime.
    times: [f64; 3],
    inode: u64,
    dev: u64,
    nlink: u64,
    /// The path below the start point (`a/b`).
    relative: String,
}

/// `N` with an optional unit, as Ansible reads `age` and `size`.
fn scaled(text: &str, units: &[(char, i64)], what: &str) -> Result<i64, ModuleError> {
    let text = text.trim().to_lowercase();
    let (digits, factor) = match text.chars().last() {
        Some(unit) if unit.is_ascii_alphabetic() => {
            let factor = units
                .iter()
                .find(|(u, _)| *u == unit)
                .map(|(_, f)| *f)
                .ok_or_else(|| ModuleError::failed(format!("failed to process {what}")))?;
            (&text[..text.len() - 1], factor)
        }
        _ => (text.as_str(), 1),
    };
    let digits_ok = {
        let unsigned = digits.strip_prefix('-').unwrap_or(digits);
        !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit())
    };
    if !digits_ok {
        return Err(ModuleError::failed(format!("failed to process {what}")));
    }
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| ModuleError::failed(format!("failed to process {what}")))
}

fn request(args: &Args) -> Result<Request, ModuleError> {
    let use_regex = args.bool("use_regex", false)?;
    let mut patterns = args.str_list("patterns")?.unwrap_or_default();
    patterns.retain(|p| !p.is_empty());
    if patterns.is_empty() {
        patterns.push(if use_regex { ".*" } else { "*" }.into());
    }
    let compile = |list: Vec<String>| -> Result<Vec<Matcher>, ModuleError> {
        list.iter().map(|p| Matcher::new(p, use_regex)).collect()
    };
    let file_type = match args.str("file_type")?.as_deref() {
        None | Some("file") => FileType::File,
        Some("any") => FileType::Any,
        Some("directory") => FileType::Directory,
        Some("link") => FileType::Link,
        Some(other) => {
            return Err(ModuleError::failed(format!(
                "value of file_type must be one of: any, directory, file, link, got: {other}"
            )));
        }
    };
    let age_stamp = match args.str("age_stamp")?.as_deref() {
        None | Some("mtime") => 0,
        Some("atime") => 1,
        Some("ctime") => 2,
        Some(other) => {
            return Err(ModuleError::failed(format!(
                "value of age_stamp must be one of: atime, ctime, mtime, got: {other}"
            )));
        }
    };
    let age = args
        .str("age")?
        .map(|a| scaled(&a, &[('s', 1), ('m', 60), ('h', 3600), ('d', 86400), ('w', 604_800)], "age"))
        .transpose()?;
    let size = args
        .str("size")?
        .map(|s| {
            scaled(
                &s,
                &[('b', 1), ('k', 1 << 10), ('m', 1 << 20), ('g', 1 << 30), ('t', 1 << 40)],
                "size",
            )
        })
        .transpose()?;
    let limit = match args.f64("limit")? {
        None => None,
        Some(n) if n <= 0.0 => {
            return Err(ModuleError::failed(format!(
                "limit cannot be {n} (use None for unlimited)"
            )));
        }
        Some(n) => Some(n as usize),
    };
    let mode = match args.str("mode")? {
        None => None,
        Some(text) if text.is_empty() => None,
        Some(text) => Some(u32::from_str_radix(&text, 8).map_err(|_| {
            ModuleError::failed(format!(
                "find: mode {text:?} is symbolic; runbook's find takes only an octal mode"
            ))
        })? & 0o7777),
    };
    let checksum = if args.bool("get_checksum", false)? {
        Some(match args.str("checksum_algorithm")?.as_deref() {
            None | Some("sha1") => "sha1sum",
            Some("md5") => "md5sum",
            Some("sha224") => "sha224sum",
            Some("sha256") => "sha256sum",
            Some("sha384") => "sha384sum",
            Some("sha512") => "sha512sum",
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of checksum_algorithm must be one of: md5, sha1, sha224, sha256, sha384, sha512, got: {other}"
                )));
            }
        })
    } else {
        None
    };
    let contains = args
        .str("contains")?
        .map(|c| {
            Regex::new(&c)
                .map_err(|e| ModuleError::failed(format!("invalid regular expression {c:?}: {e}")))
        })
        .transpose()?;
    Ok(Request {
        paths: args.str_list("paths")?.unwrap_or_default(),
        patterns: compile(patterns)?,
        excludes: compile(args.str_list("excludes")?.unwrap_or_default())?,
        contains,
        read_whole_file: args.bool("read_whole_file", false)?,
        file_type,
        age,
        age_stamp,
        size,
        recurse: args.bool("recurse", false)?,
        hidden: args.bool("hidden", false)?,
        follow: args.bool("follow", false)?,
        checksum,
        depth: args.f64("depth")?.filter(|d| *d > 0.0).map(|d| d as u64),
        mode,
        exact_mode: args.bool("exact_mode", true)?,
        limit,
    })
}

impl Module for Find {
    fn name(&self) -> &'static str {
        "find"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let request = request(args)?;
        let listing = list(&request, ctx)?;
        let needs_files = request.contains.is_some() || request.checksum.is_some();
        let mut reads = FileReads::default();
        if needs_files {
            let candidates = walk(&request, &listing, &FileReads::everything());
            reads = read_files(&request, &candidates.regular_files, ctx)?;
        }
        let found = walk(&request, &listing, &reads);
        let mut outcome = Outcome::ok();
        let msg = if found.skipped.is_empty() {
            "All paths examined"
        } else {
            "Not all paths examined, check warnings for details"
        };
        let warnings: Vec<Value> = found
            .skipped
            .iter()
            .map(|(path, why)| {
                Value::from(format!(
                    "Skipped '{path}' path due to this access issue: {why}\n"
                ))
            })
            .collect();
        outcome.msg = Some(msg.into());
        let matched = found.files.len();
        outcome = outcome
            .with("files", Value::from(found.files))
            .with("matched", Value::from(matched as u64))
            .with("examined", Value::from(found.examined))
            .with(
                "skipped_paths",
                map_from_pairs(found.skipped.into_iter().map(|(p, w)| (p, Value::from(w)))),
            );
        if !warnings.is_empty() {
            outcome = outcome.with("warnings", Value::from(warnings));
        }
        Ok(outcome)
    }
}

/// What the host listed under each start path; `None` for one that is not a directory.
#[derive(Debug, Default)]
struct Listing {
    now: f64,
    paths: Vec<Option<Vec<Entry>>>,
}

fn list(request: &Request, ctx: &mut ModuleContext) -> Result<Listing, ModuleError> {
    let follow = if request.follow { "-L" } else { "-H" };
    let max_depth = match (request.recurse, request.depth) {
        (false, _) => " -maxdepth 1".to_string(),
        (true, Some(depth)) => format!(" -maxdepth {}", depth + 1),
        (true, None) => String::new(),
    };
    let mut probe = Probe::new();
    probe.require(&["find"]).ask("now", "date +%s.%N");
    for (index, path) in request.paths.iter().enumerate() {
        let quoted = shell_quote(path);
        probe.ask(
            &format!("path{index}"),
            &format!(
                "if [ -d {quoted} ]; then echo D; LC_ALL=C find {follow} {quoted} -mindepth 1{max_depth} -printf '{PRINTF}'; fi"
            ),
        );
    }
    let answers = probe.run(ctx, "find")?;
    let now = answers.line("now").trim().parse::<f64>().unwrap_or(0.0);
    let paths = (0..request.paths.len())
        .map(|index| {
            let text = answers.text(&format!("path{index}"));
            text.strip_prefix("D\n").map(parse_entries)
        })
        .collect();
    Ok(Listing { now, paths })
}

fn parse_entries(text: &str) -> Vec<Entry> {
    text.split('\0').filter_map(parse_entry).collect()
}

fn parse_entry(record: &str) -> Option<Entry> {
    let mut fields = record.splitn(15, '|');
    let mut next = || fields.next();
    let kind = next()?.chars().next()?;
    let followed_kind = next()?.chars().next()?;
    let mode = u32::from_str_radix(next()?, 8).ok()?;
    let uid: u64 = next()?.parse().ok()?;
    let gid: u64 = next()?.parse().ok()?;
    let owner = next()?.to_string();
    let group = next()?.to_string();
    let size = next()?.parse().ok()?;
    let mut times = [0.0; 3];
    for time in &mut times {
        *time = next()?.parse().ok()?;
    }
    let inode = next()?.parse().ok()?;
    let dev = next()?.parse().ok()?;
    let nlink = next()?.parse().ok()?;
    let relative = next()?.to_string();
    if relative.is_empty() {
        return None;
    }
    // `find` prints an unknown user's number where Python has no name.
    let owner = if owner == uid.to_string() { String::new() } else { owner };
    let group = if group == gid.to_string() { String::new() } else { group };
    Some(Entry {
        kind,
        followed_kind,
        mode,
        uid,
        gid,
        owner,
        group,
        size,
        times,
        inode,
        dev,
        nlink,
        relative,
    })
}

/// What `contains` and `get_checksum` read, by full path.
#[derive(Debug, Default)]
struct FileReads {
    /// Every file passes `contains` (the first walk, which picks what to read).
    everything: bool,
    contains: HashMap<String, bool>,
    checksums: HashMap<String, String>,
}

impl FileReads {
    fn everything() -> Self {
        Self {
            everything: true,
            ..Self::default()
        }
    }
}

#[derive(Debug, Default)]
struct Found {
    files: Vec<Value>,
    regular_files: Vec<String>,
    examined: u64,
    skipped: BTreeMap<String, String>,
}

/// Lexically normal form of `path`, as Python's `os.path.normpath`.
fn normpath(path: &str) -> String {
    let leading = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if !leading.is_empty() => {}
            other => parts.push(other),
        }
    }
    let joined = format!("{leading}{}", parts.join("/"));
    if joined.is_empty() { ".".into() } else { joined }
}

/// Ansible's walk over the listing (see the file's header).
fn walk(request: &Request, listing: &Listing, reads: &FileReads) -> Found {
    let mut found = Found::default();
    for (path, entries) in request.paths.iter().zip(&listing.paths) {
        let Some(entries) = entries else {
            found
                .skipped
                .insert(path.clone(), format!("'{path}' is not a directory"));
            continue;
        };
        let mut children: HashMap<&str, Vec<&Entry>> = HashMap::new();
        for entry in entries {
            let parent = entry.relative.rsplit_once('/').map_or("", |(p, _)| p);
            children.entry(parent).or_default().push(entry);
        }
        let base = normpath(path);
        let mut roots: Vec<&str> = vec![""];
        let mut next_root = 0;
        while next_root < roots.len() {
            let root = roots[next_root];
            next_root += 1;
            let listed = children.get(root).map(Vec::as_slice).unwrap_or_default();
            // `os.walk` sorts links to directories with the directories.
            let is_walk_dir = |e: &&&Entry| e.followed_kind == 'd';
            let dirs: Vec<&Entry> = listed.iter().filter(is_walk_dir).copied().collect();
            let others = listed.iter().filter(|e| !is_walk_dir(e)).copied();
            let ordered: Vec<&Entry> = others.chain(dirs.iter().copied()).collect();
            found.examined += ordered.len() as u64;
            let mut descend = true;
            for entry in &ordered {
                let depth = entry.relative.matches('/').count() as u64 + 1;
                if request.depth.is_some_and(|limit| depth > limit) {
                    descend = false;
                    continue;
                }
                let name = entry.relative.rsplit('/').next().unwrap_or_default();
                if name.starts_with('.') && !request.hidden {
                    continue;
                }
                let full = normpath(&format!("{base}/{}", entry.relative));
                if let Some(result) = consider(request, listing.now, entry, &full, reads, &mut found) {
                    found.files.push(result);
                }
                if request.limit == Some(found.files.len()) {
                    break;
                }
            }
            if !request.recurse || request.limit == Some(found.files.len()) {
                break;
            }
            if descend {
                // `os.walk` descends into links to directories only with `follow`.
                let mut walked: Vec<&str> = dirs
                    .iter()
                    .filter(|e| e.kind == 'd' || request.follow)
                    .map(|e| e.relative.as_str())
                    .collect();
                // Depth-first, as `os.walk` recurses: this root's dirs come next.
                let rest = roots.split_off(next_root);
                roots.append(&mut walked);
                roots.extend(rest);
            }
        }
    }
    found
}

/// The result dict for `entry` when it passes every filter.
fn consider(
    request: &Request,
    now: f64,
    entry: &Entry,
    full: &str,
    reads: &FileReads,
    found: &mut Found,
) -> Option<Value> {
    let name = entry.relative.rsplit('/').next().unwrap_or_default();
    let named = request.patterns.iter().any(|p| p.matches(name))
        && !request.excludes.iter().any(|e| e.matches(name));
    let aged = request.age.is_none_or(|age| {
        let elapsed = now - entry.times[request.age_stamp];
        if age >= 0 { elapsed >= age as f64 } else { elapsed <= (-age) as f64 }
    });
    let sized = request.size.is_none_or(|size| {
        if size >= 0 { entry.size >= size } else { entry.size <= -size }
    });
    let moded = request.mode.is_none_or(|mode| {
        if request.exact_mode { entry.mode == mode } else { entry.mode & mode != 0 }
    });
    if !(named && aged && moded) {
        return None;
    }
    let regular = entry.kind == 'f';
    let wanted = match request.file_type {
        FileType::Any => !regular || sized,
        FileType::Directory => entry.kind == 'd',
        FileType::Link => entry.kind == 'l',
        FileType::File => {
            regular
                && sized
                && (request.contains.is_none()
                    || reads.everything
                    || reads.contains.get(full).copied().unwrap_or(false))
        }
    };
    if !wanted {
        return None;
    }
    if regular {
        found.regular_files.push(full.to_string());
    }
    let mut result = statinfo(entry, full);
    let checksummed = matches!(request.file_type, FileType::Any | FileType::File) && regular;
    if request.checksum.is_some() && checksummed {
        let sum = reads.checksums.get(full).cloned().unwrap_or_default();
        result.push(("checksum".into(), Value::from(sum)));
    }
    Some(map_from_pairs(result))
}

fn statinfo(entry: &Entry, full: &str) -> Vec<(String, Value)> {
    let bits = |bit: u32| Value::from(entry.mode & bit != 0);
    let kind = entry.kind;
    vec![
        ("path".into(), Value::from(full)),
        ("mode".into(), Value::from(format!("{:04o}", entry.mode))),
        ("isdir".into(), Value::from(kind == 'd')),
        ("ischr".into(), Value::from(kind == 'c')),
        ("isblk".into(), Value::from(kind == 'b')),
        ("isreg".into(), Value::from(kind == 'f')),
        ("isfifo".into(), Value::from(kind == 'p')),
        ("islnk".into(), Value::from(kind == 'l')),
        ("issock".into(), Value::from(kind == 's')),
        ("uid".into(), Value::from(entry.uid)),
        ("gid".into(), Value::from(entry.gid)),
        ("size".into(), Value::from(entry.size)),
        ("inode".into(), Value::from(entry.inode)),
        ("dev".into(), Value::from(entry.dev)),
        ("nlink".into(), Value::from(entry.nlink)),
        ("atime".into(), Value::from(entry.times[1])),
        ("mtime".into(), Value::from(entry.times[0])),
        ("ctime".into(), Value::from(entry.times[2])),
        ("gr_name".into(), Value::from(entry.group.as_str())),
        ("pw_name".into(), Value::from(entry.owner.as_str())),
        ("wusr".into(), bits(0o200)),
        ("rusr".into(), bits(0o400)),
        ("xusr".into(), bits(0o100)),
        ("wgrp".into(), bits(0o020)),
        ("rgrp".into(), bits(0o040)),
        ("xgrp".into(), bits(0o010)),
        ("woth".into(), bits(0o002)),
        ("roth".into(), bits(0o004)),
        ("xoth".into(), bits(0o001)),
        ("isuid".into(), bits(0o4000)),
        ("isgid".into(), bits(0o2000)),
    ]
}

/// One round trip reading the candidates: each file's length and bytes for
/// `contains`, or its checksum line.
fn read_files(
    request: &Request,
    files: &[String],
    ctx: &mut ModuleContext,
) -> Result<FileReads, ModuleError> {
    let mut reads = FileReads::default();
    if files.is_empty() {
        return Ok(reads);
    }
    let mut probe = Probe::new();
    if let Some(tool) = request.checksum {
        probe.require(&[tool]);
    }
    for (index, file) in files.iter().enumerate() {
        let quoted = shell_quote(file);
        if request.contains.is_some() {
            probe.ask(&format!("text{index}"), &format!("cat -- {quoted}"));
        }
        if let Some(tool) = request.checksum {
            probe.ask(&format!("sum{index}"), &format!("{tool} < {quoted}"));
        }
    }
    let answers = probe.run(ctx, "find")?;
    for (index, file) in files.iter().enumerate() {
        if let Some(pattern) = &request.contains {
            let text = answers.text(&format!("text{index}"));
            reads
                .contains
                .insert(file.clone(), content_matches(pattern, text, request.read_whole_file));
        }
        if request.checksum.is_some() {
            let line = answers.line(&format!("sum{index}"));
            let sum = line.split_whitespace().next().unwrap_or_default();
            reads.checksums.insert(file.clone(), sum.to_string());
        }
    }
    Ok(reads)
}

/// Ansible's `contains`: a line that starts with a match, or a match
/// anywhere in the whole file with `read_whole_file`.
fn content_matches(pattern: &Regex, text: &str, whole_file: bool) -> bool {
    if whole_file {
        return pattern.is_match(text);
    }
    text.lines()
        .any(|line| pattern.find(line).is_some_and(|m| m.start() == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: char, relative: &str) -> Entry {
        Entry {
            kind,
            followed_kind: kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            owner: "root".into(),
            group: "root".into(),
            size: 10,
            times: [100.0, 100.0, 100.0],
            inode: 1,
            dev: 1,
            nlink: 1,
            relative: relative.into(),
        }
    }

    fn paths(found: &Found) -> Vec<String> {
        found
            .files
            .iter()
            .map(|f| f.get_attr("path").map(|p| p.to_string()).unwrap_or_default())
            .collect()
    }

    fn request_of(pairs: &[(&str, Value)]) -> Request {
        let mut all = vec![("paths", Value::from("/srv/"))];
        all.extend(pairs.iter().cloned());
        request(&Args::of(&all)).expect("valid")
    }

    #[test]
    fn the_walk_lists_each_directorys_files_before_its_directories() {
        // `find` lists depth first in directory order.
        let entries = vec![
            entry('d', "a"),
            entry('f', "a/x.conf"),
            entry('d', "a/deep"),
            entry('f', "a/deep/z.conf"),
            entry('f', "y.conf"),
            entry('f', ".hidden.conf"),
        ];
        let listing = Listing {
            now: 1000.0,
            paths: vec![Some(entries)],
        };
        let all = request_of(&[("recurse", true.into()), ("patterns", "*.conf".into())]);
        let found = walk(&all, &listing, &FileReads::default());
        assert_eq!(paths(&found), ["/srv/y.conf", "/srv/a/x.conf", "/srv/a/deep/z.conf"]);
        assert_eq!(found.examined, 6);
        let shallow = request_of(&[("recurse", true.into()), ("depth", 2.into())]);
        let found = walk(&shallow, &listing, &FileReads::default());
        assert_eq!(paths(&found), ["/srv/y.conf", "/srv/a/x.conf"]);
        let top = request_of(&[("hidden", true.into()), ("file_type", "any".into())]);
        let found = walk(&top, &listing, &FileReads::default());
        assert_eq!(paths(&found), ["/srv/y.conf", "/srv/.hidden.conf", "/srv/a"]);
        assert_eq!(found.examined, 3);
    }

    #[test]
    fn ages_sizes_and_units_read_as_ansible_reads_them() {
        assert_eq!(scaled("2d", &[('d', 86400)], "age").ok(), Some(172_800));
        assert_eq!(scaled("-3", &[], "age").ok(), Some(-3));
        assert!(scaled("2x", &[('d', 86400)], "age").is_err());
        assert!(scaled("d", &[('d', 86400)], "age").is_err());
        assert_eq!(normpath("/srv//a/./b/../c"), "/srv/a/c");
    }

    #[test]
    fn contains_matches_at_the_start_of_a_line() {
        let pattern = Regex::new("port=").expect("regex");
        assert!(content_matches(&pattern, "a\nport=1\n", false));
        assert!(!content_matches(&pattern, "a\n port=1\n", false));
        assert!(content_matches(&pattern, "a\n port=1\n", true));
    }

    proptest::proptest! {
        #[test]
        fn any_listing_parses_without_panicking(text in "[a-z0-9|./\\x00 ]{0,120}") {
            let _ = parse_entries(&text);
        }
    }
}
