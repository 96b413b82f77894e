//! Captions: an image with a title, alone in its paragraph (`![A heron](heron.jpg "The
//! heron that stole the show")`), is written as a `<figure>` with the title as its
//! `<figcaption>`, the way WordPress shows an image's caption under it. An image inside
//! a sentence, or without a title, stays an ordinary image.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

/// What follows a paragraph's start, read to see whether the paragraph is a figure.
pub(super) enum Lookahead<'a> {
    /// The image's start event, its alt text, and the offset of the image.
    Figure(Event<'a>, String, usize),
    /// Not a figure: the events read, to be handled as usual, in order.
    Not(Vec<(Event<'a>, Range<usize>)>),
}

/// Reads the events after `Start(Paragraph)`, up to and including its end when the
/// paragraph is one captioned image. Inline events only, so at most one paragraph.
pub(super) fn look<'a>(
    events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> Lookahead<'a> {
    let mut read = Vec::new();
    let Some(first) = events.next() else {
        return Lookahead::Not(read);
    };
    let captioned =
        matches!(&first.0, Event::Start(Tag::Image { title, .. }) if !title.trim().is_empty());
    read.push(first);
    if !captioned {
        return Lookahead::Not(read);
    }
    let mut alt = String::new();
    // Until the image's end: its alt text. Another image inside the alt text is too
    // odd to caption; it is left to the usual writer.
    for (e, range) in events.by_ref() {
        match &e {
            Event::End(TagEnd::Image) => {
                read.push((e, range));
                break;
            }
            Event::Start(Tag::Image { .. }) => {
                read.push((e, range));
                return Lookahead::Not(read);
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                alt.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
        read.push((e, range));
    }
    match events.next() {
        Some((Event::End(TagEnd::Paragraph), _)) => {
            let (start, range) = read.swap_remove(0);
            Lookahead::Figure(start, alt, range.start)
        }
        Some(other) => {
            read.push(other);
            Lookahead::Not(read)
        }
        None => Lookahead::Not(read),
    }
}

/// The figure's HTML. `image` is the image's start event with its address resolved.
pub(super) fn html(image: &Event, alt: &str) -> String {
    let Event::Start(Tag::Image {
        dest_url, title, ..
    }) = image
    else {
        return String::new();
    };
    let mut out = String::from("<figure class=\"figure\"><img src=\"");
    // Writing to a String cannot fail.
    let _ = escape_href(&mut out, dest_url);
    out.push_str("\" alt=\"");
    let _ = escape_html(&mut out, alt);
    // No title attribute: the caption already says it, and a screen reader would
    // read it twice.
    out.push_str("\" loading=\"lazy\"><figcaption>");
    let _ = escape_html(&mut out, title.trim());
    out.push_str("</figcaption></figure>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::super::tests::{ctx, pages};
    use crate::content::highlight::Highlighter;

    fn html(md: &str) -> String {
        let p = pages();
        render(md, &ctx(&p), &Highlighter::new())
            .unwrap()
            .html
            .to_string()
    }

    #[test]
    fn an_image_with_a_title_alone_in_its_paragraph_is_a_figure() {
        let out =
            html("Before.\n\n![A *grey* heron](heron.jpg \"The heron & the pond\")\n\nAfter.");
        assert!(
            out.contains(
                "<figure class=\"figure\"><img src=\"/blog/posts/a/heron.jpg\" alt=\"A grey heron\" loading=\"lazy\"><figcaption>The heron &amp; the pond</figcaption></figure>\n"
            ),
            "{out}"
        );
        assert!(!out.contains("<p><figure"), "{out}");
        assert!(
            out.contains("<p>Before.</p>") && out.contains("<p>After.</p>"),
            "{out}"
        );
    }

    #[test]
    fn other_images_stay_images() {
        // No title; inside a sentence; followed by text in the same paragraph.
        for md in [
            "![A heron](heron.jpg)",
            "See ![a heron](heron.jpg \"Caption\") here.",
            "![a heron](heron.jpg \"Caption\") and text",
            "![a heron](heron.jpg \"  \")",
        ] {
            let out = html(md);
            assert!(!out.contains("<figure"), "{md}: {out}");
            assert!(
                out.contains("<img src=\"/blog/posts/a/heron.jpg\""),
                "{md}: {out}"
            );
        }
        assert!(html("![a](x.png \"T\") and text").contains("and text</p>"));
    }

    #[test]
    fn a_figure_in_a_list_or_quote_and_as_the_summary() {
        let p = pages();
        let r = render(
            "![Map](map.svg \"Our route\")\n\n> ![Bird](b.png \"A bird\")\n\nText.",
            &ctx(&p),
            &Highlighter::new(),
        )
        .unwrap();
        assert!(
            r.summary.starts_with("<figure class=\"figure\">"),
            "{}",
            r.summary
        );
        assert!(r.html.contains("<blockquote>\n<figure"), "{}", r.html);
    }
}
