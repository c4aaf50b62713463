//! `stat`: what a path is on the host, in Ansible's `stat` result shape, from
//! one round trip of `stat(1)`, `test`, `readlink`/`realpath`, a checksum
//! tool and (when present) `file`. Read-only: never changes the host.

use std::fmt::Write;

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, map_from_pairs};

pub(super) struct Stat;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path",
        "follow",
        "get_checksum",
        "checksum_algorithm",
        "get_mime",
        "get_attributes",
        "get_md5",
    ],
    aliases: &[
        ("dest", "path"),
        ("name", "path"),
        ("checksum", "checksum_algorithm"),
        ("checksum_algo", "checksum_algorithm"),
        ("mime", "get_mime"),
        ("mime_type", "get_mime"),
        ("mime-type", "get_mime"),
        ("attr", "get_attributes"),
        ("attributes", "get_attributes"),
    ],
    required: &["path"],
    free_form: FreeForm::KeyValue,
    paths: &["path"],
    ..ArgSpec::EMPTY
};

/// Checksum algorithms Ansible accepts, with the coreutils tool for each.
const ALGORITHMS: &[(&str, &str)] = &[
    ("md5", "md5sum"),
    ("sha1", "sha1sum"),
    ("sha224", "sha224sum"),
    ("sha256", "sha256sum"),
    ("sha384", "sha384sum"),
    ("sha512", "sha512sum"),
];

/// The `stat -c` format: raw mode in hex, then the numbers Ansible reports.
const FORMAT: &str = "%f|%u|%g|%U|%G|%s|%.9Y|%.9X|%.9Z|%i|%d|%h|%b|%o|%t|%T";

/// What the task asks for.
#[derive(Debug, Clone, PartialEq)]
struct Request {
    path: String,
    follow: bool,
    checksum_tool: Option<&'static str>,
    mime: bool,
}

impl Module for Stat {
    fn name(&self) -> &'static str {
        "stat"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let stat = inspect(&request(args)?, ctx)?;
        Ok(Outcome::ok().with("stat", stat))
    }
}

fn request(args: &Args) -> Result<Request, ModuleError> {
    let path = args.str("path")?.unwrap_or_default();
    if path.is_empty() {
        return Err(ModuleError::failed("argument `path` must not be empty"));
    }
    let algorithm = args
        .str("checksum_algorithm")?
        .unwrap_or_else(|| "sha1".into());
    let tool = ALGORITHMS
        .iter()
        .find(|(name, _)| *name == algorithm)
        .map(|(_, tool)| *tool)
        .ok_or_else(|| {
            let known: Vec<&str> = ALGORITHMS.iter().map(|(name, _)| *name).collect();
            ModuleError::failed(format!(
                "value of checksum_algorithm must be one of: {}, got: {algorithm}",
                known.join(", ")
            ))
        })?;
    Ok(Request {
        path,
        follow: args.bool("follow", false)?,
        checksum_tool: args.bool("get_checksum", true)?.then_some(tool),
        mime: args.bool("get_mime", true)?,
    })
}

fn inspect(request: &Request, ctx: &mut ModuleContext) -> Result<Value, ModuleError> {
    let output = ctx.connection()?.run(&script(request), None)?;
    let text = output.stdout_text();
    match output.rc {
        0 => parse(request, &text).ok_or_else(|| {
            ModuleError::failed(format!(
                "cannot read what stat printed for {}: {}",
                request.path,
                output.stderr_text().trim()
            ))
        }),
        127 => Err(ModuleError::failed(format!(
            "stat needs {} on {}, which is not installed there",
            output.stderr_text().trim(),
            ctx.host
        ))),
        rc => Err(ModuleError::failed(format!(
            "cannot stat {} (rc={rc}): {}",
            request.path,
            output.stderr_text().trim()
        ))),
    }
}

/// One script that prints `key=value` lines; `~` expands like Ansible's
/// `expanduser` (the rest of the path is taken literally).
fn script(request: &Request) -> String {
    let path = match request.path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            format!("\"$HOME\"{}", shell_quote(rest))
        }
        _ => shell_quote(&request.path),
    };
    let follow = if request.follow { "-L " } else { "" };
    let mut script = format!(
        "p={path}\n\
         printf 'path=%s\\n' \"$p\"\n\
         if [ ! -e \"$p\" ] && [ ! -L \"$p\" ]; then echo exists=no; exit 0; fi\n\
         command -v stat >/dev/null 2>&1 || {{ echo stat >&2; exit 127; }}\n\
         s=$(stat {follow}-c '{FORMAT}' -- \"$p\") || exit 2\n\
         printf 'stat=%s\\n' \"$s\"\n\
         [ -r \"$p\" ] && echo readable=yes\n\
         [ -w \"$p\" ] && echo writeable=yes\n\
         [ -x \"$p\" ] && echo executable=yes\n"
    );
    if !request.follow {
        script.push_str(
            "if [ -L \"$p\" ]; then printf 'lnk_target=%s\\n' \"$(readlink -- \"$p\")\"; \
             printf 'lnk_source=%s\\n' \"$(realpath -m -- \"$p\")\"; fi\n",
        );
    }
    let regular = format!("[ -f \"$p\" ] && {}", no_link_unless_followed(request));
    if let Some(tool) = request.checksum_tool {
        let _ = writeln!(
            script,
            "if {regular} && [ -r \"$p\" ]; then \
             command -v {tool} >/dev/null 2>&1 || {{ echo {tool} >&2; exit 127; }}; \
             printf 'checksum=%s\\n' \"$({tool} < \"$p\" | cut -d' ' -f1)\"; fi"
        );
    }
    if request.mime {
        let deref = if request.follow { "-L " } else { "" };
        let _ = writeln!(
            script,
            "if command -v file >/dev/null 2>&1; then \
             printf 'mimetype=%s\\n' \"$(file -b {deref}--mime-type -- \"$p\")\"; \
             printf 'charset=%s\\n' \"$(file -b {deref}--mime-encoding -- \"$p\")\"; \
             else echo mimetype=unknown; echo charset=unknown; fi"
        );
    }
    script.push_str("exit 0");
    script
}

/// `-f` follows links; without `follow` a link is not a regular file.
fn no_link_unless_followed(request: &Request) -> &'static str {
    if request.follow {
        "true"
    } else {
        "[ ! -L \"$p\" ]"
    }
}

/// The keys the script prints; any other line continues the value before it.
const PRINTED_KEYS: &[&str] = &[
    "path",
    "exists",
    "stat",
    "readable",
    "writeable",
    "executable",
    "lnk_target",
    "lnk_source",
    "checksum",
    "mimetype",
    "charset",
];

/// Read the script's `key=value` lines into Ansible's `stat` map.
fn parse(request: &Request, text: &str) -> Option<Value> {
    let mut path = request.path.clone();
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut raw_stat = None;
    let mut lines: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        match line.split_once('=') {
            Some((key, value)) if PRINTED_KEYS.contains(&key) => {
                lines.push((key, value.to_string()));
            }
            // A path or link target with a line break in it goes on.
            _ => match lines.last_mut() {
                Some((_, value)) => {
                    value.push('\n');
                    value.push_str(line);
                }
                None => return None,
            },
        }
    }
    for (key, value) in lines {
        let value = value.as_str();
        match key {
            "path" => path = value.to_string(),
            "exists" => return Some(map_from_pairs([("exists", Value::from(false))])),
            "stat" => raw_stat = Some(value.to_string()),
            "readable" | "writeable" | "executable" => {
                fields.push((key.to_string(), Value::from(true)));
            }
            _ => fields.push((key.to_string(), Value::from(value))),
        }
    }
    let mut stat = stat_fields(&raw_stat?)?;
    stat.insert(0, ("exists".into(), Value::from(true)));
    stat.insert(1, ("path".into(), Value::from(path)));
    for access in ["readable", "writeable", "executable"] {
        if !fields.iter().any(|(key, _)| key == access) {
            stat.push((access.into(), Value::from(false)));
        }
    }
    stat.extend(fields);
    Some(map_from_pairs(stat))
}

/// The numbers of one `stat -c FORMAT` line, as Ansible names them.
fn stat_fields(line: &str) -> Option<Vec<(String, Value)>> {
    let parts: Vec<&str> = line.split('|').collect();
    let [
        raw_mode,
        uid,
        gid,
        owner,
        group,
        size,
        mtime,
        atime,
        ctime,
        inode,
        dev,
        nlink,
        blocks,
        block_size,
        major,
        minor,
    ] = parts[..]
    else {
        return None;
    };
    let raw = u32::from_str_radix(raw_mode, 16).ok()?;
    let kind = raw & 0o170000;
    let mut out: Vec<(String, Value)> =
        vec![("mode".into(), Value::from(format!("{:04o}", raw & 0o7777)))];
    for (name, bits) in [
        ("isdir", 0o040000),
        ("ischr", 0o020000),
        ("isblk", 0o060000),
        ("isreg", 0o100000),
        ("isfifo", 0o010000),
        ("islnk", 0o120000),
        ("issock", 0o140000),
    ] {
        out.push((name.into(), Value::from(kind == bits)));
    }
    for (name, value) in [
        ("uid", uid),
        ("gid", gid),
        ("size", size),
        ("inode", inode),
        ("dev", dev),
        ("nlink", nlink),
        ("blocks", blocks),
        ("block_size", block_size),
    ] {
        out.push((name.into(), Value::from(value.parse::<u64>().ok()?)));
    }
    for (name, value) in [("mtime", mtime), ("atime", atime), ("ctime", ctime)] {
        out.push((name.into(), Value::from(value.parse::<f64>().ok()?)));
    }
    out.push(("pw_name".into(), Value::from(owner)));
    out.push(("gr_name".into(), Value::from(group)));
    for (name, bit) in [
        ("wusr", 0o200),
        ("rusr", 0o400),
        ("xusr", 0o100),
        ("wgrp", 0o020),
        ("rgrp", 0o040),
        ("xgrp", 0o010),
        ("woth", 0o002),
        ("roth", 0o004),
        ("xoth", 0o001),
        ("isuid", 0o4000),
        ("isgid", 0o2000),
    ] {
        out.push((name.into(), Value::from(raw & bit != 0)));
    }
    if kind == 0o020000 || kind == 0o060000 {
        let major = u64::from_str_radix(major, 16).ok()?;
        let minor = u64::from_str_radix(minor, 16).ok()?;
        out.push(("device_type".into(), Value::from((major << 8) | minor)));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(follow: bool) -> Request {
        Request {
            path: "/etc/x".into(),
            follow,
            checksum_tool: Some("sha1sum"),
            mime: false,
        }
    }

    fn get(stat: &Value, key: &str) -> String {
        stat.get_attr(key)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn a_regular_file_reads_as_ansible_reports_it() {
        let text = "path=/etc/x\nstat=81a4|0|0|root|root|12|1700000000.5|1700000001.0|1700000002.0|42|2049|1|8|4096|0|0\nreadable=yes\nwriteable=yes\nchecksum=abc\n";
        let stat = parse(&request(false), text).expect("parses");
        assert_eq!(get(&stat, "exists"), "True");
        assert_eq!(get(&stat, "mode"), "0644");
        assert_eq!(get(&stat, "isreg"), "True");
        assert_eq!(get(&stat, "isdir"), "False");
        assert_eq!(get(&stat, "size"), "12");
        assert_eq!(get(&stat, "mtime"), "1700000000.5");
        assert_eq!(get(&stat, "pw_name"), "root");
        assert_eq!(get(&stat, "rusr"), "True");
        assert_eq!(get(&stat, "xusr"), "False");
        assert_eq!(get(&stat, "executable"), "False");
        assert_eq!(get(&stat, "checksum"), "abc");
    }

    #[test]
    fn a_line_break_in_a_path_or_target_is_part_of_it() {
        let text = "path=/opt/a\nb=c\nstat=a1ff|0|0|root|root|6|1|1|1|1|1|1|0|4096|0|0\nlnk_target=/x\ny\n";
        let stat = parse(&request(false), text).expect("parses");
        assert_eq!(get(&stat, "path"), "/opt/a\nb=c");
        assert_eq!(get(&stat, "lnk_target"), "/x\ny");
    }

    #[test]
    fn links_directories_and_absent_paths() {
        let link = parse(
            &request(false),
            "path=/l\nstat=a1ff|0|0|root|root|6|1|1|1|1|1|1|0|4096|0|0\nlnk_target=/etc/x\nlnk_source=/etc/x\n",
        )
        .expect("parses");
        assert_eq!(get(&link, "islnk"), "True");
        assert_eq!(get(&link, "mode"), "0777");
        assert_eq!(get(&link, "lnk_target"), "/etc/x");
        let dir = parse(
            &request(false),
            "path=/d\nstat=41ed|0|0|root|root|4096|1|1|1|1|1|2|8|4096|0|0\n",
        )
        .expect("parses");
        assert_eq!(
            (get(&dir, "isdir"), get(&dir, "mode")),
            ("True".into(), "0755".into())
        );
        let absent = parse(&request(false), "path=/n\nexists=no\n").expect("parses");
        assert_eq!(get(&absent, "exists"), "False");
        assert!(parse(&request(false), "path=/n\nstat=garbage\n").is_none());
    }

    #[test]
    fn only_known_checksum_algorithms_are_accepted() {
        let args = |algorithm: &str| {
            Args::new(
                [
                    ("path".to_string(), Value::from("/x")),
                    ("checksum_algorithm".to_string(), Value::from(algorithm)),
                ]
                .into_iter()
                .collect(),
            )
        };
        assert_eq!(
            request_of(&args("sha256")).map(|r| r.checksum_tool),
            Some(Some("sha256sum"))
        );
        assert!(request_of(&args("crc32")).is_none());
    }

    fn request_of(args: &Args) -> Option<Request> {
        super::request(args).ok()
    }

    #[test]
    fn a_home_relative_path_expands_on_the_host() {
        let mut r = request(false);
        r.path = "~/notes".into();
        assert!(script(&r).starts_with("p=\"$HOME\"/notes\n"));
        r.path = "~other/x".into();
        assert!(script(&r).starts_with("p='~other/x'\n"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_host_output(text in "\\PC{0,200}") {
            let _ = parse(&request(true), &text);
        }
    }
}
