//! `xml:base` as Atom means it: inherited from `<feed>` through `<entry>` to
//! `<content>` and `<summary>`, each level resolved against the one above. feed-rs
//! resolves `<link href>` that way but only hands over a `<content>`'s own attribute,
//! so relative links in a post whose base is set on `<entry>` or `<feed>` would point
//! at the wrong place, and a response to the teacher would go unnoticed.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use url::Url;

use super::sanitize::safe_url;

/// The base in scope for each `<entry>`'s content and summary, in document order;
/// `None` for an entry where nothing beyond the feed's address applies, or for the
/// whole feed when it has no `xml:base` at all (the usual case, found without
/// parsing) or the XML does not read.
pub fn content_bases(xml: &[u8], feed_url: &str) -> Option<Vec<Option<Url>>> {
    if !xml.windows(8).any(|w| w == b"xml:base") {
        return None;
    }
    let feed_url = Url::parse(feed_url).ok();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    // One frame per open element: its base and its local name.
    let mut stack: Vec<(Option<Url>, String)> = Vec::new();
    // Per entry: the base at the entry, at its summary, at its content.
    let mut out: Vec<[Option<Url>; 3]> = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let parent = stack.last().and_then(|(b, _)| b.clone());
                let base = own_base(&e, parent.as_ref().or(feed_url.as_ref())).or(parent);
                let name = e.local_name().as_ref().to_string();
                let in_entry = stack
                    .last()
                    .is_some_and(|(_, n)| n == "entry" || n == "item");
                let slot = match name.as_str() {
                    "entry" | "item" => {
                        out.push([None, None, None]);
                        Some(0)
                    }
                    "summary" | "description" if in_entry => Some(1),
                    "content" | "encoded" if in_entry => Some(2),
                    _ => None,
                };
                if let (Some(i), Some(last)) = (slot, out.last_mut()) {
                    last[i] = base.clone();
                }
                if !empty {
                    stack.push((base, name));
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // The content's base wins: the links a response is found by come from it.
    Some(
        out.into_iter()
            .map(|[entry, summary, content]| content.or(summary).or(entry))
            .collect(),
    )
}

/// The element's own `xml:base`, resolved against `parent`, when it is http(s).
fn own_base(e: &BytesStart, parent: Option<&Url>) -> Option<Url> {
    let attr = e
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == "xml:base")?;
    let value = attr
        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()?;
    safe_url(&value, parent).and_then(|u| Url::parse(&u).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_are_inherited_and_resolved_level_by_level() {
        let xml =
            br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/">
          <entry xml:base="2024/">
            <content type="html">x</content>
          </entry>
          <entry><summary>y</summary></entry>
          <entry xml:base="javascript:alert(1)">
            <content xml:base="posts/a/" type="html">z</content>
          </entry>
        </feed>"#;
        let bases = content_bases(xml, "https://feeds.example.net/atom.xml").unwrap();
        let s: Vec<String> = bases
            .iter()
            .map(|b| b.as_ref().map(Url::to_string).unwrap_or_default())
            .collect();
        assert_eq!(
            s,
            [
                "https://blog.example.org/2024/",
                "https://blog.example.org/",
                // The javascript: base is ignored; the feed's base still applies.
                "https://blog.example.org/posts/a/",
            ]
        );
    }

    #[test]
    fn a_feed_without_xml_base_is_not_scanned() {
        assert!(content_bases(b"<feed><entry/></feed>", "https://x.example/").is_none());
    }
}
