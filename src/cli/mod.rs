//! The command line: parse arguments, call the library, print what happened.
//! Commands write to the writers they are given, so tests can capture the output.

mod annotate;
mod build;
mod check;
mod import;
mod init;
mod network;
mod new;
mod progress;
mod serve;
mod webmention;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

// The commands say `super::count`; it lives in `words` so the library can use it too.
use crate::words::count;

/// staffroom builds your teaching blog from Markdown files, and keeps your network
/// of blogs you follow on it.
#[derive(Debug, Parser)]
// bin_name: the Usage lines name the command a teacher types, `staffroom`, rather
// than the program file, which on Windows is `staffroom.exe`.
#[command(
    name = "staffroom",
    bin_name = "staffroom",
    version,
    about,
    after_help = "Start with `staffroom serve` inside your site folder, then open the address it prints."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// The site folder (the one with site.toml)
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Only print errors
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail, such as how long each step took
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/
    Build(build::BuildArgs),
    /// Check links, anchors and images in the built site; exit 1 on problems
    Check(check::CheckArgs),
    /// Move an old blog in: a WordPress or Blogger export, or a Jekyll or Hugo folder
    Import(import::ImportArgs),
    /// Create a new site: example content, settings, and a GitHub Pages workflow
    Init(init::InitArgs),
    /// Start a new post or page from a title
    New(new::NewArgs),
    /// Follow other blogs: add, remove, fetch, status, import, export
    Network(network::NetworkArgs),
    /// Preview the site: build, serve it on this computer, rebuild and reload on save
    Serve(serve::ServeArgs),
    /// Tell linked sites about your posts, or import responses (W3C Webmention)
    Webmention(webmention::WebmentionArgs),
}

/// Where a command prints: `out` for results, `err` for problems and progress.
pub struct Output<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub quiet: bool,
    pub verbose: bool,
    /// Problems with a file are also printed as GitHub Actions annotations.
    pub annotate: Option<annotate::Annotator>,
}

/// Run staffroom with these arguments; returns the process exit code.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(err, "{text}")
            } else {
                write!(out, "{text}")
            };
            return code;
        }
    };
    // Only the commands a workflow runs to test a site; `serve` and the rest
    // print for a person at a terminal.
    let annotated = matches!(cli.command, Command::Build(_) | Command::Check(_));
    let github = annotated && std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
    let mut o = Output {
        out,
        err,
        quiet: cli.global.quiet,
        verbose: cli.global.verbose,
        annotate: annotate::Annotator::new(github, &cli.global.root),
    };
    let result = match cli.command {
        Command::Build(args) => build::run(&cli.global, args, &mut o),
        Command::Check(args) => check::run(&cli.global, args, &mut o),
        Command::Import(args) => import::run(&cli.global, args, &mut o),
        Command::Init(args) => init::run(&cli.global, args, &mut o),
        Command::New(args) => new::run(&cli.global, args, &mut o),
        Command::Network(args) => network::run(&cli.global, args, &mut o),
        Command::Serve(args) => serve::run(&cli.global, args, &mut o),
        Command::Webmention(args) => webmention::run(&cli.global, args, &mut o),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(o.err, "error: {}", format_error(&e));
            if let Some(a) = &o.annotate {
                let _ = a.error(o.out, &e);
            }
            1
        }
    }
}

/// How long each build stage took, for `--verbose`.
pub fn print_stages(
    out: &mut dyn Write,
    stages: &[(&'static str, std::time::Duration)],
) -> std::io::Result<()> {
    for (stage, took) in stages {
        writeln!(out, "  {stage:<22} {:>8.1} ms", took.as_secs_f64() * 1000.0)?;
    }
    Ok(())
}

fn format_error(e: &anyhow::Error) -> String {
    // Library errors already name the file and line; context added at this edge
    // goes in front of them.
    // An I/O error's text already ends with its cause ("x.xml: No such file"), which
    // the chain would name again on a line of its own.
    let mut parts: Vec<String> = Vec::new();
    for part in e.chain().map(|c| c.to_string()) {
        if !parts.last().is_some_and(|p| p.ends_with(&part)) {
            parts.push(part);
        }
    }
    parts.join("\n  ")
}

/// For `main`: real arguments and terminals.
pub fn main() -> i32 {
    std::panic::set_hook(Box::new(|info| {
        if crate::error::panic_is_contained() {
            return;
        }
        eprintln!(
            "error: staffroom hit a bug and stopped ({info}).\n  Your files were not changed. Please report it with the command you ran."
        );
    }));
    // Unlocked handles: holding the stderr lock for the whole run would deadlock
    // any other thread that prints (the panic hook above, for one).
    run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
}
