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
    /// `date`, and when it does not parse, the part of it that the file's name
    /// confirms (with a warning).
    pub(super) fn read_date(
        &mut self,
        value: &Value,
        rules: &Rules,
        at: impl Fn() -> Location,
    ) -> Result<(), String> {
        match super::date(value) {
            Ok(d) => {
                self.date = Some(d);
                self.date_has_zone =
                    matches!(value, Value::String(s) if super::values::written_with_zone(s));
                Ok(())
            }
            Err(msg) => match salvage_date(value, rules.name_date) {
                Some(d) => {
                    (self.date, self.date_has_zone) = (Some(d), false);
                    self.notes.push(salvaged(at(), value, d).to_string());
                    Ok(())
                }
                None => Err(msg),
            },
        }
    }

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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{FrontMatter, Rules, parse_date, split, split_as};
    use crate::content::skipped::Skip;
    use crate::error::Result;

    fn parse(text: &str) -> Result<FrontMatter> {
        split(Path::new("post.md"), text).map(|s| s.front)
    }

    fn post(text: &str, name_date: Option<&str>) -> Result<FrontMatter> {
        let rules = Rules {
            post: true,
            name_date: name_date.map(|d| parse_date(d).unwrap()),
        };
        split_as(Path::new("post.md"), text, &rules).map(|s| s.front)
    }

    #[test]
    fn every_problem_of_a_file_at_once() {
        let err = post(
            "---
draft: maybe
---
x
",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("post.md:2: `draft` must be true or false"),
            "{err}"
        );
        assert!(
            err.contains("post.md:1: the front matter has no title"),
            "{err}"
        );
        assert!(err.contains("post.md:1: the post has no date"), "{err}");
        assert!(err.ends_with("3 problems found."), "{err}");
        // A title or date that failed its own check is not also missing.
        let err = post(
            "---
title: [a]
date: soon
---
",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.ends_with("2 problems found."), "{err}");
    }

    #[test]
    fn a_post_takes_the_date_of_its_file_name_unless_it_gives_one() {
        let named = Some("2014-03-03");
        let f = post(
            "---
title: T
---
",
            named,
        )
        .unwrap();
        assert_eq!(f.date.unwrap().to_rfc3339(), "2014-03-03T00:00:00+00:00");
        assert!(!f.date_has_zone);
        let f = post(
            "---
title: T
date: 2015-01-02 10:00:00 +0100
---
",
            named,
        )
        .unwrap();
        assert_eq!(f.date.unwrap().to_rfc3339(), "2015-01-02T10:00:00+01:00");
        // Jekyll's own typo, read as far as it makes sense, with a warning.
        let f = post(
            "---
title: T
date: 2014-03-03 18:30:22 2014 -0800
---
",
            named,
        )
        .unwrap();
        assert_eq!(f.date.unwrap().to_rfc3339(), "2014-03-03T18:30:22+00:00");
        assert!(
            f.notes[0]
                .starts_with("post.md:3: `date` `2014-03-03 18:30:22 2014 -0800` is not a date"),
            "{:?}",
            f.notes
        );
        // Not the day of the name, or no name date: an error as ever.
        assert!(
            post(
                "---
title: T
date: 2014-03-04 18:30 x
---
",
                named
            )
            .is_err()
        );
        assert!(
            post(
                "---
title: T
date: 2014-03-03 18:30 x
---
",
                None
            )
            .is_err()
        );
        // Pages need no date.
        assert!(
            parse(
                "---
title: T
---
"
            )
            .unwrap()
            .date
            .is_none()
        );
    }

    #[test]
    fn hugo_files_that_are_not_pages_are_not_built() {
        let headless = parse(
            "---
headless: true
---
",
        )
        .unwrap();
        assert_eq!(headless.not_built, Some(Skip::Headless));
        let archive = parse(
            "---
date: 2019-05-28
layout: archives
---
",
        )
        .unwrap();
        assert_eq!(
            archive.not_built,
            Some(Skip::LayoutOnly {
                layout: "archives".into()
            })
        );
        // With text, or a layout every page has, it is a page like any other.
        assert!(
            parse(
                "---
layout: archives
---
Hello
"
            )
            .is_err()
        );
        assert!(
            parse(
                "---
title: T
layout: page
---
"
            )
            .unwrap()
            .not_built
            .is_none()
        );
        // A post is a post whatever its layout.
        assert!(
            post(
                "---
title: T
layout: photo
---
",
                Some("2014-03-03")
            )
            .unwrap()
            .not_built
            .is_none()
        );
    }

    #[test]
    fn jekyll_category_is_a_category() {
        let f = parse(
            "---
title: T
category: release notes
---
",
        )
        .unwrap();
        assert_eq!(f.categories, ["release notes"]);
        let f = parse(
            "---
title: T
category: x
categories: [a, b]
---
",
        )
        .unwrap();
        assert_eq!(f.categories, ["a", "b"]);
    }
}
