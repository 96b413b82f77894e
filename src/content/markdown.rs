//! Markdown to HTML with pulldown-cmark. On the way through we give headings ids and
//! self-links, highlight code, resolve links (`.md` files to page URLs, root-relative
//! links under the base path) and find the summary.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::highlight::Highlighter;

/// Where a page sits, so its links can be resolved.
pub struct LinkContext<'a> {
    /// `/` or `/blog/`.
    pub base_path: &'a str,
    /// The page's own root-relative URL, e.g. `/blog/posts/x/`.
    pub page_url: &'a str,
    /// The Markdown file, relative to `content/`, e.g. `posts/x.md`.
    pub source: &'a Path,
    /// Every published Markdown file (relative to `content/`) and its URL.
    pub pages: &'a super::cache::FastMap<PathBuf, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

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

/// A link to a Markdown file that does not exist (or is not published).
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenLink {
    /// Byte offset in the body.
    pub offset: usize,
    pub target: String,
    pub message: String,
}

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
    let mut ids = HashSet::new();
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
                let base = id.map(|i| i.to_string()).unwrap_or_else(|| {
                    let s = slug::slugify(&text);
                    if s.is_empty() { "section".into() } else { s }
                });
                let id = unique_id(&mut ids, &base);
                let n = heading_number(level);
                let mut open = format!("<h{n} id=\"{}\"", attr(&id));
                if !classes.is_empty() {
                    let cls: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
                    open.push_str(&format!(" class=\"{}\"", attr(&cls.join(" "))));
                }
                for (k, v) in attrs {
                    open.push_str(&format!(
                        " {}=\"{}\"",
                        attr(&k),
                        attr(v.as_deref().unwrap_or(""))
                    ));
                }
                open.push('>');
                out.push(Event::Html(open.into()));
                for e in inner {
                    out.push(rewrite_link_event(
                        e,
                        links,
                        range.start,
                        &mut broken,
                        &mut outbound,
                    ));
                }
                out.push(Event::Html(
                    format!(
                        " <a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section: {}\">#</a></h{n}>\n",
                        attr(&id),
                        attr(&text)
                    )
                    .into(),
                ));
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

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn unique_id(ids: &mut HashSet<String>, base: &str) -> String {
    let mut id = base.to_string();
    let mut n = 1;
    while !ids.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

fn rewrite_link_event<'a>(
    event: Event<'a>,
    links: &LinkContext,
    offset: usize,
    broken: &mut Vec<BrokenLink>,
    outbound: &mut Vec<String>,
) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest = resolve(&dest_url, links, offset, broken, outbound);
            Event::Start(Tag::Link {
                link_type,
                dest_url: dest,
                title,
                id,
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest = resolve(&dest_url, links, offset, broken, &mut Vec::new());
            Event::Start(Tag::Image {
                link_type,
                dest_url: dest,
                title,
                id,
            })
        }
        other => other,
    }
}

/// Turn a link the teacher wrote into the URL it should have on the site.
fn resolve<'a>(
    dest: &CowStr<'a>,
    links: &LinkContext,
    offset: usize,
    broken: &mut Vec<BrokenLink>,
    outbound: &mut Vec<String>,
) -> CowStr<'a> {
    let d = dest.as_ref();
    if d.is_empty() || d.starts_with('#') || d.starts_with("//") {
        return dest.clone();
    }
    if has_scheme(d) {
        if d.starts_with("http://") || d.starts_with("https://") {
            outbound.push(d.to_string());
        }
        return dest.clone();
    }
    if let Some(rest) = d.strip_prefix('/') {
        return format!("{}{}", links.base_path, rest).into();
    }
    let (path_part, suffix) = match d.find(['#', '?']) {
        Some(i) => d.split_at(i),
        None => (d, ""),
    };
    if path_part.ends_with(".md") {
        let dir = links.source.parent().unwrap_or(Path::new(""));
        let decoded = percent_decode(path_part);
        let Some(target) = normalize(&dir.join(&decoded)) else {
            broken.push(BrokenLink {
                offset,
                target: d.to_string(),
                message: "points outside content/".into(),
            });
            return dest.clone();
        };
        return match links.pages.get(&target) {
            Some(url) => format!("{url}{suffix}").into(),
            None => {
                broken.push(BrokenLink {
                    offset,
                    target: d.to_string(),
                    message: format!(
                        "links to content/{}, which does not exist or is not published (a draft or dated in the future)",
                        target.display()
                    ),
                });
                dest.clone()
            }
        };
    }
    // Relative to the page, as a browser would read it; made root-relative so the
    // same HTML works in feeds and list pages.
    let joined = format!("{}{}", links.page_url, d);
    match normalize_url_path(&joined) {
        Some(p) => p.into(),
        None => dest.clone(),
    }
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            let scheme = &s[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !s[..i].contains('/')
        }
        None => false,
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// `posts/../pages/about.md` → `pages/about.md`; None when it climbs out.
pub fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn normalize_url_path(path: &str) -> Option<String> {
    let (p, suffix) = match path.find(['#', '?']) {
        Some(i) => path.split_at(i),
        None => (path, ""),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let trailing = if p.ends_with('/') && !parts.is_empty() {
        "/"
    } else {
        ""
    };
    Some(format!("/{}{}{}", parts.join("/"), trailing, suffix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::cache::FastMap;

    fn ctx<'a>(pages: &'a FastMap<PathBuf, String>) -> LinkContext<'a> {
        LinkContext {
            base_path: "/blog/",
            page_url: "/blog/posts/a/",
            source: Path::new("posts/a.md"),
            pages,
        }
    }

    fn pages() -> FastMap<PathBuf, String> {
        let mut m = FastMap::default();
        m.insert(PathBuf::from("posts/b.md"), "/blog/posts/b/".to_string());
        m.insert(PathBuf::from("pages/about.md"), "/blog/about/".to_string());
        m
    }

    #[test]
    fn links_are_resolved() {
        let p = pages();
        let hl = Highlighter::new();
        let r = render(
            "[b](b.md) [c](../pages/about.md#contact) [i](/images/x.png) ![h](heron.svg) [e](https://e.org/x)",
            &ctx(&p),
            &hl,
        )
        .unwrap();
        assert!(r.html.contains("href=\"/blog/posts/b/\""), "{}", r.html);
        assert!(r.html.contains("href=\"/blog/about/#contact\""));
        assert!(r.html.contains("href=\"/blog/images/x.png\""));
        assert!(r.html.contains("src=\"/blog/posts/a/heron.svg\""));
        assert_eq!(*r.outbound, ["https://e.org/x"]);
    }

    #[test]
    fn broken_md_link_is_reported() {
        let p = pages();
        let err = render("text\n\n[x](missing.md)", &ctx(&p), &Highlighter::new()).unwrap_err();
        assert_eq!(err[0].target, "missing.md");
        assert_eq!(err[0].offset, 6);
    }

    #[test]
    fn headings_get_unique_ids_and_self_links() {
        let p = pages();
        let r = render(
            "## Hello *there*\n\n## Hello there\n\n### Custom {#mine}",
            &ctx(&p),
            &Highlighter::new(),
        )
        .unwrap();
        assert!(r.html.contains("<h2 id=\"hello-there\">Hello <em>there</em> <a class=\"anchor\" href=\"#hello-there\""), "{}", r.html);
        assert!(r.html.contains("id=\"hello-there-1\""));
        assert!(r.html.contains("id=\"mine\""));
        assert_eq!(r.toc.len(), 3);
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
