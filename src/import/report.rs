//! What an import did, in words a teacher reads once: what came in, what was written,
//! what was already there, and each thing that could not be converted with what to do.

use std::io::Write;

use std::collections::BTreeMap;

use super::detect::Source;
use super::download::Missing;
use super::model::{Export, Problem};
use super::write::Written;
use crate::words::count;

#[derive(Debug)]
pub struct Report {
    pub source: Source,
    pub read: Vec<(&'static str, usize)>,
    pub left_out: Vec<(&'static str, usize)>,
    pub written: Written,
    /// Files downloaded from the old site.
    pub downloaded: usize,
    pub problems: Vec<Problem>,
    /// Images still loaded from other sites, by host.
    pub remote: BTreeMap<String, usize>,
    pub dry_run: bool,
}

/// Posts first, then pages, comments, attachments, then anything else.
fn in_order(read: BTreeMap<&'static str, usize>) -> Vec<(&'static str, usize)> {
    const FIRST: [&str; 4] = ["post", "page", "comment", "attachment"];
    let mut out: Vec<(&'static str, usize)> = read.into_iter().collect();
    out.sort_by_key(|(noun, _)| FIRST.iter().position(|f| f == noun).unwrap_or(FIRST.len()));
    out
}

impl Report {
    pub fn new(
        source: Source,
        export: Export,
        written: Written,
        (downloaded, missing): (usize, Vec<Missing>),
        dry_run: bool,
    ) -> Self {
        let mut problems = export.problems;
        problems.extend(missing.into_iter().map(|m| {
            Problem {
                origin: crate::error::shown(&m.file),
                what: format!("could not download {}: {}", m.url, m.why),
                fix: "run the import again later, or save the file there yourself, or take it \
                  out of the post"
                    .into(),
            }
        }));
        Report {
            source,
            read: in_order(export.read),
            left_out: export.left_out.into_iter().collect(),
            written,
            downloaded,
            problems,
            remote: export.remote,
            dry_run,
        }
    }

    pub fn print(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let from = crate::error::shown(self.source.path());
        writeln!(out, "Read {} ({from}):", self.source.describe())?;
        let read: Vec<String> = self.read.iter().map(|(noun, n)| count(*n, noun)).collect();
        writeln!(
            out,
            "  {}",
            if read.is_empty() {
                "nothing".into()
            } else {
                read.join(", ")
            }
        )?;
        if !self.left_out.is_empty() {
            let left: Vec<String> = self
                .left_out
                .iter()
                .map(|(noun, n)| count(*n, noun))
                .collect();
            writeln!(out, "  left out: {}", left.join(", "))?;
        }
        let w = &self.written;
        let files = if self.dry_run {
            w.files + w.downloads.len()
        } else {
            w.files + self.downloaded
        };
        let made = [
            count(w.posts, "post"),
            count(w.drafts, "draft"),
            count(w.pages, "page"),
            count(w.responses, "response"),
            count(files, "file"),
        ];
        let verb = if self.dry_run { "Would write" } else { "Wrote" };
        writeln!(out, "{verb} {}.", made.join(", "))?;
        if w.unchanged > 0 {
            writeln!(
                out,
                "Already imported, unchanged: {}.",
                count(w.unchanged, "file")
            )?;
        }
        if !w.kept.is_empty() {
            writeln!(
                out,
                "Changed since the last import, so left as you have them ({}):",
                w.kept.len()
            )?;
            for file in &w.kept {
                writeln!(out, "  {}", crate::error::shown(file))?;
            }
        }
        if !self.remote.is_empty() {
            let hosts: Vec<String> = self
                .remote
                .iter()
                .map(|(host, n)| format!("{host} ({n})"))
                .collect();
            writeln!(
                out,
                "Images still loaded from other sites: {}.\n  If a site may go away, save \
                 its images in the post's folder and link them there.",
                hosts.join(", ")
            )?;
        }
        if !self.problems.is_empty() {
            writeln!(out, "Could not convert ({}):", self.problems.len())?;
            for p in &self.problems {
                writeln!(out, "  {}: {}\n    what to do: {}", p.origin, p.what, p.fix)?;
            }
        }
        if self.dry_run {
            writeln!(out, "Nothing was written (--dry-run).")?;
        }
        Ok(())
    }
}
