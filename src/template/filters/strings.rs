//! Ansible's remaining string filters: `comment`, `split`, `to_uuid`,
//! `md5`, `sha1`, `urldecode`, `urlsplit`, `expandvars` and
//! `from_yaml_all`.

use std::sync::{Arc, LazyLock};

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error};

use super::{failure, text_of};
use crate::source::SourceFile;
use crate::value::{Value, map_from_pairs};

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("comment", comment);
    env.add_filter("split", split);
    env.add_filter("to_uuid", to_uuid);
    env.add_filter("md5", md5);
    env.add_filter("sha1", sha1);
    env.add_filter("urldecode", urldecode);
    env.add_filter("urlsplit", urlsplit);
    env.add_filter("expandvars", expandvars);
    env.add_filter("from_yaml_all", from_yaml_all);
}

/// `comment(style='plain', **overrides)`: the text as a comment block.
fn comment(value: &Value, style: Option<String>, kwargs: Kwargs) -> Result<String, Error> {
    let text = text_of(value)?;
    let style = style.unwrap_or_else(|| "plain".into());
    let (beginning, decoration, end) = match style.as_str() {
        "plain" => ("", "# ", ""),
        "erlang" => ("", "% ", ""),
        "c" => ("", "// ", ""),
        "cblock" => ("/*", " * ", " */"),
        "xml" => ("<!--", " - ", "-->"),
        _ => {
            return Err(failure(format!(
                "Invalid style '{style}'. Available styles: plain, erlang, c, cblock, xml"
            )));
        }
    };
    let option = |name: &str| -> Result<Option<String>, Error> {
        Ok(kwargs
            .get::<Option<Value>>(name)?
            .map(|v| crate::value::text(&v)))
    };
    let prepostfix = option("decoration")?.unwrap_or_else(|| decoration.to_string());
    let newline = option("newline")?.unwrap_or_else(|| "\n".into());
    let beginning = option("beginning")?.unwrap_or_else(|| beginning.into());
    // The style's own decoration wins over the one from `decoration=`
    // only when the style defines one (Ansible updates defaults with it).
    let decoration = option("decoration")?.unwrap_or_else(|| decoration.to_string());
    let prefix = option("prefix")?.unwrap_or_else(|| prepostfix.trim_end().to_string());
    let postfix = option("postfix")?.unwrap_or_else(|| prepostfix.trim_end().to_string());
    let count = |name: &str| -> Result<usize, Error> {
        Ok(match kwargs.get::<Option<Value>>(name)? {
            Some(v) => crate::value::text(&v)
                .parse()
                .map_err(|_| failure(format!("{name} must be an integer")))?,
            None => 1,
        })
    };
    let prefix_count = count("prefix_count")?;
    let postfix_count = count("postfix_count")?;
    let end = option("end")?.unwrap_or_else(|| end.into());
    kwargs.assert_all_used()?;

    let mut out = String::new();
    if !beginning.is_empty() {
        out.push_str(&beginning);
        out.push_str(&newline);
    }
    if !prefix.is_empty() {
        let one = if prefix == newline {
            newline.clone()
        } else {
            format!("{prefix}{newline}")
        };
        out.push_str(&one.repeat(prefix_count));
    }
    let body = format!(
        "{decoration}{}",
        text.replace(&newline, &format!("{newline}{decoration}"))
    )
    .replace(
        &format!("{decoration}{newline}"),
        &format!("{}{newline}", decoration.trim_end()),
    );
    out.push_str(&body);
    for _ in 0..postfix_count {
        out.push_str(&newline);
        out.push_str(&postfix);
    }
    if !end.is_empty() {
        out.push_str(&newline);
        out.push_str(&end);
    }
    Ok(out)
}

/// Python's `str.split(sep=None, maxsplit=-1)`.
fn split(value: &Value, sep: Option<Value>, maxsplit: Option<i64>) -> Result<Value, Error> {
    let text = text_of(value)?;
    let limit = maxsplit.filter(|m| *m >= 0).map(|m| m as usize);
    let parts: Vec<String> = match sep.filter(|s| !s.is_none()) {
        None => {
            let mut parts = Vec::new();
            let mut rest = text.trim_start();
            while !rest.is_empty() {
                if limit.is_some_and(|l| parts.len() == l) {
                    parts.push(rest.trim_end().to_string());
                    break;
                }
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                parts.push(rest[..end].to_string());
                rest = rest[end..].trim_start();
            }
            parts
        }
        Some(sep) => {
            let sep = crate::value::text(&sep);
            if sep.is_empty() {
                return Err(failure("empty separator"));
            }
            match limit {
                Some(l) => text
                    .splitn(l + 1, sep.as_str())
                    .map(str::to_string)
                    .collect(),
                None => text.split(sep.as_str()).map(str::to_string).collect(),
            }
        }
    };
    Ok(Value::from(parts))
}

/// Ansible's namespace for `to_uuid`.
const ANSIBLE_NAMESPACE: &str = "361E6D51-FAEC-444A-9079-341386DA8E2E";

/// `to_uuid(namespace=…)`: the name-based (SHA-1, version 5) UUID.
fn to_uuid(value: &Value, namespace: Option<String>) -> Result<String, Error> {
    use sha1::Digest;
    let name = text_of(value)?;
    let namespace = namespace.unwrap_or_else(|| ANSIBLE_NAMESPACE.to_string());
    let hex_digits: String = namespace
        .trim_start_matches("urn:uuid:")
        .trim_matches(['{', '}'])
        .chars()
        .filter(|c| *c != '-')
        .collect();
    let bytes = hex::decode(&hex_digits)
        .ok()
        .filter(|b| b.len() == 16)
        .ok_or_else(|| {
            failure(format!(
                "Invalid value '{namespace}' for 'namespace': badly formed hexadecimal UUID string"
            ))
        })?;
    let mut hasher = sha1::Sha1::new();
    hasher.update(&bytes);
    hasher.update(name.as_bytes());
    let digest = hasher.finalize();
    let mut uuid = [0u8; 16];
    uuid.copy_from_slice(&digest[..16]);
    uuid[6] = (uuid[6] & 0x0f) | 0x50;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
    let hex = hex::encode(uuid);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

fn md5(value: &Value) -> Result<String, Error> {
    use md5::Digest;
    Ok(hex::encode(md5::Md5::digest(text_of(value)?.as_bytes())))
}

fn sha1(value: &Value) -> Result<String, Error> {
    use sha1::Digest;
    Ok(hex::encode(sha1::Sha1::digest(text_of(value)?.as_bytes())))
}

/// Python's `unquote_plus`: `+` is a space, `%XX` a byte.
fn urldecode(value: &Value) -> Result<String, Error> {
    let text = text_of(value)?.replace('+', " ");
    Ok(percent_decode(&text))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parts of a URL as Python's `urlsplit` names them.
pub(crate) struct UrlParts {
    scheme: String,
    netloc: String,
    path: String,
    query: String,
    fragment: String,
}

impl UrlParts {
    pub(crate) fn parse(url: &str) -> Self {
        let mut rest = url;
        let mut scheme = String::new();
        if let Some(colon) = rest.find(':') {
            let candidate = &rest[..colon];
            let valid = candidate
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && candidate
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if valid {
                scheme = candidate.to_ascii_lowercase();
                rest = &rest[colon + 1..];
            }
        }
        let mut netloc = String::new();
        if let Some(after) = rest.strip_prefix("//") {
            let end = after.find(['/', '?', '#']).unwrap_or(after.len());
            netloc = after[..end].to_string();
            rest = &after[end..];
        }
        let (rest, fragment) = match rest.split_once('#') {
            Some((rest, fragment)) => (rest, fragment.to_string()),
            None => (rest, String::new()),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path.to_string(), query.to_string()),
            None => (rest.to_string(), String::new()),
        };
        Self {
            scheme,
            netloc,
            path,
            query,
            fragment,
        }
    }

    pub(crate) fn scheme(&self) -> &str {
        &self.scheme
    }

    pub(crate) fn netloc(&self) -> &str {
        &self.netloc
    }

    fn user_info(&self) -> Option<&str> {
        self.netloc.rsplit_once('@').map(|(info, _)| info)
    }

    fn host_port(&self) -> &str {
        self.netloc
            .rsplit_once('@')
            .map_or(self.netloc.as_str(), |(_, host)| host)
    }

    fn hostname(&self) -> Value {
        let host = self.host_port();
        let name = if let Some(inner) = host.strip_prefix('[') {
            inner.split(']').next().unwrap_or_default()
        } else {
            host.split(':').next().unwrap_or_default()
        };
        if name.is_empty() {
            Value::from(())
        } else {
            Value::from(name.to_lowercase())
        }
    }

    fn port(&self) -> Result<Value, String> {
        let host = self.host_port();
        let after = match host.strip_prefix('[') {
            Some(inner) => inner.split_once(']').map_or("", |(_, rest)| rest),
            None => host,
        };
        match after.rsplit_once(':') {
            Some((_, port)) if !port.is_empty() => port
                .parse::<u16>()
                .map(Value::from)
                .map_err(|_| format!("Port could not be cast to integer value as '{port}'")),
            _ => Ok(Value::from(())),
        }
    }

    fn fields(&self) -> Result<Vec<(&'static str, Value)>, String> {
        let info = self.user_info();
        let username = info.map(|i| i.split(':').next().unwrap_or_default().to_string());
        let password = info.and_then(|i| i.split_once(':').map(|(_, p)| p.to_string()));
        let optional = |v: Option<String>| v.map_or(Value::from(()), Value::from);
        Ok(vec![
            ("fragment", Value::from(self.fragment.as_str())),
            ("hostname", self.hostname()),
            ("netloc", Value::from(self.netloc.as_str())),
            ("password", optional(password)),
            ("path", Value::from(self.path.as_str())),
            ("port", self.port()?),
            ("query", Value::from(self.query.as_str())),
            ("scheme", Value::from(self.scheme.as_str())),
            ("username", optional(username)),
        ])
    }
}

/// `urlsplit(query='')`: every part as a dict, or the one asked for.
fn urlsplit(value: &Value, query: Option<String>) -> Result<Value, Error> {
    let url = text_of(value)?;
    let fields = UrlParts::parse(&url).fields().map_err(failure)?;
    match query.filter(|q| !q.is_empty()) {
        None => Ok(map_from_pairs(fields)),
        Some(query) => fields
            .into_iter()
            .find(|(name, _)| *name == query)
            .map(|(_, value)| value)
            .ok_or_else(|| failure(format!("urlsplit: unknown URL component: {query}"))),
    }
}

/// Python's `os.path.expandvars`: `$NAME` and `${NAME}` from the
/// controller's environment; unknown names stay as written.
fn expandvars(value: &Value) -> Result<String, Error> {
    let text = text_of(value)?;
    static PATTERN: LazyLock<Result<regex::Regex, regex::Error>> =
        LazyLock::new(|| regex::Regex::new(r"\$(\w+|\{[^}]*\})"));
    let pattern = PATTERN.as_ref().map_err(|e| failure(e.to_string()))?;
    Ok(pattern
        .replace_all(&text, |caps: &regex::Captures| {
            let whole = caps.get(0).map_or("", |m| m.as_str());
            let name = caps
                .get(1)
                .map_or("", |m| m.as_str())
                .trim_start_matches('{')
                .trim_end_matches('}');
            std::env::var(name).unwrap_or_else(|_| whole.to_string())
        })
        .into_owned())
}

/// `from_yaml_all`: every document of a YAML stream.
fn from_yaml_all(value: &Value) -> Result<Value, Error> {
    if value.is_none() {
        return Ok(Value::from(Vec::<Value>::new()));
    }
    if value.kind() != ValueKind::String {
        return Ok(value.clone());
    }
    let text = text_of(value)?;
    let mut documents: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line == "---" || line.starts_with("--- ") {
            if let Some(doc) = current.take() {
                documents.push(doc);
            }
            current = Some(line.strip_prefix("---").unwrap_or_default().to_string() + "\n");
        } else if line == "..." {
            if let Some(doc) = current.take() {
                documents.push(doc);
            }
        } else {
            current
                .get_or_insert_with(String::new)
                .push_str(&format!("{line}\n"));
        }
    }
    if let Some(doc) = current.filter(|doc| !doc.trim().is_empty() || !documents.is_empty()) {
        documents.push(doc);
    }
    let mut out = Vec::new();
    for document in documents {
        let file: Arc<SourceFile> = SourceFile::new("<from_yaml_all>", document);
        let node = crate::yaml::parse_str(file)
            .map_err(|diag| failure(format!("from_yaml_all: {}", diag.message)))?;
        out.push(node.to_value());
    }
    Ok(Value::from(out))
}
