/// Ansible's section banner: the title, a space, and stars out to the
/// display's width — one column less than a terminal's, 79 when stdout is
/// not a terminal, and never less than 79 — with at least 3 stars.
pub(super) fn banner(title: &str) -> String {
    banner_for(title, columns())
}

fn banner_for(title: &str, columns: usize) -> String {
    let title = title.trim();
    let stars = columns
        .saturating_sub(console::measure_text_width(title))
        .max(3);
    format!("{title} {}", "*".repeat(stars))
}

/// Decided once, as Ansible's display does at start-up.
fn columns() -> usize {
    static COLUMNS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *COLUMNS.get_or_init(|| {
        let terminal = console::Term::stdout();
        let width = match terminal.is_term().then(|| terminal.size_checked()) {
            Some(Some((_rows, columns))) => usize::from(columns),
            _ => 0,
        };
        width.saturating_sub(1).max(79)
    })
}

#[cfg(test)]
mod tests {
    use super::banner_for;

    #[test]
    fn fills_the_display_like_ansible() {
        let line = banner_for("PLAY [web]", 79);
        assert_eq!(line.len(), 80);
        assert!(line.starts_with("PLAY [web] ***"));
        assert_eq!(banner_for("PLAY [web]", 119).len(), 120);
        assert_eq!(
            banner_for(&"x".repeat(90), 79),
            format!("{} ***", "x".repeat(90))
        );
        // Wide characters take two columns, as Ansible counts them.
        assert_eq!(
            console::measure_text_width(&banner_for("TASK [部署]", 79)),
            80
        );
    }
}
