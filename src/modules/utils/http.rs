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
}

/// A `curl` command writing the body to `"$out"` and the response headers
/// to `"$hdr"`, printing `<status> <redirects> <final url>` on stdout.
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
    if let Some((user, password)) = &request.credentials {
        words.extend(["-u".into(), shell_quote(&format!("{user}:{password}"))]);
    }
    for (name, value) in &request.headers {
        words.extend(["-H".into(), shell_quote(&format!("{name}: {value}"))]);
    }
    if request.has_body {
        words.extend(["--data-binary".into(), "@-".into()]);
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
    words.join(" ")
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
    if let Some((user, password)) = &request.credentials {
        words.push(shell_quote(&format!("--user={user}")));
        words.push(shell_quote(&format!("--password={password}")));
    }
    for (name, value) in &request.headers {
        words.push(shell_quote(&format!("--header={name}: {value}")));
    }
    words.extend([
        "-O".into(),
        "\"$out\"".into(),
        "--".into(),
        shell_quote(&request.url),
        "2>\"$hdr\"".into(),
    ]);
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
        assert!(command.contains("'X: '\\''; rm -rf /'"), "{command}");
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
