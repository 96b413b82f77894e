//! A fetched feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed, via feed-rs) into safe cache
//! entries: text cleaned, HTML sanitized, every link made absolute against the right
//! base (the `xml:base` in scope, the post, or the feed's own address).

mod dates;
pub(super) mod depth;
mod entry;
mod prepare;

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use feed_rs::model::Feed;
use url::Url;

use super::cache::Entry;
use entry::{author_names, convert_entry, pick_link, text_to_plain};

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
    let input = prepare::rss_version(prepare::html_entities(atom03_as_atom10(prepare::decode(
        bytes,
        content_type,
    ))));
    // Everything below (feed-rs, the xml:base reader) sees the depth-bounded copy.
    let input = match depth::bounded(&input) {
        Some(bounded) => Cow::Owned(bounded),
        None => input,
    };
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
            .timestamp_parser(dates::parse)
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
    let feed_author = author_names(&feed.authors);
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
        .replace("type=\"text/plain\"", "type=\"text\"")
        // 0.3's `issued` and `modified` are 1.0's `published` and `updated`.
        .replace("<issued>", "<published>")
        .replace("</issued>", "</published>")
        .replace("<modified>", "<updated>")
        .replace("</modified>", "</updated>");
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

    pub(super) fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
            .unwrap()
            .to_utc()
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
    fn dublin_core_in_rss2_and_odd_atom_text_types_are_read() {
        let rss = "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\"><channel><item><dc:title>Caf&eacute;</dc:title><dc:author>Ms K</dc:author><dcterms:issued>2003-12-31T10:14:55Z</dcterms:issued></item></channel></rss>";
        let f = parse(rss.as_bytes(), "https://a.example.org/f", "", now()).unwrap();
        assert_eq!(f.entries[0].title, "Caf\u{e9}");
        assert_eq!(f.entries[0].author, "Ms K");
        assert!(f.entries[0].published.is_some());
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title type=\"\">T</title><entry><title type=\"text/plain\">evil</title><summary></summary><id>x</id></entry></feed>";
        let f = parse(atom.as_bytes(), "https://a.example.org/f", "", now()).unwrap();
        assert_eq!(f.entries[0].title, "evil");
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
