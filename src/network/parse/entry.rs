//! One feed-rs entry into a cache entry, and the helpers that turn the feed's text,
//! names and links into clean values.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry as FeedEntry, Link, Person, Text};
use url::Url;

use crate::content::text::escape_html;
use crate::network::cache::Entry;
use crate::network::sanitize::{self, clean_html, plain, plain_text};

/// Longest summary kept, in characters.
const SUMMARY_CHARS: usize = 300;
/// Content beyond this size is not kept (only its summary and links): the cache is
/// committed, and whole books in it would bloat every clone.
const MAX_CONTENT_BYTES: usize = 64 * 1024;

pub(super) fn convert_entry(
    e: FeedEntry,
    scoped_base: Option<Url>,
    feed_base: Option<&Url>,
    feed_author: &str,
    now: DateTime<Utc>,
) -> Entry {
    // xml:base may itself be relative, and must never be a javascript: or data: URL.
    let xml_base = e
        .base
        .as_deref()
        .and_then(|b| sanitize::safe_url(b, feed_base))
        .and_then(|b| Url::parse(&b).ok());
    let url = pick_link(&e.links, xml_base.as_ref().or(feed_base), false)
        .or_else(|| sanitize::safe_url(&e.id, None).filter(|_| e.id.contains('/')))
        .unwrap_or_default();
    // Without any xml:base in scope, relative links in a post are taken as relative to
    // the post itself: that is what a browser showing the post would do.
    let content_base = scoped_base
        .or_else(|| xml_base.clone())
        .or_else(|| Url::parse(&url).ok())
        .or_else(|| feed_base.cloned());

    let summary_html = e.summary.as_ref().map(text_to_html);
    let own_content = e.content.as_ref().and_then(|c| {
        let body = c.body.as_deref()?;
        Some(if c.content_type.to_string().contains("plain") {
            escape_html(body)
        } else {
            body.to_string()
        })
    });
    let clean = |html: &str| clean_html(&sanitize::demoronize(html), content_base.as_ref());
    // Remote HTML is parsed as few times as it can be: once cleaned, the content (or
    // the summary standing in for it) is read once for both its text and its links.
    let (content, summary, links) = match (own_content, &summary_html) {
        (Some(body), Some(s)) if !s.trim().is_empty() => {
            let content = clean(&body);
            let summary_source = clean(s);
            let (summary, summary_links) = sanitize::text_and_links(&summary_source, SUMMARY_CHARS);
            let mut links = sanitize::links(&content);
            let seen: HashSet<String> = links.iter().cloned().collect();
            links.extend(summary_links.into_iter().filter(|l| !seen.contains(l)));
            (content, summary, links)
        }
        (body, s) => {
            let content = clean(body.as_deref().or(s.as_deref()).unwrap_or_default());
            let (summary, links) = sanitize::text_and_links(&content, SUMMARY_CHARS);
            (content, summary, links)
        }
    };
    let title = e.title.as_ref().map(text_to_plain).unwrap_or_default();
    let author = author_names(&e.authors);
    Entry {
        id: e.id,
        title,
        url,
        published: e.published,
        updated: e.updated,
        seen: Some(now),
        author: if author.is_empty() {
            feed_author.to_string()
        } else {
            author
        },
        summary,
        content: if content.len() > MAX_CONTENT_BYTES {
            String::new()
        } else {
            content
        },
        links,
    }
}

/// The post (or home page) link: `alternate` or unnamed rel, http(s) only.
pub(super) fn pick_link(links: &[Link], base: Option<&Url>, html_only: bool) -> Option<String> {
    let is_page = |l: &&Link| {
        let rel_ok = matches!(l.rel.as_deref(), None | Some("alternate"));
        let type_ok = !html_only || l.media_type.as_deref().is_none_or(|t| t.contains("html"));
        rel_ok && type_ok
    };
    links
        .iter()
        .filter(is_page)
        .find_map(|l| sanitize::safe_url(&l.href, base))
}

/// The named authors as one line, `A, B`.
pub(super) fn author_names(authors: &[Person]) -> String {
    authors
        .iter()
        .filter_map(|p| p.name.as_deref().map(person).filter(|n| !n.is_empty()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// RSS writes authors as `email (Name)`; feed-rs leaves the parentheses on.
fn person(name: &str) -> String {
    let name = plain(name);
    match name.strip_prefix('(').and_then(|n| n.strip_suffix(')')) {
        Some(inner) if !inner.contains(['(', ')']) => inner.trim().to_string(),
        _ => name,
    }
}

pub(super) fn text_to_plain(t: &Text) -> String {
    if t.content_type.to_string().contains("html") {
        plain_text(&t.content, usize::MAX)
    } else {
        plain(&t.content)
    }
}

fn text_to_html(t: &Text) -> String {
    if t.content_type.to_string().contains("html") {
        t.content.clone()
    } else {
        escape_html(&t.content)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::tests::now;

    #[test]
    fn xml_base_on_feed_and_entry_reaches_the_content_links() {
        let xml = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://colleague.example.net/blog/">
          <title>C</title><id>urn:c</id><updated>2024-03-05T00:00:00Z</updated>
          <entry xml:base="2024/03/"><id>a</id><title>A</title><link href="a/"/><updated>2024-03-05T00:00:00Z</updated>
            <content type="html">&lt;a href="../../../notes/x.html"&gt;x&lt;/a&gt; &lt;img src="pic.png" alt="p"&gt;</content></entry>
          <entry><id>b</id><title>B</title><link href="b/"/><updated>2024-03-04T00:00:00Z</updated>
            <content type="html">&lt;a href="c/"&gt;c&lt;/a&gt;</content></entry>
        </feed>"#;
        let f = parse(xml.as_bytes(), "https://feeds.example.org/c.xml", "", now()).unwrap();
        let a = &f.entries[0];
        assert_eq!(a.url, "https://colleague.example.net/blog/2024/03/a/");
        assert_eq!(a.links, ["https://colleague.example.net/notes/x.html"]);
        assert!(
            a.content
                .contains("src=\"https://colleague.example.net/blog/2024/03/pic.png\""),
            "{}",
            a.content
        );
        assert_eq!(
            f.entries[1].links,
            ["https://colleague.example.net/blog/c/"]
        );
    }

    #[test]
    fn rss_entries_get_absolute_links_and_plain_summaries() {
        let xml = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Ms &amp; Mr</title>
            <link>https://teach.example.org/</link>
            <item><title>Fractions</title><link>/2024/fractions/</link><guid>f1</guid>
            <pubDate>Tue, 14 May 2024 08:00:00 +0000</pubDate>
            <description>&lt;p&gt;See &lt;a href="/2024/decimals/"&gt;decimals&lt;/a&gt; and &lt;a href="javascript:x()"&gt;x&lt;/a&gt;&lt;/p&gt;</description></item>
            </channel></rss>"#;
        let f = parse(
            xml.as_bytes(),
            "https://teach.example.org/feed.xml",
            "",
            now(),
        )
        .unwrap();
        assert_eq!(f.title, "Ms & Mr");
        assert_eq!(f.site, "https://teach.example.org/");
        let e = &f.entries[0];
        assert_eq!(e.url, "https://teach.example.org/2024/fractions/");
        assert_eq!(e.summary, "See decimals and x");
        assert_eq!(e.links, vec!["https://teach.example.org/2024/decimals/"]);
        assert_eq!(
            e.published.unwrap().to_rfc3339(),
            "2024-05-14T08:00:00+00:00"
        );
        assert!(!e.content.contains("javascript"));
    }
}
