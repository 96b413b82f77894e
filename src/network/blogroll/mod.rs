//! `network.toml`: the blogs a teacher follows, as `[[blog]]` tables. Reading checks
//! every blog and names the line of a problem; editing goes through `toml_edit` so the
//! teacher's comments and layout survive, and saves atomically.

mod editor;
mod find;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Location, Result, line_col};
pub use editor::{Editor, NETWORK_LOCK};

pub const NETWORK_FILE: &str = "network.toml";

/// One blog the teacher follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blog {
    pub name: String,
    /// The blog's home page, when known.
    pub site: String,
    pub feed: String,
    pub tags: Vec<String>,
    pub note: String,
    /// Where its `[[blog]]` starts in network.toml (0 when not from a file).
    pub line: usize,
}

impl Blog {
    /// The cache file name: `data/network/<slug>.json`.
    pub fn slug(&self) -> String {
        crate::site::urls::slugify(&self.name)
            .or_else(|| {
                Url::parse(&self.feed)
                    .ok()
                    .and_then(|u| u.host_str().and_then(crate::site::urls::slugify))
            })
            .unwrap_or_else(|| "blog".into())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Blogroll {
    pub path: PathBuf,
    pub blogs: Vec<Blog>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    blog: Vec<toml::Spanned<RawBlog>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlog {
    name: String,
    #[serde(default)]
    site: String,
    feed: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    note: String,
}

impl Blogroll {
    /// The blogroll of the site at `root`; empty when there is no network.toml.
    pub fn load(root: &Path) -> Result<Blogroll> {
        let path = root.join(NETWORK_FILE);
        crate::content::inside::check_site_file(root, &path)?;
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Blogroll {
                path,
                blogs: Vec::new(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Err(Error::input(Location::file(&path), "is not UTF-8 text")
                    .with_hint("save the file as UTF-8 in your editor"))
            }
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    pub fn parse(path: &Path, text: &str) -> Result<Blogroll> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map_or((None, None), |s| {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            });
            let location = Location {
                file: path.to_path_buf(),
                line,
                column: col,
            };
            Error::input(location, e.message().trim().replace('`', "'")).with_hint(
                "each blog is a [[blog]] table with name and feed, and optionally site, tags = [\"...\"] and note",
            )
        })?;
        let mut blogs: Vec<Blog> = Vec::new();
        // Index by feed and slug: an imported blogroll can have hundreds of blogs.
        let mut feeds: HashMap<String, usize> = HashMap::new();
        let mut slugs: HashMap<String, usize> = HashMap::new();
        let mut errors = Vec::new();
        for spanned in raw.blog {
            let line = line_col(text, spanned.span().start).0;
            let raw = spanned.into_inner();
            let at = || Location::line(path, line);
            let name = raw.name.trim().to_string();
            if name.is_empty() {
                errors.push(
                    Error::input(at(), "this blog has an empty name")
                        .with_hint("write the blog's name, e.g. name = \"Mr. Lee's Maths Room\""),
                );
                continue;
            }
            let feed = match http_url(&raw.feed) {
                Some(u) => u,
                None => {
                    errors.push(
                        Error::input(at(), format!("feed `{}` of {name} is not an http(s) address", raw.feed))
                            .with_hint("use the full feed address, e.g. feed = \"https://example.org/feed.xml\", or add the blog with `staffroom network add URL`"),
                    );
                    continue;
                }
            };
            let site = if raw.site.trim().is_empty() {
                String::new()
            } else if let Some(u) = http_url(&raw.site) {
                u
            } else {
                errors.push(
                    Error::input(at(), format!("site `{}` of {name} is not an http(s) address", raw.site))
                        .with_hint("use the blog's full address, e.g. site = \"https://example.org/\", or leave site out"),
                );
                continue;
            };
            let blog = Blog {
                name,
                site,
                feed,
                tags: raw
                    .tags
                    .iter()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect(),
                note: raw.note.trim().to_string(),
                line,
            };
            if let Some(other) = feeds.get(&feed_key(&blog.feed)).map(|&i| &blogs[i]) {
                errors.push(
                    Error::input(
                        at(),
                        format!(
                            "{} has the same feed as {} (line {})",
                            blog.name, other.name, other.line
                        ),
                    )
                    .with_hint("remove one of the two [[blog]] tables"),
                );
                continue;
            }
            if let Some(other) = slugs.get(&blog.slug()).map(|&i| &blogs[i]) {
                errors.push(
                    Error::input(at(), format!("{} and {} (line {}) are too alike as names: both would be cached as data/network/{}.json", blog.name, other.name, other.line, blog.slug()))
                        .with_hint("give one of them a different name"),
                );
                continue;
            }
            feeds.insert(feed_key(&blog.feed), blogs.len());
            slugs.insert(blog.slug(), blogs.len());
            blogs.push(blog);
        }
        if let Some(e) = Error::from_many(errors) {
            return Err(e);
        }
        Ok(Blogroll {
            path: path.to_path_buf(),
            blogs,
        })
    }

    /// The blog already following this feed, if any.
    pub fn find_feed(&self, feed: &str) -> Option<&Blog> {
        self.blogs.iter().find(|b| same_feed(&b.feed, feed))
    }

    /// The cache slugs in use, for `free_name`.
    pub fn slugs(&self) -> HashSet<String> {
        self.blogs.iter().map(Blog::slug).collect()
    }
}

/// A name whose slug is not in `taken`: `name`, or `name (host)`, or `name 2` ...
pub fn free_name(taken: &HashSet<String>, name: &str, feed: &str) -> String {
    let is_taken = |n: &str| {
        let slug = Blog {
            name: n.into(),
            site: String::new(),
            feed: feed.into(),
            tags: vec![],
            note: String::new(),
            line: 0,
        }
        .slug();
        taken.contains(&slug)
    };
    if !is_taken(name) {
        return name.to_string();
    }
    if let Some(host) = Url::parse(feed)
        .ok()
        .and_then(|u| u.host_str().map(String::from))
    {
        let with_host = format!("{name} ({host})");
        if !is_taken(&with_host) {
            return with_host;
        }
    }
    (2..)
        .map(|n| format!("{name} {n}"))
        .find(|n| !is_taken(n))
        .unwrap_or_else(|| name.to_string())
}

/// An http(s) URL, normalised by the URL parser, or None.
pub fn http_url(s: &str) -> Option<String> {
    let u = Url::parse(s.trim()).ok()?;
    (matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
        .then(|| u.to_string())
}

/// Whether two feed addresses name the same feed: scheme, host case, `www.` and a
/// trailing slash do not matter.
pub fn same_feed(a: &str, b: &str) -> bool {
    feed_key(a) == feed_key(b)
}

/// What `same_feed` compares.
pub fn feed_key(s: &str) -> String {
    match Url::parse(s.trim()) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("").trim_start_matches("www.");
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{host}{port}{}{query}", u.path().trim_end_matches('/'))
        }
        Err(_) => s.trim().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Blogroll> {
        Blogroll::parse(Path::new("network.toml"), text)
    }

    /// The message of a network.toml that does not parse.
    fn parse_err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn loads_blogs_with_lines() {
        let b = parse("# mine\n\n[[blog]]\nname = \"A\"\nfeed = \"https://a.example.org/feed\"\ntags = [\"math\"]\n\n[[blog]]\nname = \"B\"\nfeed = \"https://b.example.org/rss\"\n").unwrap();
        assert_eq!(b.blogs.len(), 2);
        assert_eq!(b.blogs[0].line, 3);
        assert_eq!(b.blogs[1].line, 8);
        assert_eq!(b.blogs[0].tags, vec!["math"]);
    }

    #[test]
    fn bad_feed_names_line_and_fix() {
        let err = parse_err(
            "[[blog]]\nname = \"A\"\nfeed = \"https://a.example.org/feed\"\n\n[[blog]]\nname = \"B\"\nfeed = \"ftp://x\"\n",
        );
        assert!(
            err.starts_with("network.toml:5: feed `ftp://x` of B"),
            "{err}"
        );
        assert!(err.contains("hint:"), "{err}");
    }

    #[test]
    fn unknown_key_and_duplicates_are_errors() {
        let err = parse_err("[[blog]]\nname = \"A\"\nfeed = \"https://a.org/f\"\ncolour = 1\n");
        assert!(err.starts_with("network.toml:4:"), "{err}");
        let err = parse_err(
            "[[blog]]\nname = \"A\"\nfeed = \"https://a.org/f\"\n[[blog]]\nname = \"B\"\nfeed = \"http://www.A.org/f/\"\n",
        );
        assert!(err.contains("same feed as A (line 1)"), "{err}");
    }

    #[test]
    fn free_name_avoids_slug_clashes() {
        let b = parse("[[blog]]\nname = \"Notes\"\nfeed = \"https://a.org/f\"\n").unwrap();
        assert_eq!(
            free_name(&b.slugs(), "notes", "https://b.org/f"),
            "notes (b.org)"
        );
        assert_eq!(free_name(&b.slugs(), "Other", "https://b.org/f"), "Other");
    }
}
