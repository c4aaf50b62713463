//! `to_datetime` and `strftime`, with Python's `strptime`/`strftime`
//! directives (jiff implements the same ones).

use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Value as ObjectValue};
use minijinja::{Environment, Error, State};

use super::{failure, text_of};
use crate::value::Value;

pub(super) fn register(env: &mut Environment<'static>) {
    env.add_filter("to_datetime", to_datetime);
    env.add_filter("strftime", strftime);
    env.add_function("now", now);
}

/// Ansible's `now(utc=False, fmt=None)`: the controller's time as a
/// `datetime`, or formatted with `fmt`.
fn now(kwargs: Kwargs) -> Result<Value, Error> {
    let utc = kwargs.get::<Option<bool>>("utc")?.unwrap_or(false);
    let format = kwargs.get::<Option<String>>("fmt")?;
    kwargs.assert_all_used()?;
    let zone = if utc {
        jiff::tz::TimeZone::UTC
    } else {
        jiff::tz::TimeZone::system()
    };
    let at = jiff::Timestamp::now().to_zoned(zone).datetime();
    match format {
        Some(format) => Ok(Value::from(format_civil(at, &format)?)),
        None => Ok(Value::from_object(DateTime(at))),
    }
}

/// A Python `datetime` from `to_datetime`: its fields as attributes,
/// `strftime()`/`isoformat()`/`timestamp()`, printed as Python prints it.
#[derive(Debug)]
struct DateTime(jiff::civil::DateTime);

impl Object for DateTime {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &ObjectValue) -> Option<ObjectValue> {
        let at = self.0;
        Some(match key.as_str()? {
            "year" => ObjectValue::from(at.year()),
            "month" => ObjectValue::from(at.month()),
            "day" => ObjectValue::from(at.day()),
            "hour" => ObjectValue::from(at.hour()),
            "minute" => ObjectValue::from(at.minute()),
            "second" => ObjectValue::from(at.second()),
            "microsecond" => ObjectValue::from(at.subsec_nanosecond() / 1000),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[ObjectValue],
    ) -> Result<ObjectValue, Error> {
        match method {
            "strftime" => {
                let format = args
                    .first()
                    .and_then(|f| f.as_str())
                    .ok_or_else(|| failure("strftime() takes a format string"))?;
                Ok(ObjectValue::from(format_civil(self.0, format)?))
            }
            "isoformat" => Ok(ObjectValue::from(isoformat(self.0))),
            "timestamp" => {
                let zoned = self
                    .0
                    .to_zoned(jiff::tz::TimeZone::system())
                    .map_err(|e| failure(e.to_string()))?;
                Ok(ObjectValue::from(
                    zoned.timestamp().as_millisecond() as f64 / 1000.0,
                ))
            }
            _ => Err(failure(format!(
                "'datetime.datetime' object has no attribute '{method}' runbook knows (it has strftime, isoformat, timestamp; date arithmetic is not supported)"
            ))),
        }
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )?;
        let micros = at.subsec_nanosecond() / 1000;
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        Ok(())
    }
}

fn isoformat(at: jiff::civil::DateTime) -> String {
    let micros = at.subsec_nanosecond() / 1000;
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if micros == 0 {
        base
    } else {
        format!("{base}.{micros:06}")
    }
}

fn format_civil(at: jiff::civil::DateTime, format: &str) -> Result<String, Error> {
    jiff::fmt::strtime::format(format, at).map_err(|e| failure(e.to_string()))
}

/// `to_datetime(format='%Y-%m-%d %H:%M:%S')`.
fn to_datetime(value: &Value, format: Option<String>) -> Result<Value, Error> {
    let text = text_of(value)?;
    let format = format.unwrap_or_else(|| "%Y-%m-%d %H:%M:%S".into());
    let parsed = jiff::fmt::strtime::parse(&format, &text)
        .and_then(|tm| tm.to_datetime())
        .map_err(|_| {
            failure(format!(
                "time data '{text}' does not match format '{format}'"
            ))
        })?;
    Ok(Value::from_object(DateTime(parsed)))
}

/// `strftime(second=None, utc=False)`: the format applied to the epoch
/// second given (now by default), in local time or UTC.
fn strftime(value: &Value, second: Option<Value>, kwargs: Kwargs) -> Result<String, Error> {
    let format = text_of(value)?;
    let second = match second {
        Some(s) => Some(s),
        None => kwargs.get::<Option<Value>>("second")?,
    };
    let utc = kwargs.get::<Option<bool>>("utc")?.unwrap_or(false);
    kwargs.assert_all_used()?;
    let timestamp = match second.filter(|s| !s.is_none()) {
        None => jiff::Timestamp::now(),
        Some(second) => {
            let seconds = f64::try_from(second.clone())
                .ok()
                .or_else(|| crate::value::text(&second).trim().parse().ok())
                .ok_or_else(|| failure(format!("Invalid value for epoch value ({second})")))?;
            // Python's time functions drop the fraction.
            jiff::Timestamp::from_second(seconds.trunc() as i64)
                .map_err(|e| failure(e.to_string()))?
        }
    };
    let zone = if utc {
        jiff::tz::TimeZone::UTC
    } else {
        jiff::tz::TimeZone::system()
    };
    jiff::fmt::strtime::format(&format, &timestamp.to_zoned(zone))
        .map_err(|e| failure(e.to_string()))
}

#[cfg(test)]
mod tests {
    use crate::template::filters::test_support::render;

    #[test]
    fn dates_as_python_prints_them() {
        assert_eq!(
            render("{{ '2024-01-02 03:04:05' | to_datetime }}"),
            "2024-01-02 03:04:05"
        );
        assert_eq!(
            render("{{ ('02/01/2024' | to_datetime('%d/%m/%Y')).month }}"),
            "1"
        );
        assert_eq!(
            render("{{ ('2024-01-02 03:04:05' | to_datetime).strftime('%d %b') }}"),
            "02 Jan"
        );
        assert_eq!(
            render("{{ '%Y-%m-%d %H:%M:%S' | strftime(0, utc=True) }}"),
            "1970-01-01 00:00:00"
        );
    }

    #[test]
    fn now_is_the_controller_clock() {
        let year = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .year()
            .to_string();
        assert_eq!(render("{{ now(utc=True, fmt='%Y') }}"), year);
        assert_eq!(render("{{ now(utc=True).year }}"), year);
    }
}
