use clap::{Args, ValueEnum};

use super::{Global, Output};
use crate::init::{self, NewKind};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum What {
    /// A blog post in content/posts/
    Post,
    /// A standalone page in content/pages/
    Page,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to create
    #[arg(value_enum)]
    pub what: What,
    /// Its title, in quotes: "Floating and sinking"
    pub title: String,
}

pub fn run(global: &Global, args: NewArgs, o: &mut Output) -> anyhow::Result<()> {
    let kind = match args.what {
        What::Post => NewKind::Post,
        What::Page => NewKind::Page,
    };
    let today = chrono::Local::now().date_naive();
    let path = init::new_content(&global.root, kind, &args.title, today)?;
    if !o.quiet {
        writeln!(
            o.out,
            "Created {} (a draft until you remove `draft: true`).",
            crate::error::shown(&path)
        )?;
    }
    Ok(())
}
