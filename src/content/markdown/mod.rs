//! Markdown to HTML with pulldown-cmark. On the way through we give headings ids and
//! self-links, highlight code, resolve links (`.md` files to page URLs, root-relative
//! links under the base path) and find the summary.

mod headings;
mod links;

use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::highlight::Highlighter;
pub use headings::Heading;
use links::rewrite_link_event;
pub use links::{BrokenLink, LinkContext, normalize};

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

pub fn render(
    body: &str,
    links: &LinkContext,
    hl: &Highlighter,
) -> Result<Rendered, Vec<BrokenLink>> {
    let mut out: Vec<Event> = Vec::new();
    let mut broken = Vec::new();
    let mut toc = Vec::new();
    let mut ids = headings::Ids::default();
    let mut plain = String::new();
    let mut outbound = Vec::new();
    let mut first_paragraph: Option<(usize, usize)> = None;
    let mut more_at: Option<usize> = None;
    let mut depth = 0usize;

    let mut events = Parser::new_ext(body, options())
        .into_offset_iter()
        .peekable();
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let mut inner = Vec::new();
                let mut text = String::new();
                for (e, _) in events.by_ref() {
                    match e {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(ref t) | Event::Code(ref t) => {
                            text.push_str(t);
                            inner.push(e);
                        }
                        other => inner.push(other),
                    }
                }
                let id = headings::heading_id(&mut ids, id, &text);
                let n = headings::heading_number(level);
                out.push(Event::Html(
                    headings::open_tag(n, &id, &classes, &attrs).into(),
                ));
                for e in inner {
                    out.push(rewrite_link_event(
                        e,
                        links,
                        range.start,
                        &mut broken,
                        &mut outbound,
                    ));
                }
                out.push(Event::Html(headings::close_tag(n, &id, &text).into()));
                plain.push_str(&text);
                plain.push(' ');
                toc.push(Heading {
                    level: n,
                    id,
                    title: text,
                });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .map(str::to_string),
                    CodeBlockKind::Indented => None,
                };
                let mut code = String::new();
                for (e, _) in events.by_ref() {
                    match e {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => code.push_str(&t),
                        _ => {}
                    }
                }
                out.push(Event::Html(hl.block(lang.as_deref(), &code).into()));
            }
            Event::Html(ref h) | Event::InlineHtml(ref h) if h.trim() == MORE_MARKER => {
                if more_at.is_none() && depth <= 1 {
                    more_at = Some(out.len());
                }
                out.push(Event::Html("<span id=\"more\"></span>\n".into()));
            }
            Event::TaskListMarker(done) => {
                let (checked, label) = if done {
                    (" checked", "Done")
                } else {
                    ("", "Not done")
                };
                out.push(Event::Html(
                    format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ")
                        .into(),
                ));
            }
            Event::Start(Tag::Table(_)) => {
                // A wide table scrolls inside its own box, which keyboard users must be
                // able to reach (WCAG: scrollable regions are focusable).
                out.push(Event::Html(
                    "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">\n".into(),
                ));
                depth += 1;
                out.push(event);
            }
            Event::End(TagEnd::Table) => {
                depth = depth.saturating_sub(1);
                out.push(event);
                out.push(Event::Html("</div>\n".into()));
            }
            Event::Start(ref tag) => {
                if matches!(tag, Tag::Paragraph) && depth == 0 && first_paragraph.is_none() {
                    first_paragraph = Some((out.len(), 0));
                }
                depth += 1;
                out.push(rewrite_link_event(
                    event,
                    links,
                    range.start,
                    &mut broken,
                    &mut outbound,
                ));
            }
            Event::End(ref tag) => {
                depth = depth.saturating_sub(1);
                plain.push(' ');
                if matches!(tag, TagEnd::Paragraph)
                    && depth == 0
                    && let Some((start, 0)) = first_paragraph
                {
                    first_paragraph = Some((start, out.len() + 1));
                }
                out.push(event);
            }
            Event::Text(ref t) => {
                plain.push_str(t);
                out.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                plain.push(' ');
                out.push(event);
            }
            other => out.push(other),
        }
    }
    if !broken.is_empty() {
        return Err(broken);
    }

    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.iter().cloned());
    let (summary, has_more) = match (more_at, first_paragraph) {
        (Some(end), _) => (to_html(&out[..end]), true),
        (None, Some((start, end))) if end > start => {
            let s = to_html(&out[start..end]);
            let more = s.len() + 16 < html.len();
            (s, more)
        }
        _ => (String::new(), !html.trim().is_empty()),
    };
    outbound.sort();
    outbound.dedup();
    Ok(Rendered {
        html: html.into(),
        description: super::text::plain_text(&summary, DESCRIPTION_CHARS).into(),
        summary: summary.into(),
        has_more,
        toc: toc.into(),
        word_count: plain
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count(),
        outbound: outbound.into(),
    })
}

fn to_html(events: &[Event]) -> String {
    let mut s = String::new();
    pulldown_cmark::html::push_html(&mut s, events.iter().cloned());
    s
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
