//! `staffroom import SOURCE`: move an old blog into this site.

use std::io::IsTerminal;

use anyhow::Context;
use clap::Args;

use super::{Global, Output};
use crate::import::{self, Options};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A WordPress export (.xml), a Blogger export (.xml / .atom), or a Jekyll or Hugo
    /// site's folder
    pub source: std::path::PathBuf,
    /// Read and convert everything and say what would be written, but write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Download the old blog's images from this address instead of the one in the
    /// export (a copy of the old site, or the old site at its new address)
    #[arg(long, value_name = "URL")]
    pub download_from: Option<String>,
}

pub fn run(global: &Global, args: ImportArgs, o: &mut Output) -> anyhow::Result<()> {
    let download_from = match args.download_from.as_deref().map(str::trim) {
        None => None,
        Some(given) => Some(
            url::Url::parse(given)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--download-from `{given}` is not a web address; write it like \
                         https://old-blog.example.org/"
                    )
                })?,
        ),
    };
    let options = Options {
        dry_run: args.dry_run,
        download_from,
    };
    let show_bar = !o.quiet && std::io::stderr().is_terminal();
    let bar = indicatif::ProgressBar::hidden();
    if show_bar {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} images")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    }
    let result = import::run(&global.root, &args.source, &options, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let report = result
        .with_context(|| format!("could not import {}", crate::error::shown(&args.source)))?;
    if !o.quiet || !report.problems.is_empty() {
        report.print(o.out)?;
    }
    Ok(())
}
