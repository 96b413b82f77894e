//! Which post each response answers. Every post address (its permalink under every
//! base URL the site is known by, and its aliases) goes into one hash map in
//! normalised form, so matching costs one lookup per link: a district hub with 5,000
//! blogs of 50 entries each is 250,000 entries, and a nested loop over posts would
//! not finish.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value, json};
use url::Url;

use super::normalize::{normalize, normalize_url, response_key};
use super::store::Loaded;
use super::{Kind, Response, excerpt};
use crate::config::BaseUrl;
use crate::network::Blog;
use crate::network::cache::BlogCache;
use crate::site::Site;

/// The site's post addresses, normalised.
pub struct PostUrls {
    by_url: HashMap<String, usize>,
    /// Normalised bases with a trailing `/`: an address under one is the site itself.
    own: Vec<String>,
}

impl PostUrls {
    /// `bases` are the base URLs the posts are (or were) published under, besides
    /// the one in the site's config: a preview build with `--base-url` still has to
    /// recognise links to the real site.
    pub fn new(site: &Site, bases: &[&BaseUrl]) -> PostUrls {
        let all = all_bases(site, bases);
        // Normalising parses every address; `serve` does this on each rebuild, so in
        // parallel. The map is filled in order: the first base and post win a tie.
        let found: Vec<Vec<(String, usize)>> = all
            .iter()
            .flat_map(|base| {
                site.posts
                    .iter()
                    .enumerate()
                    .map(move |(i, p)| (base, i, p))
            })
            .collect::<Vec<_>>()
            .par_iter()
            .map(|(base, i, post)| {
                std::iter::once(&post.path)
                    .chain(&post.aliases)
                    .filter_map(|path| normalize(&base.absolute(&base.join(path)), None))
                    .map(|n| (n, *i))
                    .collect()
            })
            .collect();
        let mut by_url = HashMap::with_capacity(site.posts.len() * all.len() * 2);
        for (n, i) in found.into_iter().flatten() {
            by_url.entry(n).or_insert(i);
        }
        let own = all
            .iter()
            .filter_map(|b| normalize_url(&b.url))
            .map(|n| format!("{n}/"))
            .collect();
        PostUrls { by_url, own }
    }

    pub fn post_of(&self, normalized: &str) -> Option<usize> {
        self.by_url.get(normalized).copied()
    }

    fn is_own(&self, normalized: &str) -> bool {
        let with_slash = format!("{normalized}/");
        self.own.iter().any(|o| with_slash.starts_with(o.as_str()))
    }
}

/// The responses of every post.
#[derive(Debug, Default)]
pub struct Index {
    /// By index into `site.posts`; each list oldest first.
    pub per_post: Vec<Vec<Response>>,
    /// Response files whose `target` is none of the site's posts.
    pub unmatched: Vec<PathBuf>,
    /// Normalised address of a network entry → the posts it responds to.
    responding: HashMap<String, Vec<usize>>,
}

/// A response found in one network entry, before it joins the index.
pub struct Found {
    key: String,
    posts: Vec<usize>,
    response: Response,
}

fn all_bases<'a>(site: &'a Site, bases: &[&'a BaseUrl]) -> Vec<&'a BaseUrl> {
    let mut all: Vec<&BaseUrl> = vec![&site.config.base];
    all.extend(bases.iter().copied().filter(|b| **b != site.config.base));
    all
}

/// The index in the making: stored responses first, then the network one blog at a
/// time, so no blog's cache has to outlive its turn.
pub struct Builder {
    posts: Arc<PostUrls>,
    index: Index,
    /// (post, response key) → position in that post's list: one entry per URL.
    slot: HashMap<(usize, String), usize>,
}

impl Index {
    /// Start an index with the `stored` responses. They come first, so what a
    /// teacher wrote by hand wins over what a feed says about the same response.
    /// `posts` are the site's post addresses (`PostUrls::new`).
    pub fn builder(site: &Site, posts: Arc<PostUrls>, stored: &[Loaded]) -> Builder {
        let mut b = Builder {
            posts,
            index: Index {
                per_post: vec![Vec::new(); site.posts.len()],
                ..Index::default()
            },
            slot: HashMap::new(),
        };
        for l in stored {
            let s = &l.response;
            let (Some(target), Some(key)) = (normalize(&s.target, None), response_key(&s.url))
            else {
                continue;
            };
            let Some(post) = b.posts.post_of(&target) else {
                b.index.unmatched.push(l.path.clone());
                continue;
            };
            if b.posts.is_own(&key) {
                continue;
            }
            let r = Response {
                url: s.url.clone(),
                kind: s.kind,
                author: crate::network::sanitize::plain(&s.author),
                author_url: s.author_url.clone(),
                blog: crate::network::sanitize::plain(&s.blog),
                title: crate::network::sanitize::plain(&s.title),
                date: s.date,
                excerpt: excerpt(&s.content),
            };
            b.put(post, key, r);
        }
        b
    }
}

impl Builder {
    /// The entries of one blog that respond to the teacher's posts. Pure, so blogs
    /// can be searched in parallel.
    pub fn found_in(&self, blog: &Blog, cache: &BlogCache) -> Vec<Found> {
        let mut found = Vec::new();
        for e in &cache.entries {
            let Ok(base) = Url::parse(&e.url) else {
                continue;
            };
            let Some(key) = response_key(&e.url) else {
                continue;
            };
            if self.posts.is_own(&key) {
                continue;
            }
            let mut posts: Vec<usize> = e
                .links
                .iter()
                .filter_map(|l| normalize(l, Some(&base)))
                .filter_map(|n| self.posts.post_of(&n))
                .collect();
            if posts.is_empty() {
                continue;
            }
            posts.sort_unstable();
            posts.dedup();
            let response = Response {
                url: e.url.clone(),
                kind: Kind::Mention,
                author: e.author.clone(),
                author_url: if blog.site.is_empty() {
                    cache.site.clone()
                } else {
                    blog.site.clone()
                },
                blog: blog.name.clone(),
                title: e.title.clone(),
                date: e.date(),
                excerpt: excerpt(&e.summary),
            };
            found.push(Found {
                key,
                posts,
                response,
            });
        }
        found
    }

    /// Add what `found_in` found; call in blogroll order for a stable page.
    pub fn add(&mut self, found: Vec<Found>) {
        for f in found {
            for &post in &f.posts {
                self.put(post, f.key.clone(), f.response.clone());
            }
            self.index.responding.insert(f.key, f.posts);
        }
    }

    fn put(&mut self, post: usize, key: String, r: Response) {
        let list = &mut self.index.per_post[post];
        match self.slot.get(&(post, key.clone())) {
            Some(&i) => list[i].merge(r),
            None => {
                self.slot.insert((post, key), list.len());
                list.push(r);
            }
        }
    }

    pub fn finish(self) -> Index {
        let mut index = self.index;
        for list in &mut index.per_post {
            for r in list.iter_mut() {
                if r.blog.is_empty() && r.author.is_empty() {
                    r.blog = Url::parse(&r.url)
                        .ok()
                        .and_then(|u| {
                            u.host_str()
                                .map(|h| h.trim_start_matches("www.").to_string())
                        })
                        .unwrap_or_default();
                }
            }
            // Oldest first, as a conversation reads; undated ones last.
            list.sort_by(|a, b| {
                (a.date.is_none(), a.date)
                    .cmp(&(b.date.is_none(), b.date))
                    .then_with(|| a.url.cmp(&b.url))
            });
        }
        index
    }
}

impl Index {
    /// `post.responses` for every post.
    pub fn values(&self) -> Vec<Value> {
        self.per_post
            .iter()
            .map(|list| Value::Array(list.iter().map(Response::value).collect()))
            .collect()
    }

    /// The posts an entry at `url` (from the network) responds to.
    pub fn responding_to(&self, url: &str) -> &[usize] {
        response_key(url)
            .and_then(|n| self.responding.get(&n))
            .map_or(&[], Vec::as_slice)
    }

    /// Give each item of the network page's river `responds_to`: the teacher's posts
    /// it links to, as `{title, url}` (empty when none).
    pub fn mark_river(&self, network: &mut Value, site: &Site) {
        let Some(river) = network.get_mut("river").and_then(Value::as_array_mut) else {
            return;
        };
        for item in river {
            let url = item.get("url").and_then(Value::as_str).unwrap_or("");
            let posts: Vec<Value> = self
                .responding_to(url)
                .iter()
                .map(|&i| json!({ "title": site.posts[i].title, "url": site.posts[i].url }))
                .collect();
            if let Some(obj) = item.as_object_mut() {
                obj.insert("responds_to".into(), Value::Array(posts));
            }
        }
    }
}
