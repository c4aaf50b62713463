//! The views `play --plan` needs around a run: nothing shown while the
//! plan is checked, and the hosts it refused counted as failed in the recap.

use super::{Listing, Reporter};
use crate::executor::{Event, HostStats};
use crate::source::Diagnostic;

/// Shows nothing: the check-mode pass `play --plan` makes before applying
/// (its findings are reported once it is compared with the plan).
#[derive(Default)]
pub struct Silent;

impl Reporter for Silent {
    fn event(&mut self, _event: &Event) {}
    fn error(&mut self, _diagnostic: &Diagnostic) {}
    fn warning(&mut self, _message: &str) {}
    fn listing(&mut self, _listing: &Listing) {}
    fn notice(&mut self, _message: &str) {}
}

/// `view`, with each refused host counted failed in every recap, so the
/// recap, the journal and `--retry` see them as the hosts that failed.
pub struct WithRefusedHosts<'a> {
    pub view: &'a mut dyn Reporter,
    pub refused: Vec<String>,
}

impl WithRefusedHosts<'_> {
    /// A recap of only the refused hosts, when no host was left to run.
    pub fn recap(&mut self) {
        self.event(&Event::Recap { hosts: Vec::new() });
    }
}

impl Reporter for WithRefusedHosts<'_> {
    fn event(&mut self, event: &Event) {
        let Event::Recap { hosts } = event else {
            self.view.event(event);
            return;
        };
        let mut hosts = hosts.clone();
        for refused in &self.refused {
            match hosts.iter_mut().find(|(host, _)| host == refused) {
                Some((_, stats)) => stats.failed += 1,
                None => hosts.push((
                    refused.clone(),
                    HostStats {
                        failed: 1,
                        ..HostStats::default()
                    },
                )),
            }
        }
        hosts.sort_by(|a, b| a.0.cmp(&b.0));
        self.view.event(&Event::Recap { hosts });
    }

    fn error(&mut self, diagnostic: &Diagnostic) {
        self.view.error(diagnostic);
    }

    fn warning(&mut self, message: &str) {
        self.view.warning(message);
    }

    fn listing(&mut self, listing: &Listing) {
        self.view.listing(listing);
    }

    fn notice(&mut self, message: &str) {
        self.view.notice(message);
    }

    fn data(&mut self, bytes: &[u8]) {
        self.view.data(bytes);
    }

    fn ask(&mut self, question: &str, echo: bool) -> Option<String> {
        self.view.ask(question, echo)
    }

    fn tick(&mut self) {
        self.view.tick();
    }

    fn interrupted(&mut self, count: usize) {
        self.view.interrupted(count);
    }
}
