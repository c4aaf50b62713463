//! `lab.json`: what a lab is made of and which processes run it, so that
//! `down` and the per-host commands work from any process, later.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::LabError;
use super::process::ProcessId;

const STATE_FILE: &str = "lab.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LabState {
    pub name: String,
    /// The loopback block: hosts listen on `127.0.<block>.<i>`.
    pub block: u8,
    pub inventory: Option<std::path::PathBuf>,
    pub hosts: Vec<HostState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct HostState {
    pub name: String,
    pub address: String,
    pub port: u16,
    /// The `unshare` process that holds the host's namespaces, while running.
    pub unshare: Option<ProcessId>,
    /// The host's sshd as it was started (a reboot starts another).
    pub sshd: Option<ProcessId>,
}

impl LabState {
    pub(super) fn new(name: &str, block: u8) -> Self {
        LabState {
            name: name.to_string(),
            block,
            inventory: None,
            hosts: Vec::new(),
        }
    }

    pub(super) fn load(dir: &Path) -> Result<Self, LabError> {
        let path = dir.join(STATE_FILE);
        let text = fs::read_to_string(&path)
            .map_err(|error| LabError::io(format!("cannot read {}", path.display()), error))?;
        serde_json::from_str(&text).map_err(|error| {
            LabError::Failed(format!(
                "{} is not a lab state file: {error}",
                path.display()
            ))
        })
    }

    /// Write through a temporary file so a crash never leaves half a state.
    pub(super) fn save(&self, dir: &Path) -> Result<(), LabError> {
        fs::create_dir_all(dir)
            .map_err(|error| LabError::io(format!("cannot create {}", dir.display()), error))?;
        let path = dir.join(STATE_FILE);
        let temporary = dir.join(format!("{STATE_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self)
            .map_err(|error| LabError::Failed(format!("cannot encode lab state: {error}")))?;
        fs::write(&temporary, text + "\n")
            .and_then(|()| fs::rename(&temporary, &path))
            .map_err(|error| LabError::io(format!("cannot write {}", path.display()), error))
    }

    pub(super) fn host(&self, name: &str) -> Result<&HostState, LabError> {
        self.hosts
            .iter()
            .find(|host| host.name == name)
            .ok_or_else(|| self.unknown_host(name))
    }

    pub(super) fn host_mut(&mut self, name: &str) -> Result<&mut HostState, LabError> {
        let error = self.unknown_host(name);
        self.hosts
            .iter_mut()
            .find(|host| host.name == name)
            .ok_or(error)
    }

    fn unknown_host(&self, name: &str) -> LabError {
        let known: Vec<&str> = self.hosts.iter().map(|host| host.name.as_str()).collect();
        let hint = crate::source::suggest(name, known.iter().copied())
            .map(|close| format!(" (did you mean {close}?)"))
            .unwrap_or_default();
        LabError::Failed(format!(
            "lab {} has no host {name}{hint}; it has {}",
            self.name,
            known.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_survives_a_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = LabState::new("demo", 9);
        state.hosts.push(HostState {
            name: "node1".into(),
            address: "127.0.9.1".into(),
            port: 22,
            unshare: Some(ProcessId {
                pid: 10,
                start_time: 99,
            }),
            sshd: None,
        });
        state.save(dir.path()).expect("save");
        assert_eq!(LabState::load(dir.path()).expect("load"), state);
    }

    #[test]
    fn unknown_host_names_the_close_one() {
        let mut state = LabState::new("demo", 9);
        state.hosts.push(HostState {
            name: "node1".into(),
            address: "127.0.9.1".into(),
            port: 22,
            unshare: None,
            sshd: None,
        });
        let error = state.host("nod1").expect_err("unknown");
        assert!(error.to_string().contains("did you mean node1?"), "{error}");
    }
}
