//! Which post or page each response answers. Every post address (its permalink under
//! every base URL the site is known by, and its aliases) goes into one hash map in
//! normalised form, so matching costs one lookup per link: a district hub with 5,000
//! blogs of 50 entries each is 250,000 entries, and a nested loop over posts would
//! not finish. Pages have a map of their own: only response files (comments brought
//! from an old blog, say) answer pages; the network's links are to posts.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;
use url::Url;

use super::normalize::{normalize, normalize_url, response_key};
use super::store::Loaded;
use super::{Kind, Response, Warning, excerpt};
use crate::config::BaseUrl;
use crate::error::{Error, Result};
use crate::network::Blog;
use crate::network::cache::BlogCache;
use crate::network::page::{NetworkPage, PostLink};
use crate::site::Site;

/// What a response answers: a post or a page, by index into `site.posts` or
/// `site.pages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Post(usize),
    Page(usize),
}

/// The site's post and page addresses, normalised.
pub struct PostUrls {
    by_url: HashMap<String, usize>,
    pages: HashMap<String, usize>,
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
        let mut pages = HashMap::new();
        for base in &all {
            for (i, page) in site.pages.iter().enumerate() {
                for path in std::iter::once(&page.path).chain(&page.aliases) {
                    if let Some(n) = normalize(&base.absolute(&base.join(path)), None) {
                        pages.entry(n).or_insert(i);
                    }
                }
            }
        }
        let own = all
            .iter()
            .filter_map(|b| normalize_url(&b.url))
            .map(|n| format!("{n}/"))
            .collect();
        PostUrls { by_url, pages, own }
    }

    pub fn post_of(&self, normalized: &str) -> Option<usize> {
        self.by_url.get(normalized).copied()
    }

    /// The post, or else the page, at a normalised address.
    pub fn target_of(&self, normalized: &str) -> Option<Target> {
        self.post_of(normalized)
            .map(Target::Post)
            .or_else(|| self.pages.get(normalized).map(|&i| Target::Page(i)))
    }

    fn is_own(&self, normalized: &str) -> bool {
        let with_slash = format!("{normalized}/");
        self.own.iter().any(|o| with_slash.starts_with(o.as_str()))
    }
}

/// The responses of every post and page.
#[derive(Debug, Default)]
pub struct Index {
    /// By index into `site.posts`; each list oldest first.
    pub per_post: Vec<Vec<Response>>,
    /// By index into `site.pages`; likewise.
    pub per_page: Vec<Vec<Response>>,
    /// Response files whose `target` is none of the site's posts and pages, and
    /// replies whose parent is missing: shown (or not) with a word to the teacher.
    pub warnings: Vec<Warning>,
    /// Avatar files to copy: the file, and its path in the site.
    pub files: Vec<(PathBuf, String)>,
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
    /// (target, response key) → position in that target's list: one entry per URL
    /// (or per id, for a response without one).
    slot: HashMap<(Target, String), usize>,
}

impl Index {
    /// Start an index with the `stored` responses. They come first, so what a
    /// teacher wrote by hand wins over what a feed says about the same response.
    /// `posts` are the site's post and page addresses (`PostUrls::new`). Two
    /// responses with one id on one target are an error naming both files.
    pub fn builder(site: &Site, posts: Arc<PostUrls>, stored: &[Loaded]) -> Result<Builder> {
        let mut b = Builder {
            posts,
            index: Index {
                per_post: vec![Vec::new(); site.posts.len()],
                per_page: vec![Vec::new(); site.pages.len()],
                ..Index::default()
            },
            slot: HashMap::new(),
        };
        let base = &site.config.base;
        let mut ids: HashMap<(Target, &str), &Loaded> = HashMap::new();
        let mut errors = Vec::new();
        // Sanitizing comments is the costly part; an old blog may bring thousands.
        let made: Vec<Response> = stored
            .par_iter()
            .map(|l| super::from_file::response(l, base))
            .collect();
        for (l, r) in stored.iter().zip(made) {
            let s = &l.response;
            // A site path gets base_url's path in front, as links in Markdown do.
            let target = if s.target.starts_with('/') {
                normalize(&base.absolute(&base.join(&s.target)), None)
            } else {
                normalize(&s.target, None)
            };
            let Some(target) = target.and_then(|t| b.posts.target_of(&t)) else {
                b.index.warnings.push(Warning {
                    file: l.path.clone(),
                    line: None,
                    message: "`target` is not the address of any post or page, so this response is not shown; copy the post's address from the live site, or write its path, like /posts/my-post/".into(),
                });
                continue;
            };
            match ids.entry((target, l.id.as_str())) {
                Entry::Occupied(first) => {
                    errors.push(super::from_file::duplicate(first.get(), l));
                    continue;
                }
                Entry::Vacant(v) => {
                    v.insert(l);
                }
            }
            let key = if s.url.is_empty() {
                format!("#{}", l.id)
            } else {
                match response_key(&s.url) {
                    Some(k) if !b.posts.is_own(&k) => k,
                    _ => continue,
                }
            };
            if let Some((file, site_path)) = &l.avatar
                && !b.index.files.iter().any(|(_, p)| p == site_path)
            {
                b.index.files.push((file.clone(), site_path.clone()));
            }
            b.put(target, key, r);
        }
        match Error::from_many(errors) {
            Some(e) => Err(e),
            None => Ok(b),
        }
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
                ..Response::default()
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
                self.put(Target::Post(post), f.key.clone(), f.response.clone());
            }
            self.index.responding.insert(f.key, f.posts);
        }
    }

    fn put(&mut self, target: Target, key: String, r: Response) {
        let list = match target {
            Target::Post(i) => &mut self.index.per_post[i],
            Target::Page(i) => &mut self.index.per_page[i],
        };
        match self.slot.get(&(target, key.clone())) {
            Some(&i) => list[i].merge(r),
            None => {
                self.slot.insert((target, key), list.len());
                list.push(r);
            }
        }
    }

    pub fn finish(self) -> Index {
        let mut index = self.index;
        for list in index.per_post.iter_mut().chain(&mut index.per_page) {
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
                    .then_with(|| a.id.cmp(&b.id))
            });
        }
        index
    }
}

impl Index {
    /// What the posts' and pages' templates see, and the files to copy. Also adds
    /// the warnings threading finds.
    pub fn shown(&mut self) -> super::thread::Shown {
        let mut warnings = Vec::new();
        let mut values = |lists: &[Vec<Response>]| -> Vec<Value> {
            lists
                .iter()
                .map(|list| super::thread::values(list, &mut warnings))
                .collect()
        };
        let shown = super::thread::Shown {
            posts: values(&self.per_post),
            pages: values(&self.per_page),
            files: self.files.clone(),
        };
        self.warnings.extend(warnings);
        shown
    }

    /// The posts an entry at `url` (from the network) responds to.
    pub fn responding_to(&self, url: &str) -> &[usize] {
        response_key(url)
            .and_then(|n| self.responding.get(&n))
            .map_or(&[], Vec::as_slice)
    }

    /// Give each item of the network page's river `responds_to`: the teacher's posts
    /// it links to (empty when none).
    pub fn mark_river(&self, network: &mut NetworkPage, site: &Site) {
        for item in &mut network.river {
            item.responds_to = (self.responding_to(&item.url).iter())
                .map(|&i| PostLink {
                    title: site.posts[i].title.clone(),
                    url: site.posts[i].url.clone(),
                })
                .collect();
        }
    }
}
