//! `remote_user`, `port` and `connection` on a play or a task: how to reach
//! the host when its inventory does not say (`ansible_user`, `ansible_port`
//! and `ansible_connection` win over them, as in Ansible).

use crate::source::Diagnostic;
use crate::yaml::Node;

/// The keywords as written (they may hold templates).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectionKeywords {
    pub remote_user: Option<String>,
    pub port: Option<String>,
    pub connection: Option<String>,
}

impl ConnectionKeywords {
    pub const NAMES: &[&str] = &["remote_user", "port", "connection"];

    /// Set `keyword` from `value`; a literal that cannot work is an error here.
    pub(super) fn set(&mut self, keyword: &str, value: &Node) -> Result<(), Diagnostic> {
        let text = super::conditions::scalar(value, keyword)?;
        let template = crate::template::has_template_markers(&text);
        match keyword {
            "remote_user" => self.remote_user = Some(text),
            "port" => {
                if !template && text.trim().parse::<u16>().is_err() {
                    return Err(
                        value.error(format!("`port` must be a port number, found `{text}`"))
                    );
                }
                self.port = Some(text);
            }
            _ => {
                if !template && !CONNECTIONS.contains(&text.as_str()) {
                    return Err(value
                        .error(format!(
                            "the connection `{text}` is not supported (runbook has ssh and local)"
                        ))
                        .suggesting(&text, CONNECTIONS.iter().copied()));
                }
                self.connection = Some(text);
            }
        }
        Ok(())
    }

    /// These keywords, with `outer`'s (the play's) where these are unset.
    pub fn over(&self, outer: &Self) -> Self {
        Self {
            remote_user: self
                .remote_user
                .clone()
                .or_else(|| outer.remote_user.clone()),
            port: self.port.clone().or_else(|| outer.port.clone()),
            connection: self.connection.clone().or_else(|| outer.connection.clone()),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The inventory variable each keyword stands in for.
    pub fn as_variables(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("ansible_user", self.remote_user.as_ref()),
            ("ansible_port", self.port.as_ref()),
            ("ansible_connection", self.connection.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
    }
}

/// What `connection:` may name: runbook's two transports, under Ansible's names.
const CONNECTIONS: &[&str] = &["ssh", "smart", "paramiko", "paramiko_ssh", "local"];
