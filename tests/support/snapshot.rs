//! Whole-output snapshots: what a run printed (exit code, stdout, stderr)
//! with the parts that change from run to run blanked, so a snapshot pins
//! every other byte the user sees.

use std::path::Path;

use super::Output;

/// Exit code, stdout and stderr in one reviewable text.
pub(crate) fn transcript(output: &Output) -> String {
    format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        output.code, output.stdout, output.stderr
    )
}

/// insta settings that blank durations, timestamps, the project's temporary
/// directory, lab addresses and the lab's name.
pub(crate) fn settings(project: &Path, lab_name: Option<&str>) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(&project.display().to_string()), "[PROJECT]");
    if let Some(name) = lab_name {
        settings.add_filter(&format!(r"\b{}\b", regex_escape(name)), "[LAB]");
    }
    settings.add_filter(r"127\.\d+\.\d+\.\d+", "[ADDRESS]");
    settings.add_filter(r#""(delta|start|end)": "[^"]*""#, r#""$1": "[TIME]""#);
    settings.add_filter(r#""(delta|start|end)":"[^"]*""#, r#""$1":"[TIME]""#);
    settings.add_filter(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?",
        "[TIMESTAMP]",
    );
    settings.add_filter(
        r#""(duration|elapsed)(_ms|_s)?": [0-9.]+"#,
        r#""$1$2": "[DURATION]""#,
    );
    settings.add_filter(r"\b\d+(\.\d+)?(ms|s)\b", "[DURATION]");
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}
