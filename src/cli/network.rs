//! `staffroom network ...`: follow blogs, fetch their feeds, see how they are doing.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::progress::{self, waiting};
use super::{Global, Output};
use crate::config::Config;
use crate::network::blogroll::{Blog, Blogroll, Editor, free_name};
use crate::network::fetch::{Client, HttpOptions};
use crate::network::{cache, discover, health, opml, refresh};

#[derive(Debug, Args)]
pub struct NetworkArgs {
    #[command(subcommand)]
    pub command: NetworkCommand,
}

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Follow a blog: give its web address (its feed is found for you) or its feed address
    Add {
        /// The blog's web address or feed address
        url: String,
        /// The name to show (default: the feed's title)
        #[arg(long)]
        name: Option<String>,
        /// A tag to group it under on the network page (repeat for more)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// A note about it, shown on the network page
        #[arg(long)]
        note: Option<String>,
    },
    /// Stop following a blog; its fetched posts stay in data/network/ until you delete them
    Remove {
        /// The blog's name as network.toml gives it (in quotes if it has spaces), or its
        /// feed or web address
        #[arg(value_name = "NAME|URL")]
        blog: String,
    },
    /// Fetch every feed into data/network/ and print how each blog is doing
    Fetch,
    /// Print how each blog is doing, from data/network/ (no network access)
    Status,
    /// Follow the blogs in an OPML file: the list of subscriptions a feed reader exports
    Import {
        /// The .opml file
        file: PathBuf,
    },
    /// Write the blogroll as OPML, the file feed readers import (to the screen when no FILE
    /// is given)
    Export {
        /// Where to write it
        file: Option<PathBuf>,
    },
    /// For git, as a merge driver: merge two versions of a data/network/ cache
    #[command(hide = true)]
    Merge {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
        /// The file's path in the repository, for messages
        name: Option<String>,
    },
}

pub fn run(global: &Global, args: NetworkArgs, o: &mut Output) -> anyhow::Result<()> {
    // git runs the merge driver at the top of the repository, which need not be the site.
    if let NetworkCommand::Merge {
        base,
        ours,
        theirs,
        name,
    } = &args.command
    {
        let name = name.clone().unwrap_or_else(|| crate::error::shown(ours));
        crate::network::merge::merge_files(base, ours, theirs, &name)?;
        return Ok(());
    }
    let config = Config::load(&global.root)?;
    match args.command {
        NetworkCommand::Add {
            url,
            name,
            tags,
            note,
        } => add(&config, &url, name, tags, note, o),
        NetworkCommand::Remove { blog } => remove(&config, &blog, o),
        NetworkCommand::Fetch => fetch(&config, o),
        NetworkCommand::Status => status(&config, o),
        NetworkCommand::Import { file } => import(&config, &file, o),
        NetworkCommand::Export { file } => export(&config, file, o),
        // Run above, before any site is looked for.
        NetworkCommand::Merge { .. } => Ok(()),
    }
}

fn add(
    config: &Config,
    url: &str,
    name: Option<String>,
    tags: Vec<String>,
    note: Option<String>,
    o: &mut Output,
) -> anyhow::Result<()> {
    let root = &config.root;
    // A first look, to refuse a blog already followed before going online.
    already(&Blogroll::load(root)?, url)?;
    if !o.quiet {
        writeln!(o.err, "Looking for the feed of {url} ...")?;
    }
    let client = Client::new(HttpOptions::from_config(&config.site.network));
    let found = discover::discover(&client, url).map_err(|e| {
        anyhow::anyhow!("{e}\n  hint: check the address in a browser; if the blog has a feed, give the feed's address instead")
    })?;
    // Another command may have changed network.toml while this one was online: the
    // blog is checked against, and added to, what the file says under the lock.
    let mut editor = Editor::open(root, &mut waiting(o))?;
    let current = editor.blogroll();
    already(current, url)?;
    already(current, &found.feed)?;
    let wanted = name
        .or_else(|| (!found.title.is_empty()).then(|| found.title.clone()))
        .unwrap_or_else(|| {
            url::Url::parse(&found.feed)
                .ok()
                .and_then(|u| u.host_str().map(String::from))
                .unwrap_or_else(|| found.feed.clone())
        });
    let blog = Blog {
        name: free_name(&current.slugs(), &wanted, &found.feed),
        site: found.site,
        feed: found.feed,
        tags,
        note: note.unwrap_or_default(),
        line: 0,
    };
    editor.add(&blog);
    editor.save()?;
    drop(editor);
    if !o.quiet {
        writeln!(
            o.out,
            "Added {} ({}) to network.toml. Run `staffroom network fetch` to collect its posts.",
            blog.name, blog.feed
        )?;
    }
    Ok(())
}

fn remove(config: &Config, what: &str, o: &mut Output) -> anyhow::Result<()> {
    let root = &config.root;
    // Found and removed under the lock, so an `add` or a moved feed written meanwhile
    // is neither lost nor mistaken for the blog meant.
    let mut editor = Editor::open(root, &mut waiting(o))?;
    let blog = editor.blogroll().find(what)?.clone();
    editor.remove(&blog.feed);
    editor.save()?;
    drop(editor);
    if o.quiet {
        return Ok(());
    }
    writeln!(
        o.out,
        "Removed {} ({}) from network.toml.",
        blog.name, blog.feed
    )?;
    let cache = cache::path_for(root, &blog);
    if cache.exists() {
        let shown = cache.strip_prefix(root).unwrap_or(&cache);
        writeln!(
            o.out,
            "Its posts fetched so far stay in {}, which the site no longer shows; delete that file if you want them gone from your repository too.",
            crate::error::shown(shown)
        )?;
    }
    Ok(())
}

/// Refuse a feed `blogroll` already follows.
fn already(blogroll: &Blogroll, feed: &str) -> anyhow::Result<()> {
    match blogroll.find_feed(feed) {
        Some(b) => Err(anyhow::anyhow!(
            "{}:{}: you already follow {} ({})",
            crate::error::shown(&blogroll.path),
            b.line,
            b.name,
            b.feed
        )),
        None => Ok(()),
    }
}

/// `network fetch`, also used by `build --fetch`.
pub fn fetch(config: &Config, o: &mut Output) -> anyhow::Result<()> {
    let bar = progress::bar(o, "feeds");
    let report = refresh::refresh(
        &config.root,
        &config.site.network,
        &mut waiting(o),
        &mut progress::advance(&bar),
    )?;
    bar.finish_and_clear();
    if report.blogroll.blogs.is_empty() {
        if !o.quiet {
            writeln!(
                o.out,
                "network.toml lists no blogs yet. Follow one with `staffroom network add URL`."
            )?;
        }
        return Ok(());
    }
    for m in &report.moved {
        writeln!(
            o.err,
            "{} moved for good: network.toml now says feed = \"{}\" (was {})",
            m.name, m.to, m.from
        )?;
    }
    if !o.quiet {
        for note in &report.notes {
            writeln!(o.err, "{note}")?;
        }
    }
    if o.verbose {
        for line in &report.results {
            writeln!(o.out, "  {line}")?;
        }
    }
    if !o.quiet {
        write!(o.out, "{}", report.table())?;
    }
    Ok(())
}

fn status(config: &Config, o: &mut Output) -> anyhow::Result<()> {
    let blogroll = Blogroll::load(&config.root)?;
    if blogroll.blogs.is_empty() {
        writeln!(
            o.out,
            "network.toml lists no blogs yet. Follow one with `staffroom network add URL`."
        )?;
        return Ok(());
    }
    let now = chrono::Utc::now();
    let quiet = config.site.network.quiet_after_days;
    let observed = crate::network::state::FetchStates::load(&config.root);
    // One cache at a time: only each blog's health is kept.
    let rows = crate::error::Error::all(blogroll.blogs.iter().map(|b| {
        let mut c = cache::load(&config.root, b)?;
        observed.apply(b, &mut c);
        Ok((b, health::health(&c, quiet, now)))
    }))?;
    write!(o.out, "{}", health::table(&rows))?;
    Ok(())
}

fn import(config: &Config, file: &std::path::Path, o: &mut Output) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("{}: cannot read this file", crate::error::shown(file)))?;
    // Checked against what network.toml says under the lock, so an add running at the
    // same time is neither lost nor imported twice.
    let mut editor = Editor::open(&config.root, &mut waiting(o))?;
    let found = opml::import(file, &bytes, editor.blogroll())?;
    for blog in &found.new {
        editor.add(blog);
    }
    editor.save()?;
    drop(editor);
    if !o.quiet {
        writeln!(
            o.out,
            "Imported {} from {} ({} already followed, {} without a usable feed address).",
            super::count(found.new.len(), "blog"),
            crate::error::shown(file),
            found.already_followed,
            found.unusable
        )?;
    }
    Ok(())
}

fn export(config: &Config, file: Option<PathBuf>, o: &mut Output) -> anyhow::Result<()> {
    let blogroll = Blogroll::load(&config.root)?;
    let xml = opml::export(&blogroll, &config.site.title, &config.site.author.name)?;
    match file {
        Some(path) => {
            crate::output::write_atomically(&path, xml.as_bytes(), true)?;
            if !o.quiet {
                writeln!(
                    o.err,
                    "Wrote {} to {}.",
                    super::count(blogroll.blogs.len(), "blog"),
                    crate::error::shown(&path)
                )?;
            }
        }
        None => write!(o.out, "{xml}")?,
    }
    Ok(())
}
