//! `staffroom import SOURCE`: bring an old blog across (a WordPress or Blogger export,
//! a Jekyll or Hugo folder) with its posts, pages, comments, images and old URLs.
//!
//! The stages, one way: `detect` says what SOURCE is; a reader for that kind turns it
//! into an [`Export`] (typed items, nothing written yet); `write` puts the items into
//! the site, never over a file that is already there, so a second import adds nothing
//! and changes nothing, and a post the teacher has edited since keeps its edits; the
//! [`Report`] says what came in, what went out and what could not be converted.

mod blogger;
pub mod detect;
mod download;
mod folder;
mod front;
mod html;
pub mod hugo;
pub mod jekyll;
mod media;
pub mod model;
pub mod permalink;
pub mod report;
mod wordpress;
pub mod write;
mod xml;

use std::path::Path;

pub use detect::Source;
pub use model::{Asset, AssetFrom, Export, FrontMatter, Item, ItemKind, Problem, Response};
pub use report::Report;

use crate::error::{Error, Location, Result};

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Read and convert everything, report, write nothing.
    pub dry_run: bool,
    /// Download the old site's files from this address instead of the one the export
    /// names (a copy of the old site, or the old site at a new address).
    pub download_from: Option<url::Url>,
}

/// Import SOURCE into the site at `root`. `progress` hears (done, total) downloads.
pub fn run(
    root: &Path,
    source: &Path,
    options: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report> {
    if !root.join("site.toml").is_file() {
        return Err(Error::input(
            Location::file(root.join("site.toml")),
            "there is no site here to import into",
        )
        .with_hint(format!(
            "make one first with `staffroom init DIR`, then run `staffroom import {} --root DIR`",
            crate::error::shown(source)
        )));
    }
    let kind = detect::detect(source)?;
    let mut export = read(&kind, root)?;
    // Pictures first: a lead image that could not be fetched is taken out of the
    // post's front matter before it is written, so the site still builds.
    let places = write::places(root, &export);
    let fetched = if options.dry_run {
        (0, Vec::new())
    } else {
        let downloads = write::downloads(&export, &places);
        download::fetch_all(&downloads, options.download_from.as_ref(), progress)
    };
    let files: Vec<_> = places.into_iter().map(|(_, file)| file).collect();
    without_missing_lead_images(&mut export, &files, &fetched.1);
    let written = write::write(root, &export, options.dry_run)?;
    Ok(Report::new(kind, export, written, fetched, options.dry_run))
}

/// A post whose lead image (`image:`) did not download gets none, and the report
/// says how to put it back.
fn without_missing_lead_images(
    export: &mut Export,
    files: &[std::path::PathBuf],
    missing: &[download::Missing],
) {
    let mut problems = Vec::new();
    for (item, file) in export.items.iter_mut().zip(files) {
        let Some(serde_yaml_ng::Value::String(name)) = item.front.extra.get("image") else {
            continue;
        };
        let dest = file.parent().map(|d| d.join(name));
        if missing.iter().any(|m| Some(&m.file) == dest.as_ref()) {
            problems.push(Problem {
                origin: item.origin.clone(),
                what: format!("its lead image {name} could not be downloaded, so the post has none"),
                fix: format!(
                    "when you have the picture, put it beside {} and add `image: {name}` to its front matter",
                    crate::error::shown(file)
                ),
            });
            item.front.extra.remove("image");
        }
    }
    export.problems.extend(problems);
}

/// One reader per kind of source; each returns typed items and the problems it met.
fn read(source: &Source, root: &Path) -> Result<Export> {
    match source {
        Source::WordPress(path) => wordpress::read(path),
        Source::Blogger(path) => blogger::read(path),
        Source::Jekyll(dir) => jekyll::read(dir),
        // Translations come in when they are in the site's language.
        Source::Hugo(dir) => hugo::read(dir, &crate::config::Config::load(root)?.site.language),
    }
}
