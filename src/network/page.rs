//! The `network` value templates see (docs/THEMES.md): the river of latest posts,
//! newest first with a cap per blog so one prolific blog cannot drown the rest, and the
//! blogroll with each blog's health, also grouped by tag.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::blogroll::{Blog, Blogroll};
use super::cache::{BlogCache, Entry};
use super::health;
use crate::config::NetworkConfig;

/// What the page needs from one blog's cache. A build makes these one blog at a
/// time and lets each cache go, so a hub of thousands of blogs never holds every
/// entry in memory at once.
pub struct BlogSummary {
    value: Value,
    /// The blog's newest entries that may reach the river (at most `river_per_blog`).
    river: Vec<RiverItem>,
    last_attempt: Option<DateTime<Utc>>,
}

struct RiverItem {
    date: DateTime<Utc>,
    blog: usize,
    id: String,
    value: Value,
}

/// The summary of blog number `index` in the blogroll.
pub fn summarize(
    index: usize,
    blog: &Blog,
    cache: &BlogCache,
    config: &NetworkConfig,
    now: DateTime<Utc>,
) -> BlogSummary {
    let h = health::health(cache, config.quiet_after_days, now);
    // Entries are kept newest first, but a hand-edited cache need not be.
    let mut dated: Vec<(DateTime<Utc>, &Entry)> = cache
        .entries
        .iter()
        .filter(|e| !e.url.is_empty())
        .filter_map(|e| e.date().map(|d| (d, e)))
        .collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let river = dated
        .into_iter()
        .take(config.river_per_blog.max(1).min(config.river_count))
        .map(|(date, e)| RiverItem {
            date,
            blog: index,
            id: e.id.clone(),
            value: river_value(blog, cache, e, date),
        })
        .collect();
    BlogSummary {
        value: blog_value(blog, cache, &h),
        river,
        last_attempt: cache.state.last_attempt,
    }
}

/// The `network` value, from the summaries of every blog in blogroll order.
pub fn network_value(
    blogroll: &Blogroll,
    summaries: Vec<BlogSummary>,
    config: &NetworkConfig,
) -> Value {
    let last_fetch = summaries.iter().filter_map(|s| s.last_attempt).max();
    let mut river: Vec<RiverItem> = Vec::new();
    let mut blogs: Vec<Value> = Vec::with_capacity(summaries.len());
    for s in summaries {
        river.extend(s.river);
        blogs.push(s.value);
    }
    // Newest first; ties by blogroll order then id, so the page is the same every build.
    river.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.blog.cmp(&b.blog))
            .then_with(|| a.id.cmp(&b.id))
    });
    river.truncate(config.river_count);
    let river: Vec<Value> = river.into_iter().map(|r| r.value).collect();

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

    json!({
        "river": river,
        "count": blogs.len(),
        "blogs": blogs,
        "groups": groups,
        "last_fetch": last_fetch.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)).unwrap_or_default(),
        "last_fetch_display": last_fetch.map(display).unwrap_or_default(),
    })
}

fn river_value(blog: &Blog, cache: &BlogCache, e: &Entry, date: DateTime<Utc>) -> Value {
    let title = if e.title.is_empty() {
        super::sanitize::plain_text(&e.summary, 80)
    } else {
        e.title.clone()
    };
    json!({
        "title": if title.is_empty() { "Untitled post".to_string() } else { title },
        "url": e.url,
        "date": date.format("%Y-%m-%d").to_string(),
        "date_iso": date.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        "date_display": display(date),
        "summary": e.summary,
        "author": e.author,
        "blog": {
            "name": blog.name,
            "slug": blog.slug(),
            "site": site_of(blog, cache),
        },
    })
}

fn site_of(blog: &Blog, cache: &BlogCache) -> String {
    if !blog.site.is_empty() {
        blog.site.clone()
    } else {
        cache.site.clone()
    }
}

fn blog_value(blog: &Blog, cache: &BlogCache, h: &health::Health) -> Value {
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
        let now = Utc::now();
        let summaries = (roll.blogs.iter().zip(&caches).enumerate())
            .map(|(i, (b, c))| summarize(i, b, c, &config, now))
            .collect();
        let v = network_value(&roll, summaries, &config);
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
