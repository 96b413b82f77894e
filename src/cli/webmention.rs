//! `staffroom webmention ...`: tell linked sites about your posts, and bring in the
//! responses a Webmention service collected for you.

use std::path::Path;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::{Global, Output, progress};
use crate::config::Config;
use crate::content::highlight::Highlighter;
use crate::network::fetch::{Client, HttpOptions, Outcome, Validators};
use crate::responses::jf2;
use crate::site::{LoadOptions, Site};
use crate::webmention::ledger::Status;
use crate::webmention::send::{self, Options};

#[derive(Debug, Args)]
pub struct WebmentionArgs {
    #[command(subcommand)]
    pub command: WebmentionCommand,
}

#[derive(Debug, Subcommand)]
pub enum WebmentionCommand {
    /// Tell the pages your posts link to about them (W3C Webmention)
    Send {
        /// Find where each page takes Webmentions, but send nothing and record nothing
        #[arg(long)]
        dry_run: bool,
        /// Also send to sites whose Webmention endpoint (the address that receives them) is on
        /// this computer or a private network
        #[arg(long)]
        allow_private: bool,
    },
    /// Bring responses (replies, likes, mentions) from a Webmention service's export into
    /// data/responses/: the JF2 file (JSON) that webmention.io gives you
    Import {
        /// The export: a .jf2/.json file, or its https:// address
        source: String,
    },
}

pub fn run(global: &Global, args: WebmentionArgs, o: &mut Output) -> anyhow::Result<()> {
    let config = Config::load(&global.root)?;
    let root = config.root.clone();
    let http = HttpOptions::from_config(&config.site.network);
    let site = Site::load(
        config,
        &LoadOptions::default(),
        &Highlighter::default(),
        &crate::content::cache::Cache::default(),
    )?;
    match args.command {
        WebmentionCommand::Send {
            dry_run,
            allow_private,
        } => {
            let options = Options {
                dry_run,
                allow_private,
            };
            send_all(&root, &site, options, o)
        }
        WebmentionCommand::Import { source } => import(&root, &site, http, &source, o),
    }
}

fn send_all(root: &Path, site: &Site, options: Options, o: &mut Output) -> anyhow::Result<()> {
    let bar = progress::bar(o, "links");
    let report = send::send(
        root,
        site,
        options,
        &mut progress::waiting(o),
        &mut progress::advance(&bar),
    )?;
    bar.finish_and_clear();
    for r in report.rows.iter().filter(|r| r.status == Status::Skipped) {
        writeln!(
            o.err,
            "note: skipped {} for {}: {}",
            r.endpoint, r.target, r.note
        )?;
    }
    if !o.quiet {
        write!(o.out, "{}", report.table())?;
    }
    Ok(())
}

/// Brings in a Webmention service's export, from a file or its address.
fn import(
    root: &Path,
    site: &Site,
    http: HttpOptions,
    source: &str,
    o: &mut Output,
) -> anyhow::Result<()> {
    let bytes = if source.starts_with("https://") || source.starts_with("http://") {
        let fetched = Client::new(http).get(source, &Validators::default());
        match fetched.outcome {
            Outcome::Body { bytes, .. } => bytes,
            Outcome::Failed { error, .. } => anyhow::bail!(
                "{source}: {error}\n  hint: check the address (and its token) in a browser"
            ),
            _ => anyhow::bail!("{source}: the server sent no export"),
        }
    } else {
        std::fs::read(source).with_context(|| format!("{source}: cannot read this file"))?
    };
    let (found, unusable) = jf2::parse(source, &bytes)?;
    let report = jf2::import(root, site, found)?;
    if !o.quiet {
        writeln!(
            o.out,
            "Imported {} into {}/ ({} already there, {} for other pages (lists, the home page), {} private or without an address).",
            crate::words::count(report.added.len(), "response"),
            crate::responses::store::RESPONSES_DIR,
            report.already_there,
            report.not_posts,
            report.skipped + unusable,
        )?;
    }
    if o.verbose {
        for p in &report.added {
            writeln!(o.out, "  {}", crate::error::shown(p))?;
        }
    }
    Ok(())
}
