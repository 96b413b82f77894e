use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::annotate::Level;
use super::{Global, Output};
use crate::build::{BuildOptions, Builder};
use crate::check::{self, Report, Severity, external};
use crate::site::{LoadOptions, Site};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also check links to other sites (uses the network; results are cached for a week)
    #[arg(long)]
    pub external: bool,
    /// Include drafts
    #[arg(long)]
    pub drafts: bool,
}

pub fn run(global: &Global, args: CheckArgs, o: &mut Output) -> anyhow::Result<()> {
    // Build into a folder of our own so public/ stays as `build` left it.
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let output = tmp.path().join("public");
    let options = BuildOptions {
        load: LoadOptions {
            drafts: args.drafts,
            future: false,
            preview: false,
        },
        base_url: None,
        output: Some(output.clone()),
    };
    let built = Builder::default().build(&global.root, &options)?;
    let mut outbound = Vec::new();
    let mut report = check::check_output(&built.site, &output, &mut outbound);
    response_warnings(&built.warnings, &mut report);
    if args.external {
        check_external(&global.root, &built.site, &outbound, &mut report, o)?;
    }

    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    print_report(&report, o)?;
    if !o.quiet {
        writeln!(
            o.out,
            "Checked {} and {}: {}, {}.",
            super::count(built.posts, "post"),
            super::count(built.pages, "page"),
            super::count(errors, "error"),
            super::count(warnings, "warning"),
        )?;
    }
    if errors > 0 {
        let need = if errors == 1 { "needs" } else { "need" };
        anyhow::bail!(
            "{} {need} fixing (listed above)",
            super::count(errors, "problem")
        );
    }
    Ok(())
}

/// The build's word about response files (a target that is no page, a reply whose
/// parent is missing) is not in the output for the page checks to find.
fn response_warnings(warnings: &[String], report: &mut Report) {
    for w in warnings {
        if let Some((file, line, _, message)) = super::annotate::split_located(w)
            && file.starts_with(crate::responses::store::RESPONSES_DIR)
        {
            match line {
                Some(line) => report.add_at(file, (line, 1), Severity::Warning, message),
                None => report.add(file, Severity::Warning, message),
            }
        }
    }
}

/// Asks the sites linked to whether the pages still exist (with a week's cache) and
/// adds the broken and unsure ones to `report`.
fn check_external(
    root: &Path,
    site: &Site,
    outbound: &[(String, String)],
    report: &mut Report,
    o: &mut Output,
) -> anyhow::Result<()> {
    let mut urls: Vec<String> = outbound
        .iter()
        .map(|(_, u)| u.split('#').next().unwrap_or(u).to_string())
        .collect();
    urls.sort();
    urls.dedup();
    if !o.quiet {
        writeln!(o.err, "Checking {} links to other sites…", urls.len())?;
    }
    let mut cache = external::load_cache(root);
    // The same limit as every other request to a site the teacher does not control.
    let timeout = Duration::from_secs(site.config.site.network.timeout_seconds.max(1));
    external::check_all(&urls, &mut cache, timeout);
    external::save_cache(root, &cache)?;
    for (file, url) in outbound {
        let key = url.split('#').next().unwrap_or(url);
        let Some(c) = cache.get(key) else { continue };
        match c.verdict() {
            external::Verdict::Ok => {}
            external::Verdict::Broken => report.add(
                file,
                Severity::Error,
                format!("link {url} is broken ({})", c.describe()),
            ),
            external::Verdict::Unsure => report.add(
                file,
                Severity::Warning,
                format!(
                    "link {url} could not be checked ({}); try again later",
                    c.describe()
                ),
            ),
        }
    }
    Ok(())
}

/// Each file's problems, errors only with --quiet, and the CI annotations.
fn print_report(report: &Report, o: &mut Output) -> std::io::Result<()> {
    for (file, problems) in &report.by_file {
        let shown: Vec<_> = problems
            .iter()
            .filter(|p| p.severity == Severity::Error || !o.quiet)
            .collect();
        if shown.is_empty() {
            continue;
        }
        writeln!(o.out, "{file}")?;
        for p in shown {
            let label = match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            match p.at {
                Some((line, column)) => writeln!(
                    o.out,
                    "  {label}: line {line}, column {column}: {}",
                    p.message
                )?,
                None => writeln!(o.out, "  {label}: {}", p.message)?,
            }
            if let Some(a) = &o.annotate {
                let level = match p.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                };
                let (line, col) = p.at.map_or((None, None), |(l, c)| (Some(l), Some(c)));
                a.print(o.out, level, file, line, col, &p.message)?;
            }
        }
    }
    Ok(())
}
