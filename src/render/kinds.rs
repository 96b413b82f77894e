//! What each kind of page is rendered from: one function per kind (home pages, posts,
//! pages, taxonomies, archive, 404, network, aliases), each returning the pages to
//! render with their template and values. `pages::render` only fingerprints, renders
//! and writes them.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value, json};

use super::context::{self, Menu};
use super::values::{Node, Values};
use crate::site::{Site, Taxonomy};

/// One output file to render.
pub struct ToRender<'a> {
    /// Site path of the file: `posts/x/index.html`.
    pub path: String,
    pub template: &'static str,
    pub values: Values<'a>,
    /// The banner of a page readers will not see yet (a draft, a future post).
    pub notice: Option<String>,
    /// Old addresses with a query (`?p=12`) and their new pages: the first home page
    /// answers them (`query_aliases`).
    pub queries: Option<&'a BTreeMap<String, String>>,
}

/// Values from later stages (the network, responses) that some pages show.
#[derive(Default)]
pub struct Extras {
    /// Responses per post and per page (`responses::thread::Shown`).
    pub responses: crate::responses::thread::Shown,
    /// The `/network/` page's `network` value, when there is a network.
    pub network: Option<crate::network::page::NetworkPage>,
}

/// What many pages share: the site, each post's summary and the menu.
pub struct Kinds<'a> {
    pub site: &'a Site,
    pub extras: &'a Extras,
    /// By index into `site.posts`.
    pub summaries: Vec<Arc<Value>>,
    pub menu: Menu,
    /// Old addresses a redirect page answers, and those with a query, which only the
    /// home page can.
    pub aliases: (Vec<(String, String)>, BTreeMap<String, String>),
}

impl<'a> Kinds<'a> {
    pub fn new(site: &'a Site, extras: &'a Extras) -> Kinds<'a> {
        let summaries = (site.posts.par_iter())
            .map(|p| Arc::new(context::post_summary(site, p)))
            .collect();
        Kinds {
            site,
            extras,
            summaries,
            menu: Menu::new(site, extras.network.is_some()),
            aliases: super::query_aliases::split(site.aliases()),
        }
    }

    /// Every page of the site.
    pub fn all(&'a self) -> Vec<ToRender<'a>> {
        let mut all = self.home_pages();
        all.extend(self.posts());
        all.extend(self.pages());
        for tax in [&self.site.tags, &self.site.categories] {
            all.extend(self.taxonomy(tax));
        }
        all.push(self.archive());
        all.push(self.not_found());
        all.extend(self.network());
        all.extend(self.aliases());
        all
    }

    /// The values every page has: its address, title, description and menu.
    fn page(&self, path: &str, title: &str, description: &str) -> Values<'_> {
        let site = self.site;
        let mut ctx = Values::default();
        let url = site.config.base.join(path);
        let owned = |s: String| Node::Owned(Value::String(s));
        ctx.put("page_url", owned(site.config.base.absolute(&url)));
        ctx.put("menu", self.menu.for_page(&url));
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
    }

    /// The home page and its later pages (`page/2/`), each with a paginator.
    fn home_pages(&'a self) -> Vec<ToRender<'a>> {
        let per_page = self.site.config.site.posts_per_page;
        let of = self.site.posts.len().div_ceil(per_page).max(1);
        let url_of = |n: usize| Node::Owned(json!(self.site.config.base.join(&home_path(n))));
        let or_empty = |n: Option<usize>| n.map_or_else(|| Node::Owned(json!("")), url_of);
        (1..=of)
            .map(|page| {
                let path = home_path(page);
                let start = (page - 1) * per_page;
                let end = (start + per_page).min(self.summaries.len());
                let title = match page {
                    1 => String::new(),
                    _ => format!("Page {page}"),
                };
                let mut values = self.page(&path, &title, "");
                let posts = self.summaries[start..end].iter().map(|s| Node::Ref(s));
                let paginator = vec![
                    ("posts", Node::List(posts.collect())),
                    ("current", Node::Owned(json!(page))),
                    ("total", Node::Owned(json!(of))),
                    ("previous_url", or_empty((page > 1).then(|| page - 1))),
                    ("next_url", or_empty((page < of).then_some(page + 1))),
                    ("first_url", url_of(1)),
                    ("last_url", url_of(of)),
                ];
                values.put("paginator", Node::Object(paginator));
                ToRender {
                    queries: (page == 1).then_some(&self.aliases.1),
                    ..render(format!("{path}index.html"), "index.html", values)
                }
            })
            .collect()
    }

    fn posts(&'a self) -> Vec<ToRender<'a>> {
        let site = self.site;
        (0..site.posts.len())
            .into_par_iter()
            .map(|i| {
                let post = &site.posts[i];
                let mut values = self.page(&post.path, &post.title, &post.description);
                let responses = self.extras.responses.posts.get(i);
                let node = context::post_node(site, i, &self.summaries[i], responses);
                values.put("post", node);
                ToRender {
                    notice: super::notice::for_post(post),
                    ..render(format!("{}index.html", post.path), "post.html", values)
                }
            })
            .collect()
    }

    fn pages(&'a self) -> Vec<ToRender<'a>> {
        (self.site.pages.iter().enumerate())
            .map(|(i, page)| {
                let mut values = self.page(&page.path, &page.title, &page.description);
                let responses = self.extras.responses.pages.get(i);
                values.put("page", context::page_node(self.site, page, responses));
                ToRender {
                    notice: super::notice::for_page(page),
                    ..render(format!("{}index.html", page.path), "page.html", values)
                }
            })
            .collect()
    }

    /// A taxonomy's list of terms and each term's page; none when no post uses it.
    fn taxonomy(&'a self, tax: &'a Taxonomy) -> Vec<ToRender<'a>> {
        if tax.is_empty() {
            return Vec::new();
        }
        let site = self.site;
        let path = format!("{}/", tax.name);
        let mut list = self.page(&path, tax.title(), "");
        list.put("taxonomy", Node::Owned(context::taxonomy_value(site, tax)));
        let terms: Vec<Value> = tax.terms.iter().map(context::term_value).collect();
        list.put("terms", Node::Owned(Value::Array(terms)));
        let mut all = vec![render(
            format!("{path}index.html"),
            "taxonomy_list.html",
            list,
        )];
        all.extend(tax.terms.iter().map(|term| {
            let path = format!("{}/{}/", tax.name, term.slug);
            let title = format!("{}: {}", tax.singular(), term.name);
            let mut values = self.page(&path, &title, "");
            values.put("taxonomy", Node::Owned(context::taxonomy_value(site, tax)));
            values.put("term", Node::Owned(context::term_value(term)));
            let posts = term.posts.iter().map(|&i| Node::Ref(&self.summaries[i]));
            values.put("posts", Node::List(posts.collect()));
            render(format!("{path}index.html"), "taxonomy_term.html", values)
        }));
        all
    }

    /// Every post by year, newest first.
    fn archive(&'a self) -> ToRender<'a> {
        let mut values = self.page("archive/", "Archive", "");
        let mut years: Vec<(i32, Vec<Node>)> = Vec::new();
        for (post, summary) in self.site.posts.iter().zip(&self.summaries) {
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
        values.put("years", Node::List(years.collect()));
        render("archive/index.html".into(), "archive.html", values)
    }

    fn not_found(&'a self) -> ToRender<'a> {
        let values = self.page("404.html", "Page not found", "");
        render("404.html".into(), "404.html", values)
    }

    /// The My network page, when the site follows blogs.
    fn network(&'a self) -> Option<ToRender<'a>> {
        let network = self.extras.network.as_ref()?;
        let mut values = self.page("network/", "My network", "");
        values.insert("network", &super::river::with_groups(network));
        Some(render("network/index.html".into(), "network.html", values))
    }

    /// A page at each old address that sends the reader on to the new one.
    fn aliases(&self) -> Vec<ToRender<'a>> {
        (self.aliases.0.iter())
            .map(|(from, to)| {
                let mut values = Values::default();
                values.insert("target", to);
                let file = if from.ends_with('/') {
                    format!("{from}index.html")
                } else {
                    from.clone()
                };
                render(file, "alias.html", values)
            })
            .collect()
    }
}

fn render<'a>(path: String, template: &'static str, values: Values<'a>) -> ToRender<'a> {
    ToRender {
        path,
        template,
        values,
        notice: None,
        queries: None,
    }
}

fn home_path(page: usize) -> String {
    if page == 1 {
        String::new()
    } else {
        format!("page/{page}/")
    }
}
