//! The login arguments every community.mysql module takes, and the option
//! file they become: the password travels in that file (written 0600 on the
//! host, removed after), never in argv or the environment.

use crate::modules::spec::ArgGroup;
use crate::modules::{Args, ModuleError};

/// community.mysql's `mysql_common_argument_spec`.
pub(crate) static LOGIN_ARGS: ArgGroup = ArgGroup {
    names: &[
        "login_user",
        "login_password",
        "login_host",
        "login_port",
        "login_unix_socket",
        "config_file",
        "connect_timeout",
        "client_cert",
        "client_key",
        "ca_cert",
        "check_hostname",
    ],
    aliases: &[
        ("ssl_cert", "client_cert"),
        ("ssl_key", "client_key"),
        ("ssl_ca", "ca_cert"),
    ],
};

/// How to reach the server, as the task gave it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Login {
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub socket: Option<String>,
    /// Read first when it exists on the host (`~/` is the login user's home).
    pub config_file: String,
    pub connect_timeout: u64,
    pub ca_cert: Option<String>,
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
    pub check_hostname: Option<bool>,
}

impl Login {
    pub(crate) fn from_args(args: &Args) -> Result<Self, ModuleError> {
        let port = match args.f64("login_port")? {
            None => None,
            Some(port) if port.fract() == 0.0 && (0.0..=65535.0).contains(&port) => {
                Some(port as u16)
            }
            Some(_) => {
                return Err(ModuleError::failed(
                    "login_port must be a valid unix port number (0-65535)",
                ));
            }
        };
        let connect_timeout = match args.f64("connect_timeout")? {
            None => 30,
            Some(seconds) if seconds >= 0.0 && seconds.fract() == 0.0 => seconds as u64,
            Some(_) => {
                return Err(ModuleError::failed(
                    "argument `connect_timeout`: expected a whole number of seconds",
                ));
            }
        };
        let login = Self {
            user: args.str("login_user")?,
            password: args.str("login_password")?,
            host: args.str("login_host")?,
            port,
            socket: args.str("login_unix_socket")?,
            config_file: args
                .str("config_file")?
                .unwrap_or_else(|| "~/.my.cnf".into()),
            connect_timeout,
            ca_cert: args.str("ca_cert")?,
            client_cert: args.str("client_cert")?,
            client_key: args.str("client_key")?,
            check_hostname: args
                .get("check_hostname")
                .is_some()
                .then(|| args.bool("check_hostname", false))
                .transpose()?,
        };
        login.check()?;
        Ok(login)
    }

    /// The same server as root without a password (`check_implicit_admin`).
    pub(crate) fn implicit_admin(&self) -> Self {
        Self {
            user: Some("root".into()),
            password: Some(String::new()),
            ..self.clone()
        }
    }

    /// Option files cannot carry these characters in a value.
    fn check(&self) -> Result<(), ModuleError> {
        let fields = [
            ("login_user", &self.user),
            ("login_password", &self.password),
            ("login_host", &self.host),
            ("login_unix_socket", &self.socket),
            ("ca_cert", &self.ca_cert),
            ("client_cert", &self.client_cert),
            ("client_key", &self.client_key),
        ];
        for (name, value) in fields {
            if value
                .as_deref()
                .is_some_and(|v| v.contains(['\0', '\n', '\r']))
            {
                return Err(ModuleError::failed(format!(
                    "{name} cannot contain a NUL byte or a line break"
                )));
            }
        }
        if self.config_file.contains(['\0', '\n', '\r']) {
            return Err(ModuleError::failed(
                "config_file cannot contain a NUL byte or a line break",
            ));
        }
        Ok(())
    }

    /// The `[client]` group that follows the task's `config_file` in the
    /// option file the client reads: what the task gives explicitly wins.
    /// As community.mysql does through PyMySQL, a port or a host other than
    /// `localhost` means TCP; a socket means the socket.
    pub(crate) fn option_group(&self) -> String {
        let mut lines = vec!["[client]".to_string()];
        let mut set =
            |name: &str, value: &str| lines.push(format!("{name}={}", option_value(value)));
        if let Some(user) = &self.user {
            set("user", user);
        }
        if let Some(password) = &self.password {
            set("password", password);
        }
        if let Some(socket) = &self.socket {
            set("socket", socket);
            set("protocol", "SOCKET");
        } else {
            let host = self.host.as_deref();
            if let Some(host) = host {
                set("host", host);
            }
            if let Some(port) = self.port {
                set("port", &port.to_string());
            }
            if self.port.is_some() || host.is_some_and(|h| h != "localhost") {
                set("protocol", "TCP");
            }
        }
        for (name, value) in [
            ("ssl-ca", &self.ca_cert),
            ("ssl-cert", &self.client_cert),
            ("ssl-key", &self.client_key),
        ] {
            if let Some(value) = value {
                set(name, value);
            }
        }
        if self.check_hostname == Some(true) {
            set("ssl-verify-server-cert", "1");
        }
        // PyMySQL's default; the client's own depends on the host's locale.
        lines.push("default-character-set=utf8mb4".into());
        // Only the `mysql` client knows a connect timeout; mysqldump refuses it.
        lines.push("[mysql]".into());
        lines.push(format!("connect-timeout={}", self.connect_timeout));
        lines.push(String::new());
        lines.join("\n")
    }
}

/// A value in an option file: double-quoted, with the escapes the client's
/// option reader undoes (`\\`, `\"`).
fn option_value(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '\t' => quoted.push_str("\\t"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_port_means_tcp_and_a_socket_means_the_socket() {
        let login = Login::from_args(&Args::of(&[
            ("login_user", "app"),
            ("login_password", r#"p"w\d"#),
            ("login_host", "127.0.0.1"),
            ("login_port", "3307"),
        ]))
        .unwrap();
        assert_eq!(
            login.option_group(),
            "[client]\nuser=\"app\"\npassword=\"p\\\"w\\\\d\"\nhost=\"127.0.0.1\"\nport=\"3307\"\nprotocol=\"TCP\"\ndefault-character-set=utf8mb4\n[mysql]\nconnect-timeout=30\n"
        );
        let socket = Login::from_args(&Args::of(&[("login_unix_socket", "/run/my.sock")])).unwrap();
        assert_eq!(
            socket.option_group(),
            "[client]\nsocket=\"/run/my.sock\"\nprotocol=\"SOCKET\"\ndefault-character-set=utf8mb4\n[mysql]\nconnect-timeout=30\n"
        );
    }

    #[test]
    fn bad_ports_and_line_breaks_are_refused() {
        assert!(Login::from_args(&Args::of(&[("login_port", "70000")])).is_err());
        assert!(Login::from_args(&Args::of(&[("login_password", "a\nb")])).is_err());
    }

    proptest::proptest! {
        /// Any value stays one quoted option value: every quote and
        /// backslash inside is escaped, so nothing ends it early.
        #[test]
        fn option_values_stay_one_value(value in "[^\\n\\r\\x00]*") {
            let quoted = option_value(&value);
            let inner = &quoted[1..quoted.len() - 1];
            let mut escaped = false;
            for c in inner.chars() {
                proptest::prop_assert!(escaped || c != '"', "unescaped quote in {}", quoted);
                escaped = !escaped && c == '\\';
            }
            proptest::prop_assert!(!escaped);
            proptest::prop_assert!(!quoted.contains('\n'));
        }
    }
}
