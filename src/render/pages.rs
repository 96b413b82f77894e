//! Every HTML page of the site, rendered in parallel. Each finished page goes
//! straight to the sink, so the whole site is never held in memory at once.
//!
//! `serve` renders only the pages whose values changed: each page's context is hashed
//! (a fingerprint) and compared with the last build's, which is far cheaper than
//! running the template, and right by construction: a page is skipped only when
//! everything its template can see is as it was.

use crate::content::cache::FastMap;
use std::hash::Hasher;
use std::sync::Arc;

use super::values::{self, Known, Node, Values};

use rayon::prelude::*;
use serde_json::{Value, json};
use tera::Context;

use super::Renderer;
use super::context;
use super::theme::Origin;
use crate::content::Cache;
use crate::error::{Error, Location, Result};
use crate::site::{Site, Taxonomy};

/// Receives each output file: a site path (`posts/x/index.html`) and its bytes.
pub trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()>;

    /// A file copied as it is (theme and static files, bundle images).
    fn copy(&self, origin: &Origin, path: &str) -> Result<()> {
        match origin {
            Origin::BuiltIn(bytes) => self.write(path, bytes),
            Origin::File(src) => {
                let bytes = std::fs::read(src).map_err(|e| Error::io(src, e))?;
                self.write(path, &bytes)
            }
        }
    }
}

/// Output path → hash of the template name and every value the page was rendered
/// from, except `build_date`, which changes on every build and would defeat the point.
#[derive(Debug, Clone, Default)]
pub struct Fingerprints(FastMap<String, u64>);

impl Fingerprints {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }
}

/// What `render_changed` did.
pub struct Changed {
    /// Every page the site has now, with its fingerprint.
    pub fingerprints: Fingerprints,
    /// The pages rendered (the others were unchanged and not touched).
    pub rendered: usize,
}

/// Values from later stages (the network, responses) that some pages show.
#[derive(Default)]
pub struct Extras {
    /// Responses per post, by index into `site.posts`.
    pub responses: Vec<Value>,
    /// The `/network/` page's `network` value, when there is a network.
    pub network: Option<Value>,
}

enum Job<'a> {
    Home { page: usize, of: usize },
    Post(usize),
    Page(usize),
    TaxonomyList(&'a Taxonomy),
    Term(&'a Taxonomy, usize),
    Archive,
    NotFound,
    Network,
    Alias { from: String, to: String },
}

/// Render every page into `sink`; returns how many.
pub fn render_all(site: &Site, r: &Renderer, extras: &Extras, sink: &dyn Sink) -> Result<usize> {
    render(site, r, extras, sink, None).map(|c| c.rendered)
}

/// Render only the pages whose fingerprint differs from `previous` (all of them when
/// `previous` is empty). Pages that no longer exist are simply absent from the result.
pub fn render_changed(
    site: &Site,
    r: &Renderer,
    extras: &Extras,
    sink: &dyn Sink,
    previous: &Fingerprints,
    cache: &Cache,
) -> Result<Changed> {
    render(site, r, extras, sink, Some((previous, cache)))
}

fn render(
    site: &Site,
    r: &Renderer,
    extras: &Extras,
    sink: &dyn Sink,
    memo: Option<(&Fingerprints, &Cache)>,
) -> Result<Changed> {
    let previous = memo.map(|(p, _)| p);
    let has_network = extras.network.is_some();
    let mut globals = Context::new();
    globals.insert("site", &context::site_value(site, has_network));
    let build_date = chrono::Utc::now().to_rfc3339();
    // `serve` keeps summaries between rebuilds; `build` makes each once anyway.
    let summaries: Vec<Arc<Value>> = site
        .posts
        .par_iter()
        .map(|p| match memo {
            Some((_, cache)) => cache.summary(context::summary_key(site, p), || {
                context::post_summary(site, p)
            }),
            None => Arc::new(context::post_summary(site, p)),
        })
        .collect();

    let per_page = site.config.site.posts_per_page;
    let home_pages = site.posts.len().div_ceil(per_page).max(1);
    let mut jobs: Vec<Job> = (1..=home_pages)
        .map(|page| Job::Home {
            page,
            of: home_pages,
        })
        .collect();
    jobs.extend((0..site.posts.len()).map(Job::Post));
    jobs.extend((0..site.pages.len()).map(Job::Page));
    for tax in [&site.tags, &site.categories] {
        if !tax.is_empty() {
            jobs.push(Job::TaxonomyList(tax));
            jobs.extend((0..tax.terms.len()).map(|i| Job::Term(tax, i)));
        }
    }
    jobs.push(Job::Archive);
    jobs.push(Job::NotFound);
    if has_network {
        jobs.push(Job::Network);
    }
    let (alias_pages, alias_queries) = super::query_aliases::split(site.aliases());
    jobs.extend(
        alias_pages
            .into_iter()
            .map(|(from, to)| Job::Alias { from, to }),
    );

    // Only `serve` compares fingerprints; `build` skips the hashing altogether.
    let globals_digest = previous.map(|_| {
        let mut h = crate::content::cache::hasher();
        values::hash_value(&globals.clone().into_json(), &mut h);
        h.finish()
    });
    let menu = context::Menu::new(site, has_network);
    let known = match previous {
        Some(_) => Known::new(&summaries, r.unseen()).and(menu.shared()),
        None => Known::default(),
    };
    let page_ctx = |path: &str, title: &str, description: &str| {
        let mut ctx = Values::default();
        let url = site.config.base.join(path);
        let owned = |s: String| Node::Owned(Value::String(s));
        ctx.put("page_url", owned(site.config.base.absolute(&url)));
        ctx.put("menu", menu.for_page(&url));
        let site_title = &site.config.site.title;
        let full_title = if title.is_empty() || title == site_title {
            site_title.clone()
        } else {
            format!("{title} · {site_title}")
        };
        ctx.put("page_path", owned(url));
        ctx.put("page_title", owned(full_title));
        let desc = if description.is_empty() {
            &site.config.site.description
        } else {
            description
        };
        ctx.put("page_description", owned(desc.to_string()));
        ctx
    };

    let done: Vec<Option<(String, u64)>> = jobs
        .par_iter()
        .map(|job| -> Result<Option<(String, u64)>> {
            let (path, template, values): (String, &str, Values) = match job {
                Job::Home { page, of } => {
                    let path = home_path(*page);
                    let start = (page - 1) * per_page;
                    let end = (start + per_page).min(summaries.len());
                    let title = if *page == 1 {
                        String::new()
                    } else {
                        format!("Page {page}")
                    };
                    let mut ctx = page_ctx(&path, &title, "");
                    let url_of = |n: usize| site.config.base.join(&home_path(n));
                    let owned = |v: Value| Node::Owned(v);
                    let posts = summaries[start..end].iter().map(|s| Node::Ref(s)).collect();
                    ctx.put(
                        "paginator",
                        Node::Object(vec![
                            ("posts", Node::List(posts)),
                            ("current", owned(json!(page))),
                            ("total", owned(json!(of))),
                            (
                                "previous_url",
                                owned(json!(if *page > 1 {
                                    url_of(page - 1)
                                } else {
                                    String::new()
                                })),
                            ),
                            (
                                "next_url",
                                owned(json!(if page < of {
                                    url_of(page + 1)
                                } else {
                                    String::new()
                                })),
                            ),
                            ("first_url", owned(json!(url_of(1)))),
                            ("last_url", owned(json!(url_of(*of)))),
                        ]),
                    );
                    (format!("{path}index.html"), "index.html", ctx)
                }
                Job::Post(i) => {
                    let post = &site.posts[*i];
                    let mut ctx = page_ctx(&post.path, &post.title, &post.description);
                    let responses = (extras.responses.get(*i))
                        .map_or_else(|| Node::Owned(Value::Array(vec![])), Node::Ref);
                    let node = context::post_node(site, *i, &summaries[*i], responses);
                    ctx.put("post", node);
                    (format!("{}index.html", post.path), "post.html", ctx)
                }
                Job::Page(i) => {
                    let page = &site.pages[*i];
                    let mut ctx = page_ctx(&page.path, &page.title, &page.description);
                    ctx.put("page", Node::Owned(context::page_value(site, page)));
                    (format!("{}index.html", page.path), "page.html", ctx)
                }
                Job::TaxonomyList(tax) => {
                    let path = format!("{}/", tax.name);
                    let mut ctx = page_ctx(&path, tax.title(), "");
                    ctx.put("taxonomy", Node::Owned(context::taxonomy_value(site, tax)));
                    let terms: Vec<Value> = tax.terms.iter().map(context::term_value).collect();
                    ctx.put("terms", Node::Owned(Value::Array(terms)));
                    (format!("{path}index.html"), "taxonomy_list.html", ctx)
                }
                Job::Term(tax, t) => {
                    let term = &tax.terms[*t];
                    let path = format!("{}/{}/", tax.name, term.slug);
                    let title = format!("{}: {}", tax.singular(), term.name);
                    let mut ctx = page_ctx(&path, &title, "");
                    ctx.put("taxonomy", Node::Owned(context::taxonomy_value(site, tax)));
                    ctx.put("term", Node::Owned(context::term_value(term)));
                    let posts = term.posts.iter().map(|&i| Node::Ref(&summaries[i]));
                    ctx.put("posts", Node::List(posts.collect()));
                    (format!("{path}index.html"), "taxonomy_term.html", ctx)
                }
                Job::Archive => {
                    let mut ctx = page_ctx("archive/", "Archive", "");
                    let mut years: Vec<(i32, Vec<Node>)> = Vec::new();
                    for (post, summary) in site.posts.iter().zip(&summaries) {
                        let year = chrono::Datelike::year(&post.date);
                        match years.last_mut() {
                            Some((y, list)) if *y == year => list.push(Node::Ref(summary)),
                            _ => years.push((year, vec![Node::Ref(summary)])),
                        }
                    }
                    let years = years.into_iter().map(|(year, posts)| {
                        Node::Object(vec![
                            ("year", Node::Owned(json!(year))),
                            ("posts", Node::List(posts)),
                        ])
                    });
                    ctx.put("years", Node::List(years.collect()));
                    ("archive/index.html".to_string(), "archive.html", ctx)
                }
                Job::NotFound => {
                    let ctx = page_ctx("404.html", "Page not found", "");
                    ("404.html".to_string(), "404.html", ctx)
                }
                Job::Network => {
                    let mut ctx = page_ctx("network/", "My network", "");
                    let network = extras.network.as_ref().map(super::river::with_groups);
                    ctx.insert("network", network.as_ref().unwrap_or(&Value::Null));
                    ("network/index.html".to_string(), "network.html", ctx)
                }
                Job::Alias { from, to } => {
                    let mut ctx = Values::default();
                    ctx.insert("target", to);
                    let file = if from.ends_with('/') {
                        format!("{from}index.html")
                    } else {
                        from.clone()
                    };
                    (file, "alias.html", ctx)
                }
            };
            let fingerprint =
                globals_digest.map(|g| values::fingerprint(g, template, &values, &known));
            if let (Some(prev), Some(fp)) = (previous, fingerprint)
                && prev.0.get(&path) == Some(&fp)
            {
                return Ok(Some((path, fp)));
            }
            // Moved, not copied: a post's context holds its whole text.
            // (An object always converts; the error is for other kinds of values.)
            let mut ctx = Context::from_value(Value::Object(values.into_map())).map_err(|e| {
                Error::input(Location::file(template), format!("cannot be filled: {e}"))
            })?;
            ctx.extend(globals.clone());
            ctx.insert("build_date", &build_date);
            let mut html = r.render(template, &ctx)?;
            let notice = match job {
                Job::Post(i) => super::notice::for_post(&site.posts[*i]),
                Job::Page(i) => super::notice::for_page(&site.pages[*i]),
                _ => None,
            };
            if let Some(n) = notice {
                html = super::notice::insert(html, &n);
            }
            if matches!(job, Job::Home { page: 1, .. }) {
                html = super::query_aliases::insert(html, &alias_queries);
            }
            sink.write(&path, html.as_bytes())?;
            Ok(fingerprint.map(|fp| (path, fp)))
        })
        .collect::<Result<_>>()?;
    let mut fingerprints = Fingerprints::default();
    let mut skipped = 0;
    for (path, fp) in done.into_iter().flatten() {
        if previous.is_some_and(|p| p.0.get(&path) == Some(&fp)) {
            skipped += 1;
        }
        fingerprints.0.insert(path, fp);
    }
    Ok(Changed {
        fingerprints,
        rendered: jobs.len() - skipped,
    })
}

fn home_path(page: usize) -> String {
    if page == 1 {
        String::new()
    } else {
        format!("page/{page}/")
    }
}
