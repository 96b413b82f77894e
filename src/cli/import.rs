//! `staffroom import SOURCE`: move an old blog into this site.

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
}

pub fn run(global: &Global, args: ImportArgs, o: &mut Output) -> anyhow::Result<()> {
    let options = Options {
        dry_run: args.dry_run,
    };
    let report = import::run(&global.root, &args.source, &options, o.err)
        .with_context(|| format!("could not import {}", crate::error::shown(&args.source)))?;
    if !o.quiet || !report.problems.is_empty() {
        report.print(o.out)?;
    }
    Ok(())
}
