//! The summary and the word count, gathered while the HTML is written, so a post's
//! events are never all held at once: a 50 MB paragraph held as events, then as a
//! summary of the same size, took 60 times the post in memory.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::content::text::{escape_html, summary_text};

/// How much of a post the summary may be, counted in bytes of text and one more per
/// event. A first paragraph (or a part before `<!-- more -->`) longer than that gets a
/// summary of its plain text instead, cut at `FALLBACK_CHARS`: it is shown on the
/// home page, tag pages and in feeds, once per post.
pub const SUMMARY_MAX_BYTES: usize = 64 * 1024;
pub const FALLBACK_CHARS: usize = 600;

/// Events kept up to `SUMMARY_MAX_BYTES`; `full` is false once some were not kept.
struct Kept<'a> {
    events: Vec<Event<'a>>,
    bytes: usize,
    full: bool,
    /// Inside a footnote's text, which is left out.
    in_footnote: bool,
}

impl<'a> Kept<'a> {
    fn new() -> Self {
        Kept {
            events: Vec::new(),
            bytes: 0,
            full: true,
            in_footnote: false,
        }
    }

    fn push(&mut self, e: &Event<'a>) {
        // A summary is shown on the home page, tag pages and in feeds, where a
        // footnote's `#1` link would point nowhere and its text would stand alone.
        match e {
            Event::Start(Tag::FootnoteDefinition(_)) => self.in_footnote = true,
            Event::End(TagEnd::FootnoteDefinition) => {
                self.in_footnote = false;
                return;
            }
            _ => {}
        }
        if !self.full || self.in_footnote || matches!(e, Event::FootnoteReference(_)) {
            return;
        }
        let len = match e {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => t.len(),
            Event::InlineMath(t) | Event::DisplayMath(t) | Event::FootnoteReference(t) => t.len(),
            _ => 0,
        };
        self.bytes += len + 1;
        if self.bytes > SUMMARY_MAX_BYTES {
            self.full = false;
        } else {
            self.events.push(e.clone());
        }
    }
}

enum Paragraph<'a> {
    NotYet,
    Open(Kept<'a>),
    Done(Kept<'a>),
}

/// What the summary is made from: everything before the `<!-- more -->` marker, and
/// the first top-level paragraph.
pub(super) struct Recorder<'a> {
    /// From the start, until the marker (then `more` is set) or the cap.
    head: Kept<'a>,
    more: bool,
    paragraph: Paragraph<'a>,
}

impl<'a> Recorder<'a> {
    pub(super) fn new() -> Self {
        Recorder {
            head: Kept::new(),
            more: false,
            paragraph: Paragraph::NotYet,
        }
    }

    /// Every event written, in order.
    pub(super) fn push(&mut self, e: &Event<'a>) {
        if !self.more {
            self.head.push(e);
        }
        if let Paragraph::Open(p) = &mut self.paragraph {
            p.push(e);
        }
    }

    pub(super) fn more_marker(&mut self) {
        self.more = true;
    }

    pub(super) fn found_more(&self) -> bool {
        self.more
    }

    /// Before the start event of the first top-level paragraph is pushed.
    pub(super) fn paragraph_starts(&mut self) {
        if matches!(self.paragraph, Paragraph::NotYet) {
            self.paragraph = Paragraph::Open(Kept::new());
        }
    }

    /// After the end event of a top-level paragraph was pushed.
    pub(super) fn paragraph_ends(&mut self) {
        if let Paragraph::Open(_) = self.paragraph {
            let Paragraph::Open(p) = std::mem::replace(&mut self.paragraph, Paragraph::NotYet)
            else {
                unreachable!()
            };
            self.paragraph = Paragraph::Done(p);
        }
    }

    /// The summary's HTML, and whether the post has more than it. `html_len` is the
    /// length of the whole post's HTML.
    pub(super) fn finish(self, html_len: usize, html_is_blank: bool) -> (String, bool) {
        if self.more {
            return (summary_of(&self.head), true);
        }
        match self.paragraph {
            Paragraph::Done(p) if !p.events.is_empty() => {
                let s = summary_of(&p);
                let more = !p.full || s.len() + 16 < html_len;
                (s, more)
            }
            Paragraph::Open(p) => (summary_of(&p), true),
            _ => (String::new(), !html_is_blank),
        }
    }
}

fn summary_of(kept: &Kept) -> String {
    let html = to_html(&kept.events);
    if kept.full {
        return html;
    }
    format!(
        "<p>{}</p>\n",
        escape_html(&summary_text(&html, FALLBACK_CHARS))
    )
}

pub(super) fn to_html(events: &[Event]) -> String {
    let mut s = String::new();
    pulldown_cmark::html::push_html(&mut s, events.iter().cloned());
    s
}

/// Counts the words of text given piece by piece, as `split_whitespace` would count
/// the pieces joined: a word counts when it has a letter or a digit.
#[derive(Default)]
pub(super) struct Words {
    count: usize,
    in_word: bool,
    counted: bool,
}

impl Words {
    pub(super) fn text(&mut self, t: &str) {
        for c in t.chars() {
            if c.is_whitespace() {
                self.space();
            } else {
                self.in_word = true;
                if !self.counted && c.is_alphanumeric() {
                    self.count += 1;
                    self.counted = true;
                }
            }
        }
    }

    pub(super) fn space(&mut self) {
        self.in_word = false;
        self.counted = false;
    }

    pub(super) fn count(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_count_like_split_whitespace_over_joined_pieces() {
        let pieces = ["it", "’", "s a ", "--", " ", "wo", "rd", "\u{a0}x ... 42"];
        let mut w = Words::default();
        for p in pieces {
            w.text(p);
        }
        let joined: String = pieces.concat();
        let expected = joined
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
        assert_eq!(w.count(), expected);
    }

    #[test]
    fn summaries_leave_footnotes_out() {
        let mut r = Recorder::new();
        let events = [
            Event::Start(Tag::Paragraph),
            Event::Text("Floating".into()),
            Event::FootnoteReference("1".into()),
            Event::Text(" and sinking.".into()),
            Event::End(TagEnd::Paragraph),
            Event::Start(Tag::FootnoteDefinition("1".into())),
            Event::Start(Tag::Paragraph),
            Event::Text("Archimedes.".into()),
            Event::End(TagEnd::Paragraph),
            Event::End(TagEnd::FootnoteDefinition),
            Event::Start(Tag::Paragraph),
            Event::Text("More.".into()),
            Event::End(TagEnd::Paragraph),
        ];
        for e in &events {
            r.push(e);
        }
        r.more_marker();
        let (s, _) = r.finish(usize::MAX, false);
        assert_eq!(s, "<p>Floating and sinking.</p>\n<p>More.</p>\n");
    }

    #[test]
    fn a_first_paragraph_past_the_cap_becomes_its_plain_text() {
        let mut r = Recorder::new();
        r.paragraph_starts();
        let start = Event::Start(pulldown_cmark::Tag::Paragraph);
        r.push(&start);
        let word = Event::Text("word & more ".into());
        for _ in 0..SUMMARY_MAX_BYTES {
            r.push(&word);
        }
        r.push(&Event::End(pulldown_cmark::TagEnd::Paragraph));
        r.paragraph_ends();
        let (s, more) = r.finish(usize::MAX, false);
        assert!(more);
        assert!(s.starts_with("<p>word &amp; more word"), "{s}");
        assert!(s.ends_with("…</p>\n"), "{s}");
        assert!(s.len() < FALLBACK_CHARS * 2, "{}", s.len());
    }
}
