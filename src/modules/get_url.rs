//! `get_url`: download a URL to a file on the host with the host's `curl`
//! (or `wget`). Idempotent as Ansible: an existing `dest` is left alone
//! unless its `checksum` does not match or `force` fetched something
//! different.

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::host::{
    Attributes, FileInfo, FileKind, apply_attributes, attribute_changes, file_info, run_checked,
};
use super::utils::http::{
    Request, curl_command, headers_arg, secrets_document, wget_command, wget_status_line,
};
use super::{ArgSpec, Args, Changes, Diff, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct GetUrl;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "url",
        "dest",
        "checksum",
        "force",
        "headers",
        "timeout",
        "validate_certs",
        "url_username",
        "url_password",
        "force_basic_auth",
    ],
    groups: &[&FILE_ATTRIBUTES],
    aliases: &[("username", "url_username"), ("password", "url_password")],
    required: &["url", "dest"],
    paths: &["dest"],
    ..ArgSpec::EMPTY
};

/// `checksum: "sha256:abc..."`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Checksum {
    pub algorithm: String,
    pub value: String,
}

pub(super) struct Wanted {
    request: Request,
    dest: String,
    checksum: Option<Checksum>,
    attributes: Attributes,
    force: bool,
}

pub(super) struct Found {
    /// The file the download goes to (`dest`, or `dest/<name>` for a directory).
    path: String,
    file: FileInfo,
    /// The file's digest with the `checksum` algorithm, when one was given.
    digest: Option<String>,
    /// With `force`: the SHA-1 of what the URL serves now.
    served: Option<String>,
}

/// What one download on the host produced.
struct Download {
    tmp: String,
    status: u16,
    sha1: String,
    digest: String,
    size: u64,
}

impl StateModule for GetUrl {
    type Desired = Wanted;
    type Observed = Found;

    fn name(&self) -> &'static str {
        "get_url"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Wanted, ModuleError> {
        let url = args.str("url")?.unwrap_or_default();
        if !["http://", "https://", "ftp://", "file://"]
            .iter()
            .any(|scheme| url.starts_with(scheme))
        {
            return Err(ModuleError::failed(format!(
                "url {url:?} must start with http://, https://, ftp:// or file://"
            )));
        }
        let checksum = match args.str("checksum")?.filter(|c| !c.is_empty()) {
            Some(text) => Some(parse_checksum(&text).map_err(ModuleError::failed)?),
            None => None,
        };
        let credentials = args
            .str("url_username")?
            .map(|user| Ok::<_, ModuleError>((user, args.str("url_password")?.unwrap_or_default())))
            .transpose()?;
        Ok(Wanted {
            request: Request {
                url,
                method: "GET".into(),
                headers: headers_arg(args.get("headers")).map_err(ModuleError::failed)?,
                timeout: args.f64("timeout")?.map_or(10, |t| t.max(1.0) as u64),
                validate_certs: args.bool("validate_certs", true)?,
                follow_redirects: true,
                credentials,
                has_body: false,
                modified_since: None,
            },
            dest: args.str("dest")?.unwrap_or_default(),
            checksum,
            attributes: Attributes::from_args(args)?,
            force: args.bool("force", false)?,
        })
    }

    fn inspect(&self, want: &Wanted, ctx: &mut ModuleContext) -> Result<Found, ModuleError> {
        let mut file = file_info(ctx, &want.dest, true, true)?;
        let mut path = want.dest.clone();
        if file.kind == FileKind::Directory {
            path = format!(
                "{}/{}",
                want.dest.trim_end_matches('/'),
                url_file_name(&want.request.url)
            );
            file = file_info(ctx, &path, true, true)?;
        }
        let digest = match (&want.checksum, file.exists()) {
            (Some(checksum), true) => Some(host_digest(ctx, &path, &checksum.algorithm)?),
            _ => None,
        };
        let served = if want.force && file.exists() {
            let probe = download(ctx, want, &path)?;
            run_checked(
                ctx,
                "removing a download",
                &format!("rm -f -- {}", shell_quote(&probe.tmp)),
                None,
            )?;
            Some(probe.sha1)
        } else {
            None
        };
        Ok(Found {
            path,
            file,
            digest,
            served,
        })
    }

    fn diff(&self, want: &Wanted, have: &Found) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if let Some(reason) = download_reason(want, have) {
            let before = if have.file.exists() { "file" } else { "absent" };
            changes.add(
                reason,
                Some(Diff::attribute(&have.path, "state", before, "file")),
            );
            return Ok(changes);
        }
        changes.extend(attribute_changes(&want.attributes, &have.file)?);
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Wanted,
        have: &Found,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let mut outcome = Outcome::ok();
        if download_reason(want, have).is_some() {
            let got = download(ctx, want, &have.path)?;
            if let Err(error) = verify(want, &got) {
                run_checked(
                    ctx,
                    "removing a download",
                    &format!("rm -f -- {}", shell_quote(&got.tmp)),
                    None,
                )?;
                return Err(error);
            }
            let script = format!(
                "mv -f -- {} {}",
                shell_quote(&got.tmp),
                shell_quote(&have.path)
            );
            run_checked(
                ctx,
                &format!("moving the download to {}", have.path),
                &script,
                None,
            )?;
            outcome = outcome
                .with("checksum_src", got.sha1)
                .with("status_code", got.status)
                .with_msg(format!("OK ({} bytes)", got.size));
        }
        let current = file_info(ctx, &have.path, true, false)?;
        apply_attributes(ctx, &have.path, &want.attributes, &current)?;
        Ok(outcome)
    }

    fn describe(&self, want: &Wanted, have: &Found) -> Outcome {
        let mut outcome = Outcome::ok()
            .with("dest", have.path.as_str())
            .with("url", want.request.url.as_str());
        if let Some(sha1) = &have.file.checksum {
            outcome = outcome
                .with("checksum_dest", sha1.as_str())
                .with("checksum_src", sha1.as_str())
                .with_msg("file already exists");
        }
        outcome
    }
}

/// Why the file must be (re)downloaded, if it must.
fn download_reason(want: &Wanted, have: &Found) -> Option<String> {
    if !have.file.exists() {
        return Some("download (dest does not exist)".into());
    }
    if let (Some(checksum), Some(digest)) = (&want.checksum, &have.digest)
        && !digest.eq_ignore_ascii_case(&checksum.value)
    {
        return Some(format!("download ({} mismatch)", checksum.algorithm));
    }
    match &have.served {
        Some(served) if Some(served) != have.file.checksum.as_ref() => {
            Some("download (content changed at the url)".into())
        }
        _ => None,
    }
}

fn verify(want: &Wanted, got: &Download) -> Result<(), ModuleError> {
    if got.status != 200 {
        return Err(ModuleError::failed(format!(
            "Request failed: HTTP status {} for {}",
            got.status, want.request.url
        )));
    }
    match &want.checksum {
        Some(checksum) if !got.digest.eq_ignore_ascii_case(&checksum.value) => {
            Err(ModuleError::failed(format!(
                "The checksum for {} did not match {}; it was {}.",
                want.dest, checksum.value, got.digest
            )))
        }
        _ => Ok(()),
    }
}

/// Download to a temporary file beside `path` with curl or wget, whichever
/// the host has; reports status, SHA-1, the `checksum` digest and size.
fn download(ctx: &mut ModuleContext, want: &Wanted, path: &str) -> Result<Download, ModuleError> {
    let algorithm = want
        .checksum
        .as_ref()
        .map_or("sha1", |c| c.algorithm.as_str());
    let script = format!(
        "dir=$(dirname -- {path})\nout=$(mktemp \"$dir/.runbook-get_url.XXXXXX\") || exit 1\nhdr=$(mktemp) || exit 1\n\
         if command -v curl >/dev/null 2>&1; then\n  status=$({curl} | cut -d' ' -f1\n{curl_secrets})\n\
         elif command -v wget >/dev/null 2>&1; then\n  {wget}\n{wget_secrets}  status=$({status})\n\
         else\n  rm -f \"$out\" \"$hdr\"; echo 'get_url needs curl or wget on the host, and neither is installed' >&2; exit 127\nfi\n\
         rm -f \"$hdr\"\n\
         printf '%s\\n%s\\n' \"$out\" \"${{status:-0}}\"\n\
         sha1sum < \"$out\" | cut -d' ' -f1\n{algorithm}sum < \"$out\" | cut -d' ' -f1\nwc -c < \"$out\"",
        path = shell_quote(path),
        curl = curl_command(&want.request),
        wget = wget_command(&want.request),
        curl_secrets = secrets_document(&want.request, false),
        wget_secrets = secrets_document(&want.request, true),
        status = wget_status_line(),
    );
    let output = run_checked(
        ctx,
        &format!("downloading {}", want.request.url),
        &script,
        None,
    )?;
    let text = output.stdout_text();
    let lines: Vec<&str> = text.lines().collect();
    let [tmp, status, sha1, digest, size] = lines[..] else {
        return Err(ModuleError::failed(format!(
            "downloading {} failed: {}",
            want.request.url,
            output.stderr_text().trim()
        )));
    };
    Ok(Download {
        tmp: tmp.to_string(),
        status: status.trim().parse().unwrap_or(0),
        sha1: sha1.to_string(),
        digest: digest.to_string(),
        size: size.trim().parse().unwrap_or(0),
    })
}

fn host_digest(
    ctx: &mut ModuleContext,
    path: &str,
    algorithm: &str,
) -> Result<String, ModuleError> {
    super::utils::host::require_tools(ctx, "get_url", &[&format!("{algorithm}sum")])?;
    let script = format!("{algorithm}sum < {} | cut -d' ' -f1", shell_quote(path));
    let output = run_checked(ctx, &format!("checksumming {path}"), &script, None)?;
    Ok(output.stdout_text().trim().to_string())
}

/// `sha256:abc...` → algorithm and hex digest.
pub(super) fn parse_checksum(text: &str) -> Result<Checksum, String> {
    const ALGORITHMS: &[&str] = &["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
    let (algorithm, value) = text
        .split_once(':')
        .ok_or_else(|| format!("checksum {text:?} must be `<algorithm>:<checksum>`"))?;
    let algorithm = algorithm.trim().to_ascii_lowercase();
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return Err(format!(
            "unsupported checksum algorithm {algorithm:?}; use one of {}",
            ALGORITHMS.join(", ")
        ));
    }
    let value = value.trim();
    if value.contains("://") {
        return Err("a checksum read from a URL is not supported; give the digest itself".into());
    }
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("checksum {value:?} is not a hexadecimal digest"));
    }
    Ok(Checksum {
        algorithm,
        value: value.to_ascii_lowercase(),
    })
}

/// The file name a URL would be saved under in a directory.
fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.is_empty() || path.ends_with("//") {
        "index.html".to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_name_an_algorithm_and_a_hex_digest() {
        assert_eq!(
            parse_checksum("SHA256:ABCdef01"),
            Ok(Checksum {
                algorithm: "sha256".into(),
                value: "abcdef01".into()
            })
        );
        assert!(parse_checksum("abcdef").is_err());
        assert!(parse_checksum("crc32:abcd").is_err());
        assert!(parse_checksum("sha256:xyz").is_err());
        assert!(parse_checksum("sha256:https://h/SUMS").is_err());
    }

    #[test]
    fn file_names_come_from_the_url_path() {
        assert_eq!(url_file_name("http://h/a/b.tar.gz?x=1"), "b.tar.gz");
        assert_eq!(url_file_name("http://h/"), "index.html");
    }

    proptest::proptest! {
        #[test]
        fn checksum_parsing_never_panics(text in "\\PC{0,40}") {
            let _ = parse_checksum(&text);
        }
    }
}
