//! GitHub Actions annotations: when a build or check runs in a workflow
//! (`GITHUB_ACTIONS=true`), each problem that names a file is printed a second time
//! as a workflow command, `::error file=PATH,line=N,col=M::message`, so GitHub shows
//! it on the file and line in the pull request and the run's summary.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

/// Where annotation paths are counted from: the repository that holds the site.
pub struct Annotator {
    site: PathBuf,
    repo: PathBuf,
}

impl Annotator {
    /// Some when `github` says this runs on GitHub Actions.
    pub fn new(github: bool, root: &Path) -> Option<Annotator> {
        if !github {
            return None;
        }
        let site = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        // GitHub wants paths from the repository's root; a site can sit in a folder of
        // its repository. Outside any repository the site folder stands in for it.
        let repo = site
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&site)
            .to_path_buf();
        Some(Annotator { site, repo })
    }

    /// One annotation per problem in `e` that names a file and a line.
    pub fn error(&self, out: &mut dyn Write, e: &anyhow::Error) -> std::io::Result<()> {
        for cause in e.chain() {
            let ours = cause.downcast_ref::<Error>().or_else(|| {
                cause
                    .downcast_ref::<super::build::Noted>()
                    .map(|n| &n.error)
            });
            if let Some(ours) = ours {
                return self.library_error(out, ours);
            }
        }
        Ok(())
    }

    fn library_error(&self, out: &mut dyn Write, e: &Error) -> std::io::Result<()> {
        match e {
            Error::Input {
                location,
                message,
                hint,
            } => {
                let Some(line) = location.line else {
                    return Ok(());
                };
                let text = match hint {
                    Some(h) => format!("{message}\nhint: {h}"),
                    None => message.clone(),
                };
                let file = location.file.to_string_lossy();
                self.print(out, Level::Error, &file, Some(line), location.column, &text)
            }
            Error::Many(errors) => errors.iter().try_for_each(|e| self.library_error(out, e)),
            Error::Io { .. } => Ok(()),
        }
    }

    /// A problem about `file` (as the command printed it: relative to the site folder,
    /// or a path that reaches it); nothing when no such file exists, as for pages the
    /// theme made.
    pub fn print(
        &self,
        out: &mut dyn Write,
        level: Level,
        file: &str,
        line: Option<usize>,
        column: Option<usize>,
        message: &str,
    ) -> std::io::Result<()> {
        let Some(path) = self.relative(Path::new(file)) else {
            return Ok(());
        };
        let mut props = format!("file={}", property(&path));
        if let Some(l) = line {
            props.push_str(&format!(",line={l}"));
            if let Some(c) = column {
                props.push_str(&format!(",col={c}"));
            }
        }
        let kind = match level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        writeln!(out, "::{kind} {props}::{}", data(message))
    }

    /// The path from the repository's root, with `/` between folders.
    fn relative(&self, file: &Path) -> Option<String> {
        let joined = if file.is_absolute() {
            file.to_path_buf()
        } else if self.site.join(file).exists() {
            self.site.join(file)
        } else {
            file.to_path_buf()
        };
        let real = std::fs::canonicalize(&joined).ok()?;
        let rel = real.strip_prefix(&self.repo).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Splits a warning printed as `PATH[:LINE[:COL]]: message` for `print`.
pub fn split_located(text: &str) -> Option<(&str, Option<usize>, Option<usize>, &str)> {
    static AT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?s)^([^\n]+?)(?::(\d+))?(?::(\d+))?: (.*)$").expect("valid regex")
    });
    let c = AT.captures(text)?;
    let number = |i| c.get(i).and_then(|m| m.as_str().parse().ok());
    Some((c.get(1)?.as_str(), number(2), number(3), c.get(4)?.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_github_asks() {
        assert_eq!(
            data("100% sure\r\nnext: a, b"),
            "100%25 sure%0D%0Anext: a, b"
        );
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn prints_paths_from_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("blog/content/posts")).unwrap();
        std::fs::write(dir.path().join("blog/content/posts/a, b.md"), "").unwrap();
        let a = Annotator::new(true, &dir.path().join("blog")).unwrap();
        let mut out = Vec::new();
        a.print(
            &mut out,
            Level::Warning,
            "content/posts/a, b.md",
            Some(3),
            Some(7),
            "50% done\nhint: x",
        )
        .unwrap();
        a.print(
            &mut out,
            Level::Error,
            "posts/x/index.html (made by the theme)",
            None,
            None,
            "m",
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=blog/content/posts/a%2C b.md,line=3,col=7::50%25 done%0Ahint: x\n"
        );
        assert!(Annotator::new(false, dir.path()).is_none());
    }

    #[test]
    fn splits_located_warnings() {
        assert_eq!(
            split_located("a.md:3:7: bad"),
            Some(("a.md", Some(3), Some(7), "bad"))
        );
        assert_eq!(
            split_located("a.md:3: bad"),
            Some(("a.md", Some(3), None, "bad"))
        );
        assert_eq!(
            split_located("data/r.json: bad: worse"),
            Some(("data/r.json", None, None, "bad: worse"))
        );
    }
}
