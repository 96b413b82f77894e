//! Every HTML page of the site, rendered in parallel. Each finished page goes
//! straight to the sink, so the whole site is never held in memory at once.
//!
//! `serve` renders only the pages whose inputs changed: the templates' sources and
//! each page's context are hashed (a fingerprint) and compared with the last build's
//! (kept in `incremental::Memo`), which is far cheaper than running the template, and
//! right by construction: a page is skipped only when its templates and everything
//! they can see are as they were.

use std::hash::Hasher;

use rayon::prelude::*;
use serde_json::Value;
use tera::Context;

use super::Renderer;
use super::context;
pub use super::kinds::Extras;
use super::kinds::{Kinds, ToRender};
use super::theme::Origin;
use super::values::{self, Known};
use crate::content::cache::FastMap;
use crate::error::{Error, Location, Result};
use crate::site::Site;

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

/// Output path → hash of everything the page is made from: the templates' sources,
/// the template's name and every value it can see (of `build_date`, the day only).
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

/// Render every page into `sink`; returns how many.
pub fn render_all(site: &Site, r: &Renderer, extras: &Extras, sink: &dyn Sink) -> Result<usize> {
    render(site, r, extras, sink, None).map(|c| c.rendered)
}

/// Render only the pages whose fingerprint differs from `previous` (all of them when
/// `previous` is empty). Pages that no longer exist are simply absent from the result.
/// `templates` is a hash of the templates' sources, which every page depends on.
pub fn render_changed(
    site: &Site,
    r: &Renderer,
    extras: &Extras,
    sink: &dyn Sink,
    previous: &Fingerprints,
    templates: u64,
) -> Result<Changed> {
    render(site, r, extras, sink, Some((previous, templates)))
}

fn render(
    site: &Site,
    r: &Renderer,
    extras: &Extras,
    sink: &dyn Sink,
    memo: Option<(&Fingerprints, u64)>,
) -> Result<Changed> {
    let previous = memo.map(|(p, _)| p);
    let mut globals = Context::new();
    globals.insert("site", &context::site_value(site, extras.network.is_some()));
    let now = chrono::Utc::now();
    let build_date = now.to_rfc3339();
    let kinds = Kinds::new(site, extras);
    let all = kinds.all();
    // Only `serve` compares fingerprints; `build` skips the hashing altogether.
    let seed = memo.map(|(_, templates)| {
        let mut h = crate::content::cache::hasher();
        h.write_u64(templates);
        // The day of `build_date` (a footer's year), not its time, which changes on
        // every build and would defeat the point.
        h.write(now.date_naive().to_string().as_bytes());
        values::hash_value(&globals.clone().into_json(), &mut h);
        h.finish()
    });
    let known = match previous {
        Some(_) => Known::new(&kinds.summaries, r.unseen()).and(kinds.menu.shared()),
        None => Known::default(),
    };
    let done: Vec<(String, Option<u64>, bool)> = all
        .into_par_iter()
        .map(|page| {
            // The query map is written into the page after the template, so it is
            // hashed in beside the values.
            let fingerprint = seed.map(|g| {
                let fp = values::fingerprint(g, page.template, &page.values, &known);
                page.queries.map_or(fp, |q| {
                    crate::content::cache::key(&[
                        &fp,
                        &serde_json::to_string(q).unwrap_or_default(),
                    ])
                })
            });
            if let (Some(prev), Some(fp)) = (previous, fingerprint)
                && prev.0.get(&page.path) == Some(&fp)
            {
                return Ok((page.path, fingerprint, false));
            }
            let ToRender {
                path,
                template,
                values,
                notice,
                queries,
            } = page;
            // Moved, not copied: a post's context holds its whole text.
            // (An object always converts; the error is for other kinds of values.)
            let mut ctx = Context::from_value(Value::Object(values.into_map())).map_err(|e| {
                Error::input(Location::file(template), format!("cannot be filled: {e}"))
            })?;
            ctx.extend(globals.clone());
            ctx.insert("build_date", &build_date);
            let mut html = r.render(template, &ctx)?;
            if let Some(n) = notice {
                html = super::notice::insert(html, &n);
            }
            if let Some(q) = queries {
                html = super::query_aliases::insert(html, q);
            }
            sink.write(&path, html.as_bytes())?;
            Ok((path, fingerprint, true))
        })
        .collect::<Result<_>>()?;
    let rendered = done.iter().filter(|(_, _, r)| *r).count();
    let fingerprints = done
        .into_iter()
        .filter_map(|(path, fp, _)| Some((path, fp?)))
        .collect();
    Ok(Changed {
        fingerprints: Fingerprints(fingerprints),
        rendered,
    })
}
