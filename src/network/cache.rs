//! `data/network/<blog>.json`: what was collected from each blog, committed with the
//! site so a build needs no network. One pretty file per blog with a fixed key order
//! and entries newest first, so `git diff` shows what a fetch brought in. Nothing is
//! ever dropped on a failure: only `keep_per_blog` bounds the list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::blogroll::Blog;
use crate::error::{Error, Location, Result};

pub const CACHE_DIR: &str = "data/network";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlogCache {
    pub name: String,
    pub feed: String,
    pub site: String,
    /// The title the feed gives itself.
    pub feed_title: String,
    pub state: FetchState,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FetchState {
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: String,
    pub failing_since: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    /// The server answered 410 Gone.
    pub gone: bool,
    pub etag: String,
    pub last_modified: String,
    /// The server asked us not to come back before this time.
    pub retry_after: Option<DateTime<Utc>>,
}

/// One post of a followed blog, already made safe.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Entry {
    pub id: String,
    pub title: String,
    /// The post's address (http(s)), or empty.
    pub url: String,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// When staffroom first saw it: the date of last resort.
    pub seen: Option<DateTime<Utc>>,
    pub author: String,
    /// Plain text.
    pub summary: String,
    /// Sanitized HTML.
    pub content: String,
    /// Outbound http(s) links in the post, resolved.
    pub links: Vec<String>,
}

impl Entry {
    /// The date to sort and show by. A date far in the future (a wrong clock on the
    /// blog) would pin the post to the top of the river, so it yields to `seen`.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        let claimed = self.published.or(self.updated);
        match (claimed, self.seen) {
            (Some(c), Some(s)) if c > s + chrono::Duration::days(1) => Some(s),
            (Some(c), _) => Some(c),
            (None, s) => s,
        }
    }
}

impl BlogCache {
    pub fn new(blog: &Blog) -> BlogCache {
        BlogCache {
            name: blog.name.clone(),
            feed: blog.feed.clone(),
            site: blog.site.clone(),
            ..Default::default()
        }
    }

    /// Add what a fetch found. Known entries are updated (keeping when they were first
    /// seen), new ones added, and the oldest beyond `keep` let go.
    pub fn merge(&mut self, fresh: Vec<Entry>, keep: usize) {
        let mut by_id: BTreeMap<String, usize> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        for mut e in fresh {
            match by_id.get(&e.id) {
                Some(&i) => {
                    e.seen = self.entries[i].seen.or(e.seen);
                    self.entries[i] = e;
                }
                None => {
                    by_id.insert(e.id.clone(), self.entries.len());
                    self.entries.push(e);
                }
            }
        }
        sort_newest_first(&mut self.entries);
        self.entries.truncate(keep.max(1));
    }

    /// The cache is committed, so anyone with a pull request can edit it: an address
    /// that is not http(s) (`javascript:`, `data:`) would reach an `href` on the site.
    /// Fetched entries never have one; a hand-edited file may.
    fn distrust_addresses(&mut self) {
        let http = |u: &str| super::sanitize::safe_url(u, None).is_some();
        if !http(&self.site) {
            self.site.clear();
        }
        for e in &mut self.entries {
            if !http(&e.url) {
                e.url.clear();
            }
            e.links.retain(|l| http(l));
        }
    }

    pub fn newest_post(&self) -> Option<DateTime<Utc>> {
        self.entries.iter().filter_map(Entry::date).max()
    }
}

pub fn sort_newest_first(entries: &mut [Entry]) {
    entries.sort_by(|a, b| b.date().cmp(&a.date()).then_with(|| a.id.cmp(&b.id)));
}

pub fn path_for(root: &Path, blog: &Blog) -> PathBuf {
    root.join(CACHE_DIR).join(format!("{}.json", blog.slug()))
}

/// The cache of one blog; a fresh one when it was never fetched.
pub fn load(root: &Path, blog: &Blog) -> Result<BlogCache> {
    let path = path_for(root, blog);
    crate::content::inside::check_site_file(root, &path)?;
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BlogCache::new(blog)),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let mut cache: BlogCache = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            Location::line(&path, e.line()).with_column(Some(e.column())),
            format!("the network cache is damaged: {e}"),
        )
        .with_hint(
            "restore it with `git checkout -- data/network/`, or delete the file and run `staffroom network fetch`",
        )
    })?;
    cache.distrust_addresses();
    // network.toml is the truth for what the teacher typed; the cache follows it.
    cache.name = blog.name.clone();
    cache.feed = blog.feed.clone();
    if !blog.site.is_empty() {
        cache.site = blog.site.clone();
    }
    Ok(cache)
}

pub fn save(root: &Path, blog: &Blog, cache: &BlogCache) -> Result<()> {
    let path = path_for(root, blog);
    let mut text = serde_json::to_string_pretty(cache)
        .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    text.push('\n');
    if let Ok(old) = std::fs::read_to_string(&path) {
        let unchanged = old == text
            || serde_json::from_str::<BlogCache>(&old).is_ok_and(|o| only_later_today(&o, cache));
        if unchanged {
            return Ok(());
        }
    }
    super::write_atomically(&path, text.as_bytes(), false)
}

/// True when `new` differs from `old` only in the times of its last fetch, and those
/// are on the same (UTC) day. Such a fetch leaves the file alone: teachers commit
/// `data/network/`, and a diff in every file after each fetch would hide the ones that
/// matter. Pages and the health table show these times as days.
fn only_later_today(old: &BlogCache, new: &BlogCache) -> bool {
    let same_day = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| match (a, b) {
        (Some(a), Some(b)) => a.date_naive() == b.date_naive(),
        (a, b) => a == b,
    };
    let (o, n) = (&old.state, &new.state);
    let state_as_before = FetchState {
        last_attempt: o.last_attempt,
        last_success: o.last_success,
        ..n.clone()
    };
    same_day(o.last_attempt, n.last_attempt)
        && same_day(o.last_success, n.last_success)
        && state_as_before == *o
        && (&old.name, &old.feed, &old.site, &old.feed_title)
            == (&new.name, &new.feed, &new.site, &new.feed_title)
        && old.entries == new.entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, day: u32) -> Entry {
        Entry {
            id: id.into(),
            published: Some(
                DateTime::parse_from_rfc3339(&format!("2024-03-{day:02}T00:00:00Z"))
                    .unwrap()
                    .to_utc(),
            ),
            ..Default::default()
        }
    }

    #[test]
    fn a_fetch_that_changed_nothing_today_leaves_the_file_alone() {
        let root = tempfile::tempdir().unwrap();
        let blog = Blog {
            name: "Room 9".into(),
            site: String::new(),
            feed: "https://room9.example/feed.xml".into(),
            tags: Vec::new(),
            note: String::new(),
            line: 0,
        };
        let at = |s: &str| Some(DateTime::parse_from_rfc3339(s).unwrap().to_utc());
        let mut c = BlogCache {
            name: blog.name.clone(),
            feed: blog.feed.clone(),
            entries: vec![entry("a", 1)],
            ..Default::default()
        };
        c.state.last_attempt = at("2026-11-23T08:00:00Z");
        c.state.last_success = c.state.last_attempt;
        save(root.path(), &blog, &c).unwrap();
        let path = path_for(root.path(), &blog);
        let first = std::fs::read_to_string(&path).unwrap();

        // Later the same day, nothing new: the file stays as it was.
        c.state.last_attempt = at("2026-11-23T17:30:00Z");
        c.state.last_success = c.state.last_attempt;
        save(root.path(), &blog, &c).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first);

        // A new entry, a failure, or a new day is written.
        let changes: [&dyn Fn(&mut BlogCache); 3] = [
            &|c| c.entries.push(entry("b", 2)),
            &|c| c.state.last_error = "timed out".into(),
            &|c| c.state.last_attempt = at("2026-11-24T07:00:00Z"),
        ];
        for change in changes {
            let mut changed = c.clone();
            change(&mut changed);
            save(root.path(), &blog, &changed).unwrap();
            let written = std::fs::read_to_string(&path).unwrap();
            assert_ne!(written, first);
            std::fs::write(&path, &first).unwrap();
        }
    }

    #[test]
    fn merge_keeps_old_entries_and_bounds_the_list() {
        let mut c = BlogCache::default();
        c.merge(vec![entry("a", 1), entry("b", 2)], 3);
        c.merge(vec![entry("c", 3), entry("d", 4)], 3);
        let ids: Vec<_> = c.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["d", "c", "b"]);
        let mut updated = entry("c", 3);
        updated.title = "new title".into();
        c.merge(vec![updated], 3);
        assert_eq!(c.entries.len(), 3);
        assert_eq!(c.entries[1].title, "new title");
    }

    #[test]
    fn future_dates_yield_to_seen() {
        let mut e = entry("a", 1);
        e.published = Some(
            DateTime::parse_from_rfc3339("2099-01-01T00:00:00Z")
                .unwrap()
                .to_utc(),
        );
        e.seen = Some(
            DateTime::parse_from_rfc3339("2024-03-05T00:00:00Z")
                .unwrap()
                .to_utc(),
        );
        assert_eq!(e.date(), e.seen);
    }
}
