//! The `network` value templates see (docs/THEMES.md): the river of latest posts,
//! newest first with a cap per blog so one prolific blog cannot drown the rest, and the
//! blogroll with each blog's health, also grouped by tag.
//!
//! Typed rather than JSON so a renamed field is a compile error here and in
//! `responses::Index::mark_river`, not a key that silently stops matching; the
//! templates' names are the field names, and the value is serialized only where it
//! meets the template (`render::river`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::blogroll::{Blog, Blogroll};
use super::cache::{BlogCache, Entry};
use super::health;
use crate::config::NetworkConfig;

/// How many colours the letter avatars come in (`blog-avatar-0` ... in style.css).
pub const AVATAR_COLOURS: u32 = 6;

/// The `network` value of the `/network/` page.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkPage {
    /// The latest posts, newest first, capped in total and per blog.
    pub river: Vec<RiverPost>,
    /// How many blogs the teacher follows.
    pub count: usize,
    /// Every blog, in `network.toml` order.
    pub blogs: Vec<FollowedBlog>,
    /// The blogs by tag, sorted by tag slug; untagged ones last under an empty tag.
    pub groups: Vec<TagGroup>,
    pub last_fetch: String,
    pub last_fetch_display: String,
}

/// One post on the river.
#[derive(Debug, Clone, Serialize)]
pub struct RiverPost {
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_iso: String,
    pub date_display: String,
    pub summary: String,
    pub author: String,
    pub blog: RiverBlog,
    /// The teacher's posts this one links to (`responses::Index::mark_river`).
    pub responds_to: Vec<PostLink>,
    /// The date `date_iso` says, for grouping without parsing it back.
    #[serde(skip)]
    pub at: DateTime<Utc>,
}

/// Whose post a river item is, with a letter avatar for blogs without an icon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiverBlog {
    pub name: String,
    pub slug: String,
    pub site: String,
    /// The first letter of the name, skipping a leading article.
    pub initial: String,
    /// 0 to `AVATAR_COLOURS - 1`, from the slug, the same on every build.
    pub colour: u32,
}

/// One of the teacher's own posts.
#[derive(Debug, Clone, Serialize)]
pub struct PostLink {
    pub title: String,
    pub url: String,
}

/// A blog of the blogroll with its health.
#[derive(Debug, Clone, Serialize)]
pub struct FollowedBlog {
    pub name: String,
    pub slug: String,
    pub site: String,
    pub feed: String,
    pub tags: Vec<String>,
    pub note: String,
    pub feed_title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub last_post: String,
    pub last_post_iso: String,
    pub last_post_display: String,
    pub last_success: String,
    pub last_attempt: String,
    pub last_error: String,
    pub failing_since: String,
    pub failing_since_display: String,
    pub consecutive_failures: u32,
    pub entries: usize,
}

/// The blogs that share a tag.
#[derive(Debug, Clone, Serialize)]
pub struct TagGroup {
    /// As the teacher first wrote it; empty for the untagged blogs.
    pub tag: String,
    pub slug: String,
    pub blogs: Vec<FollowedBlog>,
}

/// What the page needs from one blog's cache. A build makes these one blog at a
/// time and lets each cache go, so a hub of thousands of blogs never holds every
/// entry in memory at once.
pub struct BlogSummary {
    blog: FollowedBlog,
    /// The blog's newest entries that may reach the river (at most `river_per_blog`).
    river: Vec<RiverItem>,
    last_attempt: Option<DateTime<Utc>>,
}

struct RiverItem {
    blog: usize,
    id: String,
    post: RiverPost,
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
    let whose = RiverBlog::new(blog, cache);
    let river = dated
        .into_iter()
        .take(config.river_per_blog.max(1).min(config.river_count))
        .map(|(date, e)| RiverItem {
            blog: index,
            id: e.id.clone(),
            post: RiverPost::new(whose.clone(), e, date),
        })
        .collect();
    BlogSummary {
        blog: FollowedBlog::new(blog, cache, &h),
        river,
        last_attempt: cache.state.last_attempt,
    }
}

/// The `network` value, from the summaries of every blog in blogroll order.
pub fn network_page(
    blogroll: &Blogroll,
    summaries: Vec<BlogSummary>,
    config: &NetworkConfig,
) -> NetworkPage {
    let last_fetch = summaries.iter().filter_map(|s| s.last_attempt).max();
    let mut river: Vec<RiverItem> = Vec::new();
    let mut blogs: Vec<FollowedBlog> = Vec::with_capacity(summaries.len());
    for s in summaries {
        river.extend(s.river);
        blogs.push(s.blog);
    }
    // Newest first; ties by blogroll order then id, so the page is the same every build.
    river.sort_by(|a, b| {
        b.post
            .at
            .cmp(&a.post.at)
            .then_with(|| a.blog.cmp(&b.blog))
            .then_with(|| a.id.cmp(&b.id))
    });
    river.truncate(config.river_count);
    NetworkPage {
        river: river.into_iter().map(|r| r.post).collect(),
        count: blogs.len(),
        groups: tag_groups(blogroll, &blogs),
        blogs,
        last_fetch: last_fetch.map(iso).unwrap_or_default(),
        last_fetch_display: last_fetch.map(display).unwrap_or_default(),
    }
}

/// `blogs` (in blogroll order) by tag. Tags that slug alike are one group, named
/// as first written; a blog is in the group once however often it has the tag.
fn tag_groups(blogroll: &Blogroll, blogs: &[FollowedBlog]) -> Vec<TagGroup> {
    let mut groups: Vec<TagGroup> = Vec::new();
    let mut untagged = Vec::new();
    for (blog, value) in blogroll.blogs.iter().zip(blogs) {
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
            match groups.iter_mut().find(|g| g.slug == slug) {
                Some(g) => g.blogs.push(value.clone()),
                None => groups.push(TagGroup {
                    tag: tag.clone(),
                    slug,
                    blogs: vec![value.clone()],
                }),
            }
        }
    }
    groups.sort_by(|a, b| a.slug.cmp(&b.slug));
    if !untagged.is_empty() {
        groups.push(TagGroup {
            tag: String::new(),
            slug: String::new(),
            blogs: untagged,
        });
    }
    groups
}

impl RiverPost {
    fn new(blog: RiverBlog, e: &Entry, date: DateTime<Utc>) -> RiverPost {
        let title = if e.title.is_empty() {
            super::sanitize::plain_text(&e.summary, 80)
        } else {
            e.title.clone()
        };
        RiverPost {
            title: if title.is_empty() {
                "Untitled post".to_string()
            } else {
                title
            },
            url: e.url.clone(),
            date: date.format("%Y-%m-%d").to_string(),
            date_iso: iso(date),
            date_display: display(date),
            summary: e.summary.clone(),
            author: e.author.clone(),
            blog,
            responds_to: Vec::new(),
            at: date,
        }
    }
}

impl RiverBlog {
    fn new(blog: &Blog, cache: &BlogCache) -> RiverBlog {
        let slug = blog.slug();
        let (initial, colour) = letter_avatar(&blog.name, &slug);
        RiverBlog {
            initial,
            colour,
            name: blog.name.clone(),
            slug,
            site: site_of(blog, cache),
        }
    }
}

impl FollowedBlog {
    fn new(blog: &Blog, cache: &BlogCache, h: &health::Health) -> FollowedBlog {
        let iso = |d: Option<DateTime<Utc>>| d.map(iso).unwrap_or_default();
        FollowedBlog {
            name: blog.name.clone(),
            slug: blog.slug(),
            site: site_of(blog, cache),
            feed: blog.feed.clone(),
            tags: blog.tags.clone(),
            note: blog.note.clone(),
            feed_title: cache.feed_title.clone(),
            status: h.status.as_str(),
            status_label: h.status.label(),
            last_post: (h.newest_post)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            last_post_iso: iso(h.newest_post),
            last_post_display: h.newest_post.map(display).unwrap_or_default(),
            last_success: iso(h.last_success),
            last_attempt: iso(h.last_attempt),
            last_error: h.last_error.clone(),
            failing_since: iso(h.failing_since),
            failing_since_display: h.failing_since.map(display).unwrap_or_default(),
            consecutive_failures: h.consecutive_failures,
            entries: h.entries,
        }
    }
}

fn site_of(blog: &Blog, cache: &BlogCache) -> String {
    if !blog.site.is_empty() {
        blog.site.clone()
    } else {
        cache.site.clone()
    }
}

/// A letter avatar for `name`: its initial, and a colour (`blog-avatar-N`) picked
/// from `key` (a blog's slug), so a blog keeps its colour from build to build and
/// neighbours usually differ. Also for anyone else shown without a picture.
pub fn letter_avatar(name: &str, key: &str) -> (String, u32) {
    // FNV-1a, then mixed (MurmurHash3's finaliser) so the low bits that pick the
    // colour depend on every byte.
    let mut h = (key.bytes()).fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    (initial(name), h % AVATAR_COLOURS)
}

/// "The Reading Nook" is R, "Mrs. Ndiaye's Maths Corner" is M, "école 42" is É.
fn initial(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let skip = matches!(
        words.first().map(|w| w.to_lowercase()).as_deref(),
        Some("the" | "a" | "an")
    ) && words.len() > 1;
    let rest = if skip { &words[1..] } else { &words[..] };
    rest.iter()
        .flat_map(|w| w.chars())
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into())
}

fn iso(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
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
        let v = network_page(&roll, summaries, &config);
        assert_eq!(v.river.len(), 4);
        let names: Vec<&str> = v.river.iter().map(|e| e.blog.name.as_str()).collect();
        assert_eq!(names, ["Busy", "Busy", "Calm", "Calm"]);
        assert_eq!(v.river[0].date, "2024-04-19");
        assert_eq!(v.groups.len(), 2, "{:?}", v.groups);
        assert_eq!(v.groups[0].tag, "Maths");
        assert_eq!(v.groups[1].tag, "");
        assert_eq!(v.river[0].blog.initial, "B");
        assert!(v.river[0].blog.colour < AVATAR_COLOURS);
    }

    #[test]
    fn initials_skip_articles_and_punctuation() {
        assert_eq!(initial("The Reading Nook"), "R");
        assert_eq!(initial("Mrs. Ndiaye's Maths Corner"), "M");
        assert_eq!(initial("\"école\" 42"), "É");
        assert_eq!(initial("The"), "T");
        assert_eq!(initial("…"), "?");
    }
}
