//! The site's feeds (Atom 1.0, RSS 2.0, JSON Feed 1.1, one Atom feed per tag and
//! category), the sitemap and robots.txt. Feed content carries absolute URLs, since a
//! feed reader has no page to resolve relative ones against.

mod absolute;
mod json;
mod sitemap;

use absolute::absolutize;

use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use atom_syndication as atom;

use crate::config::BaseUrl;
use crate::error::{Error, Result};
use crate::render::pages::Sink;
use crate::site::{Post, Site};

const GENERATOR: &str = "staffroom";

pub fn write_all(site: &Site, sink: &dyn Sink) -> Result<usize> {
    write(site, sink, None)
}

/// What each feed was made from last time, so `serve` writes only feeds whose posts
/// (or the site's settings) changed: a hash per output path.
#[derive(Debug, Clone, Default)]
pub struct FeedMemo(crate::content::cache::FastMap<String, u64>);

impl FeedMemo {
    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }
}

/// Like `write_all`, but skips feeds made from the same inputs as in `memo`, which
/// is updated. Returns how many files the site's feeds make, written or not.
pub fn write_changed(site: &Site, sink: &dyn Sink, memo: &mut FeedMemo) -> Result<usize> {
    write(site, sink, Some(memo))
}

enum Kind {
    Atom {
        title: String,
        self_url: String,
        html_url: String,
    },
    Rss,
    Json,
}

fn write(site: &Site, sink: &dyn Sink, memo: Option<&mut FeedMemo>) -> Result<usize> {
    let limit = site.config.site.feed_limit.max(1);
    // Drafts and future posts may be on a preview's pages, never in what readers'
    // feed readers fetch.
    let newest: Vec<&Post> = site
        .posts
        .iter()
        .filter(|p| !p.unpublished())
        .take(limit)
        .collect();
    let base = &site.config.base;
    let title = &site.config.site.title;
    let mut feeds = vec![
        (
            "atom.xml".to_string(),
            Kind::Atom {
                title: title.clone(),
                self_url: base.join("atom.xml"),
                html_url: base.join(""),
            },
            newest.clone(),
        ),
        ("rss.xml".to_string(), Kind::Rss, newest.clone()),
        ("feed.json".to_string(), Kind::Json, newest),
    ];
    for tax in [&site.tags, &site.categories] {
        for term in &tax.terms {
            let posts: Vec<&Post> = term
                .posts
                .iter()
                .map(|&i| &site.posts[i])
                .filter(|p| !p.unpublished())
                .take(limit)
                .collect();
            let kind = Kind::Atom {
                title: format!("{title} · {}: {}", tax.singular(), term.name),
                self_url: format!("{}atom.xml", term.url),
                html_url: term.url.clone(),
            };
            feeds.push((format!("{}/{}/atom.xml", tax.name, term.slug), kind, posts));
        }
    }
    let count = feeds.len();
    let digests: Vec<Option<u64>> = match &memo {
        Some(_) => {
            let settings = format!("{:?}{}", site.config.site, base.url);
            feeds
                .par_iter()
                .map(|(path, kind, posts)| Some(digest(&settings, path, kind, posts)))
                .collect()
        }
        None => vec![None; feeds.len()],
    };
    let skip = |path: &String, d: &Option<u64>| match (&memo, d) {
        (Some(m), Some(d)) => m.0.get(path) == Some(d),
        _ => false,
    };
    feeds
        .par_iter()
        .zip(&digests)
        .filter(|((path, _, _), d)| !skip(path, d))
        .try_for_each(|((path, kind, posts), _)| -> Result<()> {
            let bytes = match kind {
                Kind::Atom {
                    title,
                    self_url,
                    html_url,
                } => atom_feed(site, title, self_url, html_url, posts)?,
                Kind::Rss => rss_feed(site, posts).into_bytes(),
                Kind::Json => json::feed(site, posts)?,
            };
            sink.write(path, &bytes)
        })?;
    if let Some(memo) = memo {
        memo.0 = feeds
            .into_iter()
            .zip(digests)
            .filter_map(|((path, _, _), d)| Some((path, d?)))
            .collect();
    }
    sink.write("sitemap.xml", sitemap::sitemap(site).as_bytes())?;
    let robots = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        base.absolute(&base.join("sitemap.xml"))
    );
    sink.write("robots.txt", robots.as_bytes())?;
    Ok(count + 2)
}

/// Everything a feed is made from: the site's settings, its own title and URLs, and
/// each post's fields that feeds show.
fn digest(settings: &str, path: &str, kind: &Kind, posts: &[&Post]) -> u64 {
    let mut h = crate::content::cache::hasher();
    (settings, path).hash(&mut h);
    if let Kind::Atom {
        title,
        self_url,
        html_url,
    } = kind
    {
        (title, self_url, html_url).hash(&mut h);
    }
    for p in posts {
        // The Markdown key stands for the text (hashing it would cost as much).
        (&p.path, &p.permalink, &p.title, &p.summary, p.markdown_key).hash(&mut h);
        (p.date.to_rfc3339(), p.updated.map(|u| u.to_rfc3339())).hash(&mut h);
        for t in p.tags.iter().chain(&p.categories) {
            (&t.name, &t.slug).hash(&mut h);
        }
    }
    h.finish()
}

/// A post whose HTML is longer than this goes into feeds as its summary and a link:
/// feed readers (staffroom's own included, see `[network] max_feed_mb`) refuse feeds of
/// many megabytes, and the three feeds, made at once, each held a copy of it or more
/// (Atom's escaping doubles it), which took 25 times the post in memory.
pub const FEED_CONTENT_MAX_BYTES: usize = 1024 * 1024;

/// What a feed shows of a post: its HTML, or past `FEED_CONTENT_MAX_BYTES` its summary
/// and a link to the whole post. Links made absolute.
fn feed_content(p: &Post, base: &BaseUrl) -> String {
    if p.content.len() <= FEED_CONTENT_MAX_BYTES {
        return absolutize(&p.content, base, &p.permalink);
    }
    let link = format!(
        "<p><a href=\"{}\">Read the whole post</a></p>\n",
        crate::content::text::escape_html(&p.permalink)
    );
    absolutize(&p.summary, base, &p.permalink) + &link
}

fn author(site: &Site) -> atom::Person {
    let a = &site.config.site.author;
    atom::Person {
        name: if a.name.is_empty() {
            site.config.site.title.clone()
        } else {
            a.name.clone()
        },
        email: (!a.email.is_empty()).then(|| a.email.clone()),
        uri: (!a.url.is_empty()).then(|| a.url.clone()),
        ..Default::default()
    }
}

fn atom_feed(
    site: &Site,
    title: &str,
    self_url: &str,
    html_url: &str,
    posts: &[&Post],
) -> Result<Vec<u8>> {
    let base = &site.config.base;
    let link = |href: String, rel: &str, mime: Option<&str>| atom::Link {
        href,
        rel: rel.into(),
        mime_type: mime.map(Into::into),
        ..Default::default()
    };
    let updated = posts
        .iter()
        .map(|p| p.updated.unwrap_or(p.date))
        .max()
        .unwrap_or_else(|| chrono::DateTime::UNIX_EPOCH.fixed_offset());
    let entries = posts
        .iter()
        .map(|p| atom::Entry {
            id: p.permalink.clone(),
            title: atom::Text::plain(p.title.clone()),
            updated: p.updated.unwrap_or(p.date),
            published: Some(p.date),
            authors: vec![author(site)],
            links: vec![link(p.permalink.clone(), "alternate", Some("text/html"))],
            categories: p
                .tags
                .iter()
                .map(|t| atom::Category {
                    term: t.name.clone(),
                    ..Default::default()
                })
                .collect(),
            summary: (!p.summary.is_empty())
                .then(|| atom::Text::html(absolutize(&p.summary, base, &p.permalink))),
            content: Some(atom::Content {
                value: Some(feed_content(p, base)),
                content_type: Some("html".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let feed = atom::Feed {
        id: base.absolute(self_url),
        title: atom::Text::plain(title.to_string()),
        updated,
        authors: vec![author(site)],
        links: vec![
            link(
                base.absolute(self_url),
                "self",
                Some("application/atom+xml"),
            ),
            link(base.absolute(html_url), "alternate", Some("text/html")),
        ],
        subtitle: (!site.config.site.description.is_empty())
            .then(|| atom::Text::plain(site.config.site.description.clone())),
        generator: Some(atom::Generator {
            value: GENERATOR.into(),
            ..Default::default()
        }),
        lang: Some(site.config.site.language.clone()),
        entries,
        ..Default::default()
    };
    let mut out = Vec::new();
    feed.write_to(&mut out)
        .map_err(|e| Error::io("atom.xml", std::io::Error::other(e.to_string())))?;
    Ok(out)
}

fn rss_feed(site: &Site, posts: &[&Post]) -> String {
    let base = &site.config.base;
    let c = &site.config.site;
    let items: Vec<rss::Item> = posts
        .iter()
        .map(|p| rss::Item {
            title: Some(p.title.clone()),
            link: Some(p.permalink.clone()),
            guid: Some(rss::Guid {
                value: p.permalink.clone(),
                permalink: true,
            }),
            pub_date: Some(p.date.to_rfc2822()),
            description: Some(feed_content(p, base)),
            author: (!c.author.email.is_empty())
                .then(|| format!("{} ({})", c.author.email, c.author.name)),
            categories: p
                .tags
                .iter()
                .map(|t| rss::Category {
                    name: t.name.clone(),
                    domain: None,
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    let channel = rss::Channel {
        title: c.title.clone(),
        link: base.url.to_string(),
        description: if c.description.is_empty() {
            c.title.clone()
        } else {
            c.description.clone()
        },
        language: Some(c.language.clone()),
        generator: Some(GENERATOR.into()),
        last_build_date: posts
            .first()
            .map(|p| p.updated.unwrap_or(p.date).to_rfc2822()),
        items,
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![atom::Link {
                href: base.absolute(&base.join("rss.xml")),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            }],
        }),
        ..Default::default()
    };
    channel.to_string()
}
