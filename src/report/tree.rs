//! `runbook run -t DIR`: each host's result as JSON in DIR/HOST, as
//! Ansible's `tree` callback writes it (skipped hosts get no file).

use std::path::PathBuf;

use super::Observer;
use super::readable::{Dump, dumped, pretty_dump, shown_in_full};
use crate::executor::{Event, Status};

pub struct TreeWriter {
    dir: PathBuf,
    problems: Vec<String>,
}

impl TreeWriter {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            problems: Vec::new(),
        }
    }

    /// What could not be written, as warnings (Ansible goes on too).
    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }

    fn write(&mut self, host: &str, text: &str) {
        if let Err(error) = std::fs::create_dir_all(&self.dir) {
            self.problems.push(format!(
                "Unable to access or create the configured directory '{}': {error}",
                self.dir.display()
            ));
            return;
        }
        // A host name is a file name here, never a path.
        let plain = !host.is_empty() && host != "." && host != ".." && !host.contains('/');
        let written = if plain {
            std::fs::write(self.dir.join(host), text).map_err(|e| e.to_string())
        } else {
            Err("it is not a file name".to_string())
        };
        if let Err(error) = written {
            self.problems
                .push(format!("Unable to write to '{host}''s file: {error}"));
        }
    }
}

impl Observer for TreeWriter {
    fn observe(&mut self, event: &Event) {
        let Event::HostResult(result) = event else {
            return;
        };
        if result.status == Status::Skipped {
            return;
        }
        let text = if shown_in_full(result) {
            pretty_dump(&result.result)
        } else {
            dumped(&result.result, Dump::OneLine)
        };
        self.write(&result.host, &text);
    }
}
