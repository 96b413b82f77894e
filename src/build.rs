//! The build, stage by stage: config → content → site → render → feeds → output.
//! Each stage's time is kept so `--verbose` can show where a build spends it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::highlight::{self, Highlighter};
use crate::error::Result;
use crate::output::Staging;
use crate::render::pages::{Extras, Sink};
use crate::render::theme::ThemeFiles;
use crate::render::{Renderer, pages};
use crate::site::{LoadOptions, Site};

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
}

/// Things a build needs that are worth keeping between builds (`serve` rebuilds).
#[derive(Default)]
pub struct Builder {
    pub highlighter: Highlighter,
}

impl Builder {
    pub fn build(&self, root: &Path, options: &BuildOptions) -> Result<BuildReport> {
        let mut stages = Vec::new();
        let mut timer = Instant::now();
        let mut lap = |name: &'static str, stages: &mut Vec<(&'static str, Duration)>| {
            stages.push((name, timer.elapsed()));
            timer = Instant::now();
        };

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
        // The network comes from the committed cache only: a build never goes online.
        let network = crate::network::for_build(&config)?;
        let theme = ThemeFiles::load(root, config.site.theme.as_deref())?;
        let renderer = Renderer::new(&theme, &config.base)?;
        lap("config and theme", &mut stages);

        let site = Site::load(config, &options.load, &self.highlighter)?;
        lap("content and Markdown", &mut stages);

        let staging = Staging::new(&output)?;
        let statics: Vec<_> = theme.statics.iter().collect();
        statics
            .par_iter()
            .try_for_each(|(path, origin)| staging.copy(origin, path))?;
        let assets = site
            .posts
            .iter()
            .flat_map(|p| &p.assets)
            .chain(site.pages.iter().flat_map(|p| &p.assets));
        let assets: Vec<_> = assets.collect();
        assets.par_iter().try_for_each(|(src, dest)| {
            staging.copy(&crate::render::theme::Origin::File(src.clone()), dest)
        })?;
        lap("static files", &mut stages);

        let stored = crate::responses::store::load_all(root)?;
        let responses = crate::responses::Index::build(
            &site,
            &[&published_base],
            network.as_ref().map(|n| (&n.blogroll, n.caches.as_slice())),
            &stored,
        );
        let mut extras = Extras {
            responses: responses.values(),
            network: None,
        };
        if let Some(n) = &network {
            let mut page = n.page.clone();
            responses.mark_river(&mut page, &site);
            extras.network = Some(page);
            staging.write("blogroll.opml", n.opml.as_bytes())?;
        }
        lap("responses", &mut stages);
        let mut files = pages::render_all(&site, &renderer, &extras, &staging)?;
        lap("pages", &mut stages);

        files += crate::feeds::write_all(&site, &staging)?;
        staging.write("syntax.css", highlight::stylesheet().as_bytes())?;
        staging.write(".nojekyll", b"")?;
        if let Some(domain) = site.config.base.custom_domain() {
            staging.write("CNAME", format!("{domain}\n").as_bytes())?;
        }
        lap("feeds", &mut stages);

        staging.commit(&output)?;
        lap("swap in", &mut stages);

        Ok(BuildReport {
            output,
            posts: site.posts.len(),
            pages: site.pages.len(),
            files: files + statics.len() + assets.len() + 2 + usize::from(network.is_some()),
            stages,
            site,
        })
    }
}
