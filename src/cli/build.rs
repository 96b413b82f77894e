use std::path::PathBuf;

use clap::Args;

use super::annotate::{self, Level};
use super::{Global, Output};
use crate::build::{BuildOptions, Builder};
use crate::site::LoadOptions;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Include posts marked draft
    #[arg(long)]
    pub drafts: bool,
    /// Include posts dated in the future
    #[arg(long)]
    pub future: bool,
    /// Use this address instead of base_url from site.toml (for previews)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Write the site here instead of public/
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Fetch the network's feeds first (otherwise the build uses data/network/ as is)
    #[arg(long)]
    pub fetch: bool,
}

pub fn run(global: &Global, args: BuildArgs, o: &mut Output) -> anyhow::Result<()> {
    if args.fetch {
        let config = crate::config::Config::load(&global.root)?;
        super::network::fetch(&config, o)?;
    }
    // The folder the teacher asked for, as they wrote it, so the note names it.
    let folder = args
        .output
        .as_ref()
        .map_or_else(|| "public/".to_string(), |p| p.display().to_string());
    let options = BuildOptions {
        load: LoadOptions {
            drafts: args.drafts,
            future: args.future,
            preview: false,
        },
        base_url: args.base_url,
        output: args.output,
    };
    let builder = Builder::default();
    let report = builder
        .build(&global.root, &options)
        .map_err(|error| Noted {
            error,
            note: format!("the build stopped; {folder} was left as it was"),
        })?;
    for w in &report.warnings {
        writeln!(o.err, "warning: {w}")?;
        if let (Some(a), Some((file, line, col, message))) =
            (&o.annotate, annotate::split_located(w))
        {
            a.print(o.out, Level::Warning, file, line, col, message)?;
        }
    }
    if !o.quiet {
        writeln!(
            o.out,
            "Built {} and {} into {} ({}).",
            super::count(report.posts, "post"),
            super::count(report.pages, "page"),
            crate::error::shown(&report.output),
            super::count(report.files, "file")
        )?;
        if let Some(left) = report.left_out(&global.root) {
            // A new post is a draft: say where it went, and how to see it.
            writeln!(o.out, "Left out {left}")?;
        }
        let site = &report.site;
        let not_built = crate::content::skipped::summary(
            &site.not_built,
            &global.root,
            &site.config.site.language,
            o.verbose,
        );
        for line in not_built {
            writeln!(o.out, "{line}")?;
        }
    }
    if o.verbose {
        super::print_stages(o.out, &report.stages)?;
    }
    // The process ends when this returns: freeing every post's text and the caches
    // one allocation at a time is work on one thread that grows with the site (a
    // tenth of a second at 10,000 posts), and the system takes the memory back at
    // once anyway. Nothing in them has a Drop with an effect outside the process.
    #[allow(clippy::mem_forget)]
    {
        std::mem::forget(report);
        std::mem::forget(builder);
    }
    Ok(())
}

/// The library's message (file, line, what is wrong) with a note of ours after it,
/// the error kept whole for the GitHub annotations.
#[derive(Debug, thiserror::Error)]
#[error("{error}\n{note}")]
pub struct Noted {
    pub error: crate::error::Error,
    pub note: String,
}
