//! The teacher's network: the blogroll in `network.toml`, feeds fetched into a
//! committed cache in `data/network/`, and the values the `/network/` page shows.
//!
//! Reading order: `blogroll` (what the teacher follows) → `discover` and `opml` (ways
//! to add to it) → `fetch` (HTTP) → `parse` and `sanitize` (untrusted feeds into safe
//! entries) → `cache` (kept on disk) → `refresh` (all of that for every blog) →
//! `health` and `page` (what the teacher and the site see).

pub mod blogroll;
pub mod cache;
pub mod discover;
pub mod fetch;
pub mod health;
pub mod opml;
pub mod page;
pub mod parse;
pub mod refresh;
pub mod sanitize;

use crate::config::Config;
use crate::error::Result;

pub use blogroll::{Blog, Blogroll};

/// What a build needs from the network: the page value, the OPML file, and the
/// cache itself (responses to the teacher's posts are found in it).
pub struct ForBuild {
    pub page: serde_json::Value,
    pub opml: String,
    pub blogroll: Blogroll,
    pub caches: Vec<cache::BlogCache>,
}

/// Load the blogroll and the cache for a build. No network access: a build must be
/// reproducible offline and in CI. `None` when the site follows no blogs.
pub fn for_build(config: &Config) -> Result<Option<ForBuild>> {
    let blogroll = Blogroll::load(&config.root)?;
    if blogroll.blogs.is_empty() {
        return Ok(None);
    }
    let caches = cache::load_all(&config.root, &blogroll)?;
    let now = chrono::Utc::now();
    let page = page::network_value(&blogroll, &caches, &config.site.network, now);
    let opml = opml::export(&blogroll, &config.site.title, &config.site.author.name)?;
    Ok(Some(ForBuild {
        page,
        opml,
        blogroll,
        caches,
    }))
}

pub use crate::output::write_atomically;
