//! Responses to the teacher's posts and pages: entries of the network cache that link
//! to a post, and responses kept in `data/responses/` (written by hand, imported from a
//! Webmention service, or comments brought over from an old blog). A build never goes
//! online for them.
//!
//! Reading order: `normalize` (when two links name the same page) → `store` (the
//! files in data/responses/) → `jf2` (a Webmention export into such files) → `index`
//! (every source matched to the posts and pages, one response per address, oldest
//! first; `from_file` and `avatar` for the response files, `html` for a comment's
//! HTML) → `thread` (replies under their parents, the counts, the values templates
//! see).

pub mod avatar;
pub mod from_file;
pub mod html;
pub mod index;
pub mod jf2;
pub mod normalize;
pub mod store;
pub mod thread;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use index::Index;

/// What kind of answer a response is. A blog post that links to the teacher's post is
/// a mention; Webmention services also report replies, likes and reposts; an old blog
/// brings its comments, pingbacks and trackbacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Comment,
    Pingback,
    Trackback,
    Reply,
    Like,
    Repost,
    #[default]
    Mention,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Comment => "comment",
            Kind::Pingback => "pingback",
            Kind::Trackback => "trackback",
            Kind::Reply => "reply",
            Kind::Like => "like",
            Kind::Repost => "repost",
            Kind::Mention => "mention",
        }
    }
}

/// One response as a page shows it. Every text is plain text, except `html`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    /// The response's own address (absolute http(s)); empty for a comment, whose
    /// address is its anchor on the page.
    pub url: String,
    /// Its name among the responses to one page (a file's `id`, or its stem); empty
    /// for one found in the network.
    pub id: String,
    /// `response-ID` when the page links to the response itself (it has no address
    /// of its own, or its file names an `id` for replies to point at); else empty, so
    /// pages of responses that live elsewhere keep the markup they always had.
    pub anchor: String,
    /// The `id` of the response this one answers, on the same page.
    pub in_reply_to: String,
    /// Root-relative address of the author's picture, copied into the site.
    pub avatar: String,
    /// Sanitized HTML content (a comment's text); empty when there is none.
    pub html: String,
    /// The file it was read from and the line of its `in_reply_to`, for warnings.
    pub file: Option<std::path::PathBuf>,
    pub reply_line: Option<usize>,
    pub kind: Kind,
    pub author: String,
    pub author_url: String,
    pub blog: String,
    pub title: String,
    pub date: Option<DateTime<Utc>>,
    pub excerpt: String,
}

/// Something the teacher should hear about a response file, though the site builds.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub file: std::path::PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Warning {
    /// `data/responses/a.toml:3: message`, the path from the site's folder.
    pub fn shown(&self, root: &std::path::Path) -> String {
        let file = crate::error::shown(self.file.strip_prefix(root).unwrap_or(&self.file));
        match self.line {
            Some(line) => format!("{file}:{line}: {}", self.message),
            None => format!("{file}: {}", self.message),
        }
    }
}

/// Longest excerpt shown, in characters.
const EXCERPT_CHARS: usize = 300;

impl Response {
    /// The value `post.responses` items have (docs/THEMES.md).
    pub fn value(&self) -> Value {
        let (initial, colour) = crate::network::page::letter_avatar(
            self.who(),
            &format!("{}|{}", self.who(), self.author_url),
        );
        json!({
            "url": self.url,
            "id": self.id,
            "anchor": self.anchor,
            "in_reply_to": self.in_reply_to,
            "avatar": self.avatar,
            "initial": initial,
            "colour": colour,
            "html": self.html,
            "kind": self.kind.as_str(),
            "author": self.author,
            "author_url": self.author_url,
            "blog": self.blog,
            "title": self.title,
            "date": self.date.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)).unwrap_or_default(),
            "date_display": self.date.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default(),
            "excerpt": self.excerpt,
        })
    }

    /// The name a page shows for whoever wrote it.
    pub fn who(&self) -> &str {
        if !self.author.is_empty() {
            &self.author
        } else if !self.blog.is_empty() {
            &self.blog
        } else {
            "Someone"
        }
    }

    /// Fill what `self` lacks from another report of the same response.
    fn merge(&mut self, other: Response) {
        let fill = |mine: &mut String, theirs: String| {
            if mine.is_empty() {
                *mine = theirs;
            }
        };
        fill(&mut self.author, other.author);
        fill(&mut self.author_url, other.author_url);
        fill(&mut self.blog, other.blog);
        fill(&mut self.title, other.title);
        fill(&mut self.excerpt, other.excerpt);
        self.date = self.date.or(other.date);
        // A Webmention service knows a like from a mention; a feed only ever sees a link.
        if self.kind == Kind::Mention {
            self.kind = other.kind;
        }
    }
}

fn excerpt(text: &str) -> String {
    use crate::network::sanitize::{plain, truncate};
    truncate(&plain(text), EXCERPT_CHARS)
}
