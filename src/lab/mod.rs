//! `runbook lab`: a disposable fleet of real OpenSSH servers on this machine.

use std::path::PathBuf;

/// What `runbook lab up` was asked for.
#[derive(Debug, Clone)]
pub struct LabUpOptions {
    pub hosts: usize,
    pub name: String,
    /// Where to write the inventory (default `inventories/lab`, or `inventories/NAME`).
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
    pub pid: u32,
    /// The host's private root on the controller (its /opt, /etc... live below).
    pub root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    Failed(String),
}

pub fn up(options: &LabUpOptions) -> Result<Lab, LabError> {
    Err(LabError::Failed(format!(
        "lab {} is not built yet",
        options.name
    )))
}

pub fn down(name: &str) -> Result<Vec<String>, LabError> {
    Err(LabError::Failed(format!("lab {name} is not built yet")))
}
