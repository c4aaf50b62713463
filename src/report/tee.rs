//! A reporter that also hands every event to observers (the JUnit report,
//! the run journal) that keep what they need and write it at the end.

use super::{Listing, Reporter};
use crate::executor::Event;
use crate::source::Diagnostic;

/// Something that keeps a record of the events of a run.
pub trait Observer {
    fn observe(&mut self, event: &Event);
}

/// `view` shows everything; each observer also sees every event.
pub struct Tee<'a> {
    pub view: &'a mut dyn Reporter,
    pub observers: Vec<&'a mut dyn Observer>,
}

impl Reporter for Tee<'_> {
    fn event(&mut self, event: &Event) {
        for observer in &mut self.observers {
            observer.observe(event);
        }
        self.view.event(event);
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
