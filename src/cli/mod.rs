//! Command-line definitions and the resolved settings they produce.

pub fn main() -> i32 {
    0
}
