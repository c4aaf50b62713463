//! Host name ranges: `db[01:20]`, `web-[a:f]`, `node[1:9:2]`, and several
//! ranges in one name, expanded exactly as Ansible's `expand_hostname_range`.

use thiserror::Error;

/// Why a bracketed range in a host name could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RangeError {
    #[error("host range `[{0}]` must be begin:end or begin:end:step")]
    Shape(String),
    #[error("host range `[{0}]` must specify an end value")]
    MissingEnd(String),
    #[error("host range `[{0}]` must use equal-length begin and end when zero-padded")]
    UnequalPadding(String),
    #[error("host range `[{0}]` must have begin <= end")]
    Backwards(String),
    #[error("host range `[{0}]` must use numbers or single letters")]
    Bounds(String),
    #[error("host range `[{0}]` must have a step of 1 or more")]
    Step(String),
    #[error("host range in `{0}` has no closing `]`")]
    Unclosed(String),
    #[error(
        "host range `{pattern}` stands for {count} hosts; at most {MAX_RANGE_HOSTS} are allowed in one name"
    )]
    TooMany { pattern: String, count: u128 },
}

/// The most host names one bracketed name may expand to (all its ranges
/// multiplied). Far above any real fleet, far below what would exhaust the
/// controller's memory (`h[0:999999999]` would need about 24 GB).
pub(super) const MAX_RANGE_HOSTS: u128 = 1_000_000;

/// Whether `name` contains a range to expand (Ansible looks for any `[`).
pub(super) fn has_range(name: &str) -> bool {
    name.contains('[')
}

/// Every host name `pattern` stands for, in order; the first range varies
/// slowest. A name without a range stands for itself.
pub fn expand(pattern: &str) -> Result<Vec<String>, RangeError> {
    let count = count_names(pattern)?;
    if count > MAX_RANGE_HOSTS {
        return Err(RangeError::TooMany {
            pattern: pattern.to_string(),
            count,
        });
    }
    if count == 0 {
        // One empty range (`[5:1]`) empties the product, however large the
        // others are.
        return Ok(Vec::new());
    }
    expand_checked(pattern)
}

/// How many names `pattern` stands for, without making them: every range's
/// items are letters or digits, so the ranges are those of `pattern` itself.
fn count_names(pattern: &str) -> Result<u128, RangeError> {
    let mut count: u128 = 1;
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        let close = rest[open..]
            .find(']')
            .map(|offset| open + offset)
            .ok_or_else(|| RangeError::Unclosed(pattern.to_string()))?;
        count = count.saturating_mul(range_len(&rest[open + 1..close])?);
        rest = &rest[close + 1..];
    }
    Ok(count)
}

fn range_len(spec: &str) -> Result<u128, RangeError> {
    let (begin, end, step) = bounds(spec)?;
    let span = if let (Some(first), Some(last)) = (single_letter(begin), single_letter(end)) {
        if first > last {
            return Err(RangeError::Backwards(spec.to_string()));
        }
        (last - first) as u128
    } else {
        if begin.len() > 1 && begin.starts_with('0') && begin.len() != end.len() {
            return Err(RangeError::UnequalPadding(spec.to_string()));
        }
        let (Some(first), Some(last)) = (number(begin), number(end)) else {
            return Err(RangeError::Bounds(spec.to_string()));
        };
        if first > last {
            return Ok(0);
        }
        u128::from(last - first)
    };
    Ok(span / step as u128 + 1)
}

fn number(text: &str) -> Option<u64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().ok()
    } else {
        None
    }
}

fn expand_checked(pattern: &str) -> Result<Vec<String>, RangeError> {
    let Some(open) = pattern.find('[') else {
        return Ok(vec![pattern.to_string()]);
    };
    let close = pattern[open..]
        .find(']')
        .map(|offset| open + offset)
        .ok_or_else(|| RangeError::Unclosed(pattern.to_string()))?;
    let (head, spec, tail) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let mut names = Vec::new();
    for item in range_items(spec)? {
        let name = format!("{head}{item}{tail}");
        if has_range(&name) {
            names.extend(expand_checked(&name)?);
        } else {
            names.push(name);
        }
    }
    Ok(names)
}

/// `begin`, `end` and `step` of a range, `begin` defaulting to 0.
fn bounds(spec: &str) -> Result<(&str, &str, usize), RangeError> {
    let bounds: Vec<&str> = spec.split(':').collect();
    let (begin, end, step) = match bounds.as_slice() {
        [begin, end] => (*begin, *end, "1"),
        [begin, end, step] => (*begin, *end, *step),
        _ => return Err(RangeError::Shape(spec.to_string())),
    };
    let begin = if begin.is_empty() { "0" } else { begin };
    if end.is_empty() {
        return Err(RangeError::MissingEnd(spec.to_string()));
    }
    let step: usize = match step.parse() {
        Ok(step) if step > 0 => step,
        _ => return Err(RangeError::Step(spec.to_string())),
    };
    Ok((begin, end, step))
}

fn range_items(spec: &str) -> Result<Vec<String>, RangeError> {
    let (begin, end, step) = bounds(spec)?;
    if let (Some(first), Some(last)) = (single_letter(begin), single_letter(end)) {
        return letter_items(first, last, step, spec);
    }
    number_items(begin, end, step, spec)
}

fn single_letter(text: &str) -> Option<usize> {
    let mut chars = text.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    if chars.next().is_some() {
        return None;
    }
    LETTERS.find(letter)
}

/// Python's `string.ascii_letters`: lower case first, so `[x:B]` is a range.
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn letter_items(
    first: usize,
    last: usize,
    step: usize,
    spec: &str,
) -> Result<Vec<String>, RangeError> {
    if first > last {
        return Err(RangeError::Backwards(spec.to_string()));
    }
    Ok(LETTERS[first..=last]
        .chars()
        .step_by(step)
        .map(String::from)
        .collect())
}

fn number_items(
    begin: &str,
    end: &str,
    step: usize,
    spec: &str,
) -> Result<Vec<String>, RangeError> {
    let width = if begin.len() > 1 && begin.starts_with('0') {
        if begin.len() != end.len() {
            return Err(RangeError::UnequalPadding(spec.to_string()));
        }
        begin.len()
    } else {
        0
    };
    let (Some(first), Some(last)) = (number(begin), number(end)) else {
        return Err(RangeError::Bounds(spec.to_string()));
    };
    // Python's range() simply yields nothing when begin > end.
    Ok((first..=last)
        .step_by(step)
        .map(|n| format!("{n:0width$}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(pattern: &str) -> Vec<String> {
        expand(pattern).expect("valid range")
    }

    #[test]
    fn documented_examples_expand() {
        assert_eq!(names("www[01:50].example.com").len(), 50);
        assert_eq!(names("www[01:50].example.com")[0], "www01.example.com");
        assert_eq!(names("www[01:50].example.com")[49], "www50.example.com");
        assert_eq!(
            names("www[01:50:2].example.com")[..3],
            [
                "www01.example.com",
                "www03.example.com",
                "www05.example.com"
            ]
        );
        assert_eq!(names("db-[a:f].example.com").len(), 6);
        assert_eq!(names("db-[a:f].example.com")[5], "db-f.example.com");
    }

    #[test]
    fn unpadded_ranges_and_missing_begin() {
        assert_eq!(names("h[8:11]"), ["h8", "h9", "h10", "h11"]);
        assert_eq!(names("h[:2]"), ["h0", "h1", "h2"]);
        assert_eq!(names("h[5:1]"), Vec::<String>::new());
    }

    #[test]
    fn several_ranges_vary_the_first_slowest() {
        assert_eq!(names("r[1:2]n[a:b]"), ["r1na", "r1nb", "r2na", "r2nb"]);
    }

    #[test]
    fn malformed_ranges_are_errors() {
        assert_eq!(expand("h[1]"), Err(RangeError::Shape("1".into())));
        assert_eq!(expand("h[1:]"), Err(RangeError::MissingEnd("1:".into())));
        assert_eq!(
            expand("h[01:100]"),
            Err(RangeError::UnequalPadding("01:100".into()))
        );
        assert_eq!(expand("h[f:a]"), Err(RangeError::Backwards("f:a".into())));
        assert_eq!(expand("h[a:9]"), Err(RangeError::Bounds("a:9".into())));
        assert_eq!(expand("h[1:9:0]"), Err(RangeError::Step("1:9:0".into())));
        assert_eq!(expand("h[1:9"), Err(RangeError::Unclosed("h[1:9".into())));
    }

    #[test]
    fn ranges_over_the_limit_are_refused_before_any_name_is_made() {
        assert_eq!(
            expand("h[0:999999999]"),
            Err(RangeError::TooMany {
                pattern: "h[0:999999999]".into(),
                count: 1_000_000_000
            })
        );
        assert!(matches!(
            expand("a[0:9999]b[0:9999]"),
            Err(RangeError::TooMany {
                count: 100_000_000,
                ..
            })
        ));
        assert!(matches!(
            expand("h[0:18446744073709551615]x[0:18446744073709551615]"),
            Err(RangeError::TooMany { .. })
        ));
        assert_eq!(names("h[1:1000000]").len(), 1_000_000);
        assert_eq!(names("h[0:1999999:2]").len(), 1_000_000);
    }

    proptest! {
        #[test]
        fn count_is_the_product_of_range_sizes(
            ranges in proptest::collection::vec((0u64..30, 0u64..30, 1usize..4), 1..4)
        ) {
            let mut pattern = String::from("h");
            let mut expected = 1usize;
            for (a, b, step) in &ranges {
                let (lo, hi) = (a.min(b), a.max(b));
                pattern.push_str(&format!("[{lo}:{hi}:{step}]-"));
                expected *= ((hi - lo) as usize) / step + 1;
            }
            let all = expand(&pattern).expect("valid");
            prop_assert_eq!(all.len(), expected);
            let unique: std::collections::HashSet<_> = all.iter().collect();
            prop_assert_eq!(unique.len(), expected);
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = expand(&text);
        }

        #[test]
        fn the_count_is_checked_before_names_are_made(text in "[a-z]{0,3}(\\[[0-9]{0,12}:[0-9]{1,12}(:[0-9]{1,3})?\\][a-z]{0,2}){0,4}") {
            match count_names(&text) {
                Ok(count) if count > MAX_RANGE_HOSTS => {
                    let refused = matches!(expand(&text), Err(RangeError::TooMany { .. }));
                    prop_assert!(refused);
                }
                // Expanding up to the limit is slow in a debug build; the
                // count must still be what expansion makes.
                Ok(count) if count <= 20_000 => {
                    prop_assert_eq!(expand(&text).map(|n| n.len() as u128), Ok(count));
                }
                Ok(_) => {}
                Err(error) => prop_assert_eq!(expand(&text), Err(error)),
            }
        }
    }
}
