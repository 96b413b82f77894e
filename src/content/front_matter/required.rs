//! What a file must give to be built (a title; a date for a post), and the files
//! copied from other generators that are not for a build to publish at all.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::{FrontMatter, Rules};
use crate::content::skipped::Skip;
use crate::error::{Error, Location};

/// Layouts that any page has: a page asking for one is an ordinary page.
const PLAIN_LAYOUTS: [&str; 5] = ["page", "default", "post", "single", "list"];

/// Why a file with this front matter is left out, if it is: Hugo's headless bundle,
/// or a page with no text that only asks the old theme for a layout of its own
/// (`layout: archives`, `layout: search`), which staffroom makes itself.
pub(super) fn not_built(fm: &FrontMatter, rules: &Rules, body_blank: bool) -> Option<Skip> {
    if fm.extra.get("headless") == Some(&Value::Bool(true)) {
        return Some(Skip::Headless);
    }
    let layout = match fm.extra.get("layout") {
        Some(Value::String(l)) => l.trim(),
        _ => return None,
    };
    let special = !layout.is_empty() && !PLAIN_LAYOUTS.contains(&layout);
    (!rules.post && body_blank && special).then(|| Skip::LayoutOnly {
        layout: layout.to_string(),
    })
}

impl FrontMatter {
    /// Adds an error for each thing this file must give and does not (a key that
    /// failed its own check, in `failed`, has its error already): every one at once, so fixing one never reveals the next. A post named like Jekyll's
    /// (`2014-3-3-hello.md`) takes its date from its name.
    pub(super) fn require(
        &mut self,
        path: &Path,
        rules: &Rules,
        failed: &[&str],
        errors: &mut Vec<Error>,
    ) {
        if self.title.trim().is_empty() && !failed.contains(&"title") {
            let hint = self
                .hint_for_missing("title")
                .unwrap_or_else(|| "add a line like title: \"My post\"".into());
            errors.push(
                Error::input(Location::line(path, 1), "the front matter has no title")
                    .with_hint(hint),
            );
        }
        if self.date.is_none()
            && let Some(d) = rules.name_date
        {
            self.date = Some(d);
            self.date_has_zone = false;
        }
        if rules.post && self.date.is_none() && !failed.contains(&"date") {
            errors.push(
                Error::input(Location::line(path, 1), "the post has no date").with_hint(
                    self.hint_for_missing("date").unwrap_or_else(|| {
                        "add a line like date: 2024-03-01 to the front matter, or start the file's name with the date: 2024-03-01-NAME.md".into()
                    }),
                ),
            );
        }
    }
}

/// A date that does not parse but starts with the day of the file's name, as in
/// Jekyll's own `2023-01-29 18:30:22 2023 -0800` (Jekyll reads it): the longest start
/// of it that is a date of that day.
pub(super) fn salvage_date(
    value: &Value,
    name_date: Option<DateTime<FixedOffset>>,
) -> Option<DateTime<FixedOffset>> {
    let (Value::String(s), Some(day)) = (value, name_date) else {
        return None;
    };
    let s = s.trim();
    [19, 16, 10]
        .iter()
        .filter_map(|&n| s.get(..n))
        .filter_map(super::parse_date)
        .find(|d| d.date_naive() == day.date_naive())
}

/// The warning for a date read by `salvage_date`.
pub(super) fn salvaged(at: Location, written: &Value, used: DateTime<FixedOffset>) -> Error {
    let written = written.as_str().unwrap_or_default().trim();
    let used = used.format("%Y-%m-%d %H:%M:%S");
    Error::input(
        at,
        format!("`date` `{written}` is not a date; the build used {used} (UTC), on the day the file's name gives"),
    )
    .with_hint(format!("write it like date: {used} -0800, with your time zone at the end"))
}
