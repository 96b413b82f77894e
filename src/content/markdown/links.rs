//! Link resolution: `.md` files to page URLs, root-relative links under the base
//! path, page-relative links made root-relative, and the outbound links collected.

use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, Tag};

/// Where a page sits, so its links can be resolved.
pub struct LinkContext<'a> {
    /// `/` or `/blog/`.
    pub base_path: &'a str,
    /// The page's own root-relative URL, e.g. `/blog/posts/x/`.
    pub page_url: &'a str,
    /// The Markdown file, relative to `content/`, e.g. `posts/x.md`.
    pub source: &'a Path,
    /// Every published Markdown file (relative to `content/`) and its URL.
    pub pages: &'a crate::content::cache::FastMap<PathBuf, String>,
}

/// What the links of one file told on the way through.
#[derive(Default)]
pub(super) struct Found {
    pub broken: Vec<BrokenLink>,
    pub outbound: Vec<String>,
    pub local: Vec<LocalRef>,
    /// Each other Markdown file linked to and the URL it had.
    pub linked: Vec<(PathBuf, String)>,
}

/// A link to a Markdown file that does not exist (or is not published).
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenLink {
    /// Byte offset in the body.
    pub offset: usize,
    pub target: String,
    pub message: String,
}

/// A link or image to a file of this site, as the page will have it: whether that
/// file exists is known only once the site is written (`check::targets`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalRef {
    /// Byte offset in the body.
    pub offset: usize,
    /// 1-based line and column in the whole file, front matter counted (0 until the
    /// site stage, which knows where the body starts, fills them in).
    pub line: usize,
    pub column: usize,
    pub image: bool,
    /// Root-relative, as written into the HTML: `/blog/images/a.png#x`.
    pub url: String,
    /// As the teacher wrote it.
    pub written: String,
}

fn note_local(dest: &str, written: &str, image: bool, offset: usize, local: &mut Vec<LocalRef>) {
    if dest.starts_with('/') && !dest.starts_with("//") {
        local.push(LocalRef {
            offset,
            line: 0,
            column: 0,
            image,
            url: dest.to_string(),
            written: written.to_string(),
        });
    }
}

pub(super) fn rewrite_link_event<'a>(
    event: Event<'a>,
    links: &LinkContext,
    offset: usize,
    found: &mut Found,
) -> Event<'a> {
    let Found {
        broken,
        outbound,
        local,
        linked,
    } = found;
    let Event::Start(mut tag @ (Tag::Link { .. } | Tag::Image { .. })) = event else {
        return event;
    };
    let image = matches!(tag, Tag::Image { .. });
    if let Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } = &mut tag {
        // An image is not a mention: only links are sent Webmentions.
        let mut not_sent = Vec::new();
        let sent = if image { &mut not_sent } else { outbound };
        let dest = resolve(dest_url, links, offset, (broken, linked), sent);
        note_local(&dest, dest_url, image, offset, local);
        *dest_url = dest;
    }
    Event::Start(tag)
}

/// Turn a link the teacher wrote into the URL it should have on the site. Links to
/// other Markdown files are noted in `linked` (or `broken`): the HTML depends on them.
fn resolve<'a>(
    dest: &CowStr<'a>,
    links: &LinkContext,
    offset: usize,
    (broken, linked): (&mut Vec<BrokenLink>, &mut Vec<(PathBuf, String)>),
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
    if crate::content::discover::links_to_markdown(path_part) {
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
            Some(url) => {
                let resolved = format!("{url}{suffix}").into();
                linked.push((target, url.clone()));
                resolved
            }
            None => {
                broken.push(BrokenLink {
                    offset,
                    target: d.to_string(),
                    message: format!(
                        "links to content/{}, which does not exist or is not published (a draft or dated in the future)",
                        crate::error::shown(&target)
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
    use super::super::render;
    use super::super::tests::{ctx, pages};
    use crate::content::highlight::Highlighter;

    #[test]
    fn links_are_resolved() {
        let p = pages();
        let hl = Highlighter::new();
        let r = render(
            "[b](b.md) [c](../pages/about.md#contact) [i](/images/x.png) ![h](heron.svg) [e](https://e.org/x) ![r](https://img.example/r.png)",
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
    fn links_to_files_of_every_markdown_extension_are_resolved() {
        let mut p = pages();
        p.insert("posts/old.markdown".into(), "/blog/posts/old/".into());
        let r = render("[o](old.markdown#top)", &ctx(&p), &Highlighter::new()).unwrap();
        assert!(
            r.html.contains("href=\"/blog/posts/old/#top\""),
            "{}",
            r.html
        );
        let Err(super::super::RenderError::Links(err)) =
            render("[x](gone.mdown)", &ctx(&p), &Highlighter::new())
        else {
            panic!("a broken link");
        };
        assert_eq!(err[0].target, "gone.mdown");
    }

    #[test]
    fn broken_md_link_is_reported() {
        let p = pages();
        let Err(super::super::RenderError::Links(err)) =
            render("text\n\n[x](missing.md)", &ctx(&p), &Highlighter::new())
        else {
            panic!("a broken link");
        };
        assert_eq!(err[0].target, "missing.md");
        assert_eq!(err[0].offset, 6);
    }
}
