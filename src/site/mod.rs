//! The site model: every published post and page with its URL and rendered HTML,
//! the taxonomies, and the aliases. Built once per build and passed by reference.

pub mod lead_image;
mod local;
mod made;
pub mod taxonomy;
pub mod urls;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::content::cache::FastMap;
use crate::content::highlight::Highlighter;
use crate::content::markdown::{self, Heading, LinkContext};
use crate::content::{self, Cache, Kind, Source, cache};
use crate::error::{Error, Location, Result};
pub use lead_image::Image;
pub use local::LocalLink;
pub use taxonomy::{Taxonomy, Term, TermRef};

/// What a build includes.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub drafts: bool,
    pub future: bool,
    /// `serve`'s preview: a post dated in the future is shown marked and kept out of
    /// feeds. `build --future` asks for such posts to be published like any other
    /// (as Jekyll's and Hugo's do); a draft stays marked either way.
    pub preview: bool,
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
    /// HTML, shared with `serve`'s cache like the other parts of the Markdown.
    pub summary: Arc<str>,
    /// The summary as plain text, for the meta description.
    pub description: Arc<str>,
    pub has_more: bool,
    pub content: Arc<str>,
    /// A hash of what the Markdown was made from (the file, its URL and the URLs
    /// of the files it links to): equal keys mean equal `content`, `toc`, `summary`
    /// and the rest of what the Markdown gave.
    pub markdown_key: u64,
    pub toc: Arc<[Heading]>,
    pub word_count: usize,
    pub draft: bool,
    /// Dated after the build: shown only when the build asked for such posts
    /// (`serve` only; `build --future` publishes it), and never in feeds or the sitemap.
    pub future: bool,
    pub extra: Map<String, Value>,
    /// Links to other sites, for Webmentions.
    pub outbound: Arc<[String]>,
    /// Links and images to files of this site, with where they are in the source.
    pub local: Arc<[LocalLink]>,
    /// Old URLs (site paths) that redirect here.
    pub aliases: Vec<String>,
    /// Bundle files: (absolute source, site path of the copy).
    pub assets: Vec<(PathBuf, String)>,
    /// The lead image (front matter `image`), checked to exist.
    pub image: Option<Image>,
}

impl Post {
    pub fn reading_time(&self) -> usize {
        self.word_count.div_ceil(200).max(1)
    }

    /// A draft or a post dated in the future: on preview pages, marked, but never
    /// announced to readers (feeds, sitemap).
    pub fn unpublished(&self) -> bool {
        self.draft || self.future
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
    pub summary: Arc<str>,
    pub description: Arc<str>,
    pub content: Arc<str>,
    pub menu: bool,
    pub draft: bool,
    pub local: Arc<[LocalLink]>,
    pub extra: Map<String, Value>,
    pub aliases: Vec<String>,
    pub assets: Vec<(PathBuf, String)>,
    /// The lead image, for link previews.
    pub image: Option<Image>,
}

/// Why a build left a file out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOut {
    Draft,
    /// Dated after the build (the post's date).
    Future(DateTime<FixedOffset>),
}

pub struct Site {
    pub config: Config,
    /// Newest first.
    pub posts: Vec<Post>,
    pub pages: Vec<Page>,
    pub tags: Taxonomy,
    pub categories: Taxonomy,
    /// Files this build did not publish, and why, in the order of their paths: the
    /// build's summary names them so a new post never vanishes without a word.
    pub left_out: Vec<(PathBuf, LeftOut)>,
    /// Files in content/ that are not posts or pages to build, and why, for the summary.
    pub not_built: Vec<(PathBuf, content::Skip)>,
    /// Problems in what the teacher wrote that the build worked around.
    pub warnings: Vec<String>,
}

/// A source with its URL decided, waiting for its Markdown to be rendered.
struct Placed {
    source: Source,
    path: String,
    url: String,
    future: bool,
}

/// What `place` decided for one file.
enum Placing {
    In(Placed),
    Out(PathBuf, LeftOut),
}

impl Site {
    pub fn load(
        config: Config,
        options: &LoadOptions,
        hl: &Highlighter,
        cache: &Cache,
    ) -> Result<Site> {
        let loaded = content::load(&config.root, &config.site.language, cache)?;
        Self::from_sources(config, loaded, options, hl, cache, Utc::now())
    }

    /// The site from what `content::load` found. Its problems are reported with those
    /// found here, in one pass.
    pub fn from_sources(
        config: Config,
        loaded: content::Loaded,
        options: &LoadOptions,
        hl: &Highlighter,
        cache: &Cache,
        now: DateTime<Utc>,
    ) -> Result<Site> {
        let content::Loaded {
            sources,
            skipped,
            failed,
            errors: load_errors,
        } = loaded;
        // Which files are published and where: decided for each file in parallel
        // (slugs are not free), then claimed in order, so clashes name the same file
        // first on every build.
        let warnings = sources
            .iter()
            .flat_map(|s| s.text.front.notes.iter().cloned())
            .collect();
        let decided: Vec<Result<Placing>> = sources
            .into_par_iter()
            .map(|source| place(&config, source, options, now))
            .collect();
        let mut errors = load_errors;
        let mut claims = urls::Claims::default();
        let mut placed = Vec::new();
        let mut left_out = Vec::new();
        let mut link_map: FastMap<PathBuf, String> =
            FastMap::with_capacity_and_hasher(decided.len(), Default::default());
        // A file with errors of its own has its URL once they are fixed: links to it
        // are not broken on top of that. The build stops on its errors anyway.
        for rel in failed {
            link_map.insert(rel, "#".into());
        }
        for d in decided {
            let p = match d {
                Ok(Placing::In(p)) => p,
                Ok(Placing::Out(file, why)) => {
                    left_out.push((file, why));
                    continue;
                }
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if let Err(e) = claims.claim(&p.path, &p.source.path) {
                errors.push(e);
                continue;
            }
            link_map.insert(p.source.rel.clone(), p.url.clone());
            placed.push(p);
        }
        claim_aliases(&placed, &mut claims, &mut errors);

        let terms = terms_of(&placed);
        let tools = Tools {
            hl,
            cache,
            terms: &terms,
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
        let mut posts = newest_first(posts);
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        let tags = Taxonomy::build("tags", &config, &mut posts)?;
        let categories = Taxonomy::build("categories", &config, &mut posts)?;
        left_out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Site {
            config,
            posts,
            pages,
            tags,
            categories,
            left_out,
            not_built: skipped,
            warnings,
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

/// Each alias is an address of its own: two files may not claim the same one.
fn claim_aliases(placed: &[Placed], claims: &mut urls::Claims, errors: &mut Vec<Error>) {
    for p in placed {
        for alias in &p.source.text.front.aliases {
            let claimed = urls::alias_path(&p.source.path, alias)
                .and_then(|a| claims.claim(&a, &p.source.path));
            if let Err(e) = claimed {
                errors.push(e);
            }
        }
    }
}

/// Every tag and category by name. Tags repeat from post to post; each is slugged once.
fn terms_of(placed: &[Placed]) -> FastMap<String, TermRef> {
    let mut terms: FastMap<String, TermRef> = FastMap::default();
    for p in placed {
        let front = &p.source.text.front;
        for name in front.tags.iter().chain(&front.categories) {
            if !terms.contains_key(name) {
                terms.insert(name.clone(), TermRef::new(name));
            }
        }
    }
    terms
}

/// Posts by date, newest first, then by title. The order is found on indices and
/// the posts moved once: a post is a large value, and sorting moves it many times.
fn newest_first(posts: Vec<Post>) -> Vec<Post> {
    let mut order: Vec<usize> = (0..posts.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&posts[a], &posts[b]);
        b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title))
    });
    let mut slots: Vec<Option<Post>> = posts.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

enum Rendered {
    Post(Box<Post>),
    Page(Box<Page>),
}

struct Tools<'a> {
    hl: &'a Highlighter,
    terms: &'a FastMap<String, TermRef>,
    cache: &'a Cache,
}

impl Tools<'_> {
    fn term(&self, name: &str) -> TermRef {
        self.terms
            .get(name)
            .cloned()
            .unwrap_or_else(|| TermRef::new(name))
    }
}

/// Where a file is published, or why this build leaves it out (a draft, a post
/// dated in the future).
fn place(
    config: &Config,
    source: Source,
    options: &LoadOptions,
    now: DateTime<Utc>,
) -> Result<Placing> {
    let front = &source.text.front;
    if source.kind == Kind::Post && front.date.is_none() {
        return Err(
            Error::input(Location::line(&source.path, 1), "the post has no date").with_hint(
                front.hint_for_missing("date").unwrap_or_else(|| {
                    "add a line like date: 2024-03-01 to the front matter".into()
                }),
            ),
        );
    }
    if front.draft && !options.drafts {
        return Ok(Placing::Out(source.path, LeftOut::Draft));
    }
    let future = match front.date {
        Some(d) if source.kind == Kind::Post && is_future(d, front.date_has_zone, now) => Some(d),
        _ => None,
    };
    if let Some(date) = future.filter(|_| !options.future) {
        return Ok(Placing::Out(source.path, LeftOut::Future(date)));
    }
    let path = urls::site_path(&source)?;
    let url = config.base.join(&path);
    Ok(Placing::In(Placed {
        source,
        path,
        url,
        future: future.is_some() && options.preview,
    }))
}

/// A date written without a time zone is the teacher's own day (or time), and the
/// build may run anywhere (GitHub's runners are on UTC): such a post waits only while
/// its date is still ahead everywhere on Earth, so a post dated today is published in
/// Auckland's morning too. UTC+14 is the earliest time zone.
fn is_future(date: DateTime<FixedOffset>, has_zone: bool, now: DateTime<Utc>) -> bool {
    let leeway = if has_zone {
        chrono::Duration::zero()
    } else {
        chrono::Duration::hours(14)
    };
    date.with_timezone(&Utc) - leeway > now
}

fn render_one(
    config: &Config,
    placed: Placed,
    link_map: &FastMap<PathBuf, String>,
    tools: &Tools,
) -> Result<Rendered> {
    let Placed {
        source,
        path,
        url,
        future,
    } = placed;
    let (md, key) = markdown_of(config, &source, &url, link_map, tools)?;
    let fm = &source.text.front;
    let aliases = fm
        .aliases
        .iter()
        .filter_map(|a| urls::alias_path(&source.path, a).ok())
        .collect();
    let assets: Vec<(PathBuf, String)> = source
        .assets
        .iter()
        .map(|a| {
            let dir = source.path.parent().unwrap_or(&source.path);
            let web = a.to_string_lossy().replace('\\', "/");
            (dir.join(a), format!("{path}{web}"))
        })
        .collect();
    let permalink = config.base.absolute(&url);
    let image = match &fm.image {
        Some(i) => Some(lead_image::resolve(
            config,
            &source.path,
            &path,
            &assets,
            i,
        )?),
        None => None,
    };
    let made = made::Made {
        path,
        url,
        permalink,
        future,
        key,
        aliases,
        assets,
        image,
    };
    Ok(made.into_rendered(source, md, tools))
}

/// The file's Markdown as HTML, from the cache when it has it (and the files it
/// links to kept their URLs), with the key it was cached by.
fn markdown_of(
    config: &Config,
    source: &Source,
    url: &str,
    link_map: &FastMap<PathBuf, String>,
    tools: &Tools,
) -> Result<(markdown::Rendered, u64)> {
    let links = LinkContext {
        base_path: config.base.path(),
        page_url: url,
        source: &source.rel,
        pages: link_map,
    };
    // The file's digest stands for its body (hashing it again would cost as much).
    // Links to other Markdown files depend on their URLs too: checked on the way out.
    let key = cache::key(&[&source.digest, &source.rel, &url, &links.base_path]);
    let body = &source.text.body;
    let fm = &source.text.front;
    // The file's digest covers its front matter too, so the summary it names is
    // settled here, once, with the Markdown.
    let make = || {
        let mut md = markdown::render(body, &links, tools.hl)?;
        // Placed once, with the Markdown: the cache key covers the whole file.
        let mut local = md.local.to_vec();
        local::locate(body, source.text.body_line, &mut local);
        md.local = local.into();
        if let Some(s) = &fm.summary {
            let mut html = String::from("<p>");
            let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, s.trim());
            html.push_str("</p>\n");
            md.description = content::text::summary_text(&html, markdown::DESCRIPTION_CHARS).into();
            md.summary = html.into();
            md.has_more = true;
        }
        Ok(md)
    };
    let still_valid = |md: &markdown::Rendered| {
        (md.linked.iter()).all(|(file, url)| link_map.get(file) == Some(url))
    };
    let md = (tools.cache.markdown(key, still_valid, make))
        .map_err(|e: markdown::RenderError| made::markdown_error(e, source))?;
    Ok((md, key))
}

#[cfg(test)]
mod tests {
    use super::is_future;
    use crate::content::front_matter::parse_date;

    #[test]
    fn a_post_dated_today_is_published_wherever_the_teacher_is() {
        // 12:35 UTC on 1 December is 01:35 on 2 December in Auckland.
        let now = parse_date("2026-12-01T12:35:00Z").unwrap().to_utc();
        let today_in_auckland = parse_date("2026-12-02").unwrap();
        assert!(!is_future(today_in_auckland, false, now));
        // Ahead everywhere: the day after, or a time zone that says so.
        assert!(is_future(parse_date("2026-12-03").unwrap(), false, now));
        let zoned = parse_date("2026-12-02T00:00:00+00:00").unwrap();
        assert!(is_future(zoned, true, now));
    }
}
