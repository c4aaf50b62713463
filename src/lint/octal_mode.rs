//! `mode: 644` is the decimal number 644 (file mode 01204), and `mode: 0644`
//! an octal number only to YAML 1.1 readers: a mode is written quoted.

use super::finding::{Code, Finding};
use super::structure::{Entry, module_call, written};
use crate::yaml::NodeKind;

pub(super) fn check(entries: &[Entry], findings: &mut Vec<Finding>) {
    for entry in entries {
        let Entry::Task(task) = entry else { continue };
        let Some(call) = module_call(task) else {
            continue;
        };
        if call.module.spec().any_name {
            continue;
        }
        for (key, value) in call.args {
            let name = key.key_text();
            if name != "mode" && !name.ends_with("_mode") {
                continue;
            }
            let NodeKind::Int(number) = value.kind else {
                continue;
            };
            let text = written(value).unwrap_or_else(|| number.to_string());
            let decimal = text.trim_start_matches('0');
            if text.starts_with('0') && text.len() > 1 {
                findings.push(
                    Finding::warning(
                        Code::OctalMode,
                        format!(
                            "`{name}: {text}` is an octal number only to YAML 1.1 readers (Ansible's); YAML 1.2 tools read the decimal {decimal}"
                        ),
                        &value.span,
                    )
                    .with_help(format!("quote the mode: `{name}: \"{text}\"`")),
                );
            } else {
                findings.push(
                    Finding::error(
                        Code::OctalMode,
                        format!(
                            "`{name}: {text}` is the decimal number {number}, which as a file mode is 0{number:o}, not 0{text}"
                        ),
                        &value.span,
                    )
                    .with_help(format!("quote the mode as octal: `{name}: \"0{text}\"`")),
                );
            }
        }
    }
}
