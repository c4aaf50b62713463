//! File modes as Ansible takes them: an octal string (`"0644"`, `"644"`),
//! a number (YAML's `0644` is already octal), `preserve`, or symbolic
//! (`u+rwx,g-w,o=r`, applied to the current mode like chmod).

use crate::value::Value;

/// A requested mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    Octal(u32),
    /// Clauses applied to the current mode.
    Symbolic(String),
    /// Keep the source's mode (`copy` with `mode: preserve`).
    Preserve,
}

impl Mode {
    /// The bits this mode gives a file whose mode is now `current`.
    pub(crate) fn resolve(&self, current: u32, is_dir: bool) -> Result<u32, String> {
        match self {
            Mode::Octal(bits) => Ok(*bits),
            Mode::Preserve => Ok(current),
            Mode::Symbolic(text) => apply_symbolic(text, current, is_dir),
        }
    }
}

/// Read a `mode:` argument.
pub(crate) fn parse_mode(value: &Value) -> Result<Mode, String> {
    if let Some(number) = value.as_i64() {
        return u32::try_from(number)
            .ok()
            .filter(|bits| *bits <= 0o7777)
            .map(Mode::Octal)
            .ok_or_else(|| format!("mode {number} is out of range"));
    }
    let text = value
        .as_str()
        .ok_or_else(|| format!("mode must be a string or a number, got {value}"))?
        .trim();
    if text == "preserve" {
        return Ok(Mode::Preserve);
    }
    if !text.is_empty() && text.chars().all(|c| c.is_digit(8)) {
        return u32::from_str_radix(text, 8)
            .ok()
            .filter(|bits| *bits <= 0o7777)
            .map(Mode::Octal)
            .ok_or_else(|| format!("mode {text} is out of range"));
    }
    apply_symbolic(text, 0, false).map(|_| Mode::Symbolic(text.to_string()))
}

fn apply_symbolic(text: &str, current: u32, is_dir: bool) -> Result<u32, String> {
    let mut mode = current;
    for clause in text.split(',') {
        mode = apply_clause(clause.trim(), mode, is_dir)
            .ok_or_else(|| format!("bad symbolic mode `{clause}` in `{text}`"))?;
    }
    Ok(mode)
}

fn apply_clause(clause: &str, mode: u32, is_dir: bool) -> Option<u32> {
    let op_at = clause.find(['+', '-', '='])?;
    let (who, rest) = clause.split_at(op_at);
    let mut who_mask = 0u32;
    for c in who.chars() {
        who_mask |= match c {
            'u' => 0o4700,
            'g' => 0o2070,
            'o' => 0o1007,
            'a' => 0o7777,
            _ => return None,
        };
    }
    if who_mask == 0 {
        who_mask = 0o7777;
    }
    let op = rest.chars().next()?;
    let mut perms = 0u32;
    for c in rest[1..].chars() {
        perms |= match c {
            'r' => 0o444,
            'w' => 0o222,
            'x' => 0o111,
            'X' if is_dir || mode & 0o111 != 0 => 0o111,
            'X' => 0,
            's' => 0o6000,
            't' => 0o1000,
            _ => return None,
        };
    }
    let bits = perms & who_mask;
    Some(match op {
        '+' => mode | bits,
        '-' => mode & !bits,
        _ => (mode & !(who_mask & 0o7777)) | bits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_and_symbolic_modes() {
        assert_eq!(parse_mode(&Value::from("0644")), Ok(Mode::Octal(0o644)));
        assert_eq!(parse_mode(&Value::from("755")), Ok(Mode::Octal(0o755)));
        assert_eq!(parse_mode(&Value::from(0o600)), Ok(Mode::Octal(0o600)));
        assert_eq!(parse_mode(&Value::from("preserve")), Ok(Mode::Preserve));
        let symbolic = parse_mode(&Value::from("u+x,g-w,o=r")).expect("valid");
        assert_eq!(symbolic.resolve(0o664, false), Ok(0o744));
        assert_eq!(Mode::Symbolic("a+X".into()).resolve(0o644, true), Ok(0o755));
        assert_eq!(
            Mode::Symbolic("a+X".into()).resolve(0o644, false),
            Ok(0o644)
        );
        assert!(parse_mode(&Value::from("u+q")).is_err());
        assert!(parse_mode(&Value::from("99999")).is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,20}") {
            let _ = parse_mode(&Value::from(text));
        }
    }
}
