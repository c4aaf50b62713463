//! What the loader refuses (`play --syntax-check`) as findings; a value
//! starting with an unquoted `{{` gets its own code.

use super::finding::{Code, Finding};
use crate::source::Diagnostic;

/// Ansible's quoting advice, which the YAML reader adds to such errors.
const QUOTING_ADVICE: &str = "Always quote template expression brackets";

pub(super) fn finding(diagnostic: &Diagnostic) -> Finding {
    if !diagnostic.message.contains(QUOTING_ADVICE) {
        return Finding::from_diagnostic(Code::Syntax, diagnostic);
    }
    // The advice, long and the same each time, is the help; the message is
    // what is wrong here.
    let mut finding = Finding::from_diagnostic(Code::UnquotedTemplate, diagnostic);
    if let Some((first, advice)) = diagnostic.message.split_once('\n') {
        finding.message = first.to_string();
        finding.help = Some(advice.trim().to_string());
    }
    finding
}
