//! Ansible's math filters that Jinja2 lacks: `log`, `pow`, `root`.

use minijinja::{Environment, Error};

use super::failure;
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("log", log);
    env.add_filter("pow", pow);
    env.add_filter("root", root);
}

fn number(value: &Value, filter: &str) -> Result<f64, Error> {
    f64::try_from(value.clone())
        .map_err(|_| failure(format!("{filter}() can only be used on numbers: {value}")))
}

/// `log(base=e)`.
fn log(value: &Value, base: Option<f64>) -> Result<f64, Error> {
    let x = number(value, "log")?;
    Ok(match base {
        None => x.ln(),
        Some(10.0) => x.log10(),
        Some(base) => x.ln() / base.ln(),
    })
}

fn pow(value: &Value, exponent: f64) -> Result<f64, Error> {
    Ok(number(value, "pow")?.powf(exponent))
}

/// `root(base=2)`: square root by default, otherwise the `base`-th root.
fn root(value: &Value, base: Option<f64>) -> Result<f64, Error> {
    let x = number(value, "root")?;
    Ok(match base {
        None | Some(2.0) => x.sqrt(),
        Some(base) => x.powf(1.0 / base),
    })
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::render;

    #[test]
    fn math_filters_return_python_floats() {
        let cases = [
            ("{{ 100 | log(10) }}", "2.0"),
            ("{{ 8 | log(2) }}", "3.0"),
            ("{{ 2 | pow(10) }}", "1024.0"),
            ("{{ 16 | root }}", "4.0"),
            ("{{ 27 | root(3) }}", "3.0"),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template), expected, "{template}");
        }
    }
}
