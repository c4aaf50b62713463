//! Host lines in INI inventories are split like Python's
//! `shlex.split(line, comments=True)` (POSIX mode): whitespace separates
//! words, quotes group them, and `#` outside quotes ends the line, even in
//! the middle of a word.

use thiserror::Error;

/// One word of a host line and the 0-based character column it starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Word {
    pub text: String,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(super) enum SplitError {
    #[error("no closing quotation")]
    UnclosedQuote { column: usize },
    #[error("no escaped character after `\\`")]
    TrailingEscape { column: usize },
}

impl SplitError {
    pub(super) fn column(&self) -> usize {
        match self {
            Self::UnclosedQuote { column } | Self::TrailingEscape { column } => *column,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Between,
    Word,
    Single,
    Double,
}

/// Split `line` into words.
pub(super) fn split(line: &str) -> Result<Vec<Word>, SplitError> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut state = State::Between;
    let mut text = String::new();
    let mut start = 0;
    let mut quote_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match state {
            State::Between | State::Word => {
                if c.is_whitespace() || c == '#' {
                    if state == State::Word {
                        words.push(Word {
                            text: std::mem::take(&mut text),
                            column: start,
                        });
                    }
                    if c == '#' {
                        return Ok(words);
                    }
                    state = State::Between;
                } else {
                    if state == State::Between {
                        start = i;
                        state = State::Word;
                    }
                    match c {
                        '\'' => (state, quote_start) = (State::Single, i),
                        '"' => (state, quote_start) = (State::Double, i),
                        '\\' => {
                            i += 1;
                            let escaped = chars
                                .get(i)
                                .ok_or(SplitError::TrailingEscape { column: i - 1 })?;
                            text.push(*escaped);
                        }
                        _ => text.push(c),
                    }
                }
            }
            State::Single => {
                if c == '\'' {
                    state = State::Word;
                } else {
                    text.push(c);
                }
            }
            State::Double => match c {
                '"' => state = State::Word,
                '\\' if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                    i += 1;
                    text.push(chars[i]);
                }
                _ => text.push(c),
            },
        }
        i += 1;
    }
    match state {
        State::Single | State::Double => Err(SplitError::UnclosedQuote {
            column: quote_start,
        }),
        State::Word => {
            words.push(Word {
                text,
                column: start,
            });
            Ok(words)
        }
        State::Between => Ok(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(line: &str) -> Vec<String> {
        split(line)
            .expect("splits")
            .into_iter()
            .map(|w| w.text)
            .collect()
    }

    #[test]
    fn words_quotes_and_comments() {
        assert_eq!(
            texts("host1 a=1 b='two words'  # note"),
            ["host1", "a=1", "b=two words"]
        );
        assert_eq!(
            texts(r#"h x="say \"hi\"" y=a\ b"#),
            ["h", r#"x=say "hi""#, "y=a b"]
        );
        assert_eq!(texts("h pass=abc#def"), ["h", "pass=abc"]);
        assert_eq!(texts("h pass='abc#def'"), ["h", "pass=abc#def"]);
        assert_eq!(texts(r#"h v="'quoted'""#), ["h", "v='quoted'"]);
    }

    #[test]
    fn columns_point_at_word_starts() {
        let words = split("  web1  x=1").expect("splits");
        assert_eq!((words[0].column, words[1].column), (2, 8));
    }

    #[test]
    fn unclosed_quotes_are_errors() {
        assert_eq!(
            split("h x='abc"),
            Err(SplitError::UnclosedQuote { column: 4 })
        );
        assert_eq!(
            split("h x\\"),
            Err(SplitError::TrailingEscape { column: 3 })
        );
    }

    proptest! {
        #[test]
        fn never_panics(line in "\\PC{0,60}") {
            let _ = split(&line);
        }
    }
}
