//! The `password` lookup: a random password kept in a controller file,
//! created on first use (mode 0600, directories 0700) and read back after,
//! so every run gets the same one.

use std::path::Path;
use std::sync::Mutex;

use rand::RngExt;

use super::{Options, Scope, items_of, text};
use crate::template::pyrandom::{PyRandom, Seed};
use crate::value::Value;

/// Workers render lookups in parallel; one password file is created once.
static CREATING: Mutex<()> = Mutex::new(());

const DEFAULT_LENGTH: usize = 20;
const VALID: [&str; 5] = ["length", "encrypt", "chars", "ident", "seed"];

pub(super) fn password(
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for term in terms {
        let (relpath, inline) = super::split_inline_options(&text(term));
        if let Some(unknown) = inline.keys().find(|key| !VALID.contains(&key.as_str())) {
            return Err(format!(
                "Unrecognized parameter(s) given to password lookup: {unknown}"
            ));
        }
        let mut settings = options.clone();
        settings.extend(inline);
        let params = Params::read(&settings)?;
        let path = if relpath.starts_with('/') {
            std::path::PathBuf::from(&relpath)
        } else {
            super::search::base_dir(scope).join(&relpath)
        };
        out.push(Value::from(stored_or_new(&path, &params)?));
    }
    Ok(out)
}

struct Params {
    length: usize,
    chars: Vec<char>,
    seed: Option<String>,
    encrypt: Option<String>,
}

impl Params {
    fn read(settings: &Options) -> Result<Self, String> {
        let length = match settings.get("length") {
            None => DEFAULT_LENGTH,
            Some(value) => text(value)
                .parse()
                .map_err(|_| format!("Invalid value for length: {value}"))?,
        };
        let specs: Vec<String> = match settings.get("chars") {
            None => vec!["ascii_letters".into(), "digits".into(), ".,:-_".into()],
            Some(value) if value.as_str().is_some() => split_chars(&text(value)),
            Some(value) => items_of(value).iter().map(text).collect(),
        };
        let chars: Vec<char> = specs
            .iter()
            .map(|spec| python_string_constant(spec).unwrap_or(spec))
            .collect::<String>()
            .chars()
            .filter(|c| *c != '"' && *c != '\'')
            .collect();
        if chars.is_empty() {
            return Err("the password lookup needs at least one character to choose from".into());
        }
        let encrypt = settings.get("encrypt").map(text).filter(|e| !e.is_empty());
        if let Some(scheme) = &encrypt {
            return Err(format!(
                "the password lookup's encrypt={scheme} is not supported by runbook; use the password_hash filter on the result"
            ));
        }
        Ok(Self {
            length,
            chars,
            seed: settings.get("seed").map(text),
            encrypt,
        })
    }

    fn generate(&self) -> String {
        match &self.seed {
            // Python's `Random(seed).choice`, so a seeded password is the
            // one Ansible generates.
            Some(seed) => {
                let mut random = PyRandom::new(Seed::Text(seed));
                (0..self.length)
                    .map(|_| self.chars[random.below(self.chars.len() as u64) as usize])
                    .collect()
            }
            None => {
                let mut rng = rand::rng();
                (0..self.length)
                    .map(|_| self.chars[rng.random_range(0..self.chars.len())])
                    .collect()
            }
        }
    }
}

/// `chars=ascii_letters,digits` with `,,` for a literal comma.
fn split_chars(spec: &str) -> Vec<String> {
    let mut out = Vec::new();
    if spec.contains(",,") {
        out.push(",".to_string());
    }
    out.extend(
        spec.replace(",,", ",")
            .split(',')
            .filter(|part| !part.is_empty())
            .map(str::to_string),
    );
    out
}

/// The character sets of Python's `string` module.
fn python_string_constant(name: &str) -> Option<&'static str> {
    const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
    const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    Some(match name {
        "ascii_lowercase" => LOWER,
        "ascii_uppercase" => UPPER,
        "ascii_letters" => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "digits" => "0123456789",
        "hexdigits" => "0123456789abcdefABCDEF",
        "octdigits" => "01234567",
        "punctuation" => PUNCTUATION,
        "whitespace" => " \t\n\r\x0b\x0c",
        "printable" => {
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c"
        }
        _ => return None,
    })
}

/// The password in `path` (without a stored ` salt=`), or a new one
/// written there; `/dev/null` gives a new one every time.
fn stored_or_new(path: &Path, params: &Params) -> Result<String, String> {
    if path == Path::new("/dev/null") {
        return Ok(params.generate());
    }
    let _creating = CREATING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if path.exists() {
        let content = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let content = content.trim_end();
        let password = content.rfind(" salt=").map_or(content, |at| &content[..at]);
        return Ok(password.to_string());
    }
    let password = params.generate();
    debug_assert!(params.encrypt.is_none());
    write_private(path, &password).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(password)
}

fn write_private(path: &Path, password: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(format!("{password}\n").as_bytes())
}
