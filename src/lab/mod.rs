//! `runbook lab`: a disposable fleet of real OpenSSH servers on this machine,
//! for rehearsing playbooks and for integration tests.
//!
//! Each lab host is one `/usr/sbin/sshd` listening on its own loopback
//! address (`127.0.<block>.<i>`, port 22 when free there), in its own mount,
//! UTS and PID namespaces (`unshare`), whose init (the setup script) runs
//! it and starts it again after a reboot. Inside, the host has
//! its own hostname and its own `/etc` (an overlay over the real one; a
//! copy where overlayfs is unavailable), `/opt`, `/srv`, `/var/lib`,
//! `/var/log` and `/usr/local/sbin`; everything else, `/root` included, is
//! the machine's, except `/usr`, `/var/cache` and `/var/lib/dpkg`, which
//! are overlays with the host's own upper layer (`hosts/<host>/overlay/`), so
//! the real apt and dpkg can run there (read-only without overlayfs).
//!
//! # Lab directory
//!
//! `$RUNBOOK_LAB_DIR` when set, else `/var/lib/runbook/lab/<name>`:
//!
//! ```text
//! lab.json                   hosts, addresses, pids (see `state`)
//! id_ed25519{,.pub}          the key to log in as root on every host
//! authorized_keys            what every sshd accepts
//! known_hosts                every host's key under address[:port]
//! host_setup.sh              the namespace setup every host runs
//! hosts/<host>/              the host's private root: etc/ (the overlay's
//!                            upper layer: only what the host changed), opt/,
//!                            srv/, var/lib/, var/log/, usr/local/sbin/
//! sshd/<host>/               sshd_config, host key, sshd.log, setup.log
//! cluster/                   state all hosts share (the KWDB node list)
//! ```
//!
//! # Inventory
//!
//! `up` writes an Ansible INI inventory (default `inventories/<name>`):
//!
//! ```text
//! [lab]
//! node1 ansible_host=127.0.3.1 ansible_port=22
//! node2 ansible_host=127.0.3.2 ansible_port=22
//!
//! [lab:vars]
//! ansible_user=root
//! ansible_ssh_private_key_file=<labdir>/id_ed25519
//! ansible_ssh_common_args='-o UserKnownHostsFile=<labdir>/known_hosts -o StrictHostKeyChecking=yes'
//! ```
//!
//! # Shims
//!
//! See [`shims`]: `systemctl`, `docker`, `mysqldump`... that record every call
//! in the host's `/var/log/runbook-shims.log`.

mod addresses;
mod error;
mod host;
mod inventory;
mod keys;
mod lifecycle;
mod paths;
mod preflight;
mod process;
pub mod shims;
mod sshd_config;
mod state;

use std::path::PathBuf;

pub use error::LabError;
pub use lifecycle::{down_in, up_in};
pub use paths::{LAB_DIR_ENV, lab_dir};

/// What `runbook lab up` was asked for.
#[derive(Debug, Clone)]
pub struct LabUpOptions {
    pub hosts: usize,
    pub name: String,
    /// Where to write the inventory (default `inventories/<name>`).
    pub inventory_out: Option<PathBuf>,
}

/// A running lab.
#[derive(Debug, Clone)]
pub struct Lab {
    pub name: String,
    pub state_dir: PathBuf,
    pub inventory: PathBuf,
    pub hosts: Vec<LabHost>,
}

#[derive(Debug, Clone)]
pub struct LabHost {
    pub name: String,
    pub address: String,
    pub port: u16,
    /// The host's sshd (0 while the host is stopped).
    pub pid: u32,
    /// The host's private root on the controller (its /opt, /etc... live below).
    pub root: PathBuf,
}

impl Lab {
    /// The lab in `dir`, as its state file describes it.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Lab, LabError> {
        lifecycle::open(&dir.into())
    }

    /// The private key that logs in as root on every host.
    pub fn private_key(&self) -> PathBuf {
        self.state_dir.join("id_ed25519")
    }

    /// The `known_hosts` file with every host's key.
    pub fn known_hosts(&self) -> PathBuf {
        self.state_dir.join("known_hosts")
    }

    /// How `host` got its own /etc: `overlay` or `copy` (once it started).
    pub fn etc_mode(&self, host: &str) -> Option<String> {
        let path = paths::LabPaths::new(&self.state_dir).etc_mode(host);
        Some(std::fs::read_to_string(path).ok()?.trim().to_string())
    }

    pub fn host(&self, name: &str) -> Option<&LabHost> {
        self.hosts.iter().find(|host| host.name == name)
    }

    /// Stop one host (its port then refuses connections); the rest run on.
    pub fn stop_host(&mut self, host: &str) -> Result<(), LabError> {
        *self = lifecycle::stop_host_in(&self.state_dir, host)?;
        Ok(())
    }

    /// Start a stopped host again, with the same address, port and keys.
    pub fn start_host(&mut self, host: &str) -> Result<(), LabError> {
        *self = lifecycle::start_host_in(&self.state_dir, host)?;
        Ok(())
    }

    /// Stop every host and remove the lab directory; see [`down`].
    pub fn down(self) -> Result<Vec<String>, LabError> {
        down_in(&self.state_dir)
    }
}

/// Start a lab of `options.hosts` hosts named `node1..nodeN`, write its
/// inventory and return once every sshd answers.
pub fn up(options: &LabUpOptions) -> Result<Lab, LabError> {
    preflight::check()?;
    up_in(&lab_dir(&options.name)?, options)
}

/// Stop every host of lab `name` and remove its directory. Returns a line
/// per host that was running (hosts already dead are skipped).
pub fn down(name: &str) -> Result<Vec<String>, LabError> {
    let dir = lab_dir(name)?;
    lifecycle::expect_lab_named(&dir, name)?;
    down_in(&dir)
}

/// The running state of lab `name`.
pub fn status(name: &str) -> Result<Lab, LabError> {
    let dir = lab_dir(name)?;
    lifecycle::expect_lab_named(&dir, name)?;
    lifecycle::open(&dir)
}

/// Stop one host of lab `name`, e.g. to rehearse an unreachable host.
pub fn stop_host(name: &str, host: &str) -> Result<(), LabError> {
    status(name)?.stop_host(host)
}

/// Start a host of lab `name` that [`stop_host`] stopped.
pub fn start_host(name: &str, host: &str) -> Result<(), LabError> {
    status(name)?.start_host(host)
}
