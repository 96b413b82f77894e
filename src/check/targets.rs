//! Links and images in the teacher's Markdown that point to a file the site does not
//! have. Found here once, from the links the Markdown stage recorded with their
//! place in the file, and used by `build` and `serve` (as warnings) and by `check`
//! (as errors): each names the file, line and column the teacher typed.

use std::path::Path;

use rayon::prelude::*;

use crate::error::Location;
use crate::site::{LocalLink, Site};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub location: Location,
    pub image: bool,
    /// As in the page (root-relative).
    pub url: String,
    /// As the teacher wrote it.
    pub written: String,
    /// The output page it is on: `posts/x/index.html`.
    pub page: String,
    /// Why it does not resolve, when not simply absent ("climbs above ...").
    reason: Option<String>,
}

impl Missing {
    /// What is wrong and what to do, without the location.
    pub fn message(&self) -> String {
        let shown = if self.written == self.url {
            format!("`{}`", self.written)
        } else {
            format!("`{}` ({})", self.written, self.url)
        };
        match (&self.reason, self.image) {
            (Some(why), true) => format!("the image {shown} {why}"),
            (Some(why), false) => format!("the link {shown} {why}"),
            (None, true) => format!(
                "the image {shown} does not exist in the site; check the file name, and put the image in static/ (static/images/a.jpg is /images/a.jpg) or make the post a folder (content/posts/NAME/index.md) with the image beside index.md"
            ),
            (None, false) => format!(
                "the link {shown} points to a page or file that does not exist; check the address (a post is at /posts/SLUG/) or link to its file, e.g. [see](other-post.md)"
            ),
        }
    }
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message())
    }
}

/// Every link and image in the site's Markdown whose target is not in `public` (the
/// folder the site was just written to).
pub fn missing_in_content(site: &Site, public: &Path) -> Vec<Missing> {
    let base = site.config.base.path();
    // A file system lookup or two per link, so one per post at least: in parallel,
    // like the rest of the build, and still in the order the links were typed.
    let links: Vec<_> = typed(site).collect();
    links
        .into_par_iter()
        .filter_map(|(source, page, link)| {
            let reason = match super::resolve(public, base, &page, &link.url) {
                Ok(l) if l.file.is_file() => return None,
                Ok(_) => None,
                Err(why) => Some(why),
            };
            Some(found(source, &page, link, reason))
        })
        .collect()
}

/// Every link and image typed in a post or page's Markdown: its file, the written
/// page it is on (`posts/x/index.html`), and where it sits.
pub fn typed(site: &Site) -> impl Iterator<Item = (&Path, String, &LocalLink)> {
    let sources = (site.posts.iter().map(|p| (&p.source, &p.path, &p.local)))
        .chain(site.pages.iter().map(|p| (&p.source, &p.path, &p.local)));
    sources.flat_map(|(source, path, local)| {
        let page = format!("{path}index.html");
        local
            .iter()
            .map(move |link| (source.as_path(), page.clone(), link))
    })
}

fn found(source: &Path, page: &str, link: &LocalLink, reason: Option<String>) -> Missing {
    Missing {
        location: Location::line(source, link.line).with_column(Some(link.column)),
        image: link.image,
        url: link.url.clone(),
        written: link.written.clone(),
        page: page.to_string(),
        reason,
    }
}
