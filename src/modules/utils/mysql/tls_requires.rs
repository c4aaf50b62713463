//! `mysql_user`'s `tls_requires`, compared as community.mysql compares it:
//! names upper-cased; `CIPHER`/`ISSUER`/`SUBJECT` make a specified
//! requirement (then `SSL`/`X509` are dropped), else `X509`, else `SSL`;
//! an empty mapping (or none) is no requirement — which resets one an
//! existing account has, as the collection does.

use std::collections::BTreeMap;

use minijinja::value::ValueKind;

use super::quote_string;
use crate::value::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TlsRequires {
    Ssl,
    X509,
    /// `CIPHER`, `ISSUER`, `SUBJECT` (and any other name given) with values.
    Specified(BTreeMap<String, String>),
}

impl TlsRequires {
    /// From the task's mapping; `None` when it asks for no requirement.
    pub(crate) fn from_arg(value: Option<&Value>) -> Result<Option<Self>, String> {
        let Some(value) = value.filter(|v| !v.is_none() && !v.is_undefined()) else {
            return Ok(None);
        };
        if value.kind() != ValueKind::Map {
            return Err(format!(
                "argument 'tls_requires' is of type {} and we were unable to convert to dict",
                value.kind()
            ));
        }
        let mut pairs = Vec::new();
        for key in value.try_iter().map_err(|e| e.to_string())? {
            let item = value.get_item(&key).map_err(|e| e.to_string())?;
            let text = if item.is_none() || item.is_undefined() {
                String::new()
            } else {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_string)
            };
            pairs.push((key.to_string(), text));
        }
        Ok(Self::sanitized(pairs))
    }

    /// What an account has, from `mysql.user`'s `ssl_type`, `ssl_cipher`,
    /// `x509_issuer` and `x509_subject`.
    pub(crate) fn from_account(
        ssl_type: &str,
        cipher: &str,
        issuer: &str,
        subject: &str,
    ) -> Option<Self> {
        let mut pairs = Vec::new();
        match ssl_type {
            "ANY" => pairs.push(("SSL".to_string(), String::new())),
            "X509" => pairs.push(("X509".to_string(), String::new())),
            _ => {}
        }
        for (name, value) in [("CIPHER", cipher), ("ISSUER", issuer), ("SUBJECT", subject)] {
            if !value.is_empty() {
                pairs.push((name.to_string(), value.to_string()));
            }
        }
        Self::sanitized(pairs)
    }

    fn sanitized(pairs: Vec<(String, String)>) -> Option<Self> {
        if pairs.is_empty() {
            return None;
        }
        let mut named: BTreeMap<String, String> = pairs
            .into_iter()
            .map(|(key, value)| (key.to_uppercase(), value))
            .collect();
        if ["CIPHER", "ISSUER", "SUBJECT"]
            .iter()
            .any(|key| named.contains_key(*key))
        {
            named.remove("SSL");
            named.remove("X509");
            return Some(Self::Specified(named));
        }
        Some(if named.contains_key("X509") {
            Self::X509
        } else {
            Self::Ssl
        })
    }
}

/// The `REQUIRE ...` clause for `wanted` (`REQUIRE NONE` for none).
pub(crate) fn require_clause(wanted: Option<&TlsRequires>) -> String {
    match wanted {
        None => "REQUIRE NONE".to_string(),
        Some(TlsRequires::Ssl) => "REQUIRE SSL".to_string(),
        Some(TlsRequires::X509) => "REQUIRE X509".to_string(),
        Some(TlsRequires::Specified(named)) => {
            let parts: Vec<String> = named
                .iter()
                .map(|(key, value)| format!("{key} {}", quote_string(value)))
                .collect();
            format!("REQUIRE {}", parts.join(" AND "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(yaml: &[(&str, Option<&str>)]) -> Option<TlsRequires> {
        let map: crate::value::VarMap = yaml
            .iter()
            .map(|(k, v)| (k.to_string(), v.map_or(Value::from(()), Value::from)))
            .collect();
        TlsRequires::from_arg(Some(&crate::value::map_value(map))).expect("valid")
    }

    #[test]
    fn requirements_read_as_community_mysql_reads_them() {
        assert_eq!(from(&[]), None);
        assert_eq!(from(&[("ssl", None)]), Some(TlsRequires::Ssl));
        assert_eq!(
            from(&[("x509", None), ("ssl", None)]),
            Some(TlsRequires::X509)
        );
        let specified = from(&[("ssl", None), ("cipher", Some("TLS_AES_256_GCM_SHA384"))]);
        assert_eq!(
            require_clause(specified.as_ref()),
            "REQUIRE CIPHER 'TLS_AES_256_GCM_SHA384'"
        );
        assert_eq!(require_clause(None), "REQUIRE NONE");
        assert_eq!(TlsRequires::from_arg(None), Ok(None));
    }

    #[test]
    fn an_account_reads_back_as_it_was_asked_for() {
        assert_eq!(TlsRequires::from_account("", "", "", ""), None);
        assert_eq!(
            TlsRequires::from_account("ANY", "", "", ""),
            Some(TlsRequires::Ssl)
        );
        assert_eq!(
            TlsRequires::from_account("X509", "", "", ""),
            Some(TlsRequires::X509)
        );
        assert_eq!(
            TlsRequires::from_account("SPECIFIED", "", "/CN=ca", "/CN=me"),
            from(&[("issuer", Some("/CN=ca")), ("SUBJECT", Some("/CN=me"))])
        );
    }
}
