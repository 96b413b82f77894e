//! A long post is parsed a piece at a time. pulldown-cmark holds its whole tree of the
//! text it is given (about 48 bytes for each piece of inline text, so 50 times the post
//! for `_a_ _a_ ...`); a piece of at most `PIECE_BYTES` keeps that tree small, whatever
//! the post is made of.
//!
//! Posts up to `WHOLE_MAX_BYTES` are one piece, parsed exactly as before. Longer ones
//! are cut, in this order of preference, at a blank line between blocks (outside fenced
//! code and multi-line HTML), at a line break, at a space, or before a `<` or `&`. A
//! paragraph cut in two is joined again (one `<p>`), but emphasis, links and code spans
//! don't cross the cut. Reference definitions are gathered from every piece first, so a
//! link may use one from anywhere in the post; footnotes use pulldown-cmark's older
//! rules, in which a reference need not be in the same piece as its definition.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{
    BrokenLink, BrokenLinkCallback, CowStr, Event, OffsetIter, Options, Parser, Tag, TagEnd,
};
use unicase::UniCase;

/// Posts up to this size are parsed whole.
pub const WHOLE_MAX_BYTES: usize = 1024 * 1024;
/// The size a piece of a longer post is cut at (a fenced code block or multi-line
/// HTML block is not cut, so a piece can be longer: such text makes few tree nodes).
pub const PIECE_BYTES: usize = 256 * 1024;

/// Where a piece starts, and whether it continues the previous piece's paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cut {
    pub at: usize,
    /// Some(separator) when the cut is inside a paragraph: the line break or space.
    pub join: Option<Join>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Join {
    Line,
    Space,
    Nothing,
}

/// A post's reference definitions by label: destination and title.
pub(super) type RefMap = HashMap<UniCase<String>, (String, String)>;

/// Looks a reference the piece does not define up in the whole post's definitions.
pub(super) struct Lookup<'r>(&'r RefMap);

impl<'a> BrokenLinkCallback<'a> for Lookup<'_> {
    fn handle_broken_link(&mut self, link: BrokenLink<'a>) -> Option<(CowStr<'a>, CowStr<'a>)> {
        let (dest, title) = self.0.get(&UniCase::new(link.reference.to_string()))?;
        Some((dest.clone().into(), title.clone().into()))
    }
}

/// The starts of the pieces after the first.
pub(super) fn cuts(body: &str) -> Vec<Cut> {
    if body.len() <= WHOLE_MAX_BYTES {
        return Vec::new();
    }
    let mut scan = LineScan::default();
    let mut out = Vec::new();
    let mut start = 0;
    let (mut blank_cut, mut line_cut) = (None, None);
    let mut pos = 0;
    while pos < body.len() {
        let end = body[pos..].find('\n').map_or(body.len(), |i| pos + i + 1);
        let line = &body[pos..end];
        let normal_before = scan.is_normal();
        if normal_before && end - start > PIECE_BYTES {
            if let Some(at) = blank_cut.or(line_cut).filter(|&c| c > start) {
                let join = if Some(at) == blank_cut {
                    None
                } else {
                    Some(Join::Line)
                };
                out.push(Cut { at, join });
                start = at;
            }
            while end - start > PIECE_BYTES {
                // Some of the line's text must follow a cut, or the text after the
                // line would be joined to the paragraph.
                let last = (pos + line.trim_end().len()).saturating_sub(1);
                let limit = (start + PIECE_BYTES).min(last);
                let Some(cut) = cut_in_line(body, start.max(pos), limit) else {
                    break;
                };
                out.push(cut);
                start = cut.at;
            }
            blank_cut = None;
            line_cut = None;
        }
        scan.line(line);
        if scan.is_normal() && end < body.len() {
            if line.trim().is_empty() && normal_before && starts_block(&body[end..]) {
                blank_cut = Some(end);
            } else if !line.trim().is_empty() && !body[end..].trim_start().is_empty() {
                line_cut = Some(end);
            }
        }
        pos = end;
    }
    out
}

/// True when text after a blank line starts a new top-level block, not more of a list
/// item, indented code or a footnote.
fn starts_block(rest: &str) -> bool {
    let b = rest.as_bytes();
    match b.first() {
        None | Some(b' ' | b'\t' | b'\n' | b'\r') => false,
        Some(b'-' | b'*' | b'+') => !matches!(b.get(1), Some(b' ' | b'\t')),
        Some(b'0'..=b'9') => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            !matches!(b.get(digits), Some(b'.' | b')'))
        }
        _ => true,
    }
}

/// A cut inside one long line, between `from` and `limit` (before the line's last
/// character): after the last space, else
/// before the last `<` or `&`, else at the last character boundary.
fn cut_in_line(body: &str, from: usize, limit: usize) -> Option<Cut> {
    let limit = floor_char(body, limit.min(body.len()));
    if limit <= from {
        return None;
    }
    let window = &body[from..limit];
    let found = |c: &dyn Fn(char) -> bool| window.rfind(c).filter(|&i| i > 0);
    let cut = if let Some(i) = found(&|c| c == ' ' || c == '\t') {
        Cut {
            at: from + i + 1,
            join: Some(Join::Space),
        }
    } else if let Some(i) = found(&|c| c == '<' || c == '&') {
        Cut {
            at: from + i,
            join: Some(Join::Nothing),
        }
    } else {
        Cut {
            at: limit,
            join: Some(Join::Nothing),
        }
    };
    (cut.at > from).then_some(cut)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether a line is inside a fenced code block or an HTML block that may hold blank
/// lines; only outside both may a post be cut. It errs on the side of "inside": a
/// fence is seen at any indentation.
#[derive(Default)]
struct LineScan {
    fence: Option<(u8, usize)>,
    html_end: Option<&'static str>,
}

const HTML_BLOCKS: [(&str, &str); 6] = [
    ("<!--", "-->"),
    ("<pre", "</pre>"),
    ("<script", "</script>"),
    ("<style", "</style>"),
    ("<textarea", "</textarea>"),
    ("<![cdata[", "]]>"),
];

impl LineScan {
    fn is_normal(&self) -> bool {
        self.fence.is_none() && self.html_end.is_none()
    }

    fn line(&mut self, line: &str) {
        let t = line.trim_start();
        if let Some((ch, len)) = self.fence {
            let n = t.bytes().take_while(|&b| b == ch).count();
            if n >= len && t[n..].trim().is_empty() {
                self.fence = None;
            }
            return;
        }
        if let Some(end) = self.html_end {
            if contains_ignore_case(line, end) {
                self.html_end = None;
            }
            return;
        }
        if let Some(ch @ (b'`' | b'~')) = t.bytes().next() {
            let n = t.bytes().take_while(|&b| b == ch).count();
            if n >= 3 {
                self.fence = Some((ch, n));
            }
            return;
        }
        for (open, end) in HTML_BLOCKS {
            let head = t.get(..open.len()).unwrap_or("");
            if head.eq_ignore_ascii_case(open) && !contains_ignore_case(&t[open.len()..], end) {
                self.html_end = Some(end);
            }
        }
    }
}

fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Every piece's reference definitions, the first of each label kept.
pub(super) fn reference_definitions(body: &str, cuts: &[Cut], options: Options) -> RefMap {
    let mut map = RefMap::new();
    if cuts.is_empty() {
        return map;
    }
    for range in piece_ranges(body, cuts) {
        let piece = &body[range];
        if !piece.contains("]:") {
            continue;
        }
        let parser = Parser::new_ext(piece, options);
        for (label, def) in parser.reference_definitions().iter() {
            let title = def.title.as_deref().unwrap_or("").to_string();
            map.entry(UniCase::new(label.to_string()))
                .or_insert_with(|| (def.dest.to_string(), title));
        }
    }
    map
}

fn piece_ranges(body: &str, cuts: &[Cut]) -> Vec<Range<usize>> {
    let starts = std::iter::once(0).chain(cuts.iter().map(|c| c.at));
    let ends = cuts.iter().map(|c| c.at).chain(std::iter::once(body.len()));
    starts.zip(ends).map(|(s, e)| s..e).collect()
}

/// The events of all the pieces in order, offsets counted from the start of the post.
/// One piece's parser (and tree) is alive at a time.
pub(super) struct Events<'a, 'r> {
    body: &'a str,
    options: Options,
    refs: &'r RefMap,
    ranges: std::vec::IntoIter<Range<usize>>,
    joins: std::vec::IntoIter<Option<Join>>,
    parser: Option<(OffsetIter<'a, Lookup<'r>>, usize)>,
    /// The last event, held back: at a cut inside a paragraph, its `End(Paragraph)`
    /// and the next piece's `Start(Paragraph)` are dropped.
    held: Option<(Event<'a>, Range<usize>)>,
}

impl<'a, 'r> Events<'a, 'r> {
    pub fn new(body: &'a str, cuts: &[Cut], options: Options, refs: &'r RefMap) -> Self {
        let options = if cuts.is_empty() {
            options
        } else {
            options | Options::ENABLE_OLD_FOOTNOTES
        };
        let mut joins: Vec<Option<Join>> = cuts.iter().map(|c| c.join).collect();
        joins.insert(0, None);
        Events {
            body,
            options,
            refs,
            ranges: piece_ranges(body, cuts).into_iter(),
            joins: joins.into_iter(),
            parser: None,
            held: None,
        }
    }

    fn next_piece(&mut self) -> Option<Option<Join>> {
        let range = self.ranges.next()?;
        let join = self.joins.next().flatten();
        let piece = &self.body[range.clone()];
        let parser =
            Parser::new_with_broken_link_callback(piece, self.options, Some(Lookup(self.refs)));
        self.parser = Some((parser.into_offset_iter(), range.start));
        Some(join)
    }

    fn next_of_piece(&mut self) -> Option<(Event<'a>, Range<usize>)> {
        let (parser, offset) = self.parser.as_mut()?;
        let (e, r) = parser.next()?;
        Some((e, r.start + *offset..r.end + *offset))
    }
}

impl<'a> Iterator for Events<'a, '_> {
    type Item = (Event<'a>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.next_of_piece() {
                match self.held.replace(e) {
                    Some(prev) => return Some(prev),
                    None => continue,
                }
            }
            // The piece is done: its tree goes before the next is built.
            self.parser = None;
            let Some(join) = self.next_piece() else {
                return self.held.take();
            };
            let Some(join) = join else { continue };
            let Some(first) = self.next_of_piece() else {
                continue;
            };
            let para_end = matches!(self.held, Some((Event::End(TagEnd::Paragraph), _)));
            if para_end && matches!(first.0, Event::Start(Tag::Paragraph)) {
                let at = first.1.start;
                self.held = None;
                let sep = match join {
                    Join::Line => Some(Event::SoftBreak),
                    Join::Space => Some(Event::Text(" ".into())),
                    Join::Nothing => None,
                };
                if let Some(sep) = sep {
                    return Some((sep, at..at));
                }
                continue;
            }
            // Not a paragraph on both sides: both events go out as they are.
            let prev = self.held.replace(first);
            if let Some(prev) = prev {
                return Some(prev);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::cache::FastMap;
    use crate::content::highlight::Highlighter;
    use crate::content::markdown::{render, tests::ctx};

    fn html(md: &str) -> String {
        let pages = FastMap::default();
        render(md, &ctx(&pages), &Highlighter::new())
            .unwrap()
            .html
            .to_string()
    }

    #[test]
    fn a_post_up_to_the_limit_is_one_piece() {
        assert!(cuts(&"word ".repeat(WHOLE_MAX_BYTES / 5)).is_empty());
    }

    #[test]
    fn cuts_prefer_blank_lines_and_keep_fenced_code_whole() {
        let para = "Some text here.\n".repeat(1000) + "\n";
        let code = "```\n".to_string() + &"x\n\ny\n".repeat(100_000) + "```\n\n";
        let md = para.repeat(40) + &code + &para.repeat(40);
        let cuts = cuts(&md);
        assert!(cuts.len() >= 4, "{cuts:?}");
        let code_at = 40 * para.len()..40 * para.len() + code.len();
        for c in &cuts {
            assert_eq!(c.join, None, "{c:?}");
            assert_eq!(&md[c.at - 2..c.at], "\n\n");
            assert!(!code_at.contains(&c.at) || c.at == code_at.start, "{c:?}");
        }
        let out = html(&md);
        assert_eq!(out.matches("<pre").count(), 1);
        assert_eq!(out.matches("<p>").count(), 80);
    }

    #[test]
    fn a_long_paragraph_is_cut_and_joined_again() {
        let md = "_a_ ".repeat(3 * WHOLE_MAX_BYTES / 4) + "\n\nEnd.\n";
        let cuts = cuts(&md);
        assert!(cuts.len() > 5 && cuts.iter().all(|c| c.join == Some(Join::Space)));
        let out = html(&md);
        assert_eq!(out.matches("<p>").count(), 2, "{}", &out[out.len() - 100..]);
        assert_eq!(
            out.matches("<em>a</em> ").count(),
            3 * WHOLE_MAX_BYTES / 4 - 1
        );
        let lines = "a  \n".repeat(WHOLE_MAX_BYTES / 2);
        assert!(html(&lines).starts_with("<p>a<br />\na<br />"));
        assert_eq!(html(&lines).matches("<p>").count(), 1);
        let tags = html(&"<span>".repeat(WHOLE_MAX_BYTES / 3));
        assert_eq!(tags.matches("<span>").count(), WHOLE_MAX_BYTES / 3);
    }

    #[test]
    fn references_and_footnotes_reach_across_pieces() {
        let filler = "Filler text.\n\n".repeat(2 * WHOLE_MAX_BYTES / 14);
        let md = format!(
            "See [the notes][Notes] and a note[^n].\n\n{filler}[notes]: https://example.org/n \"N\"\n\n[^n]: The note.\n"
        );
        assert!(!cuts(&md).is_empty());
        let out = html(&md);
        assert!(
            out.starts_with("<p>See <a href=\"https://example.org/n\" title=\"N\">the notes</a>"),
            "{}",
            &out[..200]
        );
        assert!(out.contains("<sup class=\"footnote-reference\"><a href=\"#n\">1</a></sup>"));
        assert!(out.contains("<div class=\"footnote-definition\" id=\"n\">"));
    }
}
