//! The values templates see (documented in docs/THEMES.md). List pages get summary
//! objects, not whole posts, so a tag page with 500 posts stays cheap.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::values::Node;
use crate::site::{Page, Post, Site, Taxonomy, Term, TermRef};

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

/// The menu, with `active` set for the page being rendered.
pub fn menu(site: &Site, has_network: bool, current: &str) -> Value {
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
    let home = base.path();
    Value::Array(
        items
            .into_iter()
            .map(|(title, url)| {
                let active = if url == home {
                    current == home || current.starts_with(&base.join("page/"))
                } else {
                    current.starts_with(&url)
                };
                json!({ "title": title, "url": url, "active": active })
            })
            .collect(),
    )
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

/// A hash of everything `post_summary` reads, so `serve` can keep summaries between
/// rebuilds instead of formatting a thousand of them again after each save.
pub fn summary_key(site: &Site, post: &Post) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::content::cache::hasher();
    "post summary v1".hash(&mut h);
    site.config.base.url.as_str().hash(&mut h);
    // A date's Hash covers the instant only; the offset changes how it is shown.
    for d in std::iter::once(Some(&post.date)).chain([post.updated.as_ref()]) {
        d.map(|d| (d.naive_utc(), d.offset().local_minus_utc()))
            .hash(&mut h);
    }
    (&post.title, &post.url, &post.permalink, &post.summary).hash(&mut h);
    (post.has_more, post.word_count, post.draft).hash(&mut h);
    for list in [&post.tags, &post.categories] {
        list.len().hash(&mut h);
        for t in list {
            (&t.name, &t.slug).hash(&mut h);
        }
    }
    post.extra.len().hash(&mut h);
    for (k, v) in &post.extra {
        k.hash(&mut h);
        super::values::hash_value(v, &mut h);
    }
    h.finish()
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
        "summary": post.summary,
        "has_more": post.has_more,
        "tags": terms(&post.tags, site, "tags"),
        "categories": terms(&post.categories, site, "categories"),
        "reading_time": post.reading_time(),
        "word_count": post.word_count,
        "draft": post.draft,
        "extra": post.extra,
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
    responses: Value,
) -> Node<'a> {
    let post = &site.posts[index];
    let link = |p: &Post| Node::Owned(json!({ "title": p.title, "url": p.url }));
    let null = || Node::Owned(Value::Null);
    // Posts are newest first: the older one is next in the list.
    let previous = site.posts.get(index + 1).map_or_else(null, link);
    let next = index
        .checked_sub(1)
        .and_then(|i| site.posts.get(i))
        .map_or_else(null, link);
    let toc = serde_json::to_value(&post.toc).unwrap_or(Value::Null);
    Node::Extend(
        summary,
        vec![
            ("content", Node::Str(&post.content)),
            ("toc", Node::Owned(toc)),
            ("previous", previous),
            ("next", next),
            ("responses", Node::Owned(responses)),
        ],
    )
}

pub fn page_value(page: &Page) -> Value {
    let (date, date_iso, date_display) = page.date.as_ref().map(date_fields).unwrap_or_default();
    json!({
        "title": page.title,
        "url": page.url,
        "permalink": page.permalink,
        "content": page.content,
        "summary": page.summary,
        "extra": page.extra,
        "date": date,
        "date_iso": date_iso,
        "date_display": date_display,
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

/// Plain text of some HTML, for meta descriptions. Every page's values are made on
/// each `serve` rebuild, so only the start of a post is read: enough for the text to
/// overflow `max_chars`, or all of it when it does not.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    let budget = max_chars.saturating_mul(2).saturating_add(64);
    let (text, cut) = strip_tags(html, Some(budget));
    match cut_words(&text, max_chars) {
        (s, true) => s,
        (s, false) if !cut => s,
        // The part read did not overflow but there is more (entities and spaces
        // shrink it): the whole text decides.
        _ => cut_words(&strip_tags(html, None).0, max_chars).0,
    }
}

/// The text outside tags, decoded; with `budget`, stop after that many characters
/// that are not white space (then also `true`).
fn strip_tags(html: &str, budget: Option<usize>) -> (String, bool) {
    let mut out = String::new();
    let mut in_tag = false;
    let mut seen = 0;
    for (i, c) in html.char_indices() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => {
                out.push(c);
                if !c.is_whitespace() {
                    seen += 1;
                    if budget.is_some_and(|b| seen >= b) && i + c.len_utf8() < html.len() {
                        return (decode_entities(&out), true);
                    }
                }
            }
            _ => {}
        }
    }
    (decode_entities(&out), false)
}

/// Whole words of `text` up to `max_chars`, with `…` when some were left out (then
/// also `true`).
fn cut_words(text: &str, max_chars: usize) -> (String, bool) {
    let mut s = String::new();
    let mut len = 0;
    for w in text.split_whitespace() {
        let n = w.chars().count();
        if len + n + 1 > max_chars {
            s.push('…');
            return (s, true);
        }
        if !s.is_empty() {
            s.push(' ');
            len += 1;
        }
        s.push_str(w);
        len += n;
    }
    (s, false)
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_strips_tags_and_cuts_at_words() {
        assert_eq!(
            plain_text("<p>Hello <b>big</b> world &amp; more</p>", 100),
            "Hello big world & more"
        );
        assert_eq!(plain_text("<p>one two three</p>", 8), "one two…");
    }
}
