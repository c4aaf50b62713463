//! Debian version order (`[epoch:]upstream[-revision]`), as `dpkg
//! --compare-versions` decides it, so `name>=1.2` is checked without asking
//! the host.

use std::cmp::Ordering;

/// Compare two Debian versions. Text that is not a well-formed version is
/// still ordered (dpkg's algorithm is total), so host output never panics.
pub(crate) fn compare(left: &str, right: &str) -> Ordering {
    let (left_epoch, left_upstream, left_revision) = split(left);
    let (right_epoch, right_upstream, right_revision) = split(right);
    left_epoch
        .cmp(&right_epoch)
        .then_with(|| compare_part(left_upstream, right_upstream))
        .then_with(|| compare_part(left_revision, right_revision))
}

fn split(version: &str) -> (u64, &str, &str) {
    let version = version.trim();
    let (epoch, rest) = match version.split_once(':') {
        Some((epoch, rest)) if epoch.chars().all(|c| c.is_ascii_digit()) => {
            (epoch.parse().unwrap_or(u64::MAX), rest)
        }
        _ => (0, version),
    };
    match rest.rsplit_once('-') {
        Some((upstream, revision)) => (epoch, upstream, revision),
        None => (epoch, rest, ""),
    }
}

/// dpkg's `verrevcmp`: alternate non-digit runs (compared by [`weight`]) and
/// digit runs (compared as numbers).
fn compare_part(left: &str, right: &str) -> Ordering {
    let (mut left, mut right) = (left.as_bytes(), right.as_bytes());
    while !left.is_empty() || !right.is_empty() {
        loop {
            let (a, b) = (left.first().copied(), right.first().copied());
            let a_text = a.is_some_and(|c| !c.is_ascii_digit());
            let b_text = b.is_some_and(|c| !c.is_ascii_digit());
            if !a_text && !b_text {
                break;
            }
            let order = weight(a.filter(|_| a_text)).cmp(&weight(b.filter(|_| b_text)));
            if order != Ordering::Equal {
                return order;
            }
            if a_text {
                left = &left[1..];
            }
            if b_text {
                right = &right[1..];
            }
        }
        let (left_digits, left_rest) = digits(left);
        let (right_digits, right_rest) = digits(right);
        let order = compare_numbers(left_digits, right_digits);
        if order != Ordering::Equal {
            return order;
        }
        left = left_rest;
        right = right_rest;
    }
    Ordering::Equal
}

/// `~` sorts before everything, even the end of the part; letters before
/// other characters.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn digits(text: &[u8]) -> (&[u8], &[u8]) {
    let end = text
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

fn compare_numbers(left: &[u8], right: &[u8]) -> Ordering {
    let trim = |digits: &[u8]| -> usize { digits.iter().take_while(|c| **c == b'0').count() };
    let (left, right) = (&left[trim(left)..], &right[trim(right)..]);
    left.len().cmp(&right.len()).then_with(|| left.cmp(right))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_as_dpkg_does() {
        let ascending = [
            "0.9",
            "1.0~rc1",
            "1.0",
            "1.0-1",
            "1.0-1ubuntu1",
            "1.0-2",
            "1.0a",
            "1.0+b1",
            "1.2",
            "1.10",
            "1:0.1",
        ];
        for pair in ascending.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
            assert_eq!(compare(pair[1], pair[0]), Ordering::Greater, "{pair:?}");
        }
        assert_eq!(compare("1.01", "1.1"), Ordering::Equal);
        assert_eq!(compare("0:1.0", "1.0"), Ordering::Equal);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_ordered_antisymmetrically(a in "[0-9a-z.:~+-]{0,12}", b in "[0-9a-z.:~+-]{0,12}") {
            proptest::prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
            proptest::prop_assert_eq!(compare(&a, &a), Ordering::Equal);
        }
    }
}
