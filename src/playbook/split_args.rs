//! Ansible's `split_args`: cut a free-form argument string into words on
//! spaces and newlines, keeping together what sits inside quotes or a
//! `{{ }}`/`{% %}`/`{# #}` block. Words are ranges of the original text, so
//! a command keeps its spacing exactly.

use std::ops::Range;

/// The Jinja block delimiters whose depth is tracked, each on its own.
const BLOCKS: [(&str, &str); 3] = [("{{", "}}"), ("{%", "%}"), ("{#", "#}")];

/// The words of `text`, or an error when a quote or a Jinja block is left open.
pub(super) fn split_args(text: &str) -> Result<Vec<Range<usize>>, String> {
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut quote: Option<char> = None;
    let mut depths = [0usize; 3];
    for token in tokens(text) {
        let token_text = &text[token.clone()];
        // A lone `\` outside quotes continues the line; Ansible drops it.
        if token_text == "\\" && quote.is_none() {
            continue;
        }
        let was_open = quote.is_some() || depths.iter().any(|d| *d > 0);
        quote = quote_state(token_text, quote);
        match words.last_mut() {
            Some(last) if was_open => last.end = token.end,
            _ => words.push(token),
        }
        for (depth, (open, close)) in depths.iter_mut().zip(BLOCKS) {
            let opened = token_text.matches(open).count();
            let closed = token_text.matches(close).count();
            *depth = (*depth + opened).saturating_sub(closed);
        }
    }
    if quote.is_some() || depths.iter().any(|d| *d > 0) {
        return Err(format!(
            "failed at splitting arguments, either an unbalanced jinja2 block or quotes: {text}"
        ));
    }
    Ok(words)
}

/// Non-empty runs of text between spaces and newlines (tabs do not split, as in Ansible).
fn tokens(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    text.char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .filter_map(move |(i, c)| {
            if c != ' ' && c != '\n' {
                return None;
            }
            let token = start..i;
            start = i + 1;
            (!token.is_empty()).then_some(token)
        })
}

/// The quote still open after `token`, given the one open before it; a
/// quote preceded by `\` neither opens nor closes.
fn quote_state(token: &str, mut quote: Option<char>) -> Option<char> {
    let mut previous = None;
    for c in token.chars() {
        if (c == '"' || c == '\'') && previous != Some('\\') {
            quote = match quote {
                Some(open) if open == c => None,
                Some(open) => Some(open),
                None => Some(c),
            };
        }
        previous = Some(c);
    }
    quote
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Result<Vec<&str>, String> {
        Ok(split_args(text)?.into_iter().map(|r| &text[r]).collect())
    }

    #[test]
    fn quotes_and_templates_hold_words_together() {
        assert_eq!(
            words(r#"a=b c="foo bar" d='x  y'"#),
            Ok(vec!["a=b", r#"c="foo bar""#, "d='x  y'"])
        );
        assert_eq!(
            words("msg={{ a | default('b c') }} x={% if y %}1{% endif %}"),
            Ok(vec![
                "msg={{ a | default('b c') }}",
                "x={% if y %}1{% endif %}"
            ])
        );
        assert_eq!(words("a={# c d #}"), Ok(vec!["a={# c d #}"]));
        assert_eq!(
            words(r#"msg="say \"hi there\"""#),
            Ok(vec![r#"msg="say \"hi there\"""#])
        );
        assert_eq!(words("a\tb  c\nd"), Ok(vec!["a\tb", "c", "d"]));
        assert_eq!(words("a \\\n b"), Ok(vec!["a", "b"]));
        assert_eq!(words("  "), Ok(vec![]));
    }

    #[test]
    fn open_quotes_and_blocks_are_errors() {
        for text in ["a='b", "msg={{ x", "x={% if", r#"a="b 'c'"#] {
            assert!(words(text).is_err(), "{text}");
        }
    }

    proptest::proptest! {
        /// Words are non-empty, in order, apart, inside the text and on
        /// character boundaries, whatever the text.
        #[test]
        fn words_are_ordered_slices_of_the_text(text in "[ \n\t\\'\"{}%#a-z=é]{0,60}|\\PC{0,60}") {
            let Ok(words) = split_args(&text) else {
                return Ok(());
            };
            let mut end = 0;
            for word in words {
                proptest::prop_assert!(word.start >= end && word.start < word.end);
                proptest::prop_assert!(text.get(word.clone()).is_some());
                end = word.end;
            }
            proptest::prop_assert!(end <= text.len());
        }
    }
}
