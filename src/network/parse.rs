//! A fetched feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed, via feed-rs) into safe cache
//! entries: text cleaned, HTML sanitized, every link made absolute against the right
//! base (the `xml:base` in scope, the post, or the feed's own address).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry as FeedEntry, Feed, Link, Text};
use url::Url;

use super::cache::Entry;
use super::sanitize::{self, clean_html, plain, plain_text};

/// Longest summary kept, in characters.
const SUMMARY_CHARS: usize = 300;
/// Content beyond this size is not kept (only its summary and links): the cache is
/// committed, and whole books in it would bloat every clone.
const MAX_CONTENT_BYTES: usize = 64 * 1024;

#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub title: String,
    /// The blog's home page, as the feed names it.
    pub site: String,
    pub entries: Vec<Entry>,
}

/// Parse `bytes` fetched from `feed_url`. `content_type` is the HTTP header, used only
/// to decode a feed that does not say its own encoding.
pub fn parse(
    bytes: &[u8],
    feed_url: &str,
    content_type: &str,
    now: DateTime<Utc>,
) -> Result<ParsedFeed, String> {
    // feed-rs and its XML reader see bytes from anywhere on the web; a bug in them must
    // cost this one feed (reported like any unreadable feed), not the whole fetch.
    crate::error::contain_panic(|| parse_unguarded(bytes, feed_url, content_type, now))
        .unwrap_or_else(|| {
            Err("not a feed staffroom can read (the feed reader failed on it)".into())
        })
}

fn parse_unguarded(
    bytes: &[u8],
    feed_url: &str,
    content_type: &str,
    now: DateTime<Utc>,
) -> Result<ParsedFeed, String> {
    let base = Url::parse(feed_url).ok();
    let input = atom03_as_atom10(decode_if_needed(bytes, content_type));
    // A parser keeps per-entry state, and a failed parse can leave it half-way:
    // every attempt gets a fresh one.
    let parser = || {
        feed_rs::parser::Builder::new()
            .base_uri(Some(feed_url))
            .sanitize_content(false)
            .build()
    };
    let (mut feed, read) = match parser().parse(input.as_ref()) {
        Ok(f) => (f, input.as_ref()),
        Err(first) => {
            // A comment or blank lines before the XML declaration make strict XML
            // parsers give up; such feeds are common enough to try once without them.
            let trimmed = skip_prologue_junk(&input).ok_or_else(|| describe(&first))?;
            (
                parser().parse(trimmed).map_err(|_| describe(&first))?,
                trimmed,
            )
        }
    };
    let bases = super::xml_base::content_bases(read, feed_url)
        .filter(|b| b.len() == feed.entries.len())
        .unwrap_or_default();
    if feed
        .entries
        .iter()
        .any(|e| e.published.is_none() && e.updated.is_none())
    {
        // feed-rs's own date reader cannot be extended, only replaced; so a feed with
        // undated entries is read once more with the formats it misses, and only the
        // missing dates are taken from that reading.
        let again = feed_rs::parser::Builder::new()
            .base_uri(Some(feed_url))
            .timestamp_parser(extra_timestamp)
            .build()
            .parse(skip_prologue_junk(&input).unwrap_or(&input));
        if let Ok(again) = again {
            for (e, a) in feed.entries.iter_mut().zip(again.entries) {
                if e.id == a.id && e.published.is_none() && e.updated.is_none() {
                    e.published = a.published;
                    e.updated = a.updated;
                }
            }
        }
    }
    Ok(convert(feed, base.as_ref(), bases, now))
}

/// Dates seen in real feeds that feed-rs does not read, such as `2020/1/10 14:33:00`.
/// They carry no zone; UTC is the least surprising guess.
fn extra_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    const WITH_TIME: &[&str] = &[
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d.%m.%Y %H:%M",
    ];
    for f in WITH_TIME {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(d.and_utc());
        }
    }
    for f in ["%Y/%m/%d", "%Y-%m-%d", "%d.%m.%Y"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
    }
    None
}

fn describe(e: &feed_rs::parser::ParseFeedError) -> String {
    format!("not a feed staffroom can read ({e})")
}

/// `bases`: the `xml:base` in scope for each entry's content, when the feed has any.
fn convert(
    feed: Feed,
    feed_base: Option<&Url>,
    bases: Vec<Option<Url>>,
    now: DateTime<Utc>,
) -> ParsedFeed {
    let feed_author = feed
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref().map(person).filter(|n| !n.is_empty()))
        .collect::<Vec<_>>()
        .join(", ");
    let site = pick_link(&feed.links, feed_base, true).unwrap_or_default();
    let title = feed.title.as_ref().map(text_to_plain).unwrap_or_default();
    let mut bases = bases.into_iter();
    let entries = feed
        .entries
        .into_iter()
        .map(|e| convert_entry(e, bases.next().flatten(), feed_base, &feed_author, now))
        .collect();
    ParsedFeed {
        title,
        site,
        entries,
    }
}

fn convert_entry(
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
    let content_html = e
        .content
        .as_ref()
        .and_then(|c| {
            let body = c.body.as_deref()?;
            Some(if c.content_type.to_string().contains("plain") {
                escape(body)
            } else {
                body.to_string()
            })
        })
        .or_else(|| summary_html.clone())
        .unwrap_or_default();
    let content = clean_html(&sanitize::demoronize(&content_html), content_base.as_ref());
    let summary_source = match &summary_html {
        Some(s) if !s.trim().is_empty() => {
            clean_html(&sanitize::demoronize(s), content_base.as_ref())
        }
        _ => content.clone(),
    };
    let summary = plain_text(&summary_source, SUMMARY_CHARS);
    let mut links = sanitize::links(&content);
    for l in sanitize::links(&summary_source) {
        if !links.contains(&l) {
            links.push(l);
        }
    }
    let title = e.title.as_ref().map(text_to_plain).unwrap_or_default();
    let author = e
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref().map(person).filter(|n| !n.is_empty()))
        .collect::<Vec<_>>()
        .join(", ");
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
fn pick_link(links: &[Link], base: Option<&Url>, html_only: bool) -> Option<String> {
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

/// RSS writes authors as `email (Name)`; feed-rs leaves the parentheses on.
fn person(name: &str) -> String {
    let name = plain(name);
    match name.strip_prefix('(').and_then(|n| n.strip_suffix(')')) {
        Some(inner) if !inner.contains(['(', ')']) => inner.trim().to_string(),
        _ => name,
    }
}

fn text_to_plain(t: &Text) -> String {
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
        escape(&t.content)
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// A feed that does not declare its encoding but is not UTF-8: decode it with the
/// charset from the HTTP header (or Windows-1252, what such feeds nearly always are).
fn decode_if_needed<'a>(bytes: &'a [u8], content_type: &str) -> Cow<'a, [u8]> {
    if std::str::from_utf8(bytes).is_ok() {
        return Cow::Borrowed(bytes);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_lowercase();
    if let Some(declared) = head.split("encoding=").nth(1) {
        let label = declared
            .trim_start_matches(['"', '\''])
            .split(['"', '\''])
            .next()
            .unwrap_or("");
        // A feed that says UTF-8 but has a few stray bytes (a pasted Latin-1 quote) is
        // still mostly UTF-8: keep it, with the stray bytes replaced, rather than lose
        // the whole feed to the XML reader's strictness.
        if encoding_rs::Encoding::for_label(label.as_bytes()) == Some(encoding_rs::UTF_8) {
            return Cow::Owned(String::from_utf8_lossy(bytes).into_owned().into_bytes());
        }
        return Cow::Borrowed(bytes);
    }
    let label = content_type.to_lowercase().split(';').find_map(|p| {
        p.trim()
            .strip_prefix("charset=")
            .map(|c| c.trim_matches('"').to_string())
    });
    let encoding = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::WINDOWS_1252);
    let (text, _, _) = encoding.decode(bytes);
    Cow::Owned(text.into_owned().into_bytes())
}

/// Atom 0.3 (2003, still served by a few old blogs) differs from Atom 1.0 mostly in
/// its namespace; feed-rs reads only 1.0, so 0.3 is read as 1.0.
fn atom03_as_atom10(input: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    const OLD: &[u8] = b"http://purl.org/atom/ns#";
    const NEW: &str = "http://www.w3.org/2005/Atom";
    let head = &input[..input.len().min(2048)];
    if !head.windows(OLD.len()).any(|w| w == OLD) {
        return input;
    }
    // 0.3 named content types by MIME type where 1.0 uses short names.
    let text = String::from_utf8_lossy(&input)
        .replacen("http://purl.org/atom/ns#", NEW, 1)
        .replace("type=\"application/xhtml+xml\"", "type=\"xhtml\"")
        .replace("type=\"text/html\"", "type=\"html\"")
        .replace("type=\"text/plain\"", "type=\"text\"");
    Cow::Owned(text.into_bytes())
}

/// The document from its `<?xml` declaration on, when only a BOM, whitespace or
/// comments come before it.
fn skip_prologue_junk(bytes: &[u8]) -> Option<&[u8]> {
    let start = bytes.windows(5).position(|w| w == b"<?xml")?;
    if start == 0 {
        return None;
    }
    let before = String::from_utf8_lossy(&bytes[..start]);
    let before = before.trim_start_matches('\u{feff}').trim();
    let only_comments =
        before.is_empty() || (before.starts_with("<!--") && before.ends_with("-->"));
    only_comments.then(|| &bytes[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
            .unwrap()
            .to_utc()
    }

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

    #[test]
    fn undeclared_latin1_is_decoded_from_the_header() {
        let mut xml = b"<rss version=\"2.0\"><channel><title>Caf".to_vec();
        xml.push(0xe9);
        xml.extend_from_slice(b"</title></channel></rss>");
        let f = parse(
            &xml,
            "https://a.example.org/f",
            "text/xml; charset=iso-8859-1",
            now(),
        )
        .unwrap();
        assert_eq!(f.title, "Café");
    }

    #[test]
    fn comment_before_declaration_is_tolerated() {
        let xml = "<!-- generated -->\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>a</title></item></channel></rss>";
        assert_eq!(
            parse(xml.as_bytes(), "https://a.example.org/f", "", now())
                .unwrap()
                .entries
                .len(),
            1
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(
            parse(
                b"<html><body>hi</body></html>",
                "https://a.example.org/",
                "",
                now()
            )
            .is_err()
        );
    }

    #[test]
    fn a_second_xml_declaration_deep_in_a_feed_costs_only_that_feed() {
        // Found by fuzzing: quick-xml (under feed-rs) asserts when a second declaration
        // names another encoding after its look-ahead buffer is gone. The document is
        // malformed anyway; it must come back as an error, not take the fetch down.
        let mut feed = String::from(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<rss version=\"2.0\"><channel><title>T</title>",
        );
        for i in 0..2000 {
            feed.push_str(&format!(
                "<item><title>Post {i}</title><link>https://b.example.org/{i}</link></item>"
            ));
        }
        feed.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><item><title>x</title></item></channel></rss>");
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result = parse(feed.as_bytes(), "https://b.example.org/feed", "", now());
        std::panic::set_hook(hook);
        if let Ok(parsed) = result {
            // A later quick-xml may read it; then it must at least have the posts.
            assert!(parsed.entries.len() >= 2000);
        }
    }
}
