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

use std::io::Write;
use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};

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

const TEMP_PREFIX: &str = ".staffroom-";

/// A process killed between creating its temporary file and renaming it leaves the
/// file behind, in folders (data/network/, the site) that the teacher commits.
fn remove_abandoned_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if crate::output::left_by_dead_process(&name, TEMP_PREFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Write a file so that a reader sees the old or the new version, never half of one:
/// a temporary file beside it, then a rename. `durable` also waits for the disk, which
/// the teacher's own files deserve; the cache, rewritten for every blog on every fetch
/// and recoverable from git, does not (fsync can take a third of a second).
pub fn write_atomically(path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    remove_abandoned_temp_files(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    if durable {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
