//! `uri`: an HTTP request made with the host's `curl`, reporting status,
//! headers (lower-cased, `-` as `_`, as Ansible) and, when asked or when the
//! response is JSON, the content. Not a state module: as Ansible's, it is
//! `changed` when it writes `dest`, which it asks for only if modified since
//! `dest` was (a 304 leaves it alone).

use minijinja::value::ValueKind;

use super::utils::host::{
    Attributes, FILE_ATTRIBUTES, FileKind, apply_attributes, attribute_changes, file_info,
    require_tools, run_checked, write_file,
};
use super::utils::http::{
    Request, curl_command, headers_arg, parse_headers, reason_phrase, secrets_document,
};
use super::{ArgSpec, Args, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Uri;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "url",
        "method",
        "status_code",
        "return_content",
        "body",
        "body_format",
        "headers",
        "timeout",
        "validate_certs",
        "dest",
        "creates",
        "removes",
        "follow_redirects",
        "url_username",
        "url_password",
        "force_basic_auth",
    ],
    aliases: &[("user", "url_username"), ("password", "url_password")],
    required: &["url"],
    groups: &[&FILE_ATTRIBUTES],
    ..ArgSpec::EMPTY
};

/// The task's arguments, read.
struct Call {
    request: Request,
    body: Option<Vec<u8>>,
    status_codes: Vec<i64>,
    return_content: bool,
    dest: Option<String>,
    /// `mode`, `owner`, `group` of `dest`.
    attributes: Attributes,
    creates: Option<String>,
    removes: Option<String>,
}

/// What came back.
struct Response {
    curl_rc: i32,
    status: i64,
    redirects: u32,
    effective_url: String,
    raw_headers: String,
    body: Vec<u8>,
    error: String,
}

impl Module for Uri {
    fn name(&self) -> &'static str {
        "uri"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        run_uri(args, ctx)
    }
}

fn run_uri(args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
    let mut call = read_call(args)?;
    if ctx.check_mode {
        return Ok(Outcome::skipped(
            "remote module (uri) does not support check mode",
        ));
    }
    if let Some(skip) = skip_reason(ctx, &call)? {
        return Ok(Outcome::ok().with_msg(skip.clone()).with("stdout", skip));
    }
    require_tools(ctx, "uri", &["curl"])?;
    if let Some(dest) = &call.dest
        && file_info(ctx, dest, true, false)?.kind == FileKind::File
    {
        // As Ansible: the server may answer 304, which fails the task
        // unless `status_code` allows it.
        call.request.modified_since = Some(dest.clone());
    }
    let response = send(ctx, &call)?;
    let mut outcome = describe(&call, &response);
    if outcome.failed {
        return Ok(outcome);
    }
    // As Ansible's uri: a 304 leaves `dest` alone; any other answer is
    // written (changed, whatever it holds) and then gets `mode`/`owner`/`group`.
    if let Some(dest) = &call.dest
        && response.status != 304
    {
        write_file(ctx, dest, &response.body, None)?;
        outcome.changed = true;
        let written = file_info(ctx, dest, true, false)?;
        if !attribute_changes(&call.attributes, &written)?.is_empty() {
            apply_attributes(ctx, dest, &call.attributes, &written)?;
        }
    }
    if let Some(dest) = &call.dest {
        outcome = outcome.with("path", dest.as_str());
    }
    Ok(outcome)
}

fn read_call(args: &Args) -> Result<Call, ModuleError> {
    let method = args
        .str("method")?
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    let mut headers = headers_arg(args.get("headers")).map_err(ModuleError::failed)?;
    let body_format = args.str("body_format")?.unwrap_or_else(|| "raw".into());
    let body = match args.get("body") {
        Some(body) => Some(encode_body(body, &body_format, &mut headers)?),
        None => None,
    };
    let follow = args
        .str("follow_redirects")?
        .unwrap_or_else(|| "safe".into());
    let follow_redirects = match follow.as_str() {
        "all" | "yes" | "true" => true,
        "none" | "no" | "false" => false,
        "safe" | "urllib2" => matches!(method.as_str(), "GET" | "HEAD"),
        other => {
            return Err(ModuleError::failed(format!(
                "follow_redirects must be one of all, none, safe, urllib2, got {other:?}"
            )));
        }
    };
    let status_codes = match args.str_list("status_code")? {
        Some(codes) => codes
            .iter()
            .map(|code| {
                code.trim().parse().map_err(|_| {
                    ModuleError::failed(format!("status_code {code:?} is not a number"))
                })
            })
            .collect::<Result<_, _>>()?,
        None => vec![200],
    };
    let credentials = match args.str("url_username")? {
        Some(user) => Some((user, args.str("url_password")?.unwrap_or_default())),
        None => None,
    };
    Ok(Call {
        request: Request {
            url: args.str("url")?.unwrap_or_default(),
            method,
            headers,
            timeout: args.f64("timeout")?.map_or(30, |t| t.max(1.0) as u64),
            validate_certs: args.bool("validate_certs", true)?,
            follow_redirects,
            credentials,
            has_body: body.is_some(),
            modified_since: None,
        },
        body,
        status_codes,
        return_content: args.bool("return_content", false)?,
        dest: args.str("dest")?,
        attributes: Attributes::from_args(args)?,
        creates: args.str("creates")?,
        removes: args.str("removes")?,
    })
}

/// The request body as bytes, setting the `Content-Type` Ansible would.
fn encode_body(
    body: &Value,
    format: &str,
    headers: &mut Vec<(String, String)>,
) -> Result<Vec<u8>, ModuleError> {
    let (bytes, content_type) = match format {
        "raw" => (body.to_string().into_bytes(), None),
        "json" => {
            let text = match body.as_str() {
                Some(text) => text.to_string(),
                None => serde_json::to_string(body)
                    .map_err(|e| ModuleError::failed(format!("body is not JSON: {e}")))?,
            };
            (text.into_bytes(), Some("application/json"))
        }
        "form-urlencoded" => (
            form_urlencode(body)?.into_bytes(),
            Some("application/x-www-form-urlencoded"),
        ),
        other => {
            return Err(ModuleError::failed(format!(
                "body_format must be one of raw, json, form-urlencoded, got {other:?}"
            )));
        }
    };
    let has_type = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    if let (Some(content_type), false) = (content_type, has_type) {
        headers.push(("Content-Type".into(), content_type.into()));
    }
    Ok(bytes)
}

fn form_urlencode(body: &Value) -> Result<String, ModuleError> {
    if let Some(text) = body.as_str() {
        return Ok(text.to_string());
    }
    if body.kind() != ValueKind::Map {
        return Err(ModuleError::failed(
            "body_format form-urlencoded needs a mapping or a string body",
        ));
    }
    let pairs: Vec<String> = body
        .try_iter()
        .map_err(|e| ModuleError::failed(e.to_string()))?
        .map(|key| {
            let value = body.get_item(&key).unwrap_or_default();
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            let name = key.as_str().map_or_else(|| key.to_string(), str::to_string);
            format!("{}={}", percent_encode(&name), percent_encode(&text))
        })
        .collect();
    Ok(pairs.join("&"))
}

/// `application/x-www-form-urlencoded` escaping (space as `+`).
fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn skip_reason(ctx: &mut ModuleContext, call: &Call) -> Result<Option<String>, ModuleError> {
    for (path, present, word) in [
        (&call.creates, true, "exists"),
        (&call.removes, false, "does not exist"),
    ] {
        if let Some(path) = path {
            let exists = ctx
                .connection()?
                .run(&format!("[ -e {} ]", shell_quote(path)), None)?
                .rc
                == 0;
            if exists == present {
                return Ok(Some(format!("skipped, since {path} {word}")));
            }
        }
    }
    Ok(None)
}

fn send(ctx: &mut ModuleContext, call: &Call) -> Result<Response, ModuleError> {
    let script = format!(
        "out=$(mktemp) && hdr=$(mktemp) && err=$(mktemp) || exit 1\ntrap 'rm -f \"$out\" \"$hdr\" \"$err\"' EXIT\n\
         meta=$({curl} 2>\"$err\"\n{secrets}); rc=$?\n\
         printf '%s %s\\n' \"$rc\" \"$meta\"\nwc -c < \"$err\"\ncat \"$err\"\nwc -c < \"$hdr\"\ncat \"$hdr\" \"$out\"",
        curl = curl_command(&call.request),
        secrets = secrets_document(&call.request, false),
    );
    let output = run_checked(
        ctx,
        &format!("requesting {}", call.request.url),
        &script,
        call.body.as_deref(),
    )?;
    parse_response(&output.stdout).ok_or_else(|| {
        ModuleError::failed(format!(
            "cannot read the response of {}: {}",
            call.request.url,
            output.stderr_text().trim()
        ))
    })
}

/// `<rc> <status> <redirects> <url>\n<n>\n<n bytes of curl errors><m>\n<m bytes of headers><body>`.
fn parse_response(stdout: &[u8]) -> Option<Response> {
    let (meta, rest) = split_line(stdout)?;
    let mut fields = meta.splitn(4, ' ');
    let curl_rc = fields.next()?.parse().ok()?;
    let status: i64 = fields.next().unwrap_or("0").parse().unwrap_or(0);
    let redirects = fields.next().unwrap_or("0").parse().unwrap_or(0);
    let effective_url = fields.next().unwrap_or_default().to_string();
    let (error, rest) = sized_block(rest)?;
    let (headers, body) = sized_block(rest)?;
    Some(Response {
        curl_rc,
        status,
        redirects,
        effective_url,
        raw_headers: String::from_utf8_lossy(headers).into_owned(),
        body: body.to_vec(),
        error: String::from_utf8_lossy(error).trim().to_string(),
    })
}

fn split_line(bytes: &[u8]) -> Option<(String, &[u8])> {
    let end = bytes.iter().position(|b| *b == b'\n')?;
    Some((
        String::from_utf8_lossy(&bytes[..end]).trim().to_string(),
        &bytes[end + 1..],
    ))
}

fn sized_block(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (size, rest) = split_line(bytes)?;
    let size: usize = size.parse().ok()?;
    (rest.len() >= size).then(|| rest.split_at(size))
}

fn describe(call: &Call, response: &Response) -> Outcome {
    let headers = parse_headers(&response.raw_headers);
    let is_json = headers
        .iter()
        .any(|(name, value)| name == "content-type" && value.contains("json"));
    let text = String::from_utf8_lossy(&response.body).into_owned();
    let status = if response.curl_rc == 0 {
        response.status
    } else {
        -1
    };
    let url = if response.effective_url.is_empty() {
        call.request.url.clone()
    } else {
        response.effective_url.clone()
    };
    let mut outcome = Outcome::ok()
        .with("status", status)
        .with("url", url)
        .with("redirected", response.redirects > 0);
    for (name, value) in &headers {
        outcome = outcome.with(&name.replace('-', "_"), value.as_str());
    }
    if is_json && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
        outcome = outcome.with("json", Value::from(minijinja::value::Serde(&json)));
    }
    let accepted = call.status_codes.contains(&status);
    if call.return_content || !accepted {
        outcome = outcome.with("content", text);
    }
    if accepted {
        return outcome.with_msg(format!("OK ({} bytes)", response.body.len()));
    }
    let codes: Vec<String> = call.status_codes.iter().map(i64::to_string).collect();
    let reason = if response.curl_rc == 0 {
        format!(
            "HTTP Error {status}: {}",
            reason_phrase(&response.raw_headers)
        )
    } else {
        format!("Request failed: {}", response.error)
    };
    outcome.failed = true;
    outcome.with_msg(format!(
        "Status code was {status} and not [{}]: {reason}",
        codes.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_framed_response() {
        let headers = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n";
        let raw = format!(
            "0 200 0 http://h/x\n0\n{}\n{headers}{{\"a\": 1}}",
            headers.len()
        );
        let response = parse_response(raw.as_bytes()).expect("parses");
        assert_eq!((response.curl_rc, response.status), (0, 200));
        assert_eq!(response.body, b"{\"a\": 1}");
        assert!(parse_response(b"0 200 0 u\n5\nab").is_none());
    }

    #[test]
    fn form_bodies_are_url_encoded() {
        let body = Value::from(minijinja::value::Serde(
            serde_json::json!({"name": "a b", "x": "&="}),
        ));
        assert_eq!(form_urlencode(&body).expect("encodes"), "name=a+b&x=%26%3D");
    }

    proptest::proptest! {
        #[test]
        fn response_parsing_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = parse_response(&bytes);
        }
    }
}
