//! Every HTML page of the site, rendered in parallel. Each finished page goes
//! straight to the sink, so the whole site is never held in memory at once.

use rayon::prelude::*;
use serde_json::{Value, json};
use tera::Context;

use super::Renderer;
use super::context::{self, plain_text};
use crate::error::Result;
use crate::site::{Site, Taxonomy};

/// Receives each output file: a site path (`posts/x/index.html`) and its bytes.
pub trait Sink: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()>;
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

pub fn render_all(site: &Site, r: &Renderer, extras: &Extras, sink: &dyn Sink) -> Result<usize> {
    let has_network = extras.network.is_some();
    let mut globals = Context::new();
    globals.insert("site", &context::site_value(site, has_network));
    globals.insert("build_date", &chrono::Utc::now().to_rfc3339());
    let summaries: Vec<Value> = site
        .posts
        .par_iter()
        .map(|p| context::post_summary(site, p))
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
    jobs.extend(
        site.aliases()
            .into_iter()
            .map(|(from, to)| Job::Alias { from, to }),
    );

    let page_ctx = |path: &str, title: &str, description: &str| {
        let mut ctx = globals.clone();
        let url = site.config.base.join(path);
        ctx.insert("page_url", &site.config.base.absolute(&url));
        ctx.insert("menu", &context::menu(site, has_network, &url));
        ctx.insert("page_path", &url);
        let site_title = &site.config.site.title;
        let full_title = if title.is_empty() || title == site_title {
            site_title.clone()
        } else {
            format!("{title} · {site_title}")
        };
        ctx.insert("page_title", &full_title);
        let desc = if description.is_empty() {
            &site.config.site.description
        } else {
            description
        };
        ctx.insert("page_description", desc);
        ctx
    };

    jobs.par_iter().try_for_each(|job| -> Result<()> {
        let (path, html) = match job {
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
                ctx.insert(
                    "paginator",
                    &json!({
                        "posts": &summaries[start..end],
                        "current": page,
                        "total": of,
                        "previous_url": if *page > 1 { url_of(page - 1) } else { String::new() },
                        "next_url": if page < of { url_of(page + 1) } else { String::new() },
                        "first_url": url_of(1),
                        "last_url": url_of(*of),
                    }),
                );
                (format!("{path}index.html"), r.render("index.html", &ctx)?)
            }
            Job::Post(i) => {
                let post = &site.posts[*i];
                let desc = plain_text(&post.summary, 200);
                let mut ctx = page_ctx(&post.path, &post.title, &desc);
                let responses = extras
                    .responses
                    .get(*i)
                    .cloned()
                    .unwrap_or(Value::Array(vec![]));
                ctx.insert("post", &context::post_full(site, *i, responses));
                (
                    format!("{}index.html", post.path),
                    r.render("post.html", &ctx)?,
                )
            }
            Job::Page(i) => {
                let page = &site.pages[*i];
                let desc = plain_text(&page.summary, 200);
                let mut ctx = page_ctx(&page.path, &page.title, &desc);
                ctx.insert("page", &context::page_value(page));
                (
                    format!("{}index.html", page.path),
                    r.render("page.html", &ctx)?,
                )
            }
            Job::TaxonomyList(tax) => {
                let path = format!("{}/", tax.name);
                let mut ctx = page_ctx(&path, tax.title(), "");
                ctx.insert("taxonomy", &context::taxonomy_value(site, tax));
                let terms: Vec<Value> = tax.terms.iter().map(context::term_value).collect();
                ctx.insert("terms", &terms);
                (
                    format!("{path}index.html"),
                    r.render("taxonomy_list.html", &ctx)?,
                )
            }
            Job::Term(tax, t) => {
                let term = &tax.terms[*t];
                let path = format!("{}/{}/", tax.name, term.slug);
                let title = format!("{}: {}", tax.singular(), term.name);
                let mut ctx = page_ctx(&path, &title, "");
                ctx.insert("taxonomy", &context::taxonomy_value(site, tax));
                ctx.insert("term", &context::term_value(term));
                let posts: Vec<&Value> = term.posts.iter().map(|&i| &summaries[i]).collect();
                ctx.insert("posts", &posts);
                (
                    format!("{path}index.html"),
                    r.render("taxonomy_term.html", &ctx)?,
                )
            }
            Job::Archive => {
                let mut ctx = page_ctx("archive/", "Archive", "");
                let mut years: Vec<(i32, Vec<&Value>)> = Vec::new();
                for (post, summary) in site.posts.iter().zip(&summaries) {
                    let year = chrono::Datelike::year(&post.date);
                    match years.last_mut() {
                        Some((y, list)) if *y == year => list.push(summary),
                        _ => years.push((year, vec![summary])),
                    }
                }
                let years: Vec<Value> = years
                    .into_iter()
                    .map(|(year, posts)| json!({ "year": year, "posts": posts }))
                    .collect();
                ctx.insert("years", &years);
                (
                    "archive/index.html".to_string(),
                    r.render("archive.html", &ctx)?,
                )
            }
            Job::NotFound => {
                let ctx = page_ctx("404.html", "Page not found", "");
                ("404.html".to_string(), r.render("404.html", &ctx)?)
            }
            Job::Network => {
                let mut ctx = page_ctx("network/", "My network", "");
                ctx.insert("network", extras.network.as_ref().unwrap_or(&Value::Null));
                (
                    "network/index.html".to_string(),
                    r.render("network.html", &ctx)?,
                )
            }
            Job::Alias { from, to } => {
                let mut ctx = globals.clone();
                ctx.insert("target", to);
                let file = if from.ends_with('/') {
                    format!("{from}index.html")
                } else {
                    from.clone()
                };
                (file, r.render("alias.html", &ctx)?)
            }
        };
        sink.write(&path, html.as_bytes())
    })?;
    Ok(jobs.len())
}

fn home_path(page: usize) -> String {
    if page == 1 {
        String::new()
    } else {
        format!("page/{page}/")
    }
}
