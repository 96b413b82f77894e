//! The `network` value templates see (docs/THEMES.md): the river of latest posts,
//! newest first with a cap per blog so one prolific blog cannot drown the rest, and the
//! blogroll with each blog's health, also grouped by tag.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::blogroll::{Blog, Blogroll};
use super::cache::{BlogCache, Entry};
use super::health::{self, Health};
use crate::config::NetworkConfig;

pub fn network_value(
    blogroll: &Blogroll,
    caches: &[BlogCache],
    config: &NetworkConfig,
    now: DateTime<Utc>,
) -> Value {
    let healths: Vec<Health> = caches
        .iter()
        .map(|c| health::health(c, config.quiet_after_days, now))
        .collect();
    let blogs: Vec<Value> = blogroll
        .blogs
        .iter()
        .zip(caches)
        .zip(&healths)
        .map(|((b, c), h)| blog_value(b, c, h))
        .collect();

    let mut groups: Vec<(String, String, Vec<Value>)> = Vec::new();
    let mut untagged = Vec::new();
    for (blog, value) in blogroll.blogs.iter().zip(&blogs) {
        if blog.tags.is_empty() {
            untagged.push(value.clone());
        }
        let mut seen: Vec<String> = Vec::new();
        for tag in &blog.tags {
            let slug = crate::site::urls::slugify(tag).unwrap_or_else(|| tag.to_lowercase());
            if seen.contains(&slug) {
                continue;
            }
            seen.push(slug.clone());
            match groups.iter_mut().find(|(_, s, _)| *s == slug) {
                Some((_, _, list)) => list.push(value.clone()),
                None => groups.push((tag.clone(), slug, vec![value.clone()])),
            }
        }
    }
    groups.sort_by(|a, b| a.1.cmp(&b.1));
    let mut groups: Vec<Value> = groups
        .into_iter()
        .map(|(tag, slug, blogs)| json!({ "tag": tag, "slug": slug, "blogs": blogs }))
        .collect();
    if !untagged.is_empty() {
        groups.push(json!({ "tag": "", "slug": "", "blogs": untagged }));
    }

    let last_fetch = caches.iter().filter_map(|c| c.state.last_attempt).max();
    json!({
        "river": river(blogroll, caches, config),
        "blogs": blogs,
        "groups": groups,
        "count": blogroll.blogs.len(),
        "last_fetch": last_fetch.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)).unwrap_or_default(),
        "last_fetch_display": last_fetch.map(display).unwrap_or_default(),
    })
}

fn river(blogroll: &Blogroll, caches: &[BlogCache], config: &NetworkConfig) -> Vec<Value> {
    let mut all: Vec<(usize, &Entry)> = caches
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.entries.iter().map(move |e| (i, e)))
        .filter(|(_, e)| !e.url.is_empty() && e.date().is_some())
        .collect();
    all.sort_by(|a, b| {
        b.1.date()
            .cmp(&a.1.date())
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| a.1.id.cmp(&b.1.id))
    });
    let mut per_blog = vec![0usize; caches.len()];
    let mut out = Vec::new();
    for (i, e) in all {
        if out.len() >= config.river_count {
            break;
        }
        if per_blog[i] >= config.river_per_blog.max(1) {
            continue;
        }
        per_blog[i] += 1;
        let blog = &blogroll.blogs[i];
        let date = e.date();
        let title = if e.title.is_empty() {
            super::sanitize::plain_text(&e.summary, 80)
        } else {
            e.title.clone()
        };
        out.push(json!({
            "title": if title.is_empty() { "Untitled post".to_string() } else { title },
            "url": e.url,
            "date": date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            "date_iso": date.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)).unwrap_or_default(),
            "date_display": date.map(display).unwrap_or_default(),
            "summary": e.summary,
            "author": e.author,
            "blog": {
                "name": blog.name,
                "slug": blog.slug(),
                "site": site_of(blog, &caches[i]),
            },
        }));
    }
    out
}

fn site_of(blog: &Blog, cache: &BlogCache) -> String {
    if !blog.site.is_empty() {
        blog.site.clone()
    } else {
        cache.site.clone()
    }
}

fn blog_value(blog: &Blog, cache: &BlogCache, h: &Health) -> Value {
    let iso = |d: Option<DateTime<Utc>>| {
        d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
            .unwrap_or_default()
    };
    json!({
        "name": blog.name,
        "slug": blog.slug(),
        "site": site_of(blog, cache),
        "feed": blog.feed,
        "tags": blog.tags,
        "note": blog.note,
        "feed_title": cache.feed_title,
        "status": h.status.as_str(),
        "status_label": h.status.label(),
        "last_post": h.newest_post.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        "last_post_iso": iso(h.newest_post),
        "last_post_display": h.newest_post.map(display).unwrap_or_default(),
        "last_success": iso(h.last_success),
        "last_attempt": iso(h.last_attempt),
        "last_error": h.last_error,
        "failing_since": iso(h.failing_since),
        "failing_since_display": h.failing_since.map(display).unwrap_or_default(),
        "consecutive_failures": h.consecutive_failures,
        "entries": h.entries,
    })
}

fn display(d: DateTime<Utc>) -> String {
    d.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blog(name: &str, tags: &[&str]) -> Blog {
        Blog {
            name: name.into(),
            site: String::new(),
            feed: format!("https://{}.example.org/feed", name.to_lowercase()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            note: String::new(),
            line: 0,
        }
    }

    fn cache(n: usize, day0: u32) -> BlogCache {
        let mut c = BlogCache::default();
        c.state.last_success = Some(Utc::now());
        c.entries = (0..n)
            .map(|i| Entry {
                id: format!("{i}"),
                title: format!("post {i}"),
                url: format!("https://x.example.org/{i}"),
                published: Some(
                    DateTime::parse_from_rfc3339(&format!(
                        "2024-04-{:02}T00:00:00Z",
                        day0 + i as u32
                    ))
                    .unwrap()
                    .to_utc(),
                ),
                ..Default::default()
            })
            .collect();
        c
    }

    #[test]
    fn river_caps_each_blog_and_the_total() {
        let roll = Blogroll {
            path: "network.toml".into(),
            blogs: vec![blog("Busy", &["Maths", "maths"]), blog("Calm", &[])],
        };
        let caches = vec![cache(10, 10), cache(2, 1)];
        let config = NetworkConfig {
            river_count: 4,
            river_per_blog: 2,
            ..NetworkConfig::default()
        };
        let v = network_value(&roll, &caches, &config, Utc::now());
        let river = v["river"].as_array().unwrap();
        assert_eq!(river.len(), 4);
        let names: Vec<&str> = river
            .iter()
            .map(|e| e["blog"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Busy", "Busy", "Calm", "Calm"]);
        assert_eq!(river[0]["date"], "2024-04-19");
        let groups = v["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0]["tag"], "Maths");
        assert_eq!(groups[1]["tag"], "");
    }
}
