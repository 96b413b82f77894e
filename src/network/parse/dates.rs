//! Dates feed-rs does not read, as feedparser's date table has them: RFC 822 with
//! no day name, no time or no seconds, a comma after the month, US and European zone
//! names, `Etc/GMT` and `GMT+01:00`; month-first and asctime dates; partial W3C dates
//! (`2003-12`, `2003`) and `2004-07-08 23:56:58.0`. A date without a zone is UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Zone names as offsets in minutes. US single-letter-pair names (ET, PT…) are the
/// standard-time offsets, as feedparser reads them.
const ZONES: &[(&str, i32)] = &[
    ("UT", 0),
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("ETC/GMT", 0),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("AST", -240),
    ("ADT", -180),
    ("ET", -300),
    ("CT", -360),
    ("MT", -420),
    ("PT", -480),
    ("AT", -240),
    ("MET", 60),
    ("MEST", 120),
    ("CET", 60),
    ("CEST", 120),
    ("BST", 60),
];

const WITH_ZONE: &[&str] = &[
    // Two-digit years first: `%Y` would take `04` as the year 4.
    "%d %b %y %H:%M:%S",
    "%d %b %y %H:%M",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%b %d %Y %H:%M:%S",
    "%b %d %Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
];

const NO_ZONE: &[&str] = &[
    "%b %d %H:%M:%S %Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%d.%m.%Y %H:%M",
];

const DATE_ONLY: &[&str] = &[
    "%d %b %Y", "%d %b %y", "%b %d %Y", "%Y/%m/%d", "%Y-%m-%d", "%d.%m.%Y",
];

pub(super) fn parse(s: &str) -> Option<DateTime<Utc>> {
    let text = normalise(s);
    let (body, offset) = split_zone(&text);
    let offset = offset.unwrap_or(0);
    let zone = FixedOffset::east_opt(offset * 60)?;
    for f in WITH_ZONE.iter().chain(NO_ZONE) {
        if let Ok(d) = NaiveDateTime::parse_from_str(body, f) {
            return zone.from_local_datetime(&d).single().map(|d| d.to_utc());
        }
    }
    // `03-12-31` is 2003 (feedparser's reading), not the year 3.
    let widened;
    let body = match body.as_bytes() {
        [a, b, b'-', _, _, b'-', _, _] if a.is_ascii_digit() && b.is_ascii_digit() => {
            let century = if *a < b'5' { "20" } else { "19" };
            widened = format!("{century}{body}");
            widened.as_str()
        }
        _ => body,
    };
    for f in DATE_ONLY {
        if let Ok(d) = NaiveDate::parse_from_str(body, f) {
            return zone
                .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .single()
                .map(|d| d.to_utc());
        }
    }
    partial_w3c(body)
}

/// Day names and commas dropped, spaces collapsed.
fn normalise(s: &str) -> String {
    let s = s.trim().replace(',', " ");
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if words
        .first()
        .is_some_and(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()) && is_day(w))
    {
        words.remove(0);
    }
    words.join(" ")
}

fn is_day(w: &str) -> bool {
    let w = w.to_ascii_lowercase();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .any(|d| w.starts_with(d))
}

/// The text before a trailing zone, and the zone's offset in minutes.
fn split_zone(s: &str) -> (&str, Option<i32>) {
    let Some((head, last)) = s.rsplit_once(' ') else {
        return (s, None);
    };
    let upper = last.to_ascii_uppercase();
    if let Some(&(_, off)) = ZONES.iter().find(|(n, _)| *n == upper) {
        return (head, Some(off));
    }
    // `+0100`, `-01:01`, `GMT-01:01`, `UTC+2`
    let numeric = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))
        .unwrap_or(&upper);
    if let Some(off) = numeric_offset(numeric) {
        return (head, Some(off));
    }
    (s, None)
}

fn numeric_offset(z: &str) -> Option<i32> {
    let sign = match z.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (digits[..1].parse().ok()?, digits[1..].parse().ok()?),
        _ => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
    };
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

/// `2003-12` and `2003`: the first day of that month or year.
fn partial_w3c(s: &str) -> Option<DateTime<Utc>> {
    let mut parts = s.split('-');
    let year: i32 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: u32 = match parts.next() {
        Some(m) if m.len() == 2 => m.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(
        NaiveDate::from_ymd_opt(year, month, 1)?
            .and_hms_opt(0, 0, 0)?
            .and_utc(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse(s)
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn feedparser_date_table() {
        for (input, want) in [
            ("Thu, 01 Jan 2004", "2004-01-01T00:00:00+00:00"),
            ("Thu, 01 Jan 2004 19:48:21 ET", "2004-01-02T00:48:21+00:00"),
            ("Thu, 01 Jan 2004 19:48:21 PT", "2004-01-02T03:48:21+00:00"),
            (
                "Thu, 01 Jan 2004 19:48:21 MEST",
                "2004-01-01T17:48:21+00:00",
            ),
            (
                "Thu, 01 Jan 2004 19:48:21 Etc/GMT",
                "2004-01-01T19:48:21+00:00",
            ),
            (
                "Thu, 01 Jan 2004 19:48:21 GMT-01:01",
                "2004-01-01T20:49:21+00:00",
            ),
            (
                "Thu, Jan 01, 2004 19:48:21 GMT",
                "2004-01-01T19:48:21+00:00",
            ),
            ("Thu, 01 Jan, 2004 19:48 GMT", "2004-01-01T19:48:00+00:00"),
            (
                "Thu Aug 30 2012 17:26:16 +0200",
                "2012-08-30T15:26:16+00:00",
            ),
            ("Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06+00:00"),
            ("2004-07-08 23:56:58.0", "2004-07-08T23:56:58+00:00"),
            ("2003-12", "2003-12-01T00:00:00+00:00"),
            ("2003", "2003-01-01T00:00:00+00:00"),
            ("03-12-31", "2003-12-31T00:00:00+00:00"),
            ("2003-12-31", "2003-12-31T00:00:00+00:00"),
            ("01 Jan 04 19:48:21 EST", "2004-01-02T00:48:21+00:00"),
            ("2020/1/10 14:33:00", "2020-01-10T14:33:00+00:00"),
        ] {
            assert_eq!(p(input), want, "{input}");
        }
        assert_eq!(p("not a date"), "none");
        assert_eq!(p("Thu, 01 Jan 2004 19:48:21 +9999"), "none");
    }
}
