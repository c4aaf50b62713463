//! `password_hash`: SHA-crypt hashes (`$6$…` and `$5$…`) as passlib writes
//! them for Ansible; md5_crypt and bcrypt are refused by name.

use minijinja::value::Kwargs;
use minijinja::{Environment, Error};

use super::{failure, text_of};
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("password_hash", password_hash);
}

/// The characters of crypt's base64 alphabet, also those of a salt.
const CRYPT_ALPHABET: &[u8; 64] =
    b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[derive(Clone, Copy, PartialEq)]
enum Scheme {
    Sha256,
    Sha512,
}

impl Scheme {
    fn id(self) -> &'static str {
        match self {
            Scheme::Sha256 => "5",
            Scheme::Sha512 => "6",
        }
    }

    /// passlib's default rounds (what Ansible gets when none are given).
    fn default_rounds(self) -> u32 {
        match self {
            Scheme::Sha256 => 535_000,
            Scheme::Sha512 => 656_000,
        }
    }
}

/// `password_hash(hashtype='sha512', salt=None, salt_size=None, rounds=None, ident=None)`.
fn password_hash(
    value: &Value,
    hashtype: Option<String>,
    salt: Option<Value>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let password = text_of(value)?;
    let hashtype = hashtype.unwrap_or_else(|| "sha512".into());
    let salt = match salt {
        Some(s) => Some(s),
        None => kwargs.get::<Option<Value>>("salt")?,
    }
    .filter(|s| !s.is_none())
    .map(|s| crate::value::text(&s));
    let salt_size = kwargs.get::<Option<usize>>("salt_size")?;
    let rounds = kwargs.get::<Option<u32>>("rounds")?;
    let ident = kwargs.get::<Option<Value>>("ident")?;
    kwargs.assert_all_used()?;
    let scheme = match hashtype.as_str() {
        "sha512" | "sha512_crypt" => Scheme::Sha512,
        "sha256" | "sha256_crypt" => Scheme::Sha256,
        "md5" | "md5_crypt" | "blowfish" | "bcrypt" => {
            return Err(failure(format!(
                "password_hash: the {hashtype} hash is not supported by runbook (use sha512 or sha256)"
            )));
        }
        other => {
            return Err(failure(format!(
                "{other} is not in the list of supported passlib algorithms: md5, blowfish, sha256, sha512"
            )));
        }
    };
    if ident.is_some_and(|i| !i.is_none()) {
        return Err(failure("password_hash: ident only applies to bcrypt"));
    }
    let salt = match salt {
        Some(salt) => salt,
        None => random_salt(salt_size.unwrap_or(16)),
    };
    sha_crypt_hash(
        scheme,
        &password,
        &salt,
        rounds.unwrap_or(scheme.default_rounds()),
    )
    .map_err(failure)
}

fn random_salt(length: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..length)
        .map(|_| CRYPT_ALPHABET[rng.random_range(0..CRYPT_ALPHABET.len())] as char)
        .collect()
}

fn sha_crypt_hash(
    scheme: Scheme,
    password: &str,
    salt: &str,
    rounds: u32,
) -> Result<String, String> {
    if salt.len() > 16 || !salt.bytes().all(|b| CRYPT_ALPHABET.contains(&b)) {
        return Err(format!(
            "invalid salt {salt:?}: at most 16 characters of [./0-9A-Za-z]"
        ));
    }
    let params = sha_crypt::Params::new(rounds)
        .map_err(|_| format!("rounds must be between 1000 and 999999999, not {rounds}"))?;
    let encoded = match scheme {
        Scheme::Sha512 => {
            let raw = sha_crypt::sha512_crypt(password.as_bytes(), salt.as_bytes(), params);
            encode(&raw, &SHA512_ORDER, 2)
        }
        Scheme::Sha256 => {
            let raw = sha_crypt::sha256_crypt(password.as_bytes(), salt.as_bytes(), params);
            encode(&raw, &SHA256_ORDER, 3)
        }
    };
    let rounds_field = if rounds == 5000 {
        String::new()
    } else {
        format!("rounds={rounds}$")
    };
    Ok(format!("${}${rounds_field}{salt}${encoded}", scheme.id()))
}

/// The byte triples crypt encodes, in its order; the last group is short.
const SHA512_ORDER: [[usize; 3]; 22] = [
    [0, 21, 42],
    [22, 43, 1],
    [44, 2, 23],
    [3, 24, 45],
    [25, 46, 4],
    [47, 5, 26],
    [6, 27, 48],
    [28, 49, 7],
    [50, 8, 29],
    [9, 30, 51],
    [31, 52, 10],
    [53, 11, 32],
    [12, 33, 54],
    [34, 55, 13],
    [56, 14, 35],
    [15, 36, 57],
    [37, 58, 16],
    [59, 17, 38],
    [18, 39, 60],
    [40, 61, 19],
    [62, 20, 41],
    [usize::MAX, usize::MAX, 63],
];

const SHA256_ORDER: [[usize; 3]; 11] = [
    [0, 10, 20],
    [21, 1, 11],
    [12, 22, 2],
    [3, 13, 23],
    [24, 4, 14],
    [15, 25, 5],
    [6, 16, 26],
    [27, 7, 17],
    [18, 28, 8],
    [9, 19, 29],
    [usize::MAX, 31, 30],
];

/// crypt's base64: each triple as a 24-bit number, six bits at a time from
/// the low end; the last group gives only `last_chars` characters.
fn encode(raw: &[u8], order: &[[usize; 3]], last_chars: usize) -> String {
    let byte = |i: usize| u32::from(raw.get(i).copied().unwrap_or(0));
    let mut out = String::new();
    for (index, [b2, b1, b0]) in order.iter().enumerate() {
        let mut word = (byte(*b2) << 16) | (byte(*b1) << 8) | byte(*b0);
        let chars = if index + 1 == order.len() {
            last_chars
        } else {
            4
        };
        for _ in 0..chars {
            out.push(CRYPT_ALPHABET[(word & 0x3f) as usize] as char);
            word >>= 6;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from `openssl passwd -6 -salt saltsalt secret` (and -5).
    #[test]
    fn hashes_match_crypt() {
        assert_eq!(
            sha_crypt_hash(Scheme::Sha512, "secret", "saltsalt", 5000).as_deref(),
            Ok(
                "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"
            )
        );
        assert_eq!(
            sha_crypt_hash(Scheme::Sha256, "secret", "saltsalt", 5000).as_deref(),
            Ok("$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA")
        );
        let hashed = sha_crypt_hash(Scheme::Sha512, "secret", "abc", 656_000).expect("hash");
        assert!(hashed.starts_with("$6$rounds=656000$abc$"), "{hashed}");
        assert!(sha_crypt_hash(Scheme::Sha512, "x", "bad salt", 5000).is_err());
    }
}
