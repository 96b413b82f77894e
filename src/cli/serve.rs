use std::net::IpAddr;
use std::sync::mpsc;

use clap::Args;

use super::{Global, Output};
use crate::serve::live::Report;
use crate::serve::watch::Batch;
use crate::serve::{self, DEFAULT_PORT, Event, ServeOptions};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on [default: 1111, or the next free one]; 0 picks any free port
    #[arg(long, short, value_name = "N")]
    pub port: Option<u16>,
    /// Address to listen on; anything but 127.0.0.1 or ::1 lets other computers see the preview
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: IpAddr,
    /// Show only what `build` publishes: no drafts, no posts dated in the future
    /// (by default the preview shows them, marked)
    #[arg(long)]
    pub no_drafts: bool,
    /// Drafts are shown by default; kept so older instructions still work
    #[arg(long, hide = true, conflicts_with = "no_drafts")]
    pub drafts: bool,
    /// Open the preview in your web browser
    #[arg(long)]
    pub open: bool,
    /// Notice changes by checking files twice a second, for shared or network folders
    /// where saving a file does not trigger a rebuild
    #[arg(long)]
    pub poll: bool,
}

pub fn run(global: &Global, args: ServeArgs, o: &mut Output) -> anyhow::Result<()> {
    let options = ServeOptions {
        root: global.root.clone(),
        bind: args.bind,
        port: args.port.unwrap_or(DEFAULT_PORT),
        port_given: args.port.is_some(),
        drafts: !args.no_drafts,
        force_poll: args.poll,
    };
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    // Only fails when a handler is already set (serve run twice in one process, as
    // in tests); Ctrl-C then simply ends the process, which is also clean enough.
    let _ = ctrlc::set_handler(move || {
        let _ = stop.send(Event::Stop);
    });
    let server = serve::start(&options, tx)?;

    tell_start(o, &args, &server)?;
    // Warnings are printed when they change, not again after every save.
    let mut last_warnings = Vec::new();
    if let Ok(report) = &server.first {
        last_warnings.clone_from(&report.warnings);
    }
    for event in rx {
        match event {
            Event::Stop => break,
            Event::Rebuilt {
                batch,
                report,
                moved_to,
            } => {
                if report.warnings != last_warnings {
                    warn(o, &report)?;
                    last_warnings.clone_from(&report.warnings);
                }
                tell_rebuilt(o, &batch, &report, moved_to)?;
            }
            Event::Failed { batch, error } => tell_failed(o, &batch, &error)?,
        }
        o.out.flush()?;
        o.err.flush()?;
    }
    server.stop();
    if !o.quiet {
        writeln!(o.out, "Stopped.")?;
    }
    Ok(())
}

/// Everything said before the first change: who can see the preview, the port, the
/// first build's outcome and the address.
fn tell_start(o: &mut Output, args: &ServeArgs, server: &serve::Server) -> anyhow::Result<()> {
    if !args.bind.is_loopback() {
        let drafts = if args.no_drafts {
            ""
        } else {
            ", drafts included"
        };
        writeln!(
            o.err,
            "warning: listening on {}, so other computers on your network can see this preview{drafts}.",
            args.bind
        )?;
    }
    if let Some(busy) = server.moved_from {
        writeln!(
            o.err,
            "Port {busy} is in use (another preview?), so this one uses the next free port."
        )?;
    }
    match &server.first {
        Ok(report) => {
            warn(o, report)?;
            if !o.quiet {
                tell_first(o, report)?;
            }
        }
        Err(e) => {
            writeln!(o.err, "error: {e}")?;
            writeln!(
                o.err,
                "  The browser shows this error too; fix the file and save, and the preview follows."
            )?;
        }
    }
    if server.polling && !o.quiet {
        writeln!(o.out, "Watching for changes by checking files regularly.")?;
    }
    writeln!(o.out, "Serving at {}  (press Ctrl-C to stop)", server.url)?;
    o.out.flush()?;
    if args.open
        && let Err(e) = open::that_detached(&server.url)
    {
        writeln!(
            o.err,
            "warning: could not open a browser ({e}); open {} yourself.",
            server.url
        )?;
    }
    Ok(())
}

/// The first build's size and time, and what the preview shows that `build` leaves out.
fn tell_first(o: &mut Output, report: &Report) -> std::io::Result<()> {
    writeln!(
        o.out,
        "Built {} in {} ms.",
        super::count(report.pages_total, "page"),
        report.took.as_millis()
    )?;
    if report.unpublished == 0 {
        return Ok(());
    }
    let (what, its, it) = match report.unpublished {
        1 => (
            "1 draft or post dated in the future".to_string(),
            "its page",
            "it",
        ),
        n => (
            format!("{n} drafts and posts dated in the future"),
            "their pages",
            "them",
        ),
    };
    writeln!(
        o.out,
        "The preview also shows {what}, marked on {its}; `build` leaves {it} out (serve --no-drafts previews only what build publishes)."
    )
}

fn tell_rebuilt(
    o: &mut Output,
    batch: &Batch,
    report: &Report,
    moved_to: Option<String>,
) -> std::io::Result<()> {
    if !o.quiet {
        writeln!(o.out, "{}", describe(batch, report))?;
    }
    if let Some(url) = moved_to {
        // Printed even with --quiet: the old address is no longer the site.
        writeln!(
            o.out,
            "base_url changed, so the preview moved: serving at {url}  (open pages follow; the old address redirects there)"
        )?;
    }
    if o.verbose {
        super::print_stages(o.out, &report.stages)?;
    }
    Ok(())
}

fn tell_failed(o: &mut Output, batch: &Batch, error: &str) -> std::io::Result<()> {
    writeln!(
        o.err,
        "{} changed, and the site could not be rebuilt:",
        names(batch)
    )?;
    writeln!(o.err, "error: {error}")?;
    writeln!(
        o.err,
        "  The preview keeps the last good version and shows this error; fix the file and save."
    )
}

fn warn(o: &mut Output, report: &Report) -> std::io::Result<()> {
    for w in &report.warnings {
        writeln!(o.err, "warning: {w}")?;
    }
    Ok(())
}

fn names(batch: &Batch) -> String {
    let mut names: Vec<String> = batch
        .paths
        .iter()
        .take(3)
        .map(|p| crate::error::shown(p))
        .collect();
    if batch.paths.len() > 3 {
        names.push(format!("{} more", batch.paths.len() - 3));
    }
    names.join(", ")
}

fn describe(batch: &Batch, report: &Report) -> String {
    let ms = report.took.as_millis();
    let what = names(batch);
    if report.changed.is_empty() {
        return format!("{what} changed; the site is the same ({ms} ms).");
    }
    format!(
        "{what} changed: {} of {} rendered, {} updated in {ms} ms.",
        report.rendered,
        super::count(report.pages_total, "page"),
        super::count(report.changed.len(), "file")
    )
}
