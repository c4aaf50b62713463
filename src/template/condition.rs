//! What a condition's value means as a yes/no answer. Ansible 2.19 wants
//! conditions to be booleans; strings that plainly spell one (`"True"` from
//! an old-style `"{{ x == 1 }}"`, `"yes"` from an inventory file) are read
//! as that boolean rather than as "non-empty string, so true", which was the
//! classic trap of `when: "{{ flag }}"` with `flag: "false"`.

use minijinja::value::ValueKind;

use super::error::TemplateError;
use super::filters::parse_bool_word;
use crate::value::Value;

/// The truth of a condition's result; `expr` is only for the error message.
pub(super) fn truth_of(value: &Value, expr: &str) -> Result<bool, TemplateError> {
    match value.kind() {
        ValueKind::Undefined => Err(TemplateError::undefined(expr)),
        ValueKind::String => {
            let text = value.as_str().unwrap_or_default();
            if text.trim().is_empty() {
                return Ok(false);
            }
            parse_bool_word(text).ok_or_else(|| {
                TemplateError::evaluation(format!(
                    "conditional '{expr}' gave the string '{text}', which is not a boolean"
                ))
            })
        }
        _ => Ok(value.is_true()),
    }
}
