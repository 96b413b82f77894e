//! `![Class photo](class photo.JPG)`: Markdown ends a link's address at a space, so an
//! image whose file name has one (every Mac screenshot) stays as text on the page
//! and nothing complains. It is read as the image it was meant to be, as if it had
//! been written `![Class photo](<class photo.JPG>)`.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use regex::Regex;

use super::Transform;

/// An image written with a space in its file name.
pub(super) struct SpacedImage<'a> {
    pub alt: &'a str,
    pub dest: &'a str,
    pub title: &'a str,
    /// Bytes of source it takes.
    pub len: usize,
}

/// The image at the start of `src`, when it is one whose address has a space and
/// ends in a file extension (so `![a](see page 3)` stays text).
pub(super) fn at_start(src: &str) -> Option<SpacedImage<'_>> {
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"^!\[([^\[\]\n]*)\]\([ \t]*([^()<>"\s][^()<>"\n]*?\.[A-Za-z][A-Za-z0-9]{0,4})(?:[ \t]+"([^"\n]*)")?[ \t]*\)"#,
        )
        .expect("valid regex")
    });
    // The pattern stays on one line: no need to look further.
    let line = src.split('\n').next().unwrap_or(src);
    let c = IMAGE.captures(line)?;
    let dest = c.get(2)?.as_str();
    dest.contains([' ', '\t']).then(|| SpacedImage {
        alt: c.get(1).map_or("", |m| m.as_str()),
        dest,
        title: c.get(3).map_or("", |m| m.as_str()),
        len: c.get(0).map_or(0, |m| m.len()),
    })
}

impl<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> Transform<'a, '_, I> {
    /// An image with a space in its file name, which the parser left as text (see
    /// `spaced`), made an image; Err(text) gives the text back when there is none.
    /// The image may span several text events: they are taken from the parser, and
    /// given their usual treatment when they turn out not to be one.
    pub(super) fn spaced_image(
        &mut self,
        t: CowStr<'a>,
        range: Range<usize>,
    ) -> Result<(), CowStr<'a>> {
        let body = self.body;
        // Only text that is its source exactly can be cut at a source offset.
        let Some(src) = body.get(range.clone()).filter(|s| *s == &*t) else {
            return Err(t);
        };
        let Some((p, image)) = src
            .match_indices("![")
            .find_map(|(p, _)| at_start(&body[range.start + p..]).map(|i| (p, i)))
        else {
            return Err(t);
        };
        let end = range.start + p + image.len;
        let mut taken = Vec::new();
        let mut reached = range.end;
        while reached < end {
            match self.events.next() {
                Some((Event::Text(x), r)) => {
                    reached = r.end;
                    taken.push((Event::Text(x), r));
                }
                Some(other) => {
                    taken.push(other);
                    break;
                }
                None => break,
            }
        }
        // The last text may run past the image; its rest must be its source too.
        let rest_ok = match taken.last() {
            Some((Event::Text(x), r)) => r.end <= end || body.get(r.clone()) == Some(&**x),
            Some(_) => false,
            None => true,
        };
        if reached < end || !rest_ok {
            self.words.text(&t);
            self.emit(Event::Text(t));
            for (e, r) in taken {
                self.step(e, r);
            }
            return Ok(());
        }
        if p > 0 {
            let before = &body[range.start..range.start + p];
            self.words.text(before);
            self.emit(Event::Text(before.into()));
        }
        let start = Event::Start(Tag::Image {
            link_type: LinkType::Inline,
            dest_url: image.dest.into(),
            title: image.title.into(),
            id: "".into(),
        });
        let start = self.link(start, range.start + p);
        self.emit(start);
        self.words.text(image.alt);
        self.emit(Event::Text(image.alt.into()));
        self.emit(Event::End(TagEnd::Image));
        self.words.space();
        if reached > end {
            self.step(Event::Text(body[end..reached].into()), end..reached);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::super::tests::{ctx, pages};
    use super::*;
    use crate::content::highlight::Highlighter;

    #[test]
    fn images_with_spaces_in_their_names() {
        let p = pages();
        let hl = Highlighter::new();
        for md in [
            "See ![Class photo](class photo.JPG) today.",
            "See ![Class photo](<class photo.JPG>) today.",
        ] {
            let r = render(md, &ctx(&p), &hl).unwrap();
            assert_eq!(
                &*r.html,
                "<p>See <img src=\"/blog/posts/a/class%20photo.JPG\" alt=\"Class photo\" /> today.</p>\n",
                "{md}"
            );
        }
        let r = render(
            "![Sam's *best* day](our day.png \"Trip\") ![b](b c.gif)",
            &ctx(&p),
            &hl,
        )
        .unwrap();
        assert!(
            r.html
                .contains("<img src=\"/blog/posts/a/b%20c.gif\" alt=\"b\" />"),
            "{}",
            r.html
        );
        let r = render(
            "`![a](my photo.png)` and \\![a](my photo.png)",
            &ctx(&p),
            &hl,
        )
        .unwrap();
        assert!(!r.html.contains("<img"), "{}", r.html);
    }

    #[test]
    fn an_image_with_spaces_and_a_title() {
        let i = at_start("![Class photo](class photo.JPG \"Our class\") and more").unwrap();
        assert_eq!(
            (i.alt, i.dest, i.title, i.len),
            ("Class photo", "class photo.JPG", "Our class", 43)
        );
        let i = at_start("![](Screenshot 2024-03-01 at 10.15.32.png)").unwrap();
        assert_eq!(i.dest, "Screenshot 2024-03-01 at 10.15.32.png");
    }

    #[test]
    fn not_a_file_or_no_space_is_not_one() {
        assert!(at_start("![a](see page 3)").is_none());
        assert!(at_start("![a](photo.png)").is_none());
        assert!(at_start("![a](my\nphoto.png)").is_none());
        assert!(at_start("text ![a](my photo.png)").is_none());
    }
}
