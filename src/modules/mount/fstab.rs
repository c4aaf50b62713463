//! fstab lines as Ansible's `mount` reads and writes them: its escapes, its
//! matching (a swap line by its source), a matching line of 4 or 5 fields
//! rewritten with all 6, removal of lines of exactly 6 words.

use super::Desired;

/// Ansible's `_escape_fstab`: characters fstab fields cannot hold as such.
fn escape_field(text: &str) -> String {
    text.replace('\\', "\\134")
        .replace(' ', "\\040")
        .replace('&', "\\046")
}

/// The fields of an fstab line, in Ansible's names.
struct Entry {
    src: String,
    name: String,
    fstype: String,
    opts: String,
    /// `None` when the line leaves them out (Ansible then counts them as different).
    dump: Option<String>,
    passno: Option<String>,
}

impl Desired {
    pub(super) fn src_or_empty(&self) -> &str {
        self.src.as_deref().unwrap_or("")
    }

    /// Whether an fstab line with these fields is this mount's. A swap
    /// entry (mount point `none`) is only when its source is `src`.
    pub(super) fn owns(&self, name: &str, fstype: &str, src: &str) -> bool {
        name == escape_field(&self.path)
            && !(self.src.is_some() && name == "none" && fstype == "swap" && src != self.src_or_empty())
    }

    pub(super) fn fstab_line(&self) -> String {
        format!(
            "{} {} {} {} {} {}\n",
            escape_field(self.src_or_empty()),
            escape_field(&self.path),
            escape_field(self.fstype.as_deref().unwrap_or("")),
            escape_field(&self.opts),
            escape_field(&self.dump),
            escape_field(&self.passno),
        )
    }
}

/// The lines of `text`, each ending in a newline.
fn lines_of(text: &str) -> Vec<String> {
    text.split_inclusive('\n')
        .map(|line| {
            if line.ends_with('\n') {
                line.to_string()
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

/// Ansible's `set_mount`: the fstab with this mount's line added or
/// updated, and whether it changed.
pub(super) fn set_entry(want: &Desired, text: &str) -> (String, bool) {
    let mut out = String::new();
    let mut exists = false;
    let mut changed = false;
    for line in lines_of(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push_str(&line);
            continue;
        }
        let fields: Vec<&str> = line.split('#').next().unwrap_or("").split_whitespace().collect();
        if !(4..=6).contains(&fields.len()) {
            out.push_str(&line);
            continue;
        }
        let entry = Entry {
            src: fields[0].to_string(),
            name: fields[1].to_string(),
            fstype: fields[2].to_string(),
            opts: fields[3].to_string(),
            dump: fields.get(4).map(|s| s.to_string()),
            passno: fields.get(5).map(|s| s.to_string()),
        };
        if !want.owns(&entry.name, &entry.fstype, &entry.src) {
            out.push_str(&line);
            continue;
        }
        exists = true;
        let wanted = want.fstab_line();
        let wanted: Vec<&str> = wanted.split_whitespace().collect();
        let have = [
            Some(entry.src.as_str()),
            Some(entry.fstype.as_str()),
            Some(entry.opts.as_str()),
            entry.dump.as_deref(),
            entry.passno.as_deref(),
        ];
        let want_fields = [wanted[0], wanted[2], wanted[3], wanted[4], wanted[5]];
        if have.iter().zip(want_fields).any(|(have, want)| *have != Some(want)) {
            changed = true;
        }
        if changed {
            out.push_str(&want.fstab_line());
        } else {
            out.push_str(&line);
        }
    }
    if !exists {
        out.push_str(&want.fstab_line());
        changed = true;
    }
    (out, changed)
}

/// Ansible's `unset_mount`: the fstab without this mount's lines (those of
/// exactly 6 words), and whether it changed.
pub(super) fn unset_entry(want: &Desired, text: &str) -> (String, bool) {
    let mut out = String::new();
    let mut changed = false;
    for line in lines_of(text) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || fields.len() != 6 {
            out.push_str(&line);
            continue;
        }
        if want.owns(fields[1], fields[2], fields[0]) {
            changed = true;
        } else {
            out.push_str(&line);
        }
    }
    (out, changed)
}
