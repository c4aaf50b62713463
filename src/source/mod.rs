//! Where parsed things came from: files, positions, and the one renderer that
//! draws `--> file:line:col`, the source line and a `^^^` underline.

mod diagnostic;
mod source_file;
mod span;

pub use diagnostic::{Diagnostic, ErrorKind};
pub use source_file::SourceFile;
pub use span::Span;

/// The known name closest to `unknown`, if any is close enough to be a
/// plausible typo. Used for "did you mean" hints on keywords, modules and
/// arguments.
pub fn suggest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(unknown, candidate), candidate))
        .filter(|(distance, candidate)| {
            *distance <= (candidate.len().max(unknown.len()) / 3).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn suggests_close_names_only() {
        let known = ["shell", "command", "debug"];
        assert_eq!(suggest("shel", known), Some("shell"));
        assert_eq!(suggest("comand", known), Some("command"));
        assert_eq!(suggest("copy", known), None);
    }
}
