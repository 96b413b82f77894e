//! A Blogger export (Settings → Back up content: one Atom feed) as typed items. Each
//! entry says what it is by a `#kind` category: posts and pages come across, drafts
//! as drafts, comments as responses threaded by their `related` link, and settings
//! and the template are left out. A post's `/YYYY/MM/slug.html` address is its alias.

use std::collections::HashMap;
use std::path::Path;

use chrono::DateTime;

use super::media::{Media, OldSite};
use super::model::{Export, FrontMatter, Item, ItemKind, Response};
use super::xml::{Step, Walk, attr};
use crate::error::Result;

const KIND: &str = "http://schemas.google.com/g/2005#kind";
const LABEL: &str = "http://www.blogger.com/atom/ns#";
/// Blogger keeps a blog's images on Google's hosts, not the blog's.
const IMAGE_HOSTS: [&str; 2] = ["blogger.googleusercontent.com", "lh3.googleusercontent.com"];
const IMAGE_SUFFIXES: [&str; 1] = [".bp.blogspot.com"];

#[derive(Debug, Default)]
struct Entry {
    id: String,
    kind: String,
    published: String,
    updated: String,
    title: String,
    content: String,
    alternate: String,
    /// A reply's parent comment (`rel="related"`).
    related: String,
    labels: Vec<String>,
    draft: bool,
    author: String,
    author_uri: String,
    /// The post or page a comment is on (`thr:in-reply-to ref`).
    reply_to: String,
}

pub fn read(path: &Path) -> Result<Export> {
    let (blog, entries) = entries(path)?;
    let site = OldSite::new(&blog, &IMAGE_HOSTS, &IMAGE_SUFFIXES);
    let mut export = Export {
        old_base: site.as_ref().map(|s| s.base.to_string()),
        ..Export::default()
    };
    let mut comments: HashMap<&str, Vec<&Entry>> = HashMap::new();
    for e in entries.iter().filter(|e| e.kind == "comment") {
        comments.entry(e.reply_to.as_str()).or_default().push(e);
    }
    for e in &entries {
        let kind = match e.kind.as_str() {
            "post" => ItemKind::Post,
            "page" => ItemKind::Page,
            "comment" => {
                *export.read.entry("comment").or_default() += 1;
                continue;
            }
            "settings" | "template" => continue,
            _ => {
                *export.left_out.entry("other entry").or_default() += 1;
                continue;
            }
        };
        *export
            .read
            .entry(match kind {
                ItemKind::Post => "post",
                ItemKind::Page => "page",
            })
            .or_default() += 1;
        let item = convert(e, kind, site.as_ref(), &comments, &mut export);
        export.items.push(item);
    }
    Ok(export)
}

fn entries(path: &Path) -> Result<(String, Vec<Entry>)> {
    let mut walk = Walk::open(path)?;
    let mut blog = String::new();
    let mut out = Vec::new();
    let mut entry: Option<Entry> = None;
    let mut in_author = false;
    loop {
        match walk.next()? {
            Step::End => break,
            Step::Open { name, attrs } => match (name.as_str(), entry.as_mut()) {
                ("entry", _) => entry = Some(Entry::default()),
                ("author", Some(_)) => in_author = true,
                ("link", None) if attr(&attrs, "rel") == "alternate" => {
                    blog = attr(&attrs, "href").to_string()
                }
                ("link", Some(e)) => match attr(&attrs, "rel") {
                    "alternate" => e.alternate = attr(&attrs, "href").to_string(),
                    "related" => e.related = attr(&attrs, "href").to_string(),
                    _ => {}
                },
                ("category", Some(e)) => {
                    let term = attr(&attrs, "term");
                    match attr(&attrs, "scheme") {
                        KIND => e.kind = term.rsplit('#').next().unwrap_or("").to_string(),
                        LABEL => e.labels.push(term.trim().to_string()),
                        _ => {}
                    }
                }
                ("thr:in-reply-to", Some(e)) => e.reply_to = attr(&attrs, "ref").to_string(),
                _ => {}
            },
            Step::Close { name, text } => {
                let Some(e) = entry.as_mut() else { continue };
                match name.as_str() {
                    "entry" => out.extend(entry.take()),
                    "author" => in_author = false,
                    "name" if in_author => e.author = text.trim().to_string(),
                    "uri" if in_author => e.author_uri = text.trim().to_string(),
                    "id" => e.id = text.trim().to_string(),
                    "published" => e.published = text,
                    "updated" => e.updated = text,
                    "title" => e.title = text.trim().to_string(),
                    "content" => e.content = text,
                    "app:draft" => e.draft = text.trim() == "yes",
                    _ => {}
                }
            }
        }
    }
    Ok((blog, out))
}

fn convert(
    e: &Entry,
    kind: ItemKind,
    site: Option<&OldSite>,
    comments: &HashMap<&str, Vec<&Entry>>,
    export: &mut Export,
) -> Item {
    let mut media = Media::new(site);
    let body = super::html::to_markdown(&e.content, &mut media);
    for (host, n) in std::mem::take(&mut media.remote) {
        *export.remote.entry(host).or_default() += n;
    }
    let number = e.id.rsplit(['-', '.']).next().unwrap_or("").to_string();
    let alias = site
        .and_then(|s| s.site_path(&e.alternate))
        .filter(|p| p != "/");
    let from_url = alias
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .map(|last| last.trim_end_matches(".html"))
        .map(slug::slugify)
        .unwrap_or_default();
    let slug = [from_url, slug::slugify(&e.title)]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| format!("post-{number}"));
    let published = DateTime::parse_from_rfc3339(e.published.trim()).ok();
    let updated = DateTime::parse_from_rfc3339(e.updated.trim())
        .ok()
        .filter(|u| published.is_some_and(|p| u.date_naive() != p.date_naive()));
    let front = FrontMatter {
        title: if e.title.is_empty() {
            "Untitled".into()
        } else {
            e.title.clone()
        },
        date: published,
        updated,
        draft: e.draft,
        tags: e.labels.clone(),
        aliases: alias.into_iter().collect(),
        ..FrontMatter::default()
    };
    let responses = comments
        .get(e.id.as_str())
        .map(|list| responses(list))
        .unwrap_or_default();
    Item {
        kind,
        origin: format!("entry {} “{}”", e.id, e.title),
        slug,
        front,
        body,
        assets: media.assets,
        responses,
    }
}

fn comment_id(entry_id: &str) -> String {
    format!(
        "blogger-{}",
        entry_id.rsplit(['-', '/']).next().unwrap_or("")
    )
}

fn responses(list: &[&Entry]) -> Vec<Response> {
    let ids: Vec<String> = list.iter().map(|c| comment_id(&c.id)).collect();
    list.iter()
        .map(|c| {
            let parent = if c.related.is_empty() {
                String::new()
            } else {
                comment_id(&c.related)
            };
            Response {
                id: comment_id(&c.id),
                in_reply_to: if ids.contains(&parent) {
                    parent
                } else {
                    String::new()
                },
                kind: "comment",
                author: c.author.clone(),
                author_url: if c.author_uri.starts_with("http") {
                    c.author_uri.clone()
                } else {
                    String::new()
                },
                date: DateTime::parse_from_rfc3339(c.published.trim()).ok(),
                html: c.content.trim().to_string(),
                ..Response::default()
            }
        })
        .collect()
}
