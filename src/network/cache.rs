//! `data/network/<blog>.json`: what was collected from each blog, committed with the
//! site so a build needs no network. One pretty file per blog with a fixed key order
//! and entries newest first, so `git diff` shows what a fetch brought in. Nothing is
//! ever dropped on a failure: only `keep_per_blog` bounds the list.
//!
//! Every byte of the file follows from the feeds fetched and network.toml, never from
//! when or where the fetch ran: two clones that fetched the same posts write the same
//! file, so git can merge them. What a fetch observed (times, errors, validators, when
//! each entry was first seen) is kept in `.staffroom/` instead (see `state`).

use std::collections::{HashMap, HashSet};
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
    /// Kept in `.staffroom/fetch-state.json`, never written here; read from a cache
    /// written before that file existed, to seed it.
    #[serde(skip_serializing)]
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
    /// When staffroom first saw it: the date of last resort. Kept with the fetch
    /// state, not here (each clone sees a post at its own time); read from old caches.
    #[serde(skip_serializing)]
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
    /// The date the feed gives the entry.
    pub fn claimed(&self) -> Option<DateTime<Utc>> {
        self.published.or(self.updated)
    }

    /// The date to show by. A date far in the future (a wrong clock on the
    /// blog) would pin the post to the top of the river, so it yields to `seen`.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        match (self.claimed(), self.seen) {
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
    /// seen), new ones added, and the oldest beyond `keep` let go. Undated entries keep
    /// the feed's order, ahead of undated ones the feed no longer lists.
    pub fn merge(&mut self, fresh: Vec<Entry>, keep: usize) {
        let old = std::mem::take(&mut self.entries);
        let mut seen_before: HashMap<&str, DateTime<Utc>> = HashMap::new();
        for e in &old {
            if let Some(s) = e.seen {
                seen_before.entry(&e.id).or_insert(s);
            }
        }
        let mut ids = HashSet::new();
        let mut merged = Vec::with_capacity(old.len() + fresh.len());
        for mut e in fresh {
            if !ids.insert(e.id.clone()) {
                continue;
            }
            e.seen = seen_before.get(e.id.as_str()).copied().or(e.seen);
            merged.push(e);
        }
        drop(seen_before);
        merged.extend(old.into_iter().filter(|e| !ids.contains(&e.id)));
        sort_newest_first(&mut merged);
        merged.truncate(keep.max(1));
        self.entries = merged;
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

    fn holds_nothing_fetched(&self) -> bool {
        self.entries.is_empty() && self.feed_title.is_empty()
    }

    pub fn newest_post(&self) -> Option<DateTime<Utc>> {
        self.entries.iter().filter_map(Entry::date).max()
    }
}

/// By the dates the entries claim, not by `seen`: the order in the committed file must
/// be the same in every clone. Undated entries come last, in the order they are in
/// (the sort is stable); entries of the same date by id.
pub fn sort_newest_first(entries: &mut [Entry]) {
    entries.sort_by(|a, b| match (a.claimed(), b.claimed()) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.id.cmp(&b.id)),
        (x, y) => y.cmp(&x),
    });
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

/// Write the cache unless the file already holds exactly these bytes: a fetch that
/// brought nothing new leaves `git status` clean. A blog never fetched (or never
/// reached) gets no file: one holding nothing from the feed would be an add that
/// conflicts with the clone that did reach it.
pub fn save(root: &Path, blog: &Blog, cache: &BlogCache) -> Result<()> {
    let path = path_for(root, blog);
    let mut text = serde_json::to_string_pretty(cache)
        .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    text.push('\n');
    match std::fs::read(&path) {
        Ok(old) if old == text.as_bytes() => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && cache.holds_nothing_fetched() => {
            return Ok(());
        }
        _ => {}
    }
    let attributes = root.join(CACHE_DIR).join(".gitattributes");
    if !attributes.exists() {
        let written = crate::output::write_atomically(
            &attributes,
            super::merge::GITATTRIBUTES.as_bytes(),
            false,
        );
        // Blogs are saved in parallel, so another may be writing this same file; on
        // Windows one of the two renames is refused (access denied), and the file is
        // there all the same.
        if written.is_err() && !attributes.exists() {
            return written;
        }
    }
    crate::output::write_atomically(&path, text.as_bytes(), false)
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

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().to_utc())
    }

    fn room9() -> Blog {
        Blog {
            name: "Room 9".into(),
            site: String::new(),
            feed: "https://room9.example/feed.xml".into(),
            tags: Vec::new(),
            note: String::new(),
            line: 0,
        }
    }

    #[test]
    fn the_file_holds_nothing_of_when_it_was_fetched() {
        let root = tempfile::tempdir().unwrap();
        let blog = room9();
        let mut c = BlogCache::new(&blog);
        c.entries = vec![entry("a", 1)];
        c.entries[0].seen = at("2026-11-23T08:00:00Z");
        c.state.last_attempt = at("2026-11-23T08:00:00Z");
        c.state.etag = "\"v1\"".into();
        save(root.path(), &blog, &c).unwrap();
        let path = path_for(root.path(), &blog);
        let first = std::fs::read_to_string(&path).unwrap();
        assert!(
            !first.contains("2026-11-23") && !first.contains("v1"),
            "{first}"
        );

        // Another day, another clone: the same posts are the same bytes.
        c.state.last_attempt = at("2026-11-24T17:30:00Z");
        c.state.last_error = "timed out".into();
        c.entries[0].seen = at("2026-11-24T17:30:00Z");
        save(root.path(), &blog, &c).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first);

        c.entries.push(entry("b", 2));
        save(root.path(), &blog, &c).unwrap();
        assert_ne!(std::fs::read_to_string(&path).unwrap(), first);
    }

    #[test]
    fn an_old_cache_keeps_its_state_and_seen_until_written_again() {
        let root = tempfile::tempdir().unwrap();
        let blog = room9();
        let path = path_for(root.path(), &blog);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            r#"{"name": "Room 9", "state": {"etag": "\"v1\"", "consecutive_failures": 2},
               "entries": [{"id": "a", "seen": "2024-03-05T00:00:00Z"}]}"#,
        )
        .unwrap();
        let c = load(root.path(), &blog).unwrap();
        assert_eq!(c.state.etag, "\"v1\"");
        assert_eq!(c.state.consecutive_failures, 2);
        assert_eq!(c.entries[0].seen, at("2024-03-05T00:00:00Z"));
        save(root.path(), &blog, &c).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("state") && !text.contains("seen"), "{text}");
    }

    #[test]
    fn the_order_does_not_depend_on_seen() {
        let undated = |id: &str, seen: &str| Entry {
            id: id.into(),
            seen: at(seen),
            ..Default::default()
        };
        // The same fetches, first seen by two clones on other days.
        let fetched = |x: &str, y: &str| {
            let mut c = BlogCache::default();
            c.merge(vec![entry("old", 1), undated("x", x)], 10);
            c.merge(vec![undated("y", y), entry("new", 2)], 10);
            c
        };
        let one = fetched("2026-01-01T00:00:00Z", "2026-01-09T00:00:00Z");
        let other = fetched("2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z");
        let ids = |c: &BlogCache| c.entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&one), ["new", "old", "y", "x"]);
        assert_eq!(ids(&one), ids(&other));
        // `seen` of a known entry is when it was first seen.
        assert_eq!(one.entries[3].seen, at("2026-01-01T00:00:00Z"));
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
    fn the_example_site_caches_are_as_a_fetch_writes_them() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("example-site")
            .join(CACHE_DIR);
        for file in std::fs::read_dir(dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let cache: BlogCache = serde_json::from_str(&text).unwrap();
            let mut sorted = cache.entries.clone();
            sort_newest_first(&mut sorted);
            assert_eq!(sorted, cache.entries, "{}", path.display());
            let again = serde_json::to_string_pretty(&cache).unwrap() + "\n";
            assert_eq!(again, text, "{}", path.display());
        }
    }

    #[test]
    fn the_first_write_names_the_merge_driver_beside_the_caches() {
        let root = tempfile::tempdir().unwrap();
        let blog = room9();
        let mut c = BlogCache::new(&blog);
        save(root.path(), &blog, &c).unwrap();
        let attributes = root.path().join(CACHE_DIR).join(".gitattributes");
        assert!(!attributes.exists(), "nothing fetched, nothing written");
        c.entries.push(entry("a", 1));
        save(root.path(), &blog, &c).unwrap();
        let text = std::fs::read_to_string(&attributes).unwrap();
        assert!(text.contains("*.json merge=staffroom"), "{text}");
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
