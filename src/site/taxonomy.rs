//! Tags and categories. Terms are matched by slug, so `EdTech` and `edtech` are one
//! tag; it is shown with the spelling used most often.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::error::{Error, Location, Result};

use super::Post;

/// A post's reference to a term, as written and as slugged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRef {
    pub name: String,
    pub slug: String,
}

impl TermRef {
    pub fn new(name: &str) -> Self {
        TermRef {
            name: name.trim().to_string(),
            slug: super::urls::slugify(name).unwrap_or_default(),
        }
    }
}

fn refs(post: &Post, tags: bool) -> &Vec<TermRef> {
    if tags { &post.tags } else { &post.categories }
}

fn refs_mut(post: &mut Post, tags: bool) -> &mut Vec<TermRef> {
    if tags {
        &mut post.tags
    } else {
        &mut post.categories
    }
}

#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    /// Root-relative URL of the term page.
    pub url: String,
    /// Indexes into `Site::posts`, newest first.
    pub posts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// `tags` or `categories`: also the URL folder.
    pub name: &'static str,
    /// Sorted by name, case-insensitively.
    pub terms: Vec<Term>,
}

impl Taxonomy {
    /// `name` is `tags` or `categories`, the field of the posts it is made from.
    /// Group posts (already newest first) by term slug, and write the chosen spelling
    /// back into each post so every page shows a term the same way.
    pub fn build(name: &'static str, config: &Config, posts: &mut [Post]) -> Result<Taxonomy> {
        let tags = name == "tags";
        for post in posts.iter_mut() {
            let refs = refs_mut(post, tags);
            refs.retain(|r| !r.name.is_empty());
            refs.dedup_by(|a, b| a.slug == b.slug);
        }
        // Borrowed from the posts, not copied: `serve` does this on every rebuild.
        let mut by_slug: BTreeMap<&str, (BTreeMap<&str, usize>, Vec<usize>)> = BTreeMap::new();
        let mut errors = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (i, post) in posts.iter().enumerate() {
            seen.clear();
            for r in refs(post, tags).iter() {
                if r.slug.is_empty() {
                    errors.push((i, r.name.clone()));
                    continue;
                }
                if seen.contains(&r.slug.as_str()) {
                    continue;
                }
                seen.push(&r.slug);
                let entry = by_slug.entry(&r.slug).or_default();
                *entry.0.entry(&r.name).or_default() += 1;
                entry.1.push(i);
            }
        }
        let errors = errors.into_iter().map(|(i, term)| {
            Error::input(
                Location::file(&posts[i].source),
                format!("the {name} entry `{term}` has no letters or digits to make a URL from"),
            )
        });
        if let Some(e) = Error::from_many(errors.collect()) {
            return Err(e);
        }
        let mut terms: Vec<Term> = by_slug
            .into_iter()
            .map(|(slug, (spellings, posts))| {
                let spelling = spellings
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map_or(slug, |(n, _)| n)
                    .to_string();
                let url = config.base.join(&format!("{name}/{slug}/"));
                Term {
                    name: spelling,
                    slug: slug.to_string(),
                    url,
                    posts,
                }
            })
            .collect();
        terms.sort_by_cached_key(|t| (t.name.to_lowercase(), t.slug.clone()));
        let spelling: BTreeMap<&str, &str> = terms
            .iter()
            .map(|t| (t.slug.as_str(), t.name.as_str()))
            .collect();
        for post in posts.iter_mut() {
            for r in refs_mut(post, tags).iter_mut() {
                if let Some(n) = spelling.get(r.slug.as_str())
                    && r.name != *n
                {
                    r.name = (*n).to_string();
                }
            }
        }
        Ok(Taxonomy { name, terms })
    }

    pub fn title(&self) -> &'static str {
        match self.name {
            "tags" => "Tags",
            _ => "Categories",
        }
    }

    pub fn singular(&self) -> &'static str {
        match self.name {
            "tags" => "Tag",
            _ => "Category",
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}
