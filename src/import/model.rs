//! What a reader makes of an old blog, before anything is written: typed items with
//! their front matter, Markdown body, files and responses, and the problems met on the
//! way, each naming where in the source it came from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// Everything read from one source.
#[derive(Debug, Default)]
pub struct Export {
    /// The old site's address (`https://old.example.org/`), when the source says it:
    /// old URLs on it become aliases, and links to it inside posts become local.
    pub old_base: Option<String>,
    pub items: Vec<Item>,
    /// How many of each thing the source held ("posts", "pages", "comments",
    /// "attachments"...), before anything was left out: the report's "read" line.
    pub read: BTreeMap<&'static str, usize>,
    /// What was read but deliberately not brought across ("menu item", "spam
    /// comment"...), for the report's "left out" line.
    pub left_out: BTreeMap<&'static str, usize>,
    pub problems: Vec<Problem>,
    /// Images left on other sites' hosts, by host, with how many: the page still
    /// loads them from there.
    pub remote: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    Post,
    Page,
}

/// One post or page to write.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    /// Where it came from, for messages: "item 1133" (an export's id) or a file:line.
    pub origin: String,
    /// The file name (and URL) slug: the old URL's last part, so links keep working.
    pub slug: String,
    pub front: FrontMatter,
    /// Markdown, with HTML kept where Markdown cannot say it.
    pub body: String,
    /// Files to put beside the post (which makes it a bundle: SLUG/index.md).
    pub assets: Vec<Asset>,
    pub responses: Vec<Response>,
}

/// Front matter as staffroom reads it (DESIGN.md "Content"), in the order it is written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FrontMatter {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "rfc3339")]
    pub date: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "rfc3339")]
    pub updated: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Every old address of the post, as site paths (`/2019/03/hello/`, `/?p=12`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Anything else worth keeping; templates see it as `extra`.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_yaml_ng::Value>,
}

fn rfc3339<S: serde::Serializer>(
    d: &Option<DateTime<FixedOffset>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// A bare TOML date-time in UTC (`2019-03-02T10:00:00Z`), as response files write it.
fn toml_utc<S: serde::Serializer>(
    d: &Option<DateTime<FixedOffset>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let text = d.map(|d| d.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    match text.as_deref().map(str::parse::<toml::value::Datetime>) {
        Some(Ok(dt)) => dt.serialize(s),
        _ => s.serialize_none(),
    }
}

/// A file of the post: an image from the old site, or a file from the old folder.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Its name in the bundle, as the body links to it (`beach.jpg`).
    pub name: String,
    pub from: AssetFrom,
}

#[derive(Debug, Clone)]
pub enum AssetFrom {
    /// Downloaded from the old site.
    Url(String),
    /// Copied from the old site's folder.
    File(PathBuf),
}

/// A comment, pingback or trackback, written to data/responses/ in the format
/// `responses::store` reads (docs/THEMES.md).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Response {
    /// A site path such as `/posts/hello/`, filled in by `write` from the item.
    pub target: String,
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub in_reply_to: String,
    pub kind: &'static str,
    pub author: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub author_url: String,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "toml_utc")]
    pub date: Option<DateTime<FixedOffset>>,
    /// The linking page, for pingbacks and trackbacks; a comment has none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// The comment as HTML; sanitized when the site is built.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub html: String,
}

/// Something that could not be converted, or was left out, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// "item 1133 “Title”" or "_posts/2014-3-3-x.md:12".
    pub origin: String,
    pub what: String,
    pub fix: String,
}
