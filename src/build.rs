//! The build, stage by stage: config → content → site → render → feeds → output.
//! Each stage's time is kept so `--verbose` can show where a build spends it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::highlight::{self, Highlighter};
use crate::error::{Error, Location, Result};
use crate::feeds::{self, FeedMemo};
use crate::incremental::Memo;
use crate::network::ForBuild;
use crate::output::Staging;
use crate::render::pages::{Extras, Fingerprints, Sink};
use crate::render::theme::{Origin, ThemeFiles};
use crate::render::{Renderer, pages};
use crate::responses::index::PostUrls;
use crate::site::{LeftOut, LoadOptions, Site};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub load: LoadOptions,
    pub base_url: Option<String>,
    pub output: Option<PathBuf>,
}

pub struct BuildReport {
    /// The model the site was built from, for commands that look further (`check`).
    pub site: Site,
    pub output: PathBuf,
    pub posts: usize,
    pub pages: usize,
    pub files: usize,
    pub stages: Vec<(&'static str, Duration)>,
    /// Things worth telling the teacher that do not stop the build.
    pub warnings: Vec<String>,
}

impl BuildReport {
    /// "1 draft and 1 post dated in the future: content/posts/egg.md, …. (how
    /// to see and publish them)", or None when the build published everything. Paths
    /// are shown from `root`.
    pub fn left_out(&self, root: &Path) -> Option<String> {
        let left = &self.site.left_out;
        if left.is_empty() {
            return None;
        }
        let drafts = left.iter().filter(|(_, w)| *w == LeftOut::Draft).count();
        let future = left.len() - drafts;
        let mut kinds = Vec::new();
        if drafts > 0 {
            kinds.push(if drafts == 1 {
                "1 draft".to_string()
            } else {
                format!("{drafts} drafts")
            });
        }
        if future > 0 {
            kinds.push(if future == 1 {
                "1 post dated in the future".to_string()
            } else {
                format!("{future} posts dated in the future")
            });
        }
        const SHOWN: usize = 5;
        let mut files: Vec<String> = left
            .iter()
            .take(SHOWN)
            .map(|(f, _)| crate::error::shown(f.strip_prefix(root).unwrap_or(f)))
            .collect();
        if left.len() > SHOWN {
            files.push(format!("and {} more", left.len() - SHOWN));
        }
        let mut how = vec![if left.len() == 1 {
            "`staffroom serve` previews it"
        } else {
            "`staffroom serve` previews them"
        }];
        if drafts > 0 {
            how.push("a draft is published once you remove `draft: true` (or `published: false`)");
        }
        if future > 0 {
            how.push(
                "a post dated in the future is published by the first build on or after its date",
            );
        }
        Some(format!(
            "{}: {}. {}.",
            kinds.join(" and "),
            files.join(", "),
            how.join("; ")
        ))
    }
}

/// A build, with what is worth keeping from one to the next (`serve` rebuilds).
#[derive(Default)]
pub struct Builder {
    /// The syntax definitions, loaded once.
    pub highlighter: Arc<Highlighter>,
    /// What the last good build made, for the next one to reuse (see `incremental`).
    pub memo: Memo,
}

/// A site loaded and ready to write: everything up to rendering the pages.
pub struct Prepared {
    pub site: Site,
    pub theme: ThemeFiles,
    pub renderer: Arc<Renderer>,
    /// A hash of the templates' sources and the base path, which pages depend on
    /// besides their values.
    pub templates: u64,
    pub output: PathBuf,
    /// The My network page and blogroll, when the site follows blogs.
    pub network: Option<ForBuild>,
    /// Responses to each post and page, for their pages, and the avatar files.
    pub responses: crate::responses::thread::Shown,
    pub warnings: Vec<String>,
}

/// What `Builder::write` writes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Everything (`build`).
    All,
    /// Only the pages whose inputs differ from the memo's (`serve`).
    Changed,
}

pub struct Written {
    pub files: usize,
    /// Pages rendered, as opposed to skipped as unchanged.
    pub rendered: usize,
    /// Set for `Mode::Changed`: every page's fingerprint and feed's digest, for
    /// `Memo::commit`.
    pub pages: Option<(Fingerprints, FeedMemo)>,
}

/// Each stage's time, for `--verbose`.
pub struct Stages {
    pub list: Vec<(&'static str, Duration)>,
    timer: Instant,
}

impl Default for Stages {
    fn default() -> Self {
        Stages {
            list: Vec::new(),
            timer: Instant::now(),
        }
    }
}

impl Stages {
    pub fn lap(&mut self, name: &'static str) {
        self.list.push((name, self.timer.elapsed()));
        self.timer = Instant::now();
    }
}

impl Builder {
    pub fn build(&self, root: &Path, options: &BuildOptions) -> Result<BuildReport> {
        let mut stages = Stages::default();
        let prepared = self.prepare(root, options, &mut stages)?;
        crate::output::refuse_site_folders(root, &prepared.output)?;
        let staging = Staging::new(&prepared.output)?;
        let written = self.write(&prepared, &staging, Mode::All, &mut stages)?;
        staging.commit(&prepared.output)?;
        stages.lap("swap in");
        self.memo.content.finish_build();
        let mut warnings = prepared.warnings;
        warnings.extend(missing_targets(&prepared.site, &prepared.output));
        // Another generator's tags would show as text on the page: say where.
        let leftovers = crate::content::leftovers::in_site(&prepared.site);
        warnings.extend(leftovers.into_iter().map(|(at, m)| format!("{at}: {m}")));
        stages.lap("missing images and links");
        Ok(BuildReport {
            output: prepared.output,
            posts: prepared.site.posts.len(),
            pages: prepared.site.pages.len(),
            files: written.files,
            stages: stages.list,
            warnings,
            site: prepared.site,
        })
    }

    /// Config, theme, content and Markdown: every stage that can fail on what the
    /// teacher wrote, before anything is written.
    pub fn prepare(
        &self,
        root: &Path,
        options: &BuildOptions,
        stages: &mut Stages,
    ) -> Result<Prepared> {
        let mut config = Config::load(root)?;
        // Responses link to the published address, not a preview's --base-url.
        let published_base = config.base.clone();
        if let Some(url) = &options.base_url {
            config.override_base_url(url)?;
        }
        let output = options
            .output
            .clone()
            .unwrap_or_else(|| root.join("public"));
        let theme = ThemeFiles::load(root, config.site.theme.as_deref())?;
        let (renderer, templates) = self.renderer(&theme, &config)?;
        stages.lap("config and theme");

        let site = Site::load(config, &options.load, &self.highlighter, &self.memo.content)?;
        refuse_statics_under_pages(&site, &theme)?;
        stages.lap("content and Markdown");

        let stored = crate::responses::store::load_all(root)?;
        let bases = [&published_base];
        let posts = Arc::new(PostUrls::new(&site, &bases));
        let mut builder = crate::responses::Index::builder(&site, posts, &stored)?;
        // The network comes from the committed cache only: a build never goes online.
        let mut network = match crate::network::for_build(&site.config, |blog, cache| {
            builder.found_in(blog, cache)
        })? {
            Some((network, found)) => {
                found.into_iter().for_each(|f| builder.add(f));
                Some(network)
            }
            None => None,
        };
        let mut index = builder.finish();
        if let Some(n) = network.as_mut() {
            index.mark_river(&mut n.page, &site);
        }
        let responses = index.shown();
        // A response whose target is no post or page would vanish without a word
        // (a mistyped address is the usual reason), and a reply without its parent
        // would move.
        // What loading the content worked around (a date read from a file's name) first.
        let warnings = site
            .warnings
            .iter()
            .cloned()
            .chain(index.warnings.iter().map(|w| w.shown(root)))
            .collect();
        stages.lap("network and responses");
        Ok(Prepared {
            site,
            theme,
            renderer,
            templates,
            output,
            network,
            responses,
            warnings,
        })
    }

    /// The compiled templates, reused while their sources and the base path stay as
    /// they were, and the hash of those.
    fn renderer(&self, theme: &ThemeFiles, config: &Config) -> Result<(Arc<Renderer>, u64)> {
        // The origin too: it is what a template error names.
        let sources: Vec<(&String, &String, String)> = theme
            .templates
            .iter()
            .map(|(name, (text, origin))| (name, text, origin.describe(name)))
            .collect();
        let key = crate::content::cache::key(&[&sources, &config.base.path()]);
        let renderer = (self.memo).renderer(key, || Renderer::new(theme, &config.base))?;
        Ok((renderer, key))
    }

    /// Every output file of a prepared site, into `sink`.
    pub fn write(
        &self,
        prepared: &Prepared,
        sink: &dyn Sink,
        mode: Mode,
        stages: &mut Stages,
    ) -> Result<Written> {
        let Prepared {
            site,
            theme,
            renderer,
            templates,
            network,
            responses,
            ..
        } = prepared;
        let statics: Vec<_> = theme.statics.iter().collect();
        statics
            .par_iter()
            .try_for_each(|(path, origin)| sink.copy(origin, path))?;
        let assets = site
            .posts
            .iter()
            .flat_map(|p| &p.assets)
            .chain(site.pages.iter().flat_map(|p| &p.assets));
        let assets: Vec<_> = assets.collect();
        assets
            .par_iter()
            .try_for_each(|(src, dest)| sink.copy(&Origin::File(src.clone()), dest))?;
        for (src, dest) in &responses.files {
            sink.copy(&Origin::File(src.clone()), dest)?;
        }
        stages.lap("static files");

        let mut extras = Extras {
            responses: responses.clone(),
            network: None,
        };
        if let Some(n) = network {
            extras.network = Some(n.page.clone());
            sink.write("blogroll.opml", n.opml.as_bytes())?;
        }
        let (files, rendered, pages) = match mode {
            Mode::All => {
                let n = pages::render_all(site, renderer, &extras, sink)?;
                (n, n, None)
            }
            Mode::Changed => {
                let previous = self.memo.pages();
                let changed =
                    pages::render_changed(site, renderer, &extras, sink, previous, *templates)?;
                let n = changed.fingerprints.len();
                (n, changed.rendered, Some(changed.fingerprints))
            }
        };
        stages.lap("pages");

        let (files, pages) = match pages {
            Some(pages) => {
                let mut memo = self.memo.feeds.clone();
                let n = feeds::write_changed(site, sink, &mut memo)?;
                (files + n, Some((pages, memo)))
            }
            None => (files + feeds::write_all(site, sink)?, None),
        };
        sink.write("syntax.css", highlight::stylesheet().as_bytes())?;
        sink.write(".nojekyll", b"")?;
        if let Some(domain) = site.config.base.custom_domain() {
            sink.write("CNAME", format!("{domain}\n").as_bytes())?;
        }
        stages.lap("feeds");
        Ok(Written {
            files: files + statics.len() + assets.len() + 2 + usize::from(network.is_some()),
            rendered,
            pages,
        })
    }
}

/// A missing image or link target does not stop a build (the rest of the site is
/// fine to publish), but the teacher hears of it, at the line they typed it.
pub fn missing_targets(site: &Site, written: &Path) -> Vec<String> {
    crate::check::targets::missing_in_content(site, written)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A file in `static/` (or a theme's) at the address where a post, a page or one of
/// their old addresses is written would be replaced without a word; the teacher made
/// both, so say which two.
fn refuse_statics_under_pages(site: &Site, theme: &ThemeFiles) -> Result<()> {
    let written = |path: &str| {
        if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        }
    };
    let mut pages: crate::content::cache::FastMap<String, &Path> = Default::default();
    for p in &site.posts {
        for path in std::iter::once(&p.path).chain(&p.aliases) {
            pages.insert(written(path), &p.source);
        }
    }
    for p in &site.pages {
        for path in std::iter::once(&p.path).chain(&p.aliases) {
            pages.insert(written(path), &p.source);
        }
    }
    let errors = theme
        .statics
        .iter()
        .filter_map(|(path, origin)| match origin {
            Origin::File(file) => pages.get(path).map(|page| (file, page)),
            Origin::BuiltIn(_) => None,
        })
        .map(|(file, page)| {
            Error::input(
                Location::file(file),
                format!(
                    "is where the page of {} is written",
                    crate::error::shown(page)
                ),
            )
            .with_hint("move or rename the static file, or give the post another slug")
        })
        .collect();
    match Error::from_many(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
