//! The site model: every published post and page with its URL and rendered HTML,
//! the taxonomies, and the aliases. Built once per build and passed by reference.

pub mod taxonomy;
pub mod urls;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Utc};
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::content::highlight::Highlighter;
use crate::content::markdown::{self, Heading, LinkContext};
use crate::content::{self, Cache, Kind, Source, cache};
use crate::error::{Error, Location, Result, line_col};
pub use taxonomy::{Taxonomy, Term, TermRef};

/// What a build includes.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub drafts: bool,
    pub future: bool,
}

#[derive(Debug, Clone)]
pub struct Post {
    pub source: PathBuf,
    /// Site path without the base: `posts/x/`.
    pub path: String,
    /// Root-relative: `/blog/posts/x/`.
    pub url: String,
    pub permalink: String,
    pub title: String,
    pub date: DateTime<FixedOffset>,
    pub updated: Option<DateTime<FixedOffset>>,
    pub tags: Vec<TermRef>,
    pub categories: Vec<TermRef>,
    pub summary: String,
    pub has_more: bool,
    pub content: String,
    pub toc: Vec<Heading>,
    pub word_count: usize,
    pub draft: bool,
    pub extra: Map<String, Value>,
    /// Links to other sites, for Webmentions.
    pub outbound: Vec<String>,
    /// Old URLs (site paths) that redirect here.
    pub aliases: Vec<String>,
    /// Bundle files: (absolute source, site path of the copy).
    pub assets: Vec<(PathBuf, String)>,
}

impl Post {
    pub fn reading_time(&self) -> usize {
        self.word_count.div_ceil(200).max(1)
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub source: PathBuf,
    pub path: String,
    pub url: String,
    pub permalink: String,
    pub title: String,
    pub date: Option<DateTime<FixedOffset>>,
    pub summary: String,
    pub content: String,
    pub menu: bool,
    pub extra: Map<String, Value>,
    pub aliases: Vec<String>,
    pub assets: Vec<(PathBuf, String)>,
}

pub struct Site {
    pub config: Config,
    /// Newest first.
    pub posts: Vec<Post>,
    pub pages: Vec<Page>,
    pub tags: Taxonomy,
    pub categories: Taxonomy,
}

/// A source with its URL decided, waiting for its Markdown to be rendered.
struct Placed {
    source: Source,
    path: String,
    url: String,
}

impl Site {
    pub fn load(
        config: Config,
        options: &LoadOptions,
        hl: &Highlighter,
        cache: &Cache,
    ) -> Result<Site> {
        let sources = content::load(&config.root, cache)?;
        Self::from_sources(config, sources, options, hl, cache, Utc::now())
    }

    pub fn from_sources(
        config: Config,
        sources: Vec<Source>,
        options: &LoadOptions,
        hl: &Highlighter,
        cache: &Cache,
        now: DateTime<Utc>,
    ) -> Result<Site> {
        let mut errors = Vec::new();
        let mut claims = urls::Claims::default();
        let mut placed = Vec::new();
        let mut link_map: HashMap<PathBuf, String> = HashMap::new();

        for source in sources {
            if source.kind == Kind::Post && source.front.date.is_none() {
                errors.push(
                    Error::input(Location::line(&source.path, 1), "the post has no date")
                        .with_hint("add a line like date: 2024-03-01 to the front matter"),
                );
                continue;
            }
            if source.front.draft && !options.drafts {
                continue;
            }
            let in_future = source
                .front
                .date
                .is_some_and(|d| d.with_timezone(&Utc) > now);
            if source.kind == Kind::Post && in_future && !options.future {
                continue;
            }
            let path = match urls::site_path(&source) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if let Err(e) = claims.claim(&path, &source.path) {
                errors.push(e);
                continue;
            }
            let url = config.base.join(&path);
            link_map.insert(source.rel.clone(), url.clone());
            placed.push(Placed { source, path, url });
        }
        for p in &placed {
            for alias in &p.source.front.aliases {
                match urls::alias_path(&p.source.path, alias) {
                    Ok(a) => {
                        if let Err(e) = claims.claim(&a, &p.source.path) {
                            errors.push(e);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }

        let links_digest = {
            // Compared and hashed as bytes: Path's own ordering and hashing parse
            // components, which is slow for a thousand paths on every rebuild.
            let mut sorted: Vec<_> = link_map
                .iter()
                .map(|(p, u)| (p.as_os_str().as_encoded_bytes(), u))
                .collect();
            sorted.sort_unstable();
            cache::key(&[&sorted])
        };
        let tools = Tools {
            hl,
            cache,
            links_digest,
        };
        let rendered: Vec<Result<Rendered>> = placed
            .into_par_iter()
            .map(|p| render_one(&config, p, &link_map, &tools))
            .collect();
        let mut posts = Vec::new();
        let mut pages = Vec::new();
        for r in rendered {
            match r {
                Ok(Rendered::Post(p)) => posts.push(*p),
                Ok(Rendered::Page(p)) => pages.push(*p),
                Err(Error::Many(m)) => errors.extend(m),
                Err(e) => errors.push(e),
            }
        }
        if let Some(e) = Error::from_many(errors) {
            return Err(e);
        }
        posts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        let tags = Taxonomy::build("tags", &config, &mut posts, |p| &mut p.tags)?;
        let categories = Taxonomy::build("categories", &config, &mut posts, |p| &mut p.categories)?;
        Ok(Site {
            config,
            posts,
            pages,
            tags,
            categories,
        })
    }

    /// Every old URL and the absolute URL it should redirect to.
    pub fn aliases(&self) -> Vec<(String, String)> {
        let posts = self.posts.iter().map(|p| (&p.aliases, &p.permalink));
        let pages = self.pages.iter().map(|p| (&p.aliases, &p.permalink));
        posts
            .chain(pages)
            .flat_map(|(aliases, target)| aliases.iter().map(move |a| (a.clone(), target.clone())))
            .collect()
    }
}

enum Rendered {
    Post(Box<Post>),
    Page(Box<Page>),
}

struct Tools<'a> {
    hl: &'a Highlighter,
    cache: &'a Cache,
    /// A hash of every published file's URL: links to `.md` files depend on it.
    links_digest: u64,
}

fn render_one(
    config: &Config,
    placed: Placed,
    link_map: &HashMap<PathBuf, String>,
    tools: &Tools,
) -> Result<Rendered> {
    let Placed { source, path, url } = placed;
    let links = LinkContext {
        base_path: config.base.path(),
        page_url: &url,
        source: &source.rel,
        pages: link_map,
    };
    // A body can only link to another Markdown file by writing `.md`, or by spelling it
    // with an entity or an escape; any other body does not depend on the other files'
    // URLs, so adding a post leaves its cache entry valid.
    let body = &source.body;
    let links_other_files = body.contains(".md") || body.contains(['&', '\\']);
    let digest = if links_other_files {
        tools.links_digest
    } else {
        0
    };
    // The file's digest stands for its body (hashing it again would cost as much).
    let key = cache::key(&[&source.digest, &source.rel, &url, &links.base_path, &digest]);
    let md = tools.cache.markdown(key, || markdown::render(body, &links, tools.hl)).map_err(|broken| {
        let errors = broken
            .into_iter()
            .map(|b| {
                let (line, col) = line_col(&source.body, b.offset);
                Error::input(
                    Location::line(&source.path, line + source.body_line - 1).with_column(Some(col)),
                    format!("the link `{}` {}", b.target, b.message),
                )
                .with_hint("check the file name; links between posts are relative to this file, e.g. [see](other-post.md) or ../pages/about.md")
            })
            .collect();
        Error::from_many(errors).expect("at least one broken link")
    })?;
    let fm = source.front;
    let summary = match &fm.summary {
        Some(s) => {
            let mut html = String::from("<p>");
            let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, s.trim());
            html.push_str("</p>\n");
            html
        }
        None => md.summary,
    };
    let has_more = fm.summary.is_some() || md.has_more;
    let aliases = fm
        .aliases
        .iter()
        .filter_map(|a| urls::alias_path(&source.path, a).ok())
        .collect();
    let assets = source
        .assets
        .iter()
        .map(|a| {
            let dir = source.path.parent().unwrap_or(&source.path);
            let web = a.to_string_lossy().replace('\\', "/");
            (dir.join(a), format!("{path}{web}"))
        })
        .collect();
    let permalink = config.base.absolute(&url);
    Ok(match source.kind {
        Kind::Post => Rendered::Post(Box::new(Post {
            source: source.path,
            path,
            url,
            permalink,
            title: fm.title,
            date: fm.date.expect("posts without a date were rejected"),
            updated: fm.updated,
            tags: fm.tags.iter().map(|t| TermRef::new(t)).collect(),
            categories: fm.categories.iter().map(|t| TermRef::new(t)).collect(),
            summary,
            has_more,
            content: md.html,
            toc: md.toc,
            word_count: md.word_count,
            draft: fm.draft,
            extra: fm.extra,
            outbound: md.outbound,
            aliases,
            assets,
        })),
        Kind::Page => Rendered::Page(Box::new(Page {
            source: source.path,
            path,
            url,
            permalink,
            title: fm.title,
            date: fm.date,
            summary,
            content: md.html,
            menu: fm.menu,
            extra: fm.extra,
            aliases,
            assets,
        })),
    })
}
