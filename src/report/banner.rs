/// Ansible's section banner: the title, a space, and stars out to 80 columns
/// (Ansible's display is 79 columns wide when stdout is not a terminal, and
/// the stars fill those columns after the title and its space).
pub(super) fn banner(title: &str) -> String {
    let stars = 79usize.saturating_sub(title.chars().count()).max(3);
    format!("{title} {}", "*".repeat(stars))
}

#[cfg(test)]
mod tests {
    use super::banner;

    #[test]
    fn fills_to_eighty_columns_like_ansible() {
        let line = banner("PLAY [web]");
        assert_eq!(line.len(), 80);
        assert!(line.starts_with("PLAY [web] ***"));
    }
}
