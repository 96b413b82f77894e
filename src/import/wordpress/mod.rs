//! A WordPress export (WXR) as typed items: published posts and pages, the rest of
//! the posts as drafts (a password-protected or private post must never be
//! published by moving house), approved comments as responses, every old address as
//! an alias, and attachments as the images the posts point at.

mod content;
mod wxr;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

use self::content::{Attachment, Context};
use self::wxr::{RawComment, RawItem};
use super::media::{Media, OldSite};
use super::model::{Export, FrontMatter, Item, ItemKind, Problem, Response};
use crate::error::Result;

pub fn read(path: &Path) -> Result<Export> {
    let channel = wxr::read(path)?;
    let base = if channel.base_blog_url.trim().is_empty() {
        &channel.link
    } else {
        &channel.base_blog_url
    };
    let mut site = OldSite::new(base, &[], &[]);
    if let Some(site) = site.as_mut() {
        for i in channel.items.iter().filter(|i| i.post_type == "attachment") {
            if let Some(path) = site.site_path(&i.link) {
                site.attachment_pages.insert(path, i.attachment_url.clone());
            }
        }
    }
    let mut export = Export {
        old_base: site.as_ref().map(|s| s.base.to_string()),
        ..Export::default()
    };
    let attachments: HashMap<String, Attachment> = channel
        .items
        .iter()
        .filter(|i| i.post_type == "attachment" && !i.attachment_url.is_empty())
        .map(|i| {
            let a = Attachment {
                url: i.attachment_url.clone(),
                title: i.title.clone(),
                parent: i.parent.clone(),
                order: i.menu_order.trim().parse().unwrap_or(0),
            };
            (i.id.clone(), a)
        })
        .collect();
    let mut others = BTreeSet::new();
    for raw in &channel.items {
        let kind = match raw.post_type.as_str() {
            "post" => ItemKind::Post,
            "page" => ItemKind::Page,
            "attachment" => {
                *export.read.entry("attachment").or_default() += 1;
                continue;
            }
            other => {
                let noun = match other {
                    "nav_menu_item" => "menu item",
                    "wp_block" => "reusable block",
                    "wp_template" | "wp_template_part" => "theme template",
                    "wp_navigation" => "navigation menu",
                    "custom_css" | "wp_global_styles" => "theme style",
                    _ => "other item",
                };
                *export.left_out.entry(noun).or_default() += 1;
                if noun == "other item" {
                    others.insert(other.to_string());
                }
                continue;
            }
        };
        *export.read.entry(noun(kind)).or_default() += 1;
        let item = convert(raw, kind, site.as_ref(), &attachments, &mut export);
        export.items.push(item);
    }
    if !others.is_empty() {
        let kinds: Vec<String> = others.into_iter().collect();
        export.problems.push(Problem {
            origin: "the export".into(),
            what: format!(
                "items of other kinds were left out ({}): a plugin made them",
                kinds.join(", ")
            ),
            fix: "copy what you need from them by hand".into(),
        });
    }
    Ok(export)
}

fn noun(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Post => "post",
        ItemKind::Page => "page",
    }
}

fn convert(
    raw: &RawItem,
    kind: ItemKind,
    site: Option<&OldSite>,
    attachments: &HashMap<String, Attachment>,
    export: &mut Export,
) -> Item {
    let origin = match raw.title.trim() {
        "" => format!("item {}", raw.id.trim()),
        title => format!("item {} “{title}”", raw.id.trim()),
    };
    let mut media = Media::new(site);
    let mut cx = Context {
        post_id: &raw.id,
        attachments,
        unknown: BTreeSet::new(),
        dynamic: BTreeSet::new(),
    };
    let html = content::expand(&raw.content, &mut cx);
    let body = super::html::to_markdown(&html, &mut media);
    content_problems(&cx, &origin, export);
    let hidden = match (raw.status.as_str(), raw.password.is_empty()) {
        (_, false) => Some("was password-protected"),
        ("private", _) => Some("was private"),
        _ => None,
    };
    if let Some(why) = hidden {
        export.problems.push(Problem {
            origin: origin.clone(),
            what: format!("{why} on WordPress, so it is a draft here"),
            fix: "publish it (remove `draft: true`) only if everyone may read it".into(),
        });
    }
    let mut front = FrontMatter {
        title: raw.title.trim().to_string(),
        date: date(&raw.date_gmt, &raw.date)
            .or_else(|| DateTime::parse_from_rfc2822(raw.pub_date.trim()).ok()),
        draft: !matches!(raw.status.as_str(), "publish" | "future") || hidden.is_some(),
        ..FrontMatter::default()
    };
    for (domain, _, name) in &raw.terms {
        let list = match domain.as_str() {
            "category" => &mut front.categories,
            "post_tag" => &mut front.tags,
            _ => continue,
        };
        if !name.is_empty() && !list.contains(name) {
            list.push(name.clone());
        }
    }
    let summary = super::html::to_markdown(&raw.excerpt, &mut Media::new(None));
    if !summary.trim().is_empty() {
        front.summary = Some(summary.trim().to_string());
    }
    if let Some(name) = attachments
        .get(raw.thumbnail_id.trim())
        .and_then(|a| media.image(&a.url))
    {
        front
            .extra
            .insert("image".into(), serde_yaml_ng::Value::String(name));
    }
    let slug = slug_of(raw, kind);
    if front.title.is_empty() {
        // Every post needs a title here; the address's words are the best guess.
        let words = slug.replace('-', " ");
        let mut chars = words.chars();
        front.title = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_else(|| "Untitled".into());
        export.problems.push(Problem {
            origin: origin.clone(),
            what: format!("had no title; it is called “{}” here", front.title),
            fix: "give it a title of your own".into(),
        });
    }
    front.aliases = aliases(raw, kind, site, &slug);
    for (host, n) in media.remote {
        *export.remote.entry(host).or_default() += n;
    }
    let responses = responses(&raw.comments, export);
    *export.read.entry("comment").or_default() += raw.comments.len();
    Item {
        kind,
        origin,
        slug,
        front,
        body,
        assets: media.assets,
        responses,
    }
}

/// Shortcodes with no Markdown equivalent, and blocks WordPress filled in itself.
fn content_problems(cx: &Context, origin: &str, export: &mut Export) {
    for name in &cx.unknown {
        export.problems.push(Problem {
            origin: origin.to_string(),
            what: format!("the shortcode [{name}] has no Markdown equivalent; it was left as text"),
            fix: "edit the post: write what it showed, or take it out".into(),
        });
    }
    if !cx.dynamic.is_empty() {
        let names: Vec<String> = cx.dynamic.iter().map(|n| format!("“{n}”")).collect();
        export.problems.push(Problem {
            origin: origin.to_string(),
            what: format!(
                "left out {} that WordPress filled in when the page was shown: {}",
                crate::words::count(names.len(), "block"),
                names.join(", ")
            ),
            fix: "nothing, unless the post needs what they showed: then write it in".into(),
        });
    }
}

/// The old URL's last part, so the address keeps its words; a draft has none yet.
fn slug_of(raw: &RawItem, kind: ItemKind) -> String {
    let name = percent_encoding::percent_decode_str(raw.name.trim()).decode_utf8_lossy();
    let from = if name.is_empty() {
        raw.title.as_str()
    } else {
        &name
    };
    let slug = slug::slugify(from);
    if !slug.is_empty() {
        return slug;
    }
    format!("{}-{}", noun(kind), raw.id.trim())
}

fn aliases(raw: &RawItem, kind: ItemKind, site: Option<&OldSite>, slug: &str) -> Vec<String> {
    let Some(site) = site else { return Vec::new() };
    let own = match kind {
        ItemKind::Post => format!("/posts/{slug}/"),
        ItemKind::Page => format!("/{slug}/"),
    };
    let query = match kind {
        ItemKind::Post => "p",
        ItemKind::Page => "page_id",
    };
    let mut out = Vec::new();
    let candidates = [
        site.site_path(&raw.link),
        Some(format!("/?{query}={}", raw.id.trim())),
    ];
    for path in candidates.into_iter().flatten() {
        let same = path.trim_end_matches('/') == own.trim_end_matches('/');
        if path != "/" && !same && !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

/// WordPress keeps the time in UTC and in the blog's zone; together they give both.
fn date(gmt: &str, local: &str) -> Option<DateTime<FixedOffset>> {
    let parse = |s: &str| NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok();
    let local = parse(local);
    let Some(gmt) = parse(gmt) else {
        return local.and_then(|l| FixedOffset::east_opt(0)?.from_local_datetime(&l).single());
    };
    let offset = local
        .map(|l| (l - gmt).num_minutes())
        .filter(|m| m.abs() <= 14 * 60)
        // Zones are whole quarter hours; seconds apart are WordPress rounding.
        .map(|m| (m as f64 / 15.0).round() as i32 * 15 * 60)
        .unwrap_or(0);
    let zone = FixedOffset::east_opt(offset)?;
    Some(zone.from_utc_datetime(&gmt))
}

/// Approved comments, pingbacks and trackbacks; a reply whose parent was left out
/// hangs from the nearest ancestor that was kept.
fn responses(comments: &[RawComment], export: &mut Export) -> Vec<Response> {
    let kept: HashMap<&str, &RawComment> = comments
        .iter()
        .filter(|c| c.approved.trim() == "1")
        .map(|c| (c.id.trim(), c))
        .collect();
    let parents: HashMap<&str, &str> = comments
        .iter()
        .map(|c| (c.id.trim(), c.parent.trim()))
        .collect();
    let mut out = Vec::new();
    for c in comments {
        if c.approved.trim() != "1" {
            let why = match c.approved.trim() {
                "spam" => "spam comment",
                "trash" => "deleted comment",
                _ => "unapproved comment",
            };
            *export.left_out.entry(why).or_default() += 1;
            continue;
        }
        let mut parent = c.parent.trim();
        let mut hops = 0;
        while !parent.is_empty() && parent != "0" && !kept.contains_key(parent) && hops < 100 {
            parent = parents.get(parent).copied().unwrap_or("");
            hops += 1;
        }
        let kind = match c.kind.trim() {
            "pingback" => "pingback",
            "trackback" => "trackback",
            _ => "comment",
        };
        let html = content::autop(&c.content);
        out.push(Response {
            id: format!("wp-{}", c.id.trim()),
            in_reply_to: match parent {
                "" | "0" => String::new(),
                p if kept.contains_key(p) => format!("wp-{p}"),
                _ => String::new(),
            },
            kind,
            author: c.author.trim().to_string(),
            author_url: c.author_url.trim().to_string(),
            date: date(&c.date_gmt, &c.date),
            url: if kind == "comment" {
                String::new()
            } else {
                c.author_url.trim().to_string()
            },
            html,
            ..Response::default()
        });
    }
    out
}
