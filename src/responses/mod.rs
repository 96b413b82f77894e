//! Responses to the teacher's posts: entries of the network cache that link to a post,
//! and responses kept in `data/responses/` (written by hand or imported from a
//! Webmention service). A build never goes online for them.
//!
//! Reading order: `normalize` (when two links name the same page) → `store` (the
//! files in data/responses/) → `jf2` (a Webmention export into such files) → `index`
//! (every source matched to the posts, one response per address, oldest first).

pub mod index;
pub mod jf2;
pub mod normalize;
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use index::Index;

/// What kind of answer a response is. A blog post that links to the teacher's post is
/// a mention; Webmention services also report replies, likes and reposts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Reply,
    Like,
    Repost,
    #[default]
    Mention,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reply => "reply",
            Kind::Like => "like",
            Kind::Repost => "repost",
            Kind::Mention => "mention",
        }
    }
}

/// One response as a post page shows it. Every text is plain text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    /// The response's own address (absolute http(s)).
    pub url: String,
    pub kind: Kind,
    pub author: String,
    pub author_url: String,
    pub blog: String,
    pub title: String,
    pub date: Option<DateTime<Utc>>,
    pub excerpt: String,
}

/// Longest excerpt shown, in characters.
const EXCERPT_CHARS: usize = 300;

impl Response {
    /// The value `post.responses` items have (docs/THEMES.md).
    pub fn value(&self) -> Value {
        json!({
            "url": self.url,
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
