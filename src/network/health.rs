//! How each followed blog is doing, from its cache and what fetching it observed
//! (`state`): ok, quiet (nothing new for `quiet_after_days`), unreachable (the last
//! fetch failed), gone (410), or new (never fetched). Broken and quiet blogs are
//! reported, never dropped.

use chrono::{DateTime, Utc};

use super::blogroll::Blog;
use super::cache::BlogCache;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Quiet,
    Unreachable,
    Gone,
    New,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Quiet => "quiet",
            Status::Unreachable => "unreachable",
            Status::Gone => "gone",
            Status::New => "new",
        }
    }

    /// Words for a reader of the site.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "active",
            Status::Quiet => "quiet lately",
            Status::Unreachable => "unreachable",
            Status::Gone => "gone",
            Status::New => "not fetched yet",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Health {
    pub status: Status,
    pub newest_post: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_error: String,
    pub failing_since: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    pub entries: usize,
}

pub fn health(cache: &BlogCache, quiet_after_days: u32, now: DateTime<Utc>) -> Health {
    let s = &cache.state;
    let newest_post = cache.newest_post();
    let status = if s.gone {
        Status::Gone
    } else if s.consecutive_failures > 0 {
        Status::Unreachable
    } else if s.last_success.is_none() && cache.entries.is_empty() {
        // With entries, some clone fetched it: only this one's observations are
        // missing (a fresh clone, a new CI runner), and its posts still count.
        Status::New
    } else if newest_post
        .is_none_or(|d| now - d > chrono::Duration::days(i64::from(quiet_after_days)))
    {
        Status::Quiet
    } else {
        Status::Ok
    };
    Health {
        status,
        newest_post,
        last_success: s.last_success,
        last_attempt: s.last_attempt,
        last_error: s.last_error.clone(),
        failing_since: s.failing_since,
        consecutive_failures: s.consecutive_failures,
        entries: cache.entries.len(),
    }
}

fn day(d: Option<DateTime<Utc>>) -> String {
    d.map_or_else(|| "-".into(), |d| d.format("%Y-%m-%d").to_string())
}

/// The health table `network fetch` and `network status` print.
pub fn table(rows: &[(&Blog, Health)]) -> String {
    let name_w = crate::words::widest(rows.iter().map(|(b, _)| b.name.as_str())).clamp(4, 40);
    let mut out = format!(
        "{:<name_w$}  {:<11}  {:<10}  {:>7}  {}\n",
        "Blog", "Status", "Last post", "Entries", "Notes"
    );
    for (blog, h) in rows {
        let name: String = blog.name.chars().take(name_w).collect();
        let note = match h.status {
            Status::Unreachable => format!(
                "{} (failing since {}, {} {})",
                h.last_error,
                day(h.failing_since),
                h.consecutive_failures,
                if h.consecutive_failures == 1 {
                    "try"
                } else {
                    "tries"
                }
            ),
            Status::Gone => format!(
                "the server says it is gone; last success {}",
                day(h.last_success)
            ),
            Status::New => "run `staffroom network fetch`".into(),
            Status::Quiet => format!("no new post since {}", day(h.newest_post)),
            Status::Ok => String::new(),
        };
        out.push_str(
            format!(
                "{name:<name_w$}  {:<11}  {:<10}  {:>7}  {note}",
                h.status.as_str(),
                day(h.newest_post),
                h.entries
            )
            .trim_end(),
        );
        out.push('\n');
    }
    let count = |s: Status| rows.iter().filter(|(_, h)| h.status == s).count();
    // Only the kinds there are; "new" alone read as "no new posts".
    let kinds: Vec<String> = [
        (Status::Ok, "ok"),
        (Status::Quiet, "quiet"),
        (Status::Unreachable, "unreachable"),
        (Status::Gone, "gone"),
        (Status::New, "not fetched yet"),
    ]
    .into_iter()
    .filter(|(s, _)| count(*s) > 0)
    .map(|(s, label)| format!("{} {label}", count(s)))
    .collect();
    let blogs = crate::words::count(rows.len(), "blog");
    match kinds.is_empty() {
        true => out.push_str(&format!("{blogs}\n")),
        false => out.push_str(&format!("{blogs}: {}\n", kinds.join(", "))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::cache::Entry;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn status_follows_the_cache() {
        let now = t("2024-06-01T00:00:00Z");
        let mut c = BlogCache::default();
        assert_eq!(health(&c, 90, now).status, Status::New);
        c.entries.push(Entry {
            id: "a".into(),
            published: Some(t("2024-05-01T00:00:00Z")),
            ..Default::default()
        });
        // Fetched by another clone: this one has no observations of its own.
        assert_eq!(health(&c, 90, now).status, Status::Ok);
        c.state.last_success = Some(now);
        assert_eq!(health(&c, 90, now).status, Status::Ok);
        assert_eq!(health(&c, 10, now).status, Status::Quiet);
        c.state.consecutive_failures = 2;
        c.state.last_error = "HTTP 500".into();
        assert_eq!(health(&c, 90, now).status, Status::Unreachable);
        c.state.gone = true;
        assert_eq!(health(&c, 90, now).status, Status::Gone);
    }
}
