//! INI inventory values are read like Ansible reads them: Python's
//! `ast.literal_eval`, falling back to the text itself. So `5` is a number,
//! `True` a boolean, `'05'` the string `05`, `[1, 2]` a list and `FALSE`,
//! `yes` or `10-5` stay strings.
//!
//! Supported: `True`/`False`/`None`, integers (`_`, `0x`, `0o`, `0b`, a sign),
//! floats, single/double/triple-quoted strings with `r`/`u`/`b` prefixes and
//! escapes, adjacent string concatenation, lists, tuples and sets (as lists),
//! dicts, and a trailing `# comment`. Complex numbers stay strings.

use minijinja::Value;

use crate::value::map_from_pairs;

/// The value `text` stands for in an INI inventory.
pub fn parse_value(text: &str) -> Value {
    literal_eval(text).unwrap_or_else(|| Value::from(text))
}

/// `text` as a Python literal, or `None` when it is not one.
pub(super) fn literal_eval(text: &str) -> Option<Value> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    let value = parser.expression()?;
    parser.skip_space();
    parser.at_end().then_some(value)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn at_end(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// Whitespace and a `#` comment running to the end of the text.
    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c == '#' {
                self.at = self.chars.len();
            } else if c.is_whitespace() {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn expression(&mut self) -> Option<Value> {
        self.skip_space();
        match self.peek()? {
            '[' => self.sequence('[', ']').map(Value::from),
            '(' => self.parenthesised(),
            '{' => self.braced(),
            '-' | '+' => self.signed_number(),
            c if c.is_ascii_digit() || c == '.' => self.number(),
            _ => self.strings().or_else(|| self.keyword()),
        }
    }

    fn keyword(&mut self) -> Option<Value> {
        let word = self.identifier();
        match word.as_str() {
            "True" => Some(Value::from(true)),
            "False" => Some(Value::from(false)),
            "None" => Some(Value::from(())),
            _ => None,
        }
    }

    fn identifier(&mut self) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    /// Items up to `close`, separated by commas, a trailing comma allowed.
    fn sequence(&mut self, open: char, close: char) -> Option<Vec<Value>> {
        if !self.eat(open) {
            return None;
        }
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Some(items);
            }
            items.push(self.expression()?);
            if !self.eat(',') {
                return self.eat(close).then_some(items);
            }
        }
    }

    /// `(x)` is `x`; `()` and `(x,)` are tuples, which become lists.
    fn parenthesised(&mut self) -> Option<Value> {
        let start = self.at;
        self.at += 1;
        if self.eat(')') {
            return Some(Value::from(Vec::<Value>::new()));
        }
        let first = self.expression()?;
        if self.eat(')') {
            return Some(first);
        }
        self.at = start;
        self.sequence('(', ')').map(Value::from)
    }

    /// `{}` and `{k: v}` are dicts; `{a, b}` is a set, which becomes a list.
    fn braced(&mut self) -> Option<Value> {
        let start = self.at;
        self.at += 1;
        if self.eat('}') {
            return Some(map_from_pairs(Vec::<(Value, Value)>::new()));
        }
        self.expression()?;
        let is_dict = self.eat(':');
        self.at = start;
        if is_dict {
            self.dict()
        } else {
            self.sequence('{', '}').map(Value::from)
        }
    }

    fn dict(&mut self) -> Option<Value> {
        self.eat('{');
        let mut pairs = Vec::new();
        loop {
            if self.eat('}') {
                return Some(map_from_pairs(pairs));
            }
            let key = self.expression()?;
            if !self.eat(':') {
                return None;
            }
            pairs.push((key, self.expression()?));
            if !self.eat(',') {
                return self.eat('}').then(|| map_from_pairs(pairs));
            }
        }
    }

    fn signed_number(&mut self) -> Option<Value> {
        let negative = self.peek() == Some('-');
        self.at += 1;
        self.skip_space();
        let value = self.number()?;
        if !negative {
            return Some(value);
        }
        if let Some(i) = value.as_i64() {
            return Some(Value::from(i.checked_neg()?));
        }
        f64::try_from(value).ok().map(|f| Value::from(-f))
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            || (self.at > start
                && matches!(self.peek(), Some('+' | '-'))
                && matches!(self.chars.get(self.at - 1), Some('e' | 'E'))
                && !self.chars[start..self.at]
                    .iter()
                    .any(|c| matches!(c, 'x' | 'X')))
        {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        number_value(&text)
    }

    /// One or more adjacent string literals, concatenated.
    fn strings(&mut self) -> Option<Value> {
        let mut joined = self.string()?;
        loop {
            let before = self.at;
            self.skip_space();
            match self.string() {
                Some(more) => joined.push_str(&more),
                None => {
                    self.at = before;
                    return Some(Value::from(joined));
                }
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        let start = self.at;
        let prefix = self.identifier().to_ascii_lowercase();
        let raw = prefix.contains('r');
        if !matches!(prefix.as_str(), "" | "r" | "u" | "b" | "br" | "rb") {
            self.at = start;
            return None;
        }
        let quote = self.peek().filter(|c| matches!(c, '\'' | '"'));
        let Some(quote) = quote else {
            self.at = start;
            return None;
        };
        let triple = self.chars.get(self.at..self.at + 3) == Some(&[quote; 3][..]);
        self.at += if triple { 3 } else { 1 };
        let body = self.string_body(quote, triple, raw);
        if body.is_none() {
            self.at = start;
        }
        body
    }

    fn string_body(&mut self, quote: char, triple: bool, raw: bool) -> Option<String> {
        let mut text = String::new();
        loop {
            let c = self.peek()?;
            self.at += 1;
            if c == quote {
                if !triple {
                    return Some(text);
                }
                if self.chars.get(self.at..self.at + 2) == Some(&[quote; 2][..]) {
                    self.at += 2;
                    return Some(text);
                }
                text.push(c);
            } else if c == '\\' {
                let next = self.peek()?;
                self.at += 1;
                if raw {
                    text.push('\\');
                    text.push(next);
                } else {
                    self.escape(next, &mut text)?;
                }
            } else if c == '\n' && !triple {
                return None;
            } else {
                text.push(c);
            }
        }
    }

    fn escape(&mut self, c: char, text: &mut String) -> Option<()> {
        let simple = match c {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            '\\' | '\'' | '"' => Some(c),
            _ => None,
        };
        if let Some(simple) = simple {
            text.push(simple);
            return Some(());
        }
        match c {
            '\n' => {}
            'x' => text.push(self.hex_char(2)?),
            'u' => text.push(self.hex_char(4)?),
            'U' => text.push(self.hex_char(8)?),
            '0'..='7' => {
                let mut code = c.to_digit(8)?;
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(digit) => {
                            code = code * 8 + digit;
                            self.at += 1;
                        }
                        None => break,
                    }
                }
                text.push(char::from_u32(code)?);
            }
            'N' => return None,
            other => {
                text.push('\\');
                text.push(other);
            }
        }
        Some(())
    }

    fn hex_char(&mut self, digits: usize) -> Option<char> {
        let hex: String = self.chars.get(self.at..self.at + digits)?.iter().collect();
        self.at += digits;
        char::from_u32(u32::from_str_radix(&hex, 16).ok()?)
    }
}

/// A Python number literal (`_` separators allowed between digits).
fn number_value(text: &str) -> Option<Value> {
    if text.starts_with('_') || text.ends_with('_') || text.contains("__") {
        return None;
    }
    let plain = text.replace('_', "");
    let lower = plain.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(digits) = lower.strip_prefix(prefix) {
            return i64::from_str_radix(digits.trim_start_matches('_'), radix)
                .ok()
                .map(Value::from);
        }
    }
    if lower.bytes().all(|b| b.is_ascii_digit()) {
        // Python 3 rejects leading zeros (`0755`) except in zero itself.
        if lower.len() > 1 && lower.starts_with('0') && lower.bytes().any(|b| b != b'0') {
            return None;
        }
        return lower.parse::<i64>().ok().map(Value::from);
    }
    let float_shaped = lower
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-'))
        && lower.bytes().any(|b| b.is_ascii_digit());
    if !float_shaped || lower.starts_with('e') {
        return None;
    }
    lower.parse::<f64>().ok().map(Value::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Python-style repr, so types show: `5` vs `'5'`.
    fn repr(text: &str) -> String {
        format!("{:?}", parse_value(text))
    }

    #[test]
    fn python_literals_become_values() {
        assert_eq!(repr("5"), "5");
        assert_eq!(repr("-5"), "-5");
        assert_eq!(repr("1_000"), "1000");
        assert_eq!(repr("0x1F"), "31");
        assert_eq!(repr("1.5"), "1.5");
        assert_eq!(repr("1e3"), "1000.0");
        assert_eq!(repr("True"), "True");
        assert_eq!(repr("False"), "False");
        assert_eq!(repr("None"), "None");
        assert_eq!(repr("'05'"), "'05'");
        assert_eq!(repr(r#""a\tb""#), r"'a\tb'");
        assert_eq!(repr("[1, 'two', [3]]"), "[1, 'two', [3]]");
        assert_eq!(repr("(1, 2)"), "[1, 2]");
        assert_eq!(repr("(1)"), "1");
        assert_eq!(repr("{'a': 1, 'b': [True]}"), "{'a': 1, 'b': [True]}");
        assert_eq!(repr("'a' 'b'"), "'ab'");
        assert_eq!(repr("5 # five"), "5");
    }

    #[test]
    fn everything_else_stays_text() {
        for text in [
            "FALSE",
            "yes",
            "10-5",
            "0755",
            "hello world",
            "web01",
            "1.2.3.4",
            "{{ x }}",
            "[1,",
            "'open",
            "a # b",
            "1j",
        ] {
            assert_eq!(parse_value(text), Value::from(text), "{text}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = parse_value(&text);
        }

        #[test]
        fn integers_round_trip(n in any::<i64>().prop_filter("neg of min", |n| *n != i64::MIN)) {
            prop_assert_eq!(parse_value(&n.to_string()), Value::from(n));
        }
    }
}
