//! HTTP requests made *on the host* with `curl` (or `wget` for plain
//! downloads), shared by `get_url` and `uri`: the command line for a
//! request and the parsing of what comes back.

use crate::connection::shell_quote;
use crate::value::Value;

/// One request, as the task describes it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub timeout: u64,
    pub validate_certs: bool,
    pub follow_redirects: bool,
    pub credentials: Option<(String, String)>,
    /// The body is fed through stdin (`--data-binary @-`).
    pub has_body: bool,
    /// A file on the host whose modification time is sent as
    /// `If-Modified-Since` (curl's `-z`), as Ansible's uri does for `dest`.
    pub modified_since: Option<String>,
}

/// Where curl and wget find credentials and headers: a here-document on fd
/// 3, so a password or token never sits in their argv (`ps` shows it to
/// every user). The document's lines are [`secrets_document`].
const SECRETS_FD: &str = "/dev/fd/3";
const SECRETS_END: &str = "RUNBOOK_HTTP_SECRETS";

/// A `curl` command writing the body to `"$out"` and the response headers
/// to `"$hdr"`, printing `<status> <redirects> <final url>` on stdout. When
/// the request has credentials or headers, the command ends in a
/// here-document: [`secrets_document`] must follow on the next line.
pub(crate) fn curl_command(request: &Request) -> String {
    let mut words = vec![
        "curl".to_string(),
        "-sS".into(),
        "--max-time".into(),
        request.timeout.to_string(),
    ];
    if request.follow_redirects {
        words.push("-L".into());
    }
    if !request.validate_certs {
        words.push("-k".into());
    }
    if !request.method.is_empty() && request.method != "GET" {
        words.extend(["-X".into(), shell_quote(&request.method)]);
    }
    if has_secrets(request) {
        words.extend(["-K".into(), SECRETS_FD.into()]);
    }
    if request.has_body {
        words.extend(["--data-binary".into(), "@-".into()]);
    }
    if let Some(path) = &request.modified_since {
        words.extend(["-z".into(), shell_quote(path)]);
    }
    words.extend([
        "-D".into(),
        "\"$hdr\"".into(),
        "-o".into(),
        "\"$out\"".into(),
        "-w".into(),
        "'%{http_code} %{num_redirects} %{url_effective}'".into(),
        "--".into(),
        shell_quote(&request.url),
    ]);
    if has_secrets(request) {
        words.push(format!("3<<'{SECRETS_END}'"));
    }
    words.join(" ")
}

fn has_secrets(request: &Request) -> bool {
    request.credentials.is_some() || !request.headers.is_empty()
}

/// The here-document [`curl_command`] or [`wget_command`] reads (empty
/// without credentials or headers), ending with its delimiter line. curl
/// and wget read different syntaxes, so `wget` picks which.
pub(crate) fn secrets_document(request: &Request, wget: bool) -> String {
    if !has_secrets(request) {
        return String::new();
    }
    let mut lines = Vec::new();
    if let Some((user, password)) = &request.credentials {
        if wget {
            lines.push(format!("user = {}", one_line(user)));
            lines.push(format!("password = {}", one_line(password)));
        } else {
            lines.push(format!(
                "user = {}",
                curl_quoted(&format!("{user}:{password}"))
            ));
        }
    }
    for (name, value) in &request.headers {
        let header = format!("{name}: {value}");
        lines.push(match wget {
            true => format!("header = {}", one_line(&header)),
            false => format!("header = {}", curl_quoted(&header)),
        });
    }
    lines.push(SECRETS_END.to_string());
    lines.join("\n") + "\n"
}

/// A curl config value: double-quoted, with its escapes.
fn curl_quoted(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A wgetrc value runs to the end of its line; a line break cannot be said.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// A `wget` command writing the body to `"$out"`; the status lands in `"$hdr"`
/// (its server response log), read back by [`wget_status_line`].
pub(crate) fn wget_command(request: &Request) -> String {
    let mut words = vec![
        "wget".to_string(),
        "-q".into(),
        "-S".into(),
        "-T".into(),
        request.timeout.to_string(),
    ];
    if !request.validate_certs {
        words.push("--no-check-certificate".into());
    }
    if !request.follow_redirects {
        words.push("--max-redirect=0".into());
    }
    if has_secrets(request) {
        words.push(format!("--config={SECRETS_FD}"));
    }
    words.extend([
        "-O".into(),
        "\"$out\"".into(),
        "--".into(),
        shell_quote(&request.url),
        "2>\"$hdr\"".into(),
    ]);
    if has_secrets(request) {
        words.push(format!("3<<'{SECRETS_END}'"));
    }
    words.join(" ")
}

/// Shell that prints the last HTTP status found in wget's `-S` log.
pub(crate) fn wget_status_line() -> &'static str {
    "sed -n 's/^ *HTTP\\/[0-9.]* \\([0-9][0-9][0-9]\\).*/\\1/p' \"$hdr\" | tail -n 1"
}

/// The headers of the final response (after redirects), names lower-cased.
pub(crate) fn parse_headers(raw: &str) -> Vec<(String, String)> {
    let last_block = raw
        .split("\r\n\r\n")
        .flat_map(|block| block.split("\n\n"))
        .filter(|block| block.trim_start().starts_with("HTTP/"))
        .last()
        .unwrap_or_default();
    last_block
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect()
}

/// The reason phrase of the final response's status line (`OK`, `Not Found`).
pub(crate) fn reason_phrase(raw: &str) -> String {
    raw.lines()
        .rfind(|line| line.starts_with("HTTP/"))
        .and_then(|line| line.splitn(3, ' ').nth(2))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// `headers:` as a mapping (`{Accept: text/plain}`) or Ansible's old
/// `"Name:value,Name:value"` string.
pub(crate) fn headers_arg(value: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if let Some(text) = value.as_str() {
        return text
            .split(',')
            .filter(|pair| !pair.trim().is_empty())
            .map(|pair| {
                pair.split_once(':')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .ok_or_else(|| format!("header {pair:?} is not `Name: value`"))
            })
            .collect();
    }
    let keys = value
        .try_iter()
        .map_err(|_| format!("headers must be a mapping, got {value}"))?;
    keys.map(|key| {
        let item = value
            .get_item(&key)
            .map_err(|e| format!("header {key}: {e}"))?;
        let text = item
            .as_str()
            .map_or_else(|| item.to_string(), str::to_string);
        let name = key.as_str().map_or_else(|| key.to_string(), str::to_string);
        Ok((name, text))
    })
    .collect()
}

/// `sh` that downloads `url` on the host with curl (or wget) into a
/// temporary file named by `"$VAR"`, removed when the script exits; its
/// status is the download's.
pub(crate) fn download_to_temp(var: &str, url: &str, validate_certs: bool) -> String {
    let quoted = shell_quote(url);
    let (curl_insecure, wget_insecure) = if validate_certs {
        ("", "")
    } else {
        (" -k", " --no-check-certificate")
    };
    format!(
        "{var}=$(mktemp) || exit 1\ntrap 'rm -f \"${var}\"' EXIT\n\
         if command -v curl >/dev/null 2>&1; then curl -fsSL{curl_insecure} -o \"${var}\" -- {quoted}\n\
         elif command -v wget >/dev/null 2>&1; then wget -q{wget_insecure} -O \"${var}\" -- {quoted}\n\
         else echo 'neither curl nor wget is installed' >&2; false; fi"
    )
}

/// `url` without a password in it, as Ansible's `mask_url` prints it.
pub(crate) fn masked(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((credentials, host)) if !credentials.contains('/') => {
                let user = credentials.split(':').next().unwrap_or("");
                format!("{scheme}://{user}:********@{host}")
            }
            _ => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_response_headers_after_a_redirect() {
        let raw = "HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: application/json\r\nX-Thing: a:b\r\n\r\n";
        assert_eq!(
            parse_headers(raw),
            vec![
                ("content-type".to_string(), "application/json".to_string()),
                ("x-thing".to_string(), "a:b".to_string()),
            ]
        );
        assert_eq!(reason_phrase(raw), "OK");
    }

    #[test]
    fn headers_from_a_mapping_or_a_string() {
        let map = Value::from(minijinja::value::Serde(
            serde_json::json!({"Accept": "text/plain", "X-N": 3}),
        ));
        assert_eq!(
            headers_arg(Some(&map)),
            Ok(vec![
                ("Accept".into(), "text/plain".into()),
                ("X-N".into(), "3".into())
            ])
        );
        assert_eq!(
            headers_arg(Some(&Value::from("A:1, B: two"))),
            Ok(vec![("A".into(), "1".into()), ("B".into(), "two".into())])
        );
        assert!(headers_arg(Some(&Value::from("nocolon"))).is_err());
    }

    #[test]
    fn user_text_is_quoted_in_commands() {
        let request = Request {
            url: "http://h/x?a=$(id)".into(),
            headers: vec![("X".into(), "'; rm -rf /".into())],
            timeout: 5,
            validate_certs: true,
            ..Request::default()
        };
        let command = curl_command(&request);
        assert!(command.contains("'http://h/x?a=$(id)'"), "{command}");
        assert!(
            !command.contains("rm -rf"),
            "headers are not arguments: {command}"
        );
        assert_eq!(
            secrets_document(&request, false),
            "header = \"X: '; rm -rf /\"\nRUNBOOK_HTTP_SECRETS\n"
        );
    }

    #[test]
    fn credentials_travel_in_a_document_not_in_argv() {
        let request = Request {
            url: "http://h/".into(),
            credentials: Some(("u".into(), "p\"w\\x\ny".into())),
            ..Request::default()
        };
        for command in [curl_command(&request), wget_command(&request)] {
            assert!(!command.contains("p\""), "{command}");
            assert!(command.ends_with("3<<'RUNBOOK_HTTP_SECRETS'"), "{command}");
        }
        assert_eq!(
            secrets_document(&request, false),
            "user = \"u:p\\\"w\\\\x\\ny\"\nRUNBOOK_HTTP_SECRETS\n"
        );
        assert_eq!(
            secrets_document(&request, true),
            "user = u\npassword = p\"w\\x y\nRUNBOOK_HTTP_SECRETS\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn header_parsing_never_panics(text in "\\PC{0,60}") {
            let _ = parse_headers(&text);
            let _ = reason_phrase(&text);
            let _ = headers_arg(Some(&Value::from(text)));
        }
    }
}
