//! Everything `serve` keeps between rebuilds, so that one save redoes only what it
//! changed, in one place. Each memo is keyed by what its output is made from, so a
//! value is reused exactly when making it again would give the same thing; the
//! property test `tests/serve_equivalence.rs` holds the served folder to a full
//! build after every random edit.
//!
//! What is kept, and why:
//! - `content`: files' digests, parsed front matter and rendered Markdown (kept while
//!   the files it links to keep their URLs). Rendering and highlighting every post
//!   again is most of a full build.
//! - compiled templates, by their sources and the base path: parsing them all again
//!   would be most of a one-post rebuild.
//! - each page's fingerprint: a hash of the templates' sources and every value the
//!   template can see, so unchanged pages are not rendered at all (a 1,000-post site
//!   has over a thousand pages; a post edit changes a handful).
//!
//! - each feed's digest: the feeds of a 1,000-post site were a fifth of a full build
//!   (the 43 feeds are 8.6 MB of XML).
//!
//! The sitemap, post summaries and the post addresses responses are matched by are
//! made again on every rebuild: each is a small part of one, less than the
//! hand-kept keys they had were worth, and `serve` writes only the files whose bytes
//! changed anyway.

use std::sync::{Arc, Mutex};

use crate::content::Cache;
use crate::error::Result;
use crate::feeds::FeedMemo;
use crate::render::Renderer;
use crate::render::pages::Fingerprints;

/// What one build can reuse from the last good one (empty for `build`).
#[derive(Default)]
pub struct Memo {
    /// Files read, front matter parsed and Markdown rendered.
    pub content: Cache,
    renderer: Kept<Renderer>,
    /// The last good build's pages: output path → fingerprint.
    pages: Fingerprints,
    /// The last good build's feeds: output path → digest of what each is made of.
    pub feeds: FeedMemo,
}

impl Memo {
    /// The compiled templates for `key` (a hash of their sources and the base path),
    /// compiled again only when it differs from last time.
    pub fn renderer(
        &self,
        key: u64,
        make: impl FnOnce() -> Result<Renderer>,
    ) -> Result<Arc<Renderer>> {
        self.renderer.get_or_make(key, make)
    }

    /// The fingerprints of the last good build's pages.
    pub fn pages(&self) -> &Fingerprints {
        &self.pages
    }

    /// Whether a page the last good build wrote is still part of the site, unchanged
    /// (and so not written again by this one).
    pub fn keeps(&self, path: &str) -> bool {
        self.pages.contains(path) || self.feeds.contains(path)
    }

    /// Call once a build's files are all written: what it made is what the next one
    /// compares with, and cache entries it did not use are dropped. A build that
    /// failed never calls this, so the next one compares with the last good one.
    pub fn commit(&mut self, pages: Fingerprints, feeds: FeedMemo) {
        self.pages = pages;
        self.feeds = feeds;
        self.content.finish_build();
    }
}

/// The last value made, with the hash of what it was made from: reused while that
/// hash stays the same.
struct Kept<T>(Mutex<Option<(u64, Arc<T>)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(Mutex::new(None))
    }
}

impl<T> Kept<T> {
    fn get_or_make(&self, key: u64, make: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
        let mut kept = crate::lock::unpoisoned(&self.0);
        if let Some((k, v)) = kept.as_ref()
            && *k == key
        {
            return Ok(v.clone());
        }
        let v = Arc::new(make()?);
        *kept = Some((key, v.clone()));
        Ok(v)
    }
}
