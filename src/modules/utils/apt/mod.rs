//! What the Debian package modules know about apt and dpkg: Debian version
//! order, `dpkg-query` status lines and `apt-cache policy` output, and the
//! environment every apt command runs in.

pub(crate) mod policy;
pub(crate) mod status;
pub(crate) mod version;

/// What Ansible's apt module sets for every apt command: no questions, the C
/// locale (the output is parsed), no debconf prompts.
pub(crate) const APT_ENVIRONMENT: &str = "export DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C LANGUAGE=C\n";
