//! `runbook lab up|down|stop|start|status`: a disposable fleet of real sshd hosts.

use crate::cli::settings::LabRequest;
use crate::cli::{Failure, Outcome};
use crate::lab::{self, Lab, LabError};
use crate::report::{LabHostState, Listing, Reporter};
use crate::source::Diagnostic;

pub(super) fn lab(request: LabRequest, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    match request {
        LabRequest::Up(options) => {
            let lab = lab::up(&options).map_err(failed)?;
            reporter.listing(&hosts(&lab));
            reporter.notice(&format!(
                "lab {} is up: {} hosts, inventory in {}",
                lab.name,
                lab.hosts.len(),
                lab.inventory.display()
            ));
        }
        LabRequest::Down { name } => {
            let stopped = lab::down(&name).map_err(failed)?;
            reporter.notice(&format!(
                "lab {name} is down ({} hosts stopped)",
                stopped.len()
            ));
        }
        LabRequest::Stop { name, host } => {
            lab::stop_host(&name, &host).map_err(failed)?;
            reporter.notice(&format!("{host} stopped"));
        }
        LabRequest::Start { name, host } => {
            lab::start_host(&name, &host).map_err(failed)?;
            reporter.notice(&format!("{host} started"));
        }
        LabRequest::Status { name } => {
            let lab = lab::status(&name).map_err(failed)?;
            reporter.listing(&hosts(&lab));
        }
    }
    Ok(Outcome::Success)
}

fn hosts(lab: &Lab) -> Listing {
    Listing::LabHosts {
        hosts: lab
            .hosts
            .iter()
            .map(|host| LabHostState {
                name: host.name.clone(),
                address: host.address.clone(),
                port: host.port,
                running: host.pid != 0,
            })
            .collect(),
    }
}

fn failed(error: LabError) -> Diagnostic {
    Diagnostic::runtime(error.to_string())
}
