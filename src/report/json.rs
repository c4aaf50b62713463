//! Machine-readable output: one JSON object per line for every event, so CI
//! can stream and parse a run (`--output json`).

use serde_json::{Value as Json, json};

use super::{Listing, Reporter, output};
use crate::executor::Event;
use crate::source::Diagnostic;

#[derive(Default)]
pub struct JsonReporter;

impl JsonReporter {
    fn write(&self, value: &Json) {
        output::stdout_line(&value.to_string());
    }

    fn to_json(&self, value: &impl serde::Serialize) -> Json {
        serde_json::to_value(value)
            .unwrap_or_else(|e| json!({"event": "internal_error", "message": e.to_string()}))
    }
}

impl Reporter for JsonReporter {
    fn event(&mut self, event: &Event) {
        self.write(&self.to_json(event));
    }

    fn error(&mut self, diagnostic: &Diagnostic) {
        self.write(&json!({
            "event": "error",
            "kind": diagnostic.kind,
            "message": diagnostic.message,
            "location": diagnostic.span.as_ref().map(|s| s.location()),
            "help": diagnostic.help,
            "rendered": diagnostic.to_string(),
        }));
    }

    fn warning(&mut self, message: &str) {
        self.write(&json!({"event": "warning", "message": message}));
    }

    fn listing(&mut self, listing: &Listing) {
        let mut value = self.to_json(listing);
        if let Json::Object(fields) = &mut value {
            fields.insert("event".into(), json!("listing"));
        }
        self.write(&value);
    }

    fn notice(&mut self, message: &str) {
        self.write(&json!({"event": "notice", "message": message}));
    }
}
