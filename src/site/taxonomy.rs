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
    /// Group posts (already newest first) by term slug, and write the chosen spelling
    /// back into each post so every page shows a term the same way.
    pub fn build(
        name: &'static str,
        config: &Config,
        posts: &mut [Post],
        field: impl Fn(&mut Post) -> &mut Vec<TermRef>,
    ) -> Result<Taxonomy> {
        let mut by_slug: BTreeMap<String, (BTreeMap<String, usize>, Vec<usize>)> = BTreeMap::new();
        let mut errors = Vec::new();
        for (i, post) in posts.iter_mut().enumerate() {
            let source = post.source.clone();
            let refs = field(post);
            refs.retain(|r| !r.name.is_empty());
            let mut seen = Vec::new();
            for r in refs.iter() {
                if r.slug.is_empty() {
                    errors.push(Error::input(
                        Location::file(&source),
                        format!(
                            "the {name} entry `{}` has no letters or digits to make a URL from",
                            r.name
                        ),
                    ));
                    continue;
                }
                if seen.contains(&r.slug) {
                    continue;
                }
                seen.push(r.slug.clone());
                let entry = by_slug.entry(r.slug.clone()).or_default();
                *entry.0.entry(r.name.clone()).or_default() += 1;
                entry.1.push(i);
            }
            refs.dedup_by(|a, b| a.slug == b.slug);
        }
        if let Some(e) = Error::from_many(errors) {
            return Err(e);
        }
        let mut terms: Vec<Term> = by_slug
            .into_iter()
            .map(|(slug, (spellings, posts))| {
                let spelling = spellings
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(n, _)| n.clone())
                    .unwrap_or_else(|| slug.clone());
                let url = config.base.join(&format!("{name}/{slug}/"));
                Term {
                    name: spelling,
                    slug,
                    url,
                    posts,
                }
            })
            .collect();
        terms.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.slug.cmp(&b.slug))
        });
        let spelling: BTreeMap<&str, &str> = terms
            .iter()
            .map(|t| (t.slug.as_str(), t.name.as_str()))
            .collect();
        for post in posts.iter_mut() {
            for r in field(post).iter_mut() {
                if let Some(n) = spelling.get(r.slug.as_str()) {
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
