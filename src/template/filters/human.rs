//! `human_readable` and `human_to_bytes`: sizes as Ansible's
//! `bytes_to_human`/`human_to_bytes` write and read them (`1.00 KB`,
//! `'10M'`, bits with `isbits`).

use std::sync::LazyLock;

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error};

use super::failure;
use crate::template::pyrepr::py_str;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("human_readable", human_readable);
    env.add_filter("human_to_bytes", human_to_bytes);
}

/// Largest first, as Ansible picks them.
const RANGES: [(char, f64); 9] = [
    ('Y', 1_208_925_819_614_629_174_706_176.0),
    ('Z', 1_180_591_620_717_411_303_424.0),
    ('E', 1_152_921_504_606_846_976.0),
    ('P', 1_125_899_906_842_624.0),
    ('T', 1_099_511_627_776.0),
    ('G', 1_073_741_824.0),
    ('M', 1_048_576.0),
    ('K', 1024.0),
    ('B', 1.0),
];

const UNIT_NAMES: [(char, &str, &str); 9] = [
    ('B', "byte", "bit"),
    ('K', "kilobyte", "kilobit"),
    ('M', "megabyte", "megabit"),
    ('G', "gigabyte", "gigabit"),
    ('T', "terabyte", "terabit"),
    ('P', "petabyte", "petabit"),
    ('E', "exabyte", "exabit"),
    ('Z', "zetabyte", "zetabit"),
    ('Y', "yottabyte", "yottabit"),
];

fn flag(kwargs: &Kwargs, positional: Option<bool>, name: &str) -> Result<bool, Error> {
    match positional {
        Some(flag) => Ok(flag),
        None => Ok(kwargs.get::<Option<bool>>(name)?.unwrap_or(false)),
    }
}

/// `human_readable(isbits=False, unit=None)`.
fn human_readable(
    value: &Value,
    isbits: Option<bool>,
    unit: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let isbits = flag(&kwargs, isbits, "isbits")?;
    let unit = match unit {
        Some(unit) => Some(unit),
        None => kwargs.get::<Option<String>>("unit")?,
    };
    kwargs.assert_all_used()?;
    let size = match value.kind() {
        ValueKind::Number => f64::try_from(value.clone()).ok(),
        ValueKind::Bool => Some(f64::from(u8::from(value.is_true()))),
        _ => None,
    }
    .ok_or_else(|| failure("human_readable() failed on bad input"))?;
    Ok(bytes_to_human(size, isbits, unit.as_deref()))
}

pub(crate) fn bytes_to_human(size: f64, isbits: bool, unit: Option<&str>) -> String {
    let base = if isbits { "bits" } else { "Bytes" };
    let wanted = unit
        .and_then(|u| u.chars().next())
        .map(|c| c.to_ascii_uppercase());
    let (suffix, limit) = RANGES
        .iter()
        .find(|(suffix, limit)| match wanted {
            None => size >= *limit,
            Some(wanted) => wanted == *suffix,
        })
        .copied()
        .unwrap_or(('B', 1.0));
    let suffix = if limit == 1.0 {
        base.to_string()
    } else {
        format!("{suffix}{}", &base[..1])
    };
    format!("{:.2} {suffix}", size / limit)
}

/// `human_to_bytes(default_unit=None, isbits=False)`.
fn human_to_bytes(
    value: &Value,
    default_unit: Option<String>,
    isbits: Option<bool>,
    kwargs: Kwargs,
) -> Result<i64, Error> {
    let default_unit = match default_unit {
        Some(unit) => Some(unit),
        None => kwargs.get::<Option<String>>("default_unit")?,
    };
    let isbits = flag(&kwargs, isbits, "isbits")?;
    kwargs.assert_all_used()?;
    let text = py_str(value);
    parse_human(&text, default_unit.as_deref(), isbits).map_err(failure)
}

pub(crate) fn parse_human(
    text: &str,
    default_unit: Option<&str>,
    isbits: bool,
) -> Result<i64, String> {
    static PATTERN: LazyLock<Result<regex::Regex, regex::Error>> =
        LazyLock::new(|| regex::Regex::new(r"^([0-9]*\.?[0-9]+)(?:\s*([A-Za-z]+))?\s*$"));
    let pattern = PATTERN.as_ref().map_err(ToString::to_string)?;
    let captures = pattern
        .captures(text)
        .ok_or_else(|| format!("human_to_bytes() can't interpret following string: {text}"))?;
    let number_text = captures.get(1).map_or("", |m| m.as_str());
    let number: f64 = number_text.parse().map_err(|_| {
        format!(
            "human_to_bytes() can't interpret following number: {number_text} (original input string: {text})"
        )
    })?;
    let unit = captures
        .get(2)
        .map(|m| m.as_str().to_string())
        .or_else(|| default_unit.map(str::to_string));
    let Some(unit) = unit else {
        return Ok(python_round(number));
    };
    let range_key = unit
        .chars()
        .next()
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or('B');
    let Some((_, limit)) = RANGES.iter().find(|(key, _)| *key == range_key) else {
        return Err(format!(
            "human_to_bytes() failed to convert {text} (unit = {unit}). The suffix must be one of Y, Z, E, P, T, G, M, K, B"
        ));
    };
    let (class, class_name) = if isbits { ("b", "bit") } else { ("B", "byte") };
    if unit.chars().count() > 1 {
        let expect = if range_key == 'B' {
            format!("expect {class} or {class_name}")
        } else {
            format!("expect {range_key}{class} or {range_key}")
        };
        let names = UNIT_NAMES.iter().find(|(key, _, _)| *key == range_key);
        let long = names.map(|(_, byte, bit)| if isbits { *bit } else { *byte });
        let short = format!("{range_key}{class}");
        if Some(unit.to_lowercase().as_str()) != long && unit != short {
            return Err(format!(
                "human_to_bytes() failed to convert {text}. Value is not a valid string ({expect})"
            ));
        }
    }
    Ok(python_round(number * limit))
}

/// Python's `int(round(x))`: halves go to the even neighbour.
fn python_round(value: f64) -> i64 {
    value.round_ties_even() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_as_ansible() {
        assert_eq!(bytes_to_human(1024.0, false, None), "1.00 KB");
        assert_eq!(bytes_to_human(1_500_000.0, false, Some("M")), "1.43 MB");
        assert_eq!(bytes_to_human(10.0, true, None), "10.00 bits");
        assert_eq!(bytes_to_human(0.0, false, None), "0.00 Bytes");
        assert_eq!(parse_human("1.5 KB", None, false), Ok(1536));
        assert_eq!(parse_human("10", Some("M"), false), Ok(10_485_760));
        assert_eq!(parse_human("1Mb", None, true), Ok(1_048_576));
        assert_eq!(parse_human("2.5", None, false), Ok(2));
        assert!(parse_human("1Mb", None, false).is_err());
        assert!(parse_human("lots", None, false).is_err());
        assert!(parse_human("1 Q", None, false).is_err());
    }

    proptest! {
        /// Reading back what human_readable wrote lands within the rounding
        /// of two decimals of the unit it chose.
        #[test]
        fn human_to_bytes_reads_human_readable(size in 1024u64..(1u64 << 62)) {
            let written = bytes_to_human(size as f64, false, None);
            let read = parse_human(&written, None, false).expect("readable");
            let unit = RANGES.iter().find(|(_, l)| size as f64 >= *l).map_or(1.0, |(_, l)| *l);
            let error = (read as f64 - size as f64).abs();
            prop_assert!(error <= unit * 0.005 + 1.0, "{size} -> {written} -> {read}");
        }

        #[test]
        fn parse_never_panics(text in ".{0,20}", isbits in any::<bool>()) {
            let _ = parse_human(&text, None, isbits);
        }
    }
}
