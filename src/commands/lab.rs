//! `runbook lab up|down|stop|start|status`: a disposable fleet of real sshd hosts.

use crate::cli::ExitCode;
use crate::cli::args::{LabAction, LabArgs};
use crate::lab::{self, Lab, LabError, LabUpOptions};

pub fn lab(args: &LabArgs) -> ExitCode {
    let result = match &args.action {
        LabAction::Up {
            hosts,
            name,
            inventory_out,
        } => {
            let options = LabUpOptions {
                hosts: *hosts,
                name: name.clone(),
                inventory_out: inventory_out.clone(),
            };
            lab::up(&options).map(|lab| {
                print_hosts(&lab);
                println!(
                    "lab {} is up: {} hosts, inventory in {}",
                    lab.name,
                    lab.hosts.len(),
                    lab.inventory.display()
                );
            })
        }
        LabAction::Down { name } => lab::down(name)
            .map(|stopped| println!("lab {name} is down ({} hosts stopped)", stopped.len())),
        LabAction::Stop { host, name } => {
            lab::stop_host(name, host).map(|()| println!("{host} stopped"))
        }
        LabAction::Start { host, name } => {
            lab::start_host(name, host).map(|()| println!("{host} started"))
        }
        LabAction::Status { name } => lab::status(name).map(|lab| print_hosts(&lab)),
    };
    match result {
        Ok(()) => ExitCode::Ok,
        Err(error) => report(&error),
    }
}

fn print_hosts(lab: &Lab) {
    for host in &lab.hosts {
        let state = if host.pid == 0 { "stopped" } else { "running" };
        println!("{}\t{}:{}\t{state}", host.name, host.address, host.port);
    }
}

fn report(error: &LabError) -> ExitCode {
    eprintln!("ERROR! {error}");
    ExitCode::Error
}
