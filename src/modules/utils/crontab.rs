//! A crontab as Ansible's `cron` module edits it: lines, jobs named by a
//! `#Ansible: NAME` comment above them, and `NAME="value"` variables. The
//! edits follow Ansible's so the resulting crontab is the same text.

/// Ansible's marker before each job it manages.
const MARKER: &str = "#Ansible: ";

/// The crontab being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CronTab {
    pub lines: Vec<String>,
    /// The text as read (less the headers `crontab -l` may print).
    pub existing: String,
}

/// A job line's fields.
#[derive(Debug, Clone)]
pub(crate) struct JobLine<'a> {
    pub minute: &'a str,
    pub hour: &'a str,
    pub day: &'a str,
    pub month: &'a str,
    pub weekday: &'a str,
    pub job: &'a str,
    pub special: Option<&'a str>,
    pub disabled: bool,
    /// In a cron file (`/etc/cron.d/...`), the user the job runs as.
    pub file_user: Option<&'a str>,
}

impl JobLine<'_> {
    pub(crate) fn render(&self) -> String {
        let job = self.job.trim_matches(['\r', '\n']);
        let prefix = if self.disabled { "#" } else { "" };
        let user = self.file_user.map(|u| format!("{u} ")).unwrap_or_default();
        match self.special {
            Some(special) => format!("{prefix}@{special} {user}{job}"),
            None => format!(
                "{prefix}{} {} {} {} {} {user}{job}",
                self.minute, self.hour, self.day, self.month, self.weekday
            ),
        }
    }
}

/// Where a named job was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    Absent,
    /// Under its marker, with this job line.
    Named(String),
    /// The same job line without a marker (one was added) or under
    /// `#Ansible: None`: it is rewritten under the name.
    Adopted,
}

impl CronTab {
    /// A cron file's text as it is.
    pub(crate) fn from_file(text: &str) -> Self {
        Self {
            lines: text.lines().map(str::to_string).collect(),
            existing: text.to_string(),
        }
    }

    /// `crontab -l` output: the header lines some crons print (in the first
    /// three) are dropped, from the lines and from the text.
    pub(crate) fn from_listing(text: &str) -> Self {
        let mut lines = Vec::new();
        let mut existing = text.to_string();
        for (count, line) in text.lines().enumerate() {
            if count > 2 || !is_header(line) {
                lines.push(line.to_string());
            } else {
                for ending in ["\r\n", "\n", "\r", ""] {
                    let pattern = format!("{line}{ending}");
                    if let Some(at) = existing.find(&pattern) {
                        existing.replace_range(at..at + pattern.len(), "");
                        break;
                    }
                }
            }
        }
        Self { lines, existing }
    }

    pub(crate) fn render(&self) -> String {
        let text = self.lines.join("\n");
        if text.is_empty() {
            text
        } else {
            format!("{}\n", text.trim_end_matches(['\r', '\n']))
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    pub(crate) fn find_job(&mut self, name: &str, job: Option<&str>) -> Found {
        let mut comment: Option<&str> = None;
        for line in &self.lines {
            if let Some(found) = comment {
                if found == name {
                    return Found::Named(line.clone());
                }
                comment = None;
            } else if let Some(rest) = line.strip_prefix(MARKER) {
                comment = Some(rest);
            }
        }
        let Some(job) = job else {
            return Found::Absent;
        };
        let named = format!("{MARKER}{name}");
        let unnamed = format!("{MARKER}None");
        for index in 0..self.lines.len() {
            if self.lines[index] != job {
                continue;
            }
            // Python's lines[i - 1] at i = 0 is the last line.
            let previous = if index == 0 {
                self.lines.len() - 1
            } else {
                index - 1
            };
            if !self.lines[previous].starts_with(MARKER) {
                self.lines.insert(index, named);
                return Found::Adopted;
            }
            if !name.is_empty() && self.lines[previous] == unnamed {
                self.lines[previous] = named;
                return Found::Adopted;
            }
        }
        Found::Absent
    }

    pub(crate) fn add_job(&mut self, name: &str, job: &str) {
        self.lines.push(format!("{MARKER}{name}"));
        self.lines.push(job.to_string());
    }

    /// Replace (or with `None` remove) the line after each `#Ansible: NAME`.
    pub(crate) fn update_job(&mut self, name: &str, job: Option<&str>) {
        let marker = format!("{MARKER}{name}");
        let mut lines = Vec::with_capacity(self.lines.len());
        let mut pending: Option<String> = None;
        for line in self.lines.drain(..) {
            if let Some(comment) = pending.take() {
                if let Some(job) = job {
                    lines.push(comment);
                    lines.push(job.to_string());
                }
            } else if line == marker {
                pending = Some(line);
            } else {
                lines.push(line);
            }
        }
        self.lines = lines;
    }

    pub(crate) fn find_env(&self, name: &str) -> Option<(usize, String)> {
        let prefix = format!("{name}=");
        self.lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.starts_with(&prefix))
            .map(|(i, l)| (i, l.clone()))
    }

    /// Add a variable at the top, or after/before another one (error: its name).
    pub(crate) fn add_env(
        &mut self,
        decl: &str,
        insert_after: Option<&str>,
        insert_before: Option<&str>,
    ) -> Result<(), String> {
        let Some(other) = insert_after.or(insert_before) else {
            self.lines.insert(0, decl.to_string());
            return Ok(());
        };
        match self.find_env(other) {
            Some((index, _)) => {
                let at = if insert_after.is_some() {
                    index + 1
                } else {
                    index
                };
                self.lines.insert(at, decl.to_string());
                Ok(())
            }
            None => Err(format!("Variable named '{other}' not found.")),
        }
    }

    /// Replace (or with `None` remove) every `NAME=` line.
    pub(crate) fn update_env(&mut self, name: &str, decl: Option<&str>) {
        let prefix = format!("{name}=");
        let mut lines = Vec::with_capacity(self.lines.len());
        for line in self.lines.drain(..) {
            if line.starts_with(&prefix) {
                lines.extend(decl.map(str::to_string));
            } else {
                lines.push(line);
            }
        }
        self.lines = lines;
    }

    pub(crate) fn job_names(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter_map(|l| l.strip_prefix(MARKER).map(str::to_string))
            .collect()
    }

    pub(crate) fn env_names(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| {
                // Python's `^\S+=`: an `=` after the first character, before any space.
                let word = l.split(char::is_whitespace).next().unwrap_or_default();
                word.char_indices().any(|(i, c)| c == '=' && i >= 1)
            })
            .map(|l| l.split('=').next().unwrap_or_default().to_string())
            .collect()
    }
}

fn is_header(line: &str) -> bool {
    line.starts_with("# DO NOT EDIT THIS FILE - edit the master and reinstall.")
        || (line.starts_with("# (/tmp/") && line.contains("installed on") && line.ends_with(')'))
        || (line.starts_with("# (") && line.contains("version") && line.ends_with(')'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(job: &str) -> String {
        JobLine {
            minute: "0",
            hour: "2",
            day: "*",
            month: "*",
            weekday: "*",
            job,
            special: None,
            disabled: false,
            file_user: None,
        }
        .render()
    }

    #[test]
    fn adds_updates_and_removes_named_jobs() {
        let mut tab = CronTab::from_listing("MAILTO=ops\n");
        let line = job("backup.sh");
        assert_eq!(tab.find_job("backup", Some(&line)), Found::Absent);
        tab.add_job("backup", &line);
        assert_eq!(
            tab.render(),
            "MAILTO=ops\n#Ansible: backup\n0 2 * * * backup.sh\n"
        );
        assert_eq!(tab.find_job("backup", None), Found::Named(line));
        tab.update_job("backup", Some("5 2 * * * backup.sh"));
        assert_eq!(
            tab.render(),
            "MAILTO=ops\n#Ansible: backup\n5 2 * * * backup.sh\n"
        );
        tab.update_job("backup", None);
        assert_eq!(tab.render(), "MAILTO=ops\n");
        assert_eq!(tab.env_names(), ["MAILTO"]);
    }

    #[test]
    fn an_unnamed_identical_job_is_adopted() {
        let mut tab = CronTab::from_listing("0 2 * * * backup.sh\n");
        assert_eq!(
            tab.find_job("backup", Some(&job("backup.sh"))),
            Found::Adopted
        );
        assert_eq!(tab.render(), "#Ansible: backup\n0 2 * * * backup.sh\n");
    }

    #[test]
    fn listing_headers_are_dropped() {
        let tab = CronTab::from_listing(
            "# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (/tmp/crontab.x installed on Mon)\n# (Cron version -- $Id$)\nA=1\n",
        );
        assert_eq!(tab.lines, ["A=1"]);
        assert_eq!(tab.existing, "A=1\n");
    }

    #[test]
    fn variables_go_first_or_beside_another() {
        let mut tab = CronTab::from_listing("A=1\nB=2\n");
        tab.add_env("C=\"3\"", Some("A"), None).expect("A exists");
        assert_eq!(tab.render(), "A=1\nC=\"3\"\nB=2\n");
        assert!(tab.add_env("D=4", None, Some("Z")).is_err());
        tab.update_env("A", None);
        assert_eq!(tab.render(), "C=\"3\"\nB=2\n");
    }

    proptest::proptest! {
        #[test]
        fn a_job_added_is_found_and_removal_restores(
            lines in proptest::collection::vec("[A-Za-z0-9 =*#/.]{0,20}", 0..6),
            name in "[a-z]{1,8}",
        ) {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let mut tab = CronTab::from_file(&text);
            proptest::prop_assume!(tab.find_job(&name, None) == Found::Absent);
            let before = tab.clone();
            tab.add_job(&name, "1 * * * * true");
            proptest::prop_assert_eq!(tab.find_job(&name, None), Found::Named("1 * * * * true".into()));
            tab.update_job(&name, None);
            proptest::prop_assert_eq!(tab.lines, before.lines);
        }
    }
}
