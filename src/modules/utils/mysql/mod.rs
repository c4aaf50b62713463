//! What the `mysql_*` modules share (community.mysql's `module_utils`):
//! the login arguments, a client session that never puts a password in a
//! command line or an environment, SQL quoting, and readers for what the
//! `mysql` client prints.

mod grants;
mod login;
mod quote;
mod session;
mod tls_requires;
mod xml;

pub(crate) use grants::{
    Grants, PrivilegeSpec, grants_from_lines, names_of, parse_priv, split_priv_string,
};
pub(crate) use login::{LOGIN_ARGS, Login};
pub(crate) use quote::{QueryArgs, format_query, quote_identifier, quote_string};
pub(crate) use session::{ServerVersion, Session, Tool};
pub(crate) use tls_requires::{TlsRequires, require_clause};
pub(crate) use xml::{ResultSet, Row};
