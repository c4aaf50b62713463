//! One-line apt sources files as Ansible's `apt_repository` reads and
//! writes them: each line is a source (`deb ...`, maybe commented out), a
//! comment or blank; sources compare with their whitespace collapsed.

/// One line of a sources file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    /// `deb` or `deb-src` first.
    valid: bool,
    enabled: bool,
    /// The line without its leading `#` and trailing comment; a valid
    /// source has its whitespace collapsed.
    source: String,
    comment: String,
}

impl Line {
    fn parse(text: &str) -> Self {
        let mut line = text.trim();
        let mut enabled = true;
        if let Some(rest) = line.strip_prefix('#') {
            enabled = false;
            line = rest;
        }
        let mut comment = String::new();
        if let Some(i) = line.find('#').filter(|i| *i > 0) {
            comment = line[i + 1..].trim().to_string();
            line = &line[..i];
        }
        let mut source = line.trim().to_string();
        let words: Vec<&str> = source.split_whitespace().collect();
        let valid = matches!(words.first(), Some(&("deb" | "deb-src")));
        if valid {
            source = words.join(" ");
        }
        Self {
            valid,
            enabled,
            source,
            comment,
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        if !self.enabled {
            out.push_str("# ");
        }
        out.push_str(&self.source);
        if !self.comment.is_empty() {
            out.push_str(" # ");
            out.push_str(&self.comment);
        }
        out.push('\n');
        out
    }
}

/// A repository line as the task gives it, normalized; `None` unless it
/// is an enabled `deb`/`deb-src` line.
pub(super) fn normalize(repo: &str) -> Option<String> {
    let line = Line::parse(repo);
    (line.valid && line.enabled).then_some(line.source)
}

/// Ansible's `_suggest_filename`: `filename.list`, or the URI (without
/// options, scheme and credentials) with every run of other characters
/// made one `_`.
pub(super) fn suggested_file(source: &str, filename: Option<&str>) -> String {
    if let Some(name) = filename {
        return format!("{name}.list");
    }
    let without_options = strip_brackets(source);
    let uri = without_options
        .split_whitespace()
        .find(|w| *w != "deb" && *w != "deb-src")
        .unwrap_or_default();
    let uri = strip_scheme(uri);
    let uri = uri.split_once('@').map_or(uri, |(_, host)| host);
    let words: Vec<&str> = uri
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!("{}.list", words.join("_"))
}

fn strip_brackets(text: &str) -> String {
    let mut out = String::new();
    let mut depth = false;
    for c in text.chars() {
        match c {
            '[' if !depth => depth = true,
            ']' if depth => depth = false,
            _ if !depth => out.push(c),
            _ => {}
        }
    }
    out
}

/// `\w+://` removed, as Ansible's regex does.
fn strip_scheme(uri: &str) -> &str {
    match uri.find("://") {
        Some(i) if i > 0 && uri[..i].chars().all(|c| c.is_alphanumeric() || c == '_') => {
            &uri[i + 3..]
        }
        _ => uri,
    }
}

/// Every sources file and its lines, in the order read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct SourcesList {
    files: Vec<(String, Vec<Line>, bool)>,
}

impl SourcesList {
    /// The output of the reading script: each file after a `\x1e` line
    /// naming it.
    pub(super) fn parse(text: &str) -> Self {
        let mut files: Vec<(String, Vec<Line>, bool)> = Vec::new();
        for block in text.split('\u{1e}').skip(1) {
            let (path, content) = block.split_once('\n').unwrap_or((block, ""));
            // The reader adds a newline after each file.
            let content = content.strip_suffix('\n').unwrap_or(content);
            let lines = content.lines().map(Line::parse).collect();
            files.push((path.to_string(), lines, true));
        }
        Self { files }
    }

    /// Enable every copy of `source`, or append it to `file`; returns the
    /// files that now exist and did not.
    pub(super) fn add(&mut self, source: &str, file: &str) -> Vec<String> {
        let had = self.rendered_paths();
        let mut found = false;
        for (_, lines, _) in &mut self.files {
            for line in lines.iter_mut().filter(|l| l.valid && l.source == source) {
                line.enabled = true;
                found = true;
            }
        }
        if !found {
            let line = Line::parse(source);
            match self.files.iter_mut().find(|(path, _, _)| path == file) {
                Some((_, lines, _)) => lines.push(line),
                None => self.files.push((file.to_string(), vec![line], false)),
            }
        }
        let now = self.rendered_paths();
        now.into_iter().filter(|p| !had.contains(p)).collect()
    }

    /// Remove every enabled copy of `source`; returns the files left empty.
    pub(super) fn remove(&mut self, source: &str) -> Vec<String> {
        let had = self.rendered_paths();
        for (_, lines, _) in &mut self.files {
            lines.retain(|l| !(l.valid && l.enabled && l.source == source));
        }
        let now = self.rendered_paths();
        had.into_iter().filter(|p| !now.contains(p)).collect()
    }

    fn rendered_paths(&self) -> Vec<String> {
        self.files
            .iter()
            .filter(|(_, lines, _)| !lines.is_empty())
            .map(|(path, _, _)| path.clone())
            .collect()
    }

    /// The file as Ansible writes it; `None` when it has no lines (it is
    /// deleted, or never written).
    pub(super) fn render(&self, path: &str) -> Option<String> {
        let (_, lines, _) = self.files.iter().find(|(p, _, _)| p == path)?;
        (!lines.is_empty()).then(|| lines.iter().map(Line::render).collect())
    }

    pub(super) fn existed(&self, path: &str) -> bool {
        self.files.iter().any(|(p, _, existed)| p == path && *existed)
    }

    /// The files whose written form differs between `self` and `other`.
    pub(super) fn changed_files(&self, other: &SourcesList) -> Vec<String> {
        let mut paths: Vec<String> = self.files.iter().map(|(p, _, _)| p.clone()).collect();
        for (path, _, _) in &other.files {
            if !paths.contains(path) {
                paths.push(path.clone());
            }
        }
        paths
            .into_iter()
            .filter(|p| self.render(p) != other.render(p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: &str = "\u{1e}/etc/apt/sources.list\n# deb http://deb.debian.org/debian  bookworm main\ndeb http://security.debian.org bookworm-security main # security\n\n\u{1e}/etc/apt/sources.list.d/x.list\ndeb [trusted=yes] file:/srv/repo ./\n\n";

    #[test]
    fn enables_a_commented_source_instead_of_adding_it() {
        let mut list = SourcesList::parse(READ);
        let before = list.clone();
        let source = normalize("deb http://deb.debian.org/debian bookworm main").expect("valid");
        assert!(list.add(&source, "/etc/apt/sources.list.d/new.list").is_empty());
        assert_eq!(before.changed_files(&list), ["/etc/apt/sources.list"]);
        assert_eq!(
            list.render("/etc/apt/sources.list").as_deref(),
            Some("deb http://deb.debian.org/debian bookworm main\ndeb http://security.debian.org bookworm-security main # security\n")
        );
    }

    #[test]
    fn adds_new_sources_to_their_own_file_and_deletes_emptied_files() {
        let mut list = SourcesList::parse(READ);
        let source = normalize("deb https://user:pw@apt.example.com/repo stable main").expect("valid");
        let file = format!("/etc/apt/sources.list.d/{}", suggested_file(&source, None));
        assert_eq!(file, "/etc/apt/sources.list.d/apt_example_com_repo.list");
        assert_eq!(list.add(&source, &file), std::slice::from_ref(&file));
        assert!(list.add(&source, &file).is_empty());
        let removed = list.remove(&normalize("deb [trusted=yes] file:/srv/repo ./").expect("valid"));
        assert_eq!(removed, ["/etc/apt/sources.list.d/x.list"]);
        assert_eq!(list.render("/etc/apt/sources.list.d/x.list"), None);
        assert_eq!(suggested_file("deb [trusted=yes] file:/tmp/r ./", None), "file_tmp_r.list");
        assert_eq!(suggested_file("deb http://x/ y", Some("mine")), "mine.list");
    }

    #[test]
    fn only_enabled_deb_lines_are_repositories() {
        assert_eq!(normalize("deb   http://a  b c"), Some("deb http://a b c".into()));
        assert_eq!(normalize("# deb http://a b"), None);
        assert_eq!(normalize("http://a b"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,300}") {
            let mut list = SourcesList::parse(&text);
            let _ = suggested_file(&text, None);
            if let Some(source) = normalize(&text) {
                let _ = list.add(&source, "/f");
                let _ = list.remove(&source);
            }
        }
    }
}
