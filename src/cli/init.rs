use std::path::PathBuf;

use clap::Args;

use super::{Global, Output};
use crate::init;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder for the new site (created if missing)
    pub dir: PathBuf,
    /// Add the starter files to a folder that already has files (nothing is overwritten)
    #[arg(long)]
    pub force: bool,
    /// Shadows the global `--root`, hidden: the site's folder is DIR, and help that
    /// showed both left teachers asking which to give.
    #[arg(long, hide = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

pub fn run(_global: &Global, args: InitArgs, o: &mut Output) -> anyhow::Result<()> {
    // The global default (`.`) reaches this copy too: only a folder the teacher named
    // that is not DIR is a mistake worth stopping for.
    if let Some(root) = &args.root
        && *root != args.dir
        && root.as_os_str() != "."
    {
        anyhow::bail!(
            "init makes the new site in {} and does not use --root {}\n  hint: give just the folder: staffroom init {}",
            crate::error::shown(&args.dir),
            crate::error::shown(root),
            crate::error::shown(&args.dir)
        );
    }
    let today = chrono::Local::now().date_naive();
    let written = init::create_site(&args.dir, args.force, today)?;
    if o.quiet {
        return Ok(());
    }
    if o.verbose {
        for p in &written {
            writeln!(o.out, "  created {}", crate::error::shown(p))?;
        }
    }
    let dir = crate::error::shown(&args.dir);
    writeln!(o.out, "Your new blog is in {dir}. Next:")?;
    writeln!(o.out, "  1. Preview it:   cd {dir} && staffroom serve")?;
    writeln!(
        o.out,
        "  2. Make it yours: edit site.toml (title, base_url, your name), then write with"
    )?;
    writeln!(
        o.out,
        "                   staffroom new post \"My first lesson\""
    )?;
    // Pages first: a push before it makes the first publish fail (with this advice).
    writeln!(
        o.out,
        "  3. Publish it:   make a repository on GitHub, choose its"
    )?;
    writeln!(
        o.out,
        "                   Settings -> Pages -> Source: GitHub Actions, then push this folder to it"
    )?;
    Ok(())
}
