//! `webmention import`: a JF2 export of a Webmention service (webmention.io's
//! `mentions.jf2` and its look-alikes) into files in `data/responses/`. Importing the
//! same export twice adds nothing: each response's file name and identity come from
//! what it is (kind, address, target), never from when it was imported.

use std::collections::HashSet;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::index::PostUrls;
use super::normalize::{normalize, response_key};
use super::store::{self, Stored};
use super::{Kind, excerpt};
use crate::error::{Error, Location, Result};
use crate::site::Site;

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub added: Vec<PathBuf>,
    pub already_there: usize,
    /// Responses to pages that are neither posts nor standalone pages of this site (the
    /// home page, a tag page...).
    pub not_posts: usize,
    /// Private mentions, and entries without a usable address or target.
    pub skipped: usize,
}

/// Read a JF2 document (`{"type": "feed", "children": [...]}`, a single entry, or an
/// array of entries). `origin` names the file or URL in messages.
pub fn parse(origin: &str, bytes: &[u8]) -> Result<(Vec<Stored>, usize)> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::input(
            Location::line(origin, e.line()).with_column(Some(e.column())),
            format!("not a JF2 (JSON) export: {e}"),
        )
        .with_hint(
            "export your mentions as JF2, e.g. https://webmention.io/api/mentions.jf2?token=...",
        )
    })?;
    let entries: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => match o.get("children").and_then(Value::as_array) {
            Some(children) => children.iter().collect(),
            None if o.contains_key("wm-target") || o.contains_key("url") => vec![&value],
            None => {
                return Err(Error::input(
                    Location::file(origin),
                    "this JSON has no `children` list of mentions",
                )
                .with_hint(
                    "export your mentions as JF2 (a feed whose children are the mentions)",
                ));
            }
        },
        _ => {
            return Err(Error::input(
                Location::file(origin),
                "this JSON is not a JF2 feed of mentions",
            ));
        }
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for e in entries {
        match entry(e) {
            Some(s) => out.push(s),
            None => skipped += 1,
        }
    }
    Ok((out, skipped))
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        // Microformats JSON wraps single values in lists.
        Some(Value::Array(a)) => a
            .first()
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string(),
        _ => String::new(),
    }
}

fn entry(e: &Value) -> Option<Stored> {
    if e.get("wm-private").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let property = text(e, "wm-property");
    let kind = match property.as_str() {
        "in-reply-to" | "rsvp" => Kind::Reply,
        "like-of" => Kind::Like,
        "repost-of" => Kind::Repost,
        "mention-of" | "bookmark-of" => Kind::Mention,
        _ if e.get("like-of").is_some() => Kind::Like,
        _ if e.get("repost-of").is_some() => Kind::Repost,
        _ if e.get("in-reply-to").is_some() => Kind::Reply,
        _ => Kind::Mention,
    };
    let target = [
        "wm-target",
        "in-reply-to",
        "like-of",
        "repost-of",
        "mention-of",
        "bookmark-of",
    ]
    .iter()
    .map(|k| text(e, k))
    .find(|t| !t.is_empty())?;
    let url = Some(text(e, "url"))
        .filter(|u| normalize(u, None).is_some())
        .or_else(|| Some(text(e, "wm-source")))?;
    normalize(&url, None)?;
    normalize(&target, None)?;
    let author = e.get("author").unwrap_or(&Value::Null);
    let content = match e.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(c) => match text(c, "text") {
            t if !t.is_empty() => t,
            _ => crate::network::sanitize::plain_text(&text(c, "html"), usize::MAX),
        },
        None => String::new(),
    };
    let content = crate::network::sanitize::plain(&content);
    // Services set `name` to the start of the content for notes; only a real title counts.
    let name = crate::network::sanitize::plain(&text(e, "name"));
    let title = if name.is_empty() || content.starts_with(name.trim_end_matches(['…', '.'])) {
        String::new()
    } else {
        name
    };
    let date = [text(e, "published"), text(e, "wm-received")]
        .iter()
        .find_map(|d| store::parse_date(d));
    Some(Stored {
        target,
        url,
        kind,
        author: crate::network::sanitize::plain(&text(author, "name")),
        author_url: Some(text(author, "url"))
            .filter(|u| normalize(u, None).is_some())
            .unwrap_or_default(),
        blog: String::new(),
        title,
        date,
        // Likes and reposts carry the liked post's text, which is the teacher's own.
        content: if matches!(kind, Kind::Like | Kind::Repost) {
            String::new()
        } else {
            excerpt(&content)
        },
        ..Stored::default()
    })
}

/// What makes two responses one: kind, address and target.
pub fn identity(s: &Stored) -> Option<String> {
    Some(format!(
        "{}|{}|{}",
        s.kind.as_str(),
        response_key(&s.url)?,
        normalize(&s.target, None)?
    ))
}

/// The file a response is kept in: readable, and the same for the same response.
pub fn file_name(s: &Stored) -> String {
    let mut h = fnv::FnvHasher::default();
    h.write(identity(s).unwrap_or_default().as_bytes());
    let host = url::Url::parse(&s.url)
        .ok()
        .and_then(|u| u.host_str().and_then(crate::site::urls::slugify))
        .unwrap_or_else(|| "response".into());
    let date = s
        .date
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "undated".into());
    format!(
        "{date}-{}-{host}-{:08x}.toml",
        s.kind.as_str(),
        h.finish() as u32
    )
}

/// Add `found` to the site's `data/responses/`, skipping responses already there and
/// responses to pages that are neither posts nor standalone pages.
pub fn import(root: &Path, site: &Site, found: Vec<Stored>) -> Result<Report> {
    let posts = PostUrls::new(site, &[]);
    let mut known: HashSet<String> = store::load_all(root)?
        .iter()
        .filter_map(|l| identity(&l.response))
        .collect();
    let mut report = Report::default();
    for s in found {
        let Some(id) = identity(&s) else {
            report.skipped += 1;
            continue;
        };
        let shown = normalize(&s.target, None).is_some_and(|t| posts.target_of(&t).is_some());
        if !shown {
            report.not_posts += 1;
            continue;
        }
        if !known.insert(id) {
            report.already_there += 1;
            continue;
        }
        let name = file_name(&s);
        if root.join(store::RESPONSES_DIR).join(&name).exists() {
            report.already_there += 1;
            continue;
        }
        report.added.push(store::save(root, &name, &s)?);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"{"type": "feed", "name": "Webmentions", "children": [
      {"type": "entry", "author": {"type": "card", "name": "Sam Lee", "url": "https://sam.example/"},
       "url": "https://sam.example/2024/05/reply", "published": "2024-05-02T08:30:00+00:00",
       "wm-received": "2024-05-02T09:00:00Z", "wm-id": 1, "wm-source": "https://sam.example/2024/05/reply",
       "wm-target": "https://t.github.io/blog/posts/x/", "content": {"html": "<p>Great <b>idea</b></p>", "text": "Great idea"},
       "in-reply-to": "https://t.github.io/blog/posts/x/", "wm-property": "in-reply-to", "wm-private": false},
      {"type": "entry", "author": {"name": "Ana"}, "url": "https://social.example/@ana/1#liked-by-2",
       "published": null, "wm-received": "2024-05-03T10:00:00Z", "wm-target": "https://t.github.io/blog/posts/x/",
       "like-of": "https://t.github.io/blog/posts/x/", "wm-property": "like-of", "content": {"text": "the teacher's text"}},
      {"type": "entry", "url": "https://secret.example/1", "wm-target": "https://t.github.io/blog/posts/x/",
       "wm-property": "mention-of", "wm-private": true},
      {"type": "entry", "name": "no address"}
    ]}"#;

    #[test]
    fn replies_likes_and_private_ones() {
        let (found, skipped) = parse("export.jf2", EXPORT.as_bytes()).unwrap();
        assert_eq!(skipped, 2);
        assert_eq!(found.len(), 2);
        let reply = &found[0];
        assert_eq!(reply.kind, Kind::Reply);
        assert_eq!(reply.author, "Sam Lee");
        assert_eq!(reply.author_url, "https://sam.example/");
        assert_eq!(reply.content, "Great idea");
        assert_eq!(reply.title, "");
        let like = &found[1];
        assert_eq!(like.kind, Kind::Like);
        assert_eq!(like.content, "", "a like shows no text");
        assert_eq!(like.date.unwrap().to_rfc3339(), "2024-05-03T10:00:00+00:00");
        assert!(file_name(like).starts_with("2024-05-03-like-social-example-"));
        assert_eq!(file_name(like), file_name(&found[1].clone()));
    }

    #[test]
    fn bad_json_names_the_line() {
        let err = parse("export.jf2", b"{\n \"children\": [\n  {,]}")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("export.jf2:3:"), "{err}");
        let err = parse("x.json", b"{\"items\": []}").unwrap_err().to_string();
        assert!(err.contains("no `children`"), "{err}");
    }
}
