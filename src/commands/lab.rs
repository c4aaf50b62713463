//! `runbook lab up|down`: a disposable fleet of real sshd hosts.

use crate::cli::ExitCode;
use crate::cli::args::{LabAction, LabArgs};
use crate::lab::{self, LabUpOptions};

pub fn lab(args: &LabArgs) -> ExitCode {
    match &args.action {
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
            match lab::up(&options) {
                Ok(lab) => {
                    for host in &lab.hosts {
                        println!("{}\t{}:{}", host.name, host.address, host.port);
                    }
                    println!(
                        "lab {} is up: {} hosts, inventory in {}",
                        lab.name,
                        lab.hosts.len(),
                        lab.inventory.display()
                    );
                    ExitCode::Ok
                }
                Err(e) => {
                    eprintln!("ERROR! {e}");
                    ExitCode::Error
                }
            }
        }
        LabAction::Down { name } => match lab::down(name) {
            Ok(stopped) => {
                println!("lab {name} is down ({} hosts stopped)", stopped.len());
                ExitCode::Ok
            }
            Err(e) => {
                eprintln!("ERROR! {e}");
                ExitCode::Error
            }
        },
    }
}
