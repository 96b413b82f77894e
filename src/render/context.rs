//! The values templates see (documented in docs/THEMES.md). List pages get summary
//! objects, not whole posts, so a tag page with 500 posts stays cheap.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::values::Node;
use crate::site::{Image, Page, Post, Site, Taxonomy, Term, TermRef};

pub fn site_value(site: &Site, has_network: bool) -> Value {
    let c = &site.config.site;
    let base = &site.config.base;
    let mut author = serde_json::to_value(&c.author).unwrap_or(Value::Null);
    if let Some(avatar) = author.get_mut("avatar")
        && let Some(a) = avatar.as_str().filter(|a| a.starts_with('/'))
    {
        // Root-relative, so it shows in a local preview as well as on the real site.
        *avatar = Value::String(base.join(a));
    }
    json!({
        "title": c.title,
        "description": c.description,
        "language": c.language,
        "base_url": base.url.as_str(),
        "base_path": base.path(),
        "author": author,
        "extra": c.extra,
        "feeds": {
            "atom": base.join("atom.xml"),
            "rss": base.join("rss.xml"),
            "json": base.join("feed.json"),
        },
        "blogroll_opml": if has_network { base.join("blogroll.opml") } else { String::new() },
        "has_network": has_network,
        "has_categories": !site.categories.is_empty(),
        "webmention_endpoint": c.webmention.endpoint.clone().unwrap_or_default(),
    })
}

/// The menu's items, made once per build; `for_page` marks the active one per page.
pub struct Menu {
    /// (title, root-relative or absolute URL)
    items: Vec<(String, String)>,
    home: String,
    /// `/blog/page/`: the home page's later pages are home too.
    home_pages: String,
    /// The menu with no item active, then with each item active on its own: made
    /// once and shared by reference, since almost every page shows one of these.
    shown: Vec<Value>,
}

impl Menu {
    pub fn new(site: &Site, has_network: bool) -> Menu {
        let base = &site.config.base;
        let items: Vec<(String, String)> = match &site.config.site.menu {
            Some(items) => items
                .iter()
                .map(|m| {
                    let url = if m.url.starts_with('/') {
                        base.join(&m.url)
                    } else {
                        m.url.clone()
                    };
                    (m.title.clone(), url)
                })
                .collect(),
            None => {
                let mut v = vec![
                    ("Home".to_string(), base.join("")),
                    ("Archive".to_string(), base.join("archive/")),
                ];
                if !site.tags.is_empty() {
                    v.push(("Tags".into(), base.join("tags/")));
                }
                if has_network {
                    v.push(("My network".into(), base.join("network/")));
                }
                v.extend(
                    site.pages
                        .iter()
                        .filter(|p| p.menu)
                        .map(|p| (p.title.clone(), p.url.clone())),
                );
                v
            }
        };
        let mut shown = vec![value(&items, |_| false)];
        shown.extend((0..items.len()).map(|n| value(&items, |i| i == n)));
        Menu {
            home: base.path().to_string(),
            home_pages: base.join("page/"),
            items,
            shown,
        }
    }

    /// The menus `for_page` hands out by reference, to be hashed once per build.
    pub fn shared(&self) -> &[Value] {
        &self.shown
    }

    /// The menu as the page at `current` (root-relative) shows it, with `active` set.
    pub fn for_page(&self, current: &str) -> Node<'_> {
        let active: Vec<usize> = (self.items.iter().enumerate())
            .filter(|(_, (_, url))| {
                if *url == self.home {
                    current == self.home || current.starts_with(&self.home_pages)
                } else {
                    current.starts_with(url.as_str())
                }
            })
            .map(|(i, _)| i)
            .collect();
        match active.as_slice() {
            [] => Node::Ref(&self.shown[0]),
            [i] => Node::Ref(&self.shown[i + 1]),
            // Menu links inside one another (`/a/` and `/a/b/`): both are active.
            _ => Node::Owned(value(&self.items, |i| active.contains(&i))),
        }
    }
}

/// The menu as templates see it, with `active` set on the items it names.
fn value(items: &[(String, String)], active: impl Fn(usize) -> bool) -> Value {
    let items = items
        .iter()
        .enumerate()
        .map(|(i, (title, url))| json!({ "title": title, "url": url, "active": active(i) }));
    Value::Array(items.collect())
}

fn terms(refs: &[TermRef], site: &Site, folder: &str) -> Value {
    Value::Array(
        refs.iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "slug": t.slug,
                    "url": site.config.base.join(&format!("{folder}/{}/", t.slug)),
                })
            })
            .collect(),
    )
}

pub fn date_fields(d: &DateTime<FixedOffset>) -> (String, String, String) {
    (
        d.format("%Y-%m-%d").to_string(),
        d.to_rfc3339(),
        d.format("%-d %B %Y").to_string(),
    )
}

/// A post as lists show it.
pub fn post_summary(site: &Site, post: &Post) -> Value {
    let (date, date_iso, date_display) = date_fields(&post.date);
    let (updated, updated_iso) = post
        .updated
        .map(|u| {
            let (d, iso, _) = date_fields(&u);
            (d, iso)
        })
        .unwrap_or_default();
    json!({
        "title": post.title,
        "url": post.url,
        "permalink": post.permalink,
        "date": date,
        "date_iso": date_iso,
        "date_display": date_display,
        "updated": updated,
        "updated_iso": updated_iso,
        "summary": &*post.summary,
        "has_more": post.has_more,
        "tags": terms(&post.tags, site, "tags"),
        "categories": terms(&post.categories, site, "categories"),
        "reading_time": post.reading_time(),
        "word_count": post.word_count,
        "draft": post.draft,
        "image": image_value(site, post.image.as_ref()),
        "future": post.future,
        "extra": post.extra,
    })
}

/// A lead image: `url` for the page, `permalink` for link previews (Open Graph
/// wants an absolute address), `alt` (may be empty). Null without one.
fn image_value(site: &Site, image: Option<&Image>) -> Value {
    match image {
        Some(i) => json!({
            "url": i.url,
            "permalink": site.config.base.absolute(&i.url),
            "alt": i.alt,
        }),
        None => Value::Null,
    }
}

/// A post as its own page shows it: its summary (`summary`, from `post_summary`)
/// and its text, table of contents and neighbours. `index` is its place in
/// `site.posts`. The summary is borrowed, so `serve` can tell whether the page
/// changed without copying the post.
pub fn post_node<'a>(
    site: &'a Site,
    index: usize,
    summary: &'a Value,
    responses: Node<'a>,
) -> Node<'a> {
    let post = &site.posts[index];
    let link = |p: &'a Post| {
        Node::Object(vec![
            ("title", Node::Str(&p.title)),
            ("url", Node::Str(&p.url)),
        ])
    };
    let null = || Node::Owned(Value::Null);
    // Posts are newest first: the older one is next in the list.
    let previous = site.posts.get(index + 1).map_or_else(null, link);
    let next = index
        .checked_sub(1)
        .and_then(|i| site.posts.get(i))
        .map_or_else(null, link);
    // Borrowed like the text: made into values only for a page that is rendered.
    let toc = post.toc.iter().map(|h| {
        Node::Object(vec![
            ("level", Node::Owned(json!(h.level))),
            ("id", Node::Str(&h.id)),
            ("title", Node::Str(&h.title)),
        ])
    });
    Node::Extend(
        summary,
        vec![
            ("content", Node::Keyed(&post.content, post.markdown_key)),
            ("toc", Node::List(toc.collect())),
            ("previous", previous),
            ("next", next),
            ("responses", responses),
        ],
    )
}

pub fn page_value(site: &Site, page: &Page) -> Value {
    let (date, date_iso, date_display) = page.date.as_ref().map(date_fields).unwrap_or_default();
    json!({
        "title": page.title,
        "url": page.url,
        "permalink": page.permalink,
        "content": &*page.content,
        "summary": &*page.summary,
        "image": image_value(site, page.image.as_ref()),
        "extra": page.extra,
        "date": date,
        "date_iso": date_iso,
        "date_display": date_display,
        "draft": page.draft,
    })
}

pub fn taxonomy_value(site: &Site, tax: &Taxonomy) -> Value {
    json!({
        "name": tax.name,
        "title": tax.title(),
        "singular": tax.singular(),
        "url": site.config.base.join(&format!("{}/", tax.name)),
    })
}

pub fn term_value(term: &Term) -> Value {
    json!({
        "name": term.name,
        "slug": term.slug,
        "url": term.url,
        "count": term.posts.len(),
        "feed_url": format!("{}atom.xml", term.url),
    })
}
