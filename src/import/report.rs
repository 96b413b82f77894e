//! What an import did, in words a teacher reads once: what came in, what was written,
//! what was already there, and each thing that could not be converted with what to do.

use std::io::Write;

use super::detect::Source;
use super::model::{Export, Problem};
use super::write::Written;
use crate::words::count;

#[derive(Debug)]
pub struct Report {
    pub source: Source,
    pub read: Vec<(&'static str, usize)>,
    pub written: Written,
    pub problems: Vec<Problem>,
    pub dry_run: bool,
}

impl Report {
    pub fn new(source: Source, export: Export, written: Written, dry_run: bool) -> Self {
        Report {
            source,
            read: export.read.into_iter().collect(),
            written,
            problems: export.problems,
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
        let w = &self.written;
        let made = [
            count(w.posts, "post"),
            count(w.drafts, "draft"),
            count(w.pages, "page"),
            count(w.responses, "response"),
            count(w.files + w.downloads.len(), "file"),
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
