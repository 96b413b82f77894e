//! `.staffroom/fetch-state.json`: what fetching observed, as opposed to what the blogs
//! published. Times of the last attempt and success, the last error, backoff, ETag and
//! Last-Modified, and when each entry was first seen change on every fetch and differ
//! from one clone of the site to the next, so they are kept out of the committed
//! `data/network/` (where they made every `git pull` after the daily refresh conflict)
//! in one file that git ignores.
//!
//! Losing this file costs little: one unconditional fetch per feed, the health of each
//! blog until that fetch, and `seen` for undated posts (those the feed still lists are
//! seen again). Never an entry: entries live only in `data/network/`. So a missing or
//! unreadable file is read as empty, never an error that stops a fetch or a build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::blogroll::{Blog, same_feed};
use super::cache::{BlogCache, FetchState};
use crate::error::{Error, Result};

/// Beside the site, like `.pytest_cache`: ignored through its own `.gitignore`, so no
/// teacher has to edit theirs.
pub const STATE_DIR: &str = ".staffroom";
pub const STATE_FILE: &str = "fetch-state.json";

/// Every blog's observations, keyed by the name of its cache file in `data/network/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FetchStates {
    pub blogs: BTreeMap<String, Observed>,
}

/// What fetching one blog observed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Observed {
    /// The feed these observations are of: when the teacher points the blog at another
    /// feed, its validators and failures no longer apply.
    pub feed: String,
    pub state: FetchState,
    /// When each entry (by id) was first seen.
    pub seen: BTreeMap<String, DateTime<Utc>>,
}

impl Observed {
    /// What `cache` now holds that is not for git: its state, and `seen` of the
    /// entries it still keeps (those let go are forgotten here too).
    pub fn of(cache: &BlogCache) -> Observed {
        let seen = cache
            .entries
            .iter()
            .filter_map(|e| Some((e.id.clone(), e.seen?)))
            .collect();
        Observed {
            feed: cache.feed.clone(),
            state: cache.state.clone(),
            seen,
        }
    }
}

pub fn path(root: &Path) -> PathBuf {
    root.join(STATE_DIR).join(STATE_FILE)
}

fn key(blog: &Blog) -> String {
    format!("{}.json", blog.slug())
}

impl FetchStates {
    /// The site's observations; none when the file is missing or unreadable.
    pub fn load(root: &Path) -> FetchStates {
        std::fs::read(path(root))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Written whole and atomically; the caller holds the fetch lock.
    pub fn save(&self, root: &Path) -> Result<()> {
        let dir = root.join(STATE_DIR);
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            let why = "# Written by staffroom: what `network fetch` observed. Not for git.\n*\n";
            crate::output::write_atomically(&ignore, why.as_bytes(), false)?;
        }
        let file = path(root);
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::io(&file, std::io::Error::other(e)))?;
        text.push('\n');
        crate::output::write_atomically(&file, text.as_bytes(), false)
    }

    /// Put what was observed of `blog` into its cache, as read from `data/network/`.
    /// A cache written before this file existed carries its own state and `seen`
    /// times; they stand until this file knows the blog.
    pub fn apply(&self, blog: &Blog, cache: &mut BlogCache) {
        let Some(o) = self.blogs.get(&key(blog)) else {
            return;
        };
        if !same_feed(&o.feed, &blog.feed) {
            cache.state = FetchState::default();
            return;
        }
        cache.state = o.state.clone();
        for e in &mut cache.entries {
            if let Some(&seen) = o.seen.get(&e.id) {
                e.seen = Some(seen);
            }
        }
    }

    /// Keep what was observed of `blog`.
    pub fn record(&mut self, blog: &Blog, observed: Observed) {
        self.blogs.insert(key(blog), observed);
    }

    /// Forget blogs the blogroll no longer lists.
    pub fn retain(&mut self, blogs: &[Blog]) {
        let keep: std::collections::HashSet<String> = blogs.iter().map(key).collect();
        self.blogs.retain(|k, _| keep.contains(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::cache::Entry;

    fn blog(feed: &str) -> Blog {
        Blog {
            name: "Room 9".into(),
            site: String::new(),
            feed: feed.into(),
            tags: Vec::new(),
            note: String::new(),
            line: 0,
        }
    }

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().to_utc())
    }

    #[test]
    fn observations_round_trip_and_follow_the_feed() {
        let root = tempfile::tempdir().unwrap();
        let b = blog("https://room9.example/feed.xml");
        let mut cache = BlogCache::new(&b);
        cache.state.etag = "\"v1\"".into();
        cache.state.last_success = at("2026-11-23T08:00:00Z");
        cache.entries.push(Entry {
            id: "a".into(),
            seen: at("2026-11-20T08:00:00Z"),
            ..Default::default()
        });
        let mut states = FetchStates::default();
        states.record(&b, Observed::of(&cache));
        states.save(root.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.path().join(".staffroom/.gitignore"))
                .unwrap()
                .lines()
                .last(),
            Some("*")
        );

        let loaded = FetchStates::load(root.path());
        assert_eq!(loaded, states);
        let mut fresh = BlogCache::new(&b);
        fresh.entries.push(Entry {
            id: "a".into(),
            ..Default::default()
        });
        loaded.apply(&b, &mut fresh);
        assert_eq!(fresh.state, cache.state);
        assert_eq!(fresh.entries[0].seen, cache.entries[0].seen);

        // Another feed under the same name: its validators would be wrong.
        let moved = blog("https://elsewhere.example/feed.xml");
        let mut other = BlogCache::new(&moved);
        loaded.apply(&moved, &mut other);
        assert_eq!(other.state, FetchState::default());
    }

    #[test]
    fn a_damaged_file_is_no_observations_and_old_caches_keep_theirs() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(STATE_DIR)).unwrap();
        std::fs::write(path(root.path()), "{ not json").unwrap();
        let states = FetchStates::load(root.path());
        assert!(states.blogs.is_empty());

        let b = blog("https://room9.example/feed.xml");
        let mut old = BlogCache::new(&b);
        old.state.consecutive_failures = 2;
        states.apply(&b, &mut old);
        assert_eq!(old.state.consecutive_failures, 2);
    }
}
