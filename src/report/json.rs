//! Machine-readable output: one JSON object per line for every event, so CI
//! can stream and parse a run (`--output json`).

use std::io::Write;

use serde_json::json;

use super::Reporter;
use crate::executor::Event;
use crate::source::Diagnostic;

#[derive(Default)]
pub struct JsonReporter;

impl JsonReporter {
    fn write(&self, value: &serde_json::Value) {
        let _ = writeln!(std::io::stdout().lock(), "{value}");
    }
}

impl Reporter for JsonReporter {
    fn event(&mut self, event: &Event) {
        self.write(
            &serde_json::to_value(event)
                .unwrap_or_else(|e| json!({"event": "internal_error", "message": e.to_string()})),
        );
    }

    fn error(&mut self, diagnostic: &Diagnostic) {
        self.write(&json!({
            "event": "error",
            "message": diagnostic.message,
            "location": diagnostic.span.as_ref().map(|s| s.location()),
            "help": diagnostic.help,
            "rendered": diagnostic.to_string(),
        }));
    }
}
