//! Remote HTML re-written, in one linear pass over its tokens, so that html5ever's tree
//! builder (inside ammonia) can never see deep nesting: that builder walks its stack of
//! open elements on every tag, so 100,000 nested `<div>`s cost minutes.
//!
//! The pass keeps its own stack of open elements, closing the ones HTML closes by
//! itself (`<p>` before a block, `<li>` before the next `<li>`, table cells and rows,
//! `<a>` before another `<a>`), and writes markup that is balanced: every start tag it
//! keeps gets its end tag, in order, so no element is left open for the tree builder
//! to keep (or to re-open, as it does with formatting elements like `<b>`). A start tag
//! past `MAX_DEPTH` open elements is dropped and its content kept, as browsers and
//! bleach do. The tree builder's own stack then stays within a small multiple of
//! `MAX_DEPTH` (the implied `<tbody>`/`<tr>` of tables, re-opened formatting elements),
//! whatever the input, so parsing is linear in its size.
//!
//! This is a bound, not a sanitizer: scripts and styles are dropped on the way because
//! the sanitizer would drop them anyway, but safety is still ammonia's.

use html5ever::LocalName;
use html5ever::tokenizer::{Tag, TagKind, Token};

use super::html_tokens::{self, Next, is_void, raw_kind};
use elements::{Cats, breaks_out_of_foreign, closes_p, is_formatting, is_integration_point};
use elements::{is_special, is_table_part};

mod elements;

/// The most elements open at once in bounded HTML. Real posts stay far below (a
/// list in a quote in a table is about 10); Chrome's parser stops nesting at 512.
pub const MAX_DEPTH: usize = 128;

/// `html` with at most `MAX_DEPTH` elements open at any point and every element
/// closed; start tags `keep` refuses are left out (their content stays).
pub fn bound(html: &str, keep: impl Fn(&Tag) -> bool) -> String {
    let mut b = Bounder {
        out: String::with_capacity(html.len() + html.len() / 8),
        open: Vec::new(),
        counts: [0; Cats::COUNT],
        raw: Raw::No,
        keep,
    };
    html_tokens::each(html, |t| b.token(t));
    b.pop_to(0);
    b.out
}

/// An element kept open, with its `Cats` bits.
struct Open {
    name: LocalName,
    cats: u32,
}

/// What to do with the text of a raw text element.
#[derive(PartialEq)]
enum Raw {
    No,
    /// Scripts and styles: the sanitizer removes them with their content.
    Drop,
    /// `<textarea>`, `<title>`, `<xmp>`, `<noscript>`…: the sanitizer removes the
    /// element and keeps its text, so the text is written as text.
    Text,
}

struct Bounder<K> {
    out: String,
    open: Vec<Open>,
    /// How many open elements have each `Cats` bit.
    counts: [u32; Cats::COUNT],
    raw: Raw,
    keep: K,
}

impl<K: Fn(&Tag) -> bool> Bounder<K> {
    fn token(&mut self, token: Token) -> Next {
        match token {
            Token::CharacterTokens(text) if self.raw != Raw::Drop => {
                push_escaped(&mut self.out, &text, false);
            }
            // In raw text the only tag the tokenizer emits is the end of the element.
            Token::TagToken(_) if self.raw != Raw::No => self.raw = Raw::No,
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => return self.start(tag),
            Token::TagToken(tag) => self.end(&tag.name),
            // Comments, doctypes and NULs: the sanitizer drops them all.
            _ => {}
        }
        Next::Continue
    }

    fn in_foreign(&self) -> bool {
        self.open
            .last()
            .is_some_and(|o| o.cats & Cats::FOREIGN_CONTENT != 0)
    }

    fn start(&mut self, tag: Tag) -> Next {
        let name = &*tag.name;
        if matches!(name, "html" | "head" | "body" | "frameset") {
            return Next::Continue;
        }
        if self.in_foreign() && breaks_out_of_foreign(name) {
            while self.in_foreign() {
                self.pop_to(self.open.len() - 1);
            }
        }
        let in_foreign = self.in_foreign();
        if !in_foreign {
            if name == "plaintext" {
                self.raw = Raw::Text;
                return Next::Plaintext;
            }
            if let Some(kind) = raw_kind(name) {
                self.raw = if matches!(name, "script" | "style") {
                    Raw::Drop
                } else {
                    Raw::Text
                };
                return Next::Raw(kind);
            }
            self.close_implied(name);
        }
        let foreign = in_foreign || matches!(name, "svg" | "math");
        if !(self.keep)(&tag) {
            return Next::Continue;
        }
        if foreign && tag.self_closing {
            // Written as a start and an end tag, so that the element is closed even if
            // the tree builder disagrees about being in SVG.
            push_start(&mut self.out, &tag);
            push_end(&mut self.out, name);
        } else if !foreign && is_void(name) {
            push_start(&mut self.out, &tag);
        } else if self.open.len() < MAX_DEPTH {
            push_start(&mut self.out, &tag);
            let content_foreign = foreign && !(in_foreign && is_integration_point(name));
            let mut cats = Cats::of(name);
            if foreign {
                cats |= Cats::FOREIGN;
            }
            if content_foreign {
                cats |= Cats::FOREIGN_CONTENT;
            }
            self.push(Open {
                name: tag.name,
                cats,
            });
        }
        Next::Continue
    }

    /// The elements a start tag closes by itself in HTML.
    fn close_implied(&mut self, name: &str) {
        // Implied closing never reaches past SVG or MathML.
        const SCOPE: u32 = Cats::SCOPE | Cats::FOREIGN;
        const TABLE: u32 = Cats::TABLE | Cats::FOREIGN;
        if closes_p(name) {
            self.close_in_scope(Cats::P, SCOPE | Cats::BUTTON);
        }
        let me = Cats::name(name);
        match me {
            Cats::LI => self.close_in_scope(Cats::LI, SCOPE | Cats::LIST),
            Cats::DD | Cats::DT => self.close_in_scope(Cats::DD | Cats::DT, SCOPE | Cats::DL),
            Cats::A | Cats::NOBR | Cats::BUTTON => self.close_in_scope(me, SCOPE),
            Cats::TR => self.close_in_scope(Cats::TR, TABLE | Cats::TSECTION),
            Cats::TD | Cats::TH => self.close_in_scope(Cats::TD | Cats::TH, TABLE | Cats::TR),
            Cats::TSECTION => self.close_in_scope(Cats::TSECTION, TABLE),
            Cats::OPTION | Cats::OPTGROUP => {
                self.close_top(Cats::OPTION);
                if me == Cats::OPTGROUP {
                    self.close_top(Cats::OPTGROUP);
                }
            }
            Cats::HEADING => self.close_top(Cats::HEADING),
            _ => {}
        }
    }

    fn close_top(&mut self, name: u32) {
        if self.open.last().is_some_and(|o| o.cats & name != 0) {
            self.pop_to(self.open.len() - 1);
        }
    }

    /// Close the nearest open element with a `targets` bit, unless an element with a
    /// `stop` bit comes first.
    fn close_in_scope(&mut self, targets: u32, stop: u32) {
        if !self.any_open(targets) {
            return;
        }
        for i in (0..self.open.len()).rev() {
            let cats = self.open[i].cats;
            if cats & targets != 0 {
                self.pop_to(i);
                return;
            }
            if cats & stop != 0 {
                return;
            }
        }
    }

    /// Close the nearest open element called `name`, unless an element with a `stop`
    /// bit comes first.
    fn close_named(&mut self, name: &LocalName, stop: u32) {
        for i in (0..self.open.len()).rev() {
            if self.open[i].name == *name {
                self.pop_to(i);
                return;
            }
            if self.open[i].cats & stop != 0 {
                return;
            }
        }
    }

    fn end(&mut self, name: &LocalName) {
        if &**name == "br" && !self.in_foreign() {
            // What every browser does with `</br>`.
            self.out.push_str("<br>");
            return;
        }
        let stop = if is_table_part(name) {
            Cats::TABLE
        } else if is_special(name) || is_formatting(name) {
            Cats::SCOPE
        } else {
            // `</span>` does not close a `<div>` opened inside the span.
            Cats::SCOPE | Cats::SPECIAL
        };
        match Cats::name(name) {
            0 => self.close_named(name, stop),
            bits => self.close_in_scope(bits, stop),
        }
    }

    fn any_open(&self, bits: u32) -> bool {
        each_bit(bits).any(|b| self.counts[b] > 0)
    }

    fn push(&mut self, o: Open) {
        for b in each_bit(o.cats) {
            self.counts[b] += 1;
        }
        self.open.push(o);
    }

    /// Close the open elements from the `i`-th up, innermost first.
    fn pop_to(&mut self, i: usize) {
        while self.open.len() > i {
            if let Some(o) = self.open.pop() {
                for b in each_bit(o.cats) {
                    self.counts[b] -= 1;
                }
                push_end(&mut self.out, &o.name);
            }
        }
    }
}

/// The positions of the bits set in `bits`.
fn each_bit(mut bits: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            b
        })
    })
}

fn push_start(out: &mut String, tag: &Tag) {
    out.push('<');
    out.push_str(&tag.name);
    for a in &tag.attrs {
        out.push(' ');
        if let Some(prefix) = &a.name.prefix {
            out.push_str(prefix);
            out.push(':');
        }
        out.push_str(&a.name.local);
        out.push_str("=\"");
        push_escaped(out, &a.value, true);
        out.push('"');
    }
    out.push('>');
}

fn push_end(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Only what the parser needs escaped: every character reference costs the
/// sanitizer's parser a token of its own, so `>` (plain text to a parser) stays as it
/// is and text of 200,000 `<div>`s turns into 200,000 references, not 400,000.
fn push_escaped(out: &mut String, s: &str, in_attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' if !in_attribute => out.push_str("&lt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(html: &str) -> String {
        bound(html, |_| true)
    }

    /// The deepest element of `html` as html5ever's tree builder (the sanitizer's
    /// parser) builds it.
    fn tree_depth(html: &str) -> usize {
        let doc = scraper::Html::parse_fragment(html);
        doc.tree
            .root()
            .descendants()
            .map(|n| n.ancestors().count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn ordinary_html_keeps_its_shape() {
        assert_eq!(b("<p>a<p>b"), "<p>a</p><p>b</p>");
        assert_eq!(
            b("<ul><li>a<li>b</ul><p>c"),
            "<ul><li>a</li><li>b</li></ul><p>c</p>"
        );
        assert_eq!(
            b("<table><tr><td>1<td>2<tr><td>3</table>"),
            "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>"
        );
        assert_eq!(
            b("<p>x <b>bold <i>both</b> after</i></p>"),
            "<p>x <b>bold <i>both</i></b> after</p>"
        );
        assert_eq!(
            b(r#"<a href="?a=1&amp;b=&quot;">x &lt; y</a><br/><img src=x alt='"'>"#),
            r#"<a href="?a=1&amp;b=&quot;">x &lt; y</a><br><img src="x" alt="&quot;">"#
        );
        // As in a browser, `</span>` cannot close a span around an open `<div>`.
        assert_eq!(
            b("<div><span><div>x</span>y</div>z"),
            "<div><span><div>xy</div>z</span></div>"
        );
    }

    #[test]
    fn raw_text_becomes_text_and_scripts_go() {
        assert_eq!(
            b("<p><script>if (a<b) x()</script><textarea><b>t</textarea><style>p{}</style>"),
            "<p>&lt;b>t</p>"
        );
        assert_eq!(b("<plaintext><b>x"), "&lt;b>x");
        // In SVG, `<style>` is an element like any other and `/>` closes.
        assert_eq!(
            b("<svg><style/><g/></svg>"),
            "<svg><style></style><g></g></svg>"
        );
    }

    #[test]
    fn every_shape_of_deep_nesting_is_bounded_and_keeps_its_text() {
        const N: usize = 3_000;
        let shapes: Vec<String> = vec![
            "<div>".repeat(N),
            "<div>".repeat(N) + &"</div>".repeat(N),
            "<b><i>".repeat(N),
            (0..N).map(|i| format!("<b class=c{i}>")).collect(),
            (0..N)
                .map(|i| format!("<div><b class=c{i}></div>"))
                .collect(),
            (0..N).map(|i| format!("<p><b id=b{i}><div>")).collect(),
            "<table><tr><td>".repeat(N),
            "<table><div><table>".repeat(N),
            "<ul><li>".repeat(N),
            "<dl><dd>".repeat(N),
            "<p><a href=x>".repeat(N),
            "<span>".repeat(N),
            "<svg>".to_string() + &"<g>".repeat(N),
            "<svg><g><b>".repeat(N),
            "<math><mi><svg><foreignObject>".repeat(N),
            "<select><option>".repeat(N),
            "<applet><marquee><caption>".repeat(N),
            "<template><div>".repeat(N),
            "<nobr>".repeat(N),
            "<h1><h2><button><form>".repeat(N),
            "<div></span>".repeat(N),
        ];
        for html in shapes {
            let html = format!("{html}the end");
            let out = b(&html);
            let depth = tree_depth(&out);
            assert!(depth <= 2 * MAX_DEPTH, "{depth} deep: {:.80}", html);
            // (A template's content is never text.)
            let text = crate::network::sanitize::plain_text(&out, usize::MAX);
            let hidden = html.starts_with("<template");
            assert!(
                hidden || text.ends_with("the end"),
                "{:.80}: {:.80}",
                html,
                text
            );
        }
    }

    #[test]
    fn past_the_bound_start_tags_are_dropped_and_content_kept() {
        let html = "<div>".repeat(MAX_DEPTH + 10) + "deep";
        let out = b(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("deep"));
    }
}
