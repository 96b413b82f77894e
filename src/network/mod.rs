//! The teacher's network: the blogroll in `network.toml`, feeds fetched into a
//! committed cache in `data/network/`, and the values the `/network/` page shows.
//!
//! Reading order: `blogroll` (what the teacher follows) → `discover` and `opml` (ways
//! to add to it) → `fetch` (HTTP; `public` decides which addresses it may reach) →
//! `parse` and `sanitize` (untrusted feeds into safe entries) → `cache` (kept on disk)
//! → `refresh` (all of that for every blog; what it observed goes to `state`, out of
//! git; `merge` lets git merge two clones' caches) → `health` and `page` (what the
//! teacher and the site see).

pub mod blogroll;
pub mod cache;
pub mod discover;
pub mod fetch;
pub mod health;
pub mod html_bound;
pub mod html_tokens;
pub mod merge;
pub mod opml;
pub mod page;
pub mod parse;
pub mod pool;
pub mod public;
pub mod refresh;
pub mod sanitize;
pub mod state;
pub mod xml_base;

use crate::config::Config;
use crate::error::Result;

pub use blogroll::{Blog, Blogroll};

/// What a build needs from the network: the page and the OPML file.
pub struct ForBuild {
    pub page: page::NetworkPage,
    pub opml: String,
}

/// Read the blogroll and every blog's cache for a build, with `visit` seeing each
/// cache once (the response index is made that way). No network access: a build must
/// be reproducible offline and in CI. `None` when the site follows no blogs.
///
/// Caches are read in parallel and each is let go once summarised, so memory grows
/// with the number of blogs, not with every entry of every blog.
pub fn for_build<T: Send>(
    config: &Config,
    visit: impl Fn(&Blog, &cache::BlogCache) -> T + Sync,
) -> Result<Option<(ForBuild, Vec<T>)>> {
    use rayon::prelude::*;

    let blogroll = Blogroll::load(&config.root)?;
    if blogroll.blogs.is_empty() {
        return Ok(None);
    }
    let now = chrono::Utc::now();
    let settings = &config.site.network;
    let observed = state::FetchStates::load(&config.root);
    let each: Vec<Result<(page::BlogSummary, T)>> = blogroll
        .blogs
        .par_iter()
        .enumerate()
        .map(|(i, blog)| {
            let mut cache = cache::load(&config.root, blog)?;
            observed.apply(blog, &mut cache);
            Ok((
                page::summarize(i, blog, &cache, settings, now),
                visit(blog, &cache),
            ))
        })
        .collect();
    let (summaries, visited): (Vec<_>, Vec<_>) =
        crate::error::Error::all(each)?.into_iter().unzip();
    let page = page::network_page(&blogroll, summaries, settings);
    let opml = opml::export(&blogroll, &config.site.title, &config.site.author.name)?;
    Ok(Some((ForBuild { page, opml }, visited)))
}
