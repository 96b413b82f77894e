//! The old site's URL of each post, from its permalink pattern (`_config.yml`'s
//! `permalink: /:year/:month/:day/:title/`, `hugo.toml`'s `[permalinks]`): that URL
//! becomes an alias, so links to the old address land on the new page.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

/// Jekyll's pattern for posts, with its named styles spelled out. `None` is Jekyll's
/// default, `date`.
pub fn jekyll_pattern(setting: Option<&str>) -> String {
    match setting.map(str::trim) {
        None | Some("" | "date") => "/:categories/:year/:month/:day/:title:output_ext",
        Some("pretty") => "/:categories/:year/:month/:day/:title/",
        Some("ordinal") => "/:categories/:year/:y_day/:title:output_ext",
        Some("weekdate") => "/:categories/:year/W:week/:short_day/:title:output_ext",
        Some("none") => "/:categories/:title:output_ext",
        Some(p) => p,
    }
    .to_string()
}

/// The values of the date placeholders both generators share, and Jekyll's own.
pub fn date_fields(date: Option<DateTime<FixedOffset>>) -> BTreeMap<&'static str, String> {
    let mut f = BTreeMap::new();
    let Some(d) = date else { return f };
    f.insert("year", format!("{:04}", d.year()));
    f.insert("short_year", format!("{:02}", d.year() % 100));
    f.insert("month", format!("{:02}", d.month()));
    f.insert("i_month", d.month().to_string());
    f.insert("day", format!("{:02}", d.day()));
    f.insert("i_day", d.day().to_string());
    f.insert("hour", format!("{:02}", d.hour()));
    f.insert("minute", format!("{:02}", d.minute()));
    f.insert("second", format!("{:02}", d.second()));
    f.insert("y_day", format!("{:03}", d.ordinal()));
    f.insert("yearday", d.ordinal().to_string());
    f.insert("short_month", d.format("%b").to_string());
    f.insert("long_month", d.format("%B").to_string());
    f.insert("monthname", d.format("%B").to_string().to_lowercase());
    f.insert("week", format!("{:02}", d.iso_week().week()));
    f.insert("short_day", d.format("%a").to_string());
    f.insert("weekday", d.weekday().num_days_from_sunday().to_string());
    f.insert("weekdayname", d.format("%A").to_string().to_lowercase());
    f
}

/// `pattern` with each `:name` replaced by its value (the longest name that has
/// one), as a site path: one leading slash, no doubled ones. None when the pattern
/// names something we do not know, since a wrong alias is worse than none.
pub fn expand(pattern: &str, fields: &BTreeMap<&'static str, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = (1..=len)
            .rev()
            .map(|n| &after[..n])
            .find(|n| fields.contains_key(n))?;
        out.push_str(&fields[name]);
        rest = &after[name.len()..];
    }
    out.push_str(rest);
    let mut path = String::from("/");
    for part in out.split('/').filter(|p| !p.is_empty()) {
        path.push_str(part);
        path.push('/');
    }
    if !out.ends_with('/') && path.len() > 1 {
        path.pop();
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(extra: &[(&'static str, &str)]) -> BTreeMap<&'static str, String> {
        let d = DateTime::parse_from_rfc3339("2014-03-07T10:00:00-08:00").ok();
        let mut f = date_fields(d);
        for (k, v) in extra {
            f.insert(k, v.to_string());
        }
        f
    }

    #[test]
    fn jekyll_styles() {
        let f = fields(&[
            ("title", "hello"),
            ("categories", ""),
            ("output_ext", ".html"),
        ]);
        let at = |p: Option<&str>| expand(&jekyll_pattern(p), &f).unwrap();
        assert_eq!(at(None), "/2014/03/07/hello.html");
        assert_eq!(at(Some("pretty")), "/2014/03/07/hello/");
        assert_eq!(
            at(Some("/news/:year/:i_month/:title/")),
            "/news/2014/3/hello/"
        );
        let f = fields(&[
            ("title", "hello"),
            ("categories", "jekyll/update"),
            ("output_ext", ".html"),
        ]);
        assert_eq!(
            expand(&jekyll_pattern(None), &f).unwrap(),
            "/jekyll/update/2014/03/07/hello.html"
        );
    }

    #[test]
    fn an_unknown_placeholder_gives_no_alias() {
        assert_eq!(expand("/:year/:nonsense/", &fields(&[])), None);
        assert_eq!(
            expand("/:year/:monthname/:slug/", &fields(&[("slug", "x")])).as_deref(),
            Some("/2014/march/x/")
        );
    }
}
