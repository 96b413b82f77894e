//! The values templates see (documented in docs/THEMES.md). List pages get summary
//! objects, not whole posts, so a tag page with 500 posts stays cheap.
//!
//! Each value is a struct whose field names are the names templates use, turned into
//! JSON as it is handed on (the page values in `values` are JSON, so `serve` can
//! fingerprint and share them): a misspelt or dropped field is then a compile error
//! here rather than an empty spot on every page.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::{Value, json};

use super::values::Node;
use crate::site::{Image, Page, Post, Site, Taxonomy, Term, TermRef};

/// `site`, the same on every page.
#[derive(Serialize)]
struct SiteValue<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    author: crate::config::Author,
    extra: &'a toml::Table,
    feeds: Feeds,
    blogroll_opml: String,
    has_network: bool,
    has_categories: bool,
    webmention_endpoint: &'a str,
}

#[derive(Serialize)]
struct Feeds {
    atom: String,
    rss: String,
    json: String,
}

pub fn site_value(site: &Site, has_network: bool) -> Value {
    let c = &site.config.site;
    let base = &site.config.base;
    let mut author = c.author.clone();
    if author.avatar.starts_with('/') {
        // Root-relative, so it shows in a local preview as well as on the real site.
        author.avatar = base.join(&author.avatar);
    }
    to_value(&SiteValue {
        title: &c.title,
        description: &c.description,
        language: &c.language,
        base_url: base.url.as_str(),
        base_path: base.path(),
        author,
        extra: &c.extra,
        feeds: Feeds {
            atom: base.join("atom.xml"),
            rss: base.join("rss.xml"),
            json: base.join("feed.json"),
        },
        blogroll_opml: if has_network {
            base.join("blogroll.opml")
        } else {
            String::new()
        },
        has_network,
        has_categories: !site.categories.is_empty(),
        webmention_endpoint: c.webmention.endpoint.as_deref().unwrap_or_default(),
    })
}

/// The value templates see. What is handed over here is plain data (strings,
/// numbers, lists, maps with string keys), which always converts.
fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
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

/// One link of `menu`.
#[derive(Serialize)]
struct MenuItem<'a> {
    title: &'a str,
    url: &'a str,
    active: bool,
}

/// The menu as templates see it, with `active` set on the items it names.
fn value(items: &[(String, String)], active: impl Fn(usize) -> bool) -> Value {
    let items: Vec<MenuItem> = (items.iter().enumerate())
        .map(|(i, (title, url))| MenuItem {
            title,
            url,
            active: active(i),
        })
        .collect();
    to_value(&items)
}

/// A tag or category of a post, linked to its page.
#[derive(Serialize)]
struct TermLink<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
}

fn terms<'a>(refs: &'a [TermRef], site: &Site, folder: &str) -> Vec<TermLink<'a>> {
    refs.iter()
        .map(|t| TermLink {
            name: &t.name,
            slug: &t.slug,
            url: site.config.base.join(&format!("{folder}/{}/", t.slug)),
        })
        .collect()
}

pub fn date_fields(d: &DateTime<FixedOffset>) -> (String, String, String) {
    (
        d.format("%Y-%m-%d").to_string(),
        d.to_rfc3339(),
        d.format("%-d %B %Y").to_string(),
    )
}

/// A post as lists show it; its own page adds to this (`post_node`).
#[derive(Serialize)]
struct PostSummary<'a> {
    title: &'a str,
    url: &'a str,
    permalink: &'a str,
    date: String,
    date_iso: String,
    date_display: String,
    updated: String,
    updated_iso: String,
    summary: &'a str,
    has_more: bool,
    tags: Vec<TermLink<'a>>,
    categories: Vec<TermLink<'a>>,
    reading_time: usize,
    word_count: usize,
    draft: bool,
    image: Option<ImageValue<'a>>,
    future: bool,
    extra: &'a serde_json::Map<String, Value>,
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
    to_value(&PostSummary {
        title: &post.title,
        url: &post.url,
        permalink: &post.permalink,
        date,
        date_iso,
        date_display,
        updated,
        updated_iso,
        summary: &post.summary,
        has_more: post.has_more,
        tags: terms(&post.tags, site, "tags"),
        categories: terms(&post.categories, site, "categories"),
        reading_time: post.reading_time(),
        word_count: post.word_count,
        draft: post.draft,
        image: image_value(site, post.image.as_ref()),
        future: post.future,
        extra: &post.extra,
    })
}

/// A lead image: `url` for the page, `permalink` for link previews (Open Graph
/// wants an absolute address), `alt` (may be empty). Null without one.
#[derive(Serialize)]
struct ImageValue<'a> {
    url: &'a str,
    permalink: String,
    alt: &'a str,
}

fn image_value<'a>(site: &Site, image: Option<&'a Image>) -> Option<ImageValue<'a>> {
    image.map(|i| ImageValue {
        url: &i.url,
        permalink: site.config.base.absolute(&i.url),
        alt: &i.alt,
    })
}

/// A post as its own page shows it: its summary (`summary`, from `post_summary`)
/// and its text, table of contents and neighbours. `index` is its place in
/// `site.posts`. The summary is borrowed, so `serve` can tell whether the page
/// changed without copying the post.
pub fn post_node<'a>(
    site: &'a Site,
    index: usize,
    summary: &'a Value,
    responses: Option<&'a Value>,
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
        ]
        .into_iter()
        .chain(response_fields(responses))
        .collect(),
    )
}

/// `responses`, `response_threads` and `response_counts` of a post or page, from
/// `responses::thread::values` (empty without any).
fn response_fields(responses: Option<&Value>) -> Vec<(&'static str, Node<'_>)> {
    ["responses", "response_threads", "response_counts"]
        .into_iter()
        .map(|key| {
            let node = match responses.and_then(|r| r.get(key)) {
                Some(v) => Node::Ref(v),
                None if key == "response_counts" => Node::Owned(json!("")),
                None => Node::Owned(json!([])),
            };
            (key, node)
        })
        .collect()
}

/// A page as its own page shows it: `page_value` and its responses. Copied, since
/// pages are few and their responses fewer.
pub fn page_node<'a>(site: &Site, page: &Page, responses: Option<&Value>) -> Node<'a> {
    let mut value = page_value(site, page);
    if let Some(obj) = value.as_object_mut() {
        for (key, node) in response_fields(responses) {
            obj.insert(key.into(), node.into_value());
        }
    }
    Node::Owned(value)
}

pub fn page_value(site: &Site, page: &Page) -> Value {
    let (date, date_iso, date_display) = page.date.as_ref().map(date_fields).unwrap_or_default();
    to_value(&PageValue {
        title: &page.title,
        url: &page.url,
        permalink: &page.permalink,
        content: &page.content,
        summary: &page.summary,
        image: image_value(site, page.image.as_ref()),
        extra: &page.extra,
        date,
        date_iso,
        date_display,
        draft: page.draft,
    })
}

/// `page`: a page (not a post) as its own page shows it.
#[derive(Serialize)]
struct PageValue<'a> {
    title: &'a str,
    url: &'a str,
    permalink: &'a str,
    content: &'a str,
    summary: &'a str,
    image: Option<ImageValue<'a>>,
    extra: &'a serde_json::Map<String, Value>,
    /// Empty when the page has no date.
    date: String,
    date_iso: String,
    date_display: String,
    draft: bool,
}

/// `taxonomy`: tags or categories.
#[derive(Serialize)]
struct TaxonomyValue<'a> {
    name: &'a str,
    title: &'a str,
    singular: &'a str,
    url: String,
}

pub fn taxonomy_value(site: &Site, tax: &Taxonomy) -> Value {
    to_value(&TaxonomyValue {
        name: tax.name,
        title: tax.title(),
        singular: tax.singular(),
        url: site.config.base.join(&format!("{}/", tax.name)),
    })
}

/// `term`: one tag or category, and each item of `terms`.
#[derive(Serialize)]
struct TermValue<'a> {
    name: &'a str,
    slug: &'a str,
    url: &'a str,
    count: usize,
    feed_url: String,
}

pub fn term_value(term: &Term) -> Value {
    to_value(&TermValue {
        name: &term.name,
        slug: &term.slug,
        url: &term.url,
        count: term.posts.len(),
        feed_url: format!("{}atom.xml", term.url),
    })
}
