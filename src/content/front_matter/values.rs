//! Each front matter value checked on its own, so a wrong type can name its key: text,
//! true/false, lists (also written as one line), and dates as teachers and other
//! generators write them.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::Value;

pub(super) fn string(v: &Value) -> std::result::Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!("must be text, not {}", kind(v))),
    }
}

/// A lead image: its address and alt text (empty when not given).
pub(super) fn image(v: &Value) -> std::result::Result<(String, String), String> {
    let wrong = || {
        format!(
            "must be the image's file name, like image: heron.jpg, or a table like image: {{path: heron.jpg, alt: \"A heron\"}}, not {}",
            kind(v)
        )
    };
    match v {
        Value::Null => Ok(Default::default()),
        Value::String(s) => Ok((s.trim().to_string(), String::new())),
        Value::Object(map) => {
            let src = map
                .get("path")
                .or_else(|| map.get("src"))
                .or_else(|| map.get("url"));
            let src = src.map(string).transpose()?.ok_or_else(wrong)?;
            let alt = map.get("alt").map(string).transpose()?.unwrap_or_default();
            Ok((src.trim().to_string(), alt))
        }
        _ => Err(wrong()),
    }
}

pub(super) fn boolean(v: &Value) -> std::result::Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(format!("must be true or false, not {}", kind(v))),
    }
}

/// A list of text, where one string holding separators is a list too, as teachers
/// write `tags: maths, year 7` and Jekyll writes `categories: jekyll update`.
pub(super) fn listed(v: &Value, separators: &[char]) -> std::result::Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(s
            .split(separators)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()),
        _ => strings(v),
    }
}

/// A list of text; a single value is taken as a list of one, as teachers write `tags: math`.
pub(super) fn strings(v: &Value) -> std::result::Result<Vec<String>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(format!("must be a list of text, but it holds {}", kind(i))),
            })
            .collect(),
        _ => Err(format!(
            "must be a list like [\"a\", \"b\"], not {}",
            kind(v)
        )),
    }
}

pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "an empty value",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

pub(super) fn date(v: &Value) -> std::result::Result<DateTime<FixedOffset>, String> {
    let Value::String(s) = v else {
        return Err(format!("must be a date like 2024-03-01, not {}", kind(v)));
    };
    parse_date(s).ok_or_else(|| {
        format!("`{s}` is not a date; write 2024-03-01 or 2024-03-01T09:30:00+01:00")
    })
}

/// Whether a date names its time zone (`2024-03-01T09:30:00+01:00`, Jekyll's
/// `2014-12-17 11:16:21 -0800`); `2024-03-01` and `2024-03-01 09:30` are the teacher's
/// own day and time, wherever the teacher is.
pub fn written_with_zone(s: &str) -> bool {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s).is_ok()
        || ZONED
            .iter()
            .any(|fmt| DateTime::parse_from_str(s, fmt).is_ok())
}

/// Jekyll's own format, `2014-12-17 11:16:21 -0800`, and the same without seconds.
const ZONED: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%d %H:%M %z"];

/// Dates as teachers write them; times without a zone are taken as UTC.
pub fn parse_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    for fmt in ZONED {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    let utc = FixedOffset::east_opt(0)?;
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return utc.from_local_datetime(&d).single();
        }
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    utc.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single()
}
