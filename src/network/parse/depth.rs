//! A feed's XML with its nesting bounded before feed-rs reads it. feed-rs reads some
//! elements by recursion (Media RSS groups, iTunes categories), so a few thousand
//! nested `<media:group>`s overflowed a fetch thread's stack and took every feed of
//! the run down with it; and quick-xml refuses a document nested deeper than 65,535,
//! so an Atom entry with very deep `type="xhtml"` content cost the whole feed.
//!
//! One linear pass over quick-xml's events drops the start and end tags of elements
//! more than `MAX_XML_DEPTH` deep and keeps everything else byte for byte, text
//! included, as the HTML depth bound does for HTML: the deep entry keeps its words
//! and the others are untouched. A feed that is not too deep is not copied at all.

use std::ops::{ControlFlow, Range};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The deepest element kept. A feed's own structure is about 5 deep (feed, entry,
/// content, div) and XHTML content rarely passes 30; 256 frames of feed-rs's recursion
/// fit in a fetch thread's stack many times over (it overflowed past 1,000 in a debug
/// build).
pub const MAX_XML_DEPTH: usize = 256;

/// `xml` with the tags of elements nested deeper than `MAX_XML_DEPTH` left out, or
/// `None` when none is (the usual case). UTF-16 is read as UTF-8 first, since the
/// bound reads bytes.
pub fn bounded(xml: &[u8]) -> Option<Vec<u8>> {
    match as_utf8(xml) {
        Some(utf8) => Some(bounded_ascii(&utf8).unwrap_or(utf8)),
        None => bounded_ascii(xml),
    }
}

/// For an ASCII-compatible encoding (UTF-8, Latin-1, Windows-1252…).
fn bounded_ascii(xml: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    // Bytes of `xml` before this offset are already in `out` (or dropped).
    let mut copied = 0;
    walk(xml, |depth, tag| {
        if depth > MAX_XML_DEPTH {
            let o = out.get_or_insert_with(|| Vec::with_capacity(xml.len()));
            o.extend_from_slice(&xml[copied..tag.start]);
            copied = tag.end;
        }
        ControlFlow::Continue(())
    });
    let mut out = out?;
    out.extend_from_slice(&xml[copied..]);
    Some(out)
}

/// Where the first element nested deeper than `limit` starts, as a byte offset into
/// `xml`: for readers that refuse such a file with its line rather than bound it.
pub fn first_deeper_than(xml: &[u8], limit: usize) -> Option<usize> {
    let mut found = None;
    walk(xml, |depth, tag| {
        if depth > limit {
            found = Some(tag.start);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// Every start, end and empty tag of `xml` in one linear pass, with the depth of the
/// element it opens, closes or is (1 for the root) and where the tag lies, until `f`
/// breaks, the input ends, or the XML breaks (the reader that follows reports that;
/// everything before it was walked).
fn walk(xml: &[u8], mut f: impl FnMut(usize, Range<usize>) -> ControlFlow<()>) {
    let mut reader = Reader::from_reader(xml);
    let config = reader.config_mut();
    // Depth is counted by kind of event alone: a mismatched or stray end tag is the
    // following reader's to judge, not a reason to stop counting.
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut depth = 0usize;
    loop {
        let before = offset(&reader);
        let element = match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                depth
            }
            Ok(Event::End(_)) => {
                let closed = depth;
                depth = depth.saturating_sub(1);
                closed
            }
            Ok(Event::Empty(_)) => depth + 1,
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => continue,
        };
        if f(element, before..offset(&reader)).is_break() {
            return;
        }
    }
}

fn offset(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// A UTF-16 document as UTF-8, without its XML declaration (which would name UTF-16
/// and make feed-rs decode the UTF-8 again); `None` for anything else.
fn as_utf8(xml: &[u8]) -> Option<Vec<u8>> {
    let encoding = match xml {
        [0xfe, 0xff, ..] | [0x00, b'<', 0x00, _, ..] => encoding_rs::UTF_16BE,
        [0xff, 0xfe, ..] | [b'<', 0x00, _, 0x00, ..] => encoding_rs::UTF_16LE,
        _ => return None,
    };
    let (text, _, _) = encoding.decode(xml);
    let text = text.trim_start_matches('\u{feff}');
    let text = match text.strip_prefix("<?xml").and_then(|t| t.split_once("?>")) {
        Some((_, rest)) => rest,
        None => text,
    };
    Some(text.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &[u8]) -> String {
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn a_feed_within_the_bound_is_not_copied() {
        let xml = b"<?xml version=\"1.0\"?><rss><channel><item><title>a &amp; b</title><x/></item></channel></rss>";
        assert_eq!(bounded(xml), None);
        let deep = format!("<a>{}x{}</a>", "<b>".repeat(250), "</b>".repeat(250));
        assert_eq!(bounded(deep.as_bytes()), None);
    }

    #[test]
    fn tags_past_the_bound_go_and_their_text_stays() {
        let n = 100_000;
        let xml = format!(
            "<?xml version=\"1.0\"?><feed><entry><content type=\"xhtml\"><div a=\"1\">{}deep &amp; <br/>words<![CDATA[<raw>]]>{}</div></content></entry><entry>next</entry></feed>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let out = s(&bounded(xml.as_bytes()).unwrap());
        // feed, entry, content and the outer div are 4 of the 256 levels.
        let kept = MAX_XML_DEPTH - 4;
        assert_eq!(out.matches("<div>").count(), kept);
        assert_eq!(out.matches("</div>").count(), kept + 1);
        assert!(
            out.contains("deep &amp; words<![CDATA[<raw>]]>"),
            "{out:.2000}"
        );
        assert!(out.ends_with("</content></entry><entry>next</entry></feed>"));
        assert!(out.starts_with("<?xml version=\"1.0\"?><feed><entry>"));
    }

    #[test]
    fn unclosed_and_broken_deep_xml_is_still_bounded() {
        let xml = format!("<rss><channel>{}x", "<media:group>".repeat(10_000));
        let out = s(&bounded(xml.as_bytes()).unwrap());
        assert_eq!(out.matches("<media:group>").count(), MAX_XML_DEPTH - 2);
        let xml = format!("<rss>{}<broken", "<a>".repeat(1000));
        let out = s(&bounded(xml.as_bytes()).unwrap());
        assert_eq!(out.matches("<a>").count(), MAX_XML_DEPTH - 1);
    }

    #[test]
    fn utf16_is_read_as_utf8() {
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>{}é{}</rss>",
            "<g>".repeat(1000),
            "</g>".repeat(1000)
        );
        let mut xml = vec![0xff, 0xfe];
        for u in text.encode_utf16() {
            xml.extend_from_slice(&u.to_le_bytes());
        }
        let out = s(&bounded(&xml).unwrap());
        assert!(out.starts_with("<rss><g>"), "{out:.100}");
        assert!(out.ends_with("</g></rss>") && out.contains("é</g>"));
        assert_eq!(out.matches("<g>").count(), MAX_XML_DEPTH - 1);
    }
}
