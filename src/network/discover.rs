//! `network add URL`: a feed address is taken as is; a site address is read for its
//! `<link rel="alternate">` feeds, and when it names none, the feed is looked for
//! where the big platforms keep it (WordPress, Blogger, Medium, Substack, Mastodon,
//! YouTube). A candidate counts only when it really parses as a feed.

use chrono::Utc;
use html5ever::tokenizer::{Tag, TagKind, Token};
use url::Url;

use super::fetch::{Client, Outcome, Validators};
use super::html_tokens::{self, Next};
use super::parse::{self, ParsedFeed};
use super::public::{self, Reach};
use super::sanitize::safe_url;

const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
];

#[derive(Debug)]
pub struct Found {
    pub feed: String,
    pub title: String,
    /// The blog's home page: the page we were given, or the feed's own link.
    pub site: String,
}

/// Find the feed for `input` (a feed or a web page address).
pub fn discover(client: &Client, input: &str) -> Result<Found, String> {
    let url = Url::parse(input.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            format!("`{input}` is not a web address; give the full address, starting with https://")
        })?;
    let (bytes, final_url, content_type, reach) = get(client, url.as_str(), None)?;
    if let Ok(feed) = parse::parse(&bytes, &final_url, &content_type, Utc::now()) {
        return Ok(found(final_url, feed, String::new()));
    }
    let page = String::from_utf8_lossy(&bytes);
    let page_url = Url::parse(&final_url).unwrap_or(url);
    let mut candidates = alternate_links(&page, &page_url);
    candidates.extend(conventional_feeds(&page_url));
    let mut tried = Vec::new();
    let mut refused = Vec::new();
    for candidate in candidates {
        if tried.contains(&candidate) {
            continue;
        }
        tried.push(candidate.clone());
        // A public page may not lead to a feed on a private network.
        let (bytes, final_url, content_type, _) = match get(client, &candidate, Some(reach)) {
            Ok(got) => got,
            Err(e) if e.contains(public::REFUSED) => {
                refused.push(candidate);
                continue;
            }
            Err(_) => continue,
        };
        if let Ok(feed) = parse::parse(&bytes, &final_url, &content_type, Utc::now()) {
            return Ok(found(final_url, feed, page_url.to_string()));
        }
    }
    let mut error = format!(
        "found no feed at {page_url} (tried {})",
        crate::words::count(tried.len(), "address")
    );
    if !refused.is_empty() {
        error.push_str(&format!(
            "; not followed, because they lead to a private or local network and the page is public: {}",
            refused.join(", ")
        ));
    }
    Err(error)
}

fn found(feed: String, parsed: ParsedFeed, page: String) -> Found {
    let site = if page.is_empty() { parsed.site } else { page };
    Found {
        feed,
        title: parsed.title,
        site,
    }
}

/// GET `url` (named by a page with `reach`, or given by the teacher): the body, its
/// address after redirects, its type, and where addresses found in it may lead.
fn get(
    client: &Client,
    url: &str,
    reach: Option<Reach>,
) -> Result<(Vec<u8>, String, String, Reach), String> {
    let f = match reach {
        Some(reach) => client.get_named_by(url, reach),
        None => client.get(url, &Validators::default()),
    };
    match f.outcome {
        Outcome::Body {
            bytes,
            content_type,
            ..
        } => Ok((bytes, f.final_url, content_type, f.reach)),
        Outcome::Failed { error, .. } => Err(format!("{url}: {error}")),
        Outcome::Gone => Err(format!("{url}: the server says it is gone (HTTP 410)")),
        Outcome::NotModified => Err(format!("{url}: unexpected 304 Not Modified")),
    }
}

/// Feed links a page announces, resolved against its `<base href>` or its address.
/// Comment feeds come last: a teacher wants the posts. Only `<base>` and `<link>`
/// tags matter, so the page is read as tokens, never built into a tree: any depth of
/// nesting costs the same.
pub fn alternate_links(html: &str, page: &Url) -> Vec<String> {
    let mut base: Option<Url> = None;
    // (href, title) of every feed link, resolved once the `<base>` is known.
    let mut feeds: Vec<(String, String)> = Vec::new();
    html_tokens::each(html, |token| {
        let Token::TagToken(tag) = token else {
            return Next::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return Next::Continue;
        }
        match &*tag.name {
            "base" if base.is_none() => {
                base = html_tokens::attr(&tag, "href").and_then(|h| page.join(h).ok());
            }
            "link" if is_feed_link(&tag) => {
                if let Some(href) = html_tokens::attr(&tag, "href") {
                    let title = html_tokens::attr(&tag, "title").unwrap_or("");
                    feeds.push((href.to_string(), title.to_lowercase()));
                }
            }
            name => return html_tokens::raw_kind(name).map_or(Next::Continue, Next::Raw),
        }
        Next::Continue
    });
    let base = base.unwrap_or_else(|| page.clone());
    let mut posts = Vec::new();
    let mut comments = Vec::new();
    for (href, title) in feeds {
        let Some(href) = safe_url(&href, Some(&base)) else {
            continue;
        };
        if title.contains("comment") || href.contains("/comments/feed") {
            comments.push(href);
        } else {
            posts.push(href);
        }
    }
    posts.extend(comments);
    posts
}

/// `<link rel="alternate" type="application/rss+xml">` and the other feed types.
fn is_feed_link(tag: &Tag) -> bool {
    let is_alternate = html_tokens::attr(tag, "rel").is_some_and(|r| {
        r.split_whitespace()
            .any(|r| r.eq_ignore_ascii_case("alternate"))
    });
    let is_feed = html_tokens::attr(tag, "type").is_some_and(|t| {
        let t = t.trim().to_ascii_lowercase();
        FEED_TYPES.iter().any(|f| t.starts_with(f))
    });
    is_alternate && is_feed
}

/// Where well-known platforms keep a site's feed, most specific first.
pub fn conventional_feeds(page: &Url) -> Vec<String> {
    let host = page.host_str().unwrap_or("").to_ascii_lowercase();
    let origin = page.origin().ascii_serialization();
    let segments: Vec<&str> = page
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let first = segments.first().copied().unwrap_or("");
    if host.ends_with("youtube.com") {
        if let ("channel", Some(id)) = (first, segments.get(1)) {
            out.push(format!(
                "https://www.youtube.com/feeds/videos.xml?channel_id={id}"
            ));
        }
        if let ("user", Some(name)) = (first, segments.get(1)) {
            out.push(format!(
                "https://www.youtube.com/feeds/videos.xml?user={name}"
            ));
        }
        return out;
    }
    if host == "medium.com" && first.starts_with('@') {
        out.push(format!("https://medium.com/feed/{first}"));
        return out;
    }
    if host.ends_with(".medium.com") || host.ends_with(".substack.com") {
        out.push(format!("{origin}/feed"));
        return out;
    }
    if host.ends_with(".blogspot.com") || host.contains(".blogspot.") {
        out.push(format!("{origin}/feeds/posts/default"));
        return out;
    }
    // Mastodon and other fediverse servers: a profile /@name has /@name.rss.
    if segments.len() == 1 && first.starts_with('@') && first.len() > 1 {
        out.push(format!("{origin}/{first}.rss"));
    }
    let dir = {
        let p = page.path();
        if p.ends_with('/') {
            p.to_string()
        } else {
            format!("{p}/")
        }
    };
    for tail in [
        "feed/",
        "feed",
        "rss.xml",
        "atom.xml",
        "index.xml",
        "feed.xml",
        "feeds/posts/default",
    ] {
        out.push(format!("{origin}{dir}{tail}"));
        if dir != "/" {
            out.push(format!("{origin}/{tail}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_alternate_links_with_relative_hrefs() {
        let page = Url::parse("https://teach.example.org/blog/").unwrap();
        let html = r#"<html><head>
            <link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed/">
            <link rel="stylesheet" href="style.css">
            <link rel="alternate" type="application/atom+xml" href="atom.xml">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            </head></html>"#;
        assert_eq!(
            alternate_links(html, &page),
            vec![
                "https://teach.example.org/blog/atom.xml",
                "https://teach.example.org/comments/feed/"
            ]
        );
    }

    #[test]
    fn base_applies_wherever_it_is_and_scripts_hide_links() {
        let page = Url::parse("https://teach.example.org/blog/").unwrap();
        let html = r#"<script>"<link rel=alternate type=application/rss+xml href=/no.xml>"</script>
            <link rel="alternate" type="application/rss+xml" href="feed.xml">
            <base href="https://cdn.example.org/site/">"#;
        assert_eq!(
            alternate_links(html, &page),
            vec!["https://cdn.example.org/site/feed.xml"]
        );
    }

    #[test]
    fn platform_conventions() {
        for (page, feed) in [
            (
                "https://mastodon.social/@mrlee",
                "https://mastodon.social/@mrlee.rss",
            ),
            (
                "https://medium.com/@mrlee",
                "https://medium.com/feed/@mrlee",
            ),
            (
                "https://mrlee.substack.com/",
                "https://mrlee.substack.com/feed",
            ),
            (
                "https://mrlee.blogspot.com/",
                "https://mrlee.blogspot.com/feeds/posts/default",
            ),
            (
                "https://www.youtube.com/channel/UC123",
                "https://www.youtube.com/feeds/videos.xml?channel_id=UC123",
            ),
            ("https://wp.example.org/", "https://wp.example.org/feed/"),
        ] {
            assert_eq!(
                conventional_feeds(&Url::parse(page).unwrap())[0],
                feed,
                "{page}"
            );
        }
    }
}
