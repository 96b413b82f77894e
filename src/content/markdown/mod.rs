//! Markdown to HTML with pulldown-cmark. On the way through we give headings ids and
//! self-links, highlight code, resolve links (`.md` files to page URLs, root-relative
//! links under the base path) and find the summary.

mod figure;
mod headings;
mod links;
mod pieces;
mod spaced;
mod summary;

use std::collections::VecDeque;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Tag, TagEnd};

use super::highlight::Highlighter;
pub use headings::Heading;
pub use links::{BrokenLink, LinkContext, LocalRef, normalize};
use links::{Found, rewrite_link_event};
use summary::{Recorder, Words};

/// A file's Markdown, rendered. Its parts are shared, not copied: `serve` keeps it
/// between rebuilds, and each rebuild's model points to the same text.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: Arc<str>,
    /// From `<!-- more -->`, else the first paragraph.
    pub summary: Arc<str>,
    /// The summary as plain text, for the page's meta description.
    pub description: Arc<str>,
    /// True when the summary is shorter than the whole text.
    pub has_more: bool,
    pub toc: Arc<[Heading]>,
    pub word_count: usize,
    /// Absolute http(s) links to other sites, for Webmentions.
    pub outbound: Arc<[String]>,
    /// Links and images to this site's own files, in the order written.
    pub local: Arc<[LocalRef]>,
    /// The other Markdown files linked to, with the URL each had: the HTML is valid
    /// while they keep those URLs.
    pub linked: Arc<[(PathBuf, String)]>,
}

/// How long a meta description may be, in characters.
pub const DESCRIPTION_CHARS: usize = 200;

const MORE_MARKER: &str = "<!-- more -->";

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// The most HTML one file may make: a page can hold no more (the patched Tera's
/// `limits::MAX_BYTES`), and a few bytes of Markdown can make many times their size
/// (`[^1] ` makes 57), which was held three times over before the page failed.
pub const HTML_MAX_BYTES: usize = 32 << 20;

/// Why a file's Markdown could not be rendered.
#[derive(Debug)]
pub enum RenderError {
    Links(Vec<BrokenLink>),
    /// The HTML passed `HTML_MAX_BYTES`; rendering stopped there.
    TooBig,
}

/// The HTML writer's output, refusing to grow past `HTML_MAX_BYTES`.
struct Capped<'s>(&'s mut String);

impl std::fmt::Write for Capped<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.0.len() + s.len() > HTML_MAX_BYTES {
            return Err(std::fmt::Error);
        }
        self.0.push_str(s);
        Ok(())
    }
}

pub fn render(body: &str, links: &LinkContext, hl: &Highlighter) -> Result<Rendered, RenderError> {
    let cuts = pieces::cuts(body);
    let refs = pieces::reference_definitions(body, &cuts, options());
    let parser = pieces::Events::new(body, &cuts, options(), &refs);
    let mut t = Transform {
        body,
        events: parser,
        ahead: VecDeque::new(),
        pending: VecDeque::new(),
        links,
        hl,
        found: Found::default(),
        toc: Vec::new(),
        ids: headings::Ids::default(),
        words: Words::default(),
        depth: 0,
        summary: Recorder::new(),
    };
    // The events go straight to the writer: held in a list, a long post took
    // tens of times its size.
    let mut html = String::with_capacity((body.len() + body.len() / 2).min(HTML_MAX_BYTES));
    let written = pulldown_cmark::html::write_html_fmt(Capped(&mut html), t.by_ref());
    let Transform {
        events,
        found:
            Found {
                broken,
                mut outbound,
                local,
                linked,
            },
        toc,
        words,
        summary,
        ..
    } = t;
    // The parser's tree of the text is the largest thing here: gone before the
    // HTML is copied into its shared form.
    drop(events);
    if !broken.is_empty() {
        return Err(RenderError::Links(broken));
    }
    if written.is_err() {
        return Err(RenderError::TooBig);
    }
    let marked = summary.found_more();
    let (mut summary, mut has_more) = summary.finish(html.len(), html.trim().is_empty());
    if has_more && !marked && shown_whole(&html, words.count()) {
        summary = html.clone();
        has_more = false;
    }
    outbound.sort();
    outbound.dedup();
    Ok(Rendered {
        html: html.into(),
        description: super::text::summary_text(&summary, DESCRIPTION_CHARS).into(),
        summary: summary.into(),
        has_more,
        toc: toc.into(),
        word_count: words.count(),
        outbound: outbound.into(),
        local: local.into(),
        linked: linked.into(),
    })
}

/// Posts of at most this many words (a minute's reading, as `Post::reading_time`
/// counts) are shown whole in lists, as WordPress and Blogger show posts: a first
/// paragraph and "Read more" for two more lines is a click for nothing.
pub const SHORT_POST_WORDS: usize = 200;

/// Whether a post is short enough to be its own summary. Not when it has ids
/// (headings, footnotes, HTML written with one): a list shows several posts, and their
/// ids would clash.
fn shown_whole(html: &str, words: usize) -> bool {
    words <= SHORT_POST_WORDS
        && html.len() <= summary::SUMMARY_MAX_BYTES
        && !html.contains(" id=\"")
        && !html.contains(" id='")
}

/// pulldown-cmark's events on their way to the HTML writer: headings get ids and
/// self-links, code is highlighted, links resolved; the summary, the table of
/// contents and the word count are gathered on the way.
struct Transform<'a, 'c, I> {
    body: &'a str,
    events: I,
    /// Input events read ahead (to see whether a paragraph is a figure) but not used.
    ahead: VecDeque<(Event<'a>, Range<usize>)>,
    /// Events made from one input event (a heading gives several).
    pending: VecDeque<Event<'a>>,
    links: &'c LinkContext<'c>,
    hl: &'c Highlighter,
    found: Found,
    toc: Vec<Heading>,
    ids: headings::Ids,
    words: Words,
    depth: usize,
    summary: Recorder<'a>,
}

impl<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> Iterator for Transform<'a, '_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        while self.pending.is_empty() {
            let (event, range) = match self.ahead.pop_front() {
                Some(read) => read,
                None => self.events.next()?,
            };
            self.step(event, range);
        }
        self.pending.pop_front()
    }
}

impl<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> Transform<'a, '_, I> {
    fn emit(&mut self, e: Event<'a>) {
        self.summary.push(&e);
        self.pending.push_back(e);
    }

    fn link(&mut self, e: Event<'a>, at: usize) -> Event<'a> {
        rewrite_link_event(e, self.links, at, &mut self.found)
    }

    fn step(&mut self, event: Event<'a>, range: Range<usize>) {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => self.heading(level, id, &classes, &attrs, range.start),
            Event::Start(Tag::CodeBlock(kind)) => self.code_block(&kind),
            Event::Html(ref h) | Event::InlineHtml(ref h) if h.trim() == MORE_MARKER => {
                if !self.summary.found_more() && self.depth <= 1 {
                    self.summary.more_marker();
                }
                self.emit(Event::Html("<span id=\"more\"></span>\n".into()));
            }
            Event::TaskListMarker(done) => self.task_marker(done),
            Event::Start(Tag::Table(_)) => {
                // A wide table scrolls inside its own box, which keyboard users must be
                // able to reach (WCAG: scrollable regions are focusable).
                self.emit(Event::Html(
                    "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">\n".into(),
                ));
                self.depth += 1;
                self.emit(event);
            }
            Event::End(TagEnd::Table) => {
                self.depth = self.depth.saturating_sub(1);
                self.emit(event);
                self.emit(Event::Html("</div>\n".into()));
            }
            // Read ahead only when nothing read before is waiting: the events must
            // stay in order.
            Event::Start(Tag::Paragraph) if self.ahead.is_empty() => self.paragraph(event, range),
            Event::Start(_) => self.start(event, range),
            Event::End(tag) => {
                self.depth = self.depth.saturating_sub(1);
                self.words.space();
                self.emit(event);
                if matches!(tag, TagEnd::Paragraph) && self.depth == 0 {
                    self.summary.paragraph_ends();
                }
            }
            Event::Text(t) => {
                if let Err(t) = self.spaced_image(t, range) {
                    self.words.text(&t);
                    self.emit(Event::Text(t));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                self.words.space();
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    /// A heading with its id and self-link, in the table of contents.
    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: &[CowStr<'a>],
        attrs: &[(CowStr<'a>, Option<CowStr<'a>>)],
        at: usize,
    ) {
        let mut inner = Vec::new();
        let mut text = String::new();
        for (e, _) in self.events.by_ref() {
            match e {
                Event::End(TagEnd::Heading(_)) => break,
                Event::Text(ref t) | Event::Code(ref t) => {
                    text.push_str(t);
                    inner.push(e);
                }
                other => inner.push(other),
            }
        }
        let id = headings::heading_id(&mut self.ids, id, &text);
        let n = headings::heading_number(level);
        self.emit(Event::Html(
            headings::open_tag(n, &id, classes, attrs).into(),
        ));
        for e in inner {
            let e = self.link(e, at);
            self.emit(e);
        }
        self.emit(Event::Html(headings::close_tag(n, &id, &text).into()));
        self.words.text(&text);
        self.words.space();
        self.toc.push(Heading {
            level: n,
            id,
            title: text,
        });
    }

    /// A code block, highlighted for the language its fence names.
    fn code_block(&mut self, kind: &CodeBlockKind<'a>) {
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info
                .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                .next()
                .map(str::to_string),
            CodeBlockKind::Indented => None,
        };
        let mut code = String::new();
        for (e, _) in self.events.by_ref() {
            match e {
                Event::End(TagEnd::CodeBlock) => break,
                Event::Text(t) => code.push_str(&t),
                _ => {}
            }
        }
        let block = self.hl.block(lang.as_deref(), &code);
        self.emit(Event::Html(block.into()));
    }

    fn task_marker(&mut self, done: bool) {
        let (checked, label) = if done {
            (" checked", "Done")
        } else {
            ("", "Not done")
        };
        self.emit(Event::Html(
            format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ").into(),
        ));
    }

    /// A paragraph that holds only a captioned image is a figure; read ahead to see.
    fn paragraph(&mut self, event: Event<'a>, range: Range<usize>) {
        match figure::look(&mut self.events) {
            figure::Lookahead::Figure(image, alt, at) => {
                let image = self.link(image, at);
                self.figure(&image, &alt);
            }
            figure::Lookahead::Not(read) => {
                self.ahead.extend(read);
                self.start(event, range);
            }
        }
    }

    fn start(&mut self, event: Event<'a>, range: Range<usize>) {
        if matches!(event, Event::Start(Tag::Paragraph)) && self.depth == 0 {
            self.summary.paragraph_starts();
        }
        self.depth += 1;
        let e = self.link(event, range.start);
        self.emit(e);
    }

    /// A captioned image in place of its paragraph; it counts as a paragraph for the
    /// summary, as the image alone did before.
    fn figure(&mut self, image: &Event<'a>, alt: &str) {
        let top = self.depth == 0;
        if top {
            self.summary.paragraph_starts();
        }
        self.words.text(alt);
        self.words.space();
        self.emit(Event::Html(figure::html(image, alt).into()));
        if top {
            self.summary.paragraph_ends();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::content::cache::FastMap;

    /// A post at `posts/a.md` under `/blog/` that can link to two pages; the
    /// submodules' tests render with it too.
    pub(super) fn ctx<'a>(pages: &'a FastMap<PathBuf, String>) -> LinkContext<'a> {
        LinkContext {
            base_path: "/blog/",
            page_url: "/blog/posts/a/",
            source: Path::new("posts/a.md"),
            pages,
        }
    }

    pub(super) fn pages() -> FastMap<PathBuf, String> {
        let mut m = FastMap::default();
        m.insert(PathBuf::from("posts/b.md"), "/blog/posts/b/".to_string());
        m.insert(PathBuf::from("pages/about.md"), "/blog/about/".to_string());
        m
    }

    #[test]
    fn summary_from_more_marker_or_first_paragraph() {
        let p = pages();
        let hl = Highlighter::new();
        let r = render("One.\n\nTwo.\n\n<!-- more -->\n\nThree.", &ctx(&p), &hl).unwrap();
        assert_eq!(&*r.summary, "<p>One.</p>\n<p>Two.</p>\n");
        assert!(r.has_more);
        let r = render("# Title\n\nFirst \"para\".\n\nSecond.", &ctx(&p), &hl).unwrap();
        assert_eq!(&*r.summary, "<p>First “para”.</p>\n");
        assert_eq!(r.word_count, 4);
    }

    #[test]
    fn summaries_leave_footnote_references_out() {
        let p = pages();
        let r = render(
            "Floating[^1] and sinking.\n\n[^1]: Archimedes.\n",
            &ctx(&p),
            &Highlighter::new(),
        )
        .unwrap();
        assert_eq!(&*r.summary, "<p>Floating and sinking.</p>\n");
        assert!(r.html.contains("footnote-reference"), "{}", r.html);
    }

    #[test]
    fn a_one_minute_post_is_its_own_summary() {
        let p = pages();
        let hl = Highlighter::new();
        let r = render("One.\n\nTwo.\n\n![x](x.png \"Cap\")", &ctx(&p), &hl).unwrap();
        assert_eq!(r.summary, r.html);
        assert!(!r.has_more);
        // Unless the teacher chose where it ends, or it is longer, or has ids.
        let long = format!("One.\n\n{}", "word ".repeat(SHORT_POST_WORDS));
        let footnote = "One.\n\nTwo[^1].\n\n[^1]: Note.";
        for md in [
            "One.\n\n<!-- more -->\n\nTwo.",
            &long,
            footnote,
            "One.\n\n## Two",
        ] {
            let r = render(md, &ctx(&p), &hl).unwrap();
            assert!(r.has_more, "{md}");
            assert_eq!(&*r.summary, "<p>One.</p>\n", "{md}");
        }
    }

    #[test]
    fn tables_footnotes_tasks_and_raw_html() {
        let p = pages();
        let md = "|a|b|\n|-|-|\n|1|2|\n\nNote[^1] ~~old~~\n\n[^1]: Foot.\n\n- [x] done\n- [ ] todo\n\n<details><summary>S</summary>hi</details>\n";
        let r = render(md, &ctx(&p), &Highlighter::new()).unwrap();
        for needle in [
            "<table>",
            "footnote-definition",
            "<del>old</del>",
            "checked aria-label=\"Done\"",
            "<details>",
        ] {
            assert!(r.html.contains(needle), "{needle} missing in {}", r.html);
        }
    }
}
