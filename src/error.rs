//! Errors a teacher can act on: every one names the file (and line when we know it)
//! and, where we can guess it, what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a file the teacher wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
        }
    }

    pub fn line(file: impl Into<PathBuf>, line: usize) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            column: None,
        }
    }

    pub fn with_column(mut self, column: Option<usize>) -> Self {
        self.column = column;
        self
    }
}

/// A path as a message shows it: folders joined by `/` on every system, as the teacher
/// writes them in Markdown links, so one message never mixes `content/posts\a.md`.
/// On Windows `\` becomes `/` (which Windows also accepts) and the `\\?\` that
/// `canonicalize` adds is dropped; elsewhere the path is shown as it is, since `\`
/// may be part of a file's name there.
pub fn shown(path: &Path) -> String {
    if cfg!(windows) {
        let text = path.to_string_lossy();
        let text = match text.strip_prefix(r"\\?\UNC\") {
            Some(share) => format!(r"\\{share}"),
            None => text.strip_prefix(r"\\?\").unwrap_or(&text).to_string(),
        };
        text.replace('\\', "/")
    } else {
        path.display().to_string()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", shown(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something in a file the teacher wrote is wrong.
    #[error("{location}: {message}{}", hint_suffix(.hint))]
    Input {
        location: Location,
        message: String,
        hint: Option<String>,
    },
    /// Several input problems found in one pass, reported together.
    #[error("{}", join_errors(.0))]
    Many(Vec<Error>),
    #[error("{}: {source}", shown(.path))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!("\n  hint: {h}"),
        None => String::new(),
    }
}

fn join_errors(errors: &[Error]) -> String {
    let mut out = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&e.to_string());
    }
    if errors.len() > 1 {
        out.push_str(&format!("\n{} problems found.", errors.len()));
    }
    out
}

impl Error {
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            location,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        match self {
            Error::Input {
                location, message, ..
            } => Error::Input {
                location,
                message,
                hint: Some(hint.into()),
            },
            other => other,
        }
    }

    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Every value, or every problem among them (a `Many` flattened into the rest):
    /// one pass tells the teacher about every broken file, not just the first.
    pub fn all<T>(results: impl IntoIterator<Item = Result<T>>) -> Result<Vec<T>> {
        let mut values = Vec::new();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(v) => values.push(v),
                Err(Error::Many(many)) => errors.extend(many),
                Err(e) => errors.push(e),
            }
        }
        match Error::from_many(errors) {
            Some(e) => Err(e),
            None => Ok(values),
        }
    }

    /// One error stays itself; several become `Many`.
    pub fn from_many(mut errors: Vec<Error>) -> Option<Self> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Many(errors)),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

thread_local! {
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run third-party code fed untrusted bytes (a feed parser, say) so that a bug in it
/// costs one item, not the whole run. The CLI's panic hook stays quiet meanwhile.
pub fn contain_panic<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Option<T> {
    CONTAINED.with(|c| c.set(true));
    let result = std::panic::catch_unwind(f).ok();
    CONTAINED.with(|c| c.set(false));
    result
}

/// True inside `contain_panic`, for the panic hook.
pub fn panic_is_contained() -> bool {
    CONTAINED.with(|c| c.get())
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_displays_file_line_column() {
        let loc = Location::line("content/posts/a.md", 3).with_column(Some(7));
        assert_eq!(loc.to_string(), "content/posts/a.md:3:7");
    }

    /// On Windows `join` puts `\` after a folder written with `/`; the message must not
    /// show both.
    #[test]
    fn shown_paths_have_one_separator() {
        let joined = Path::new("content/posts").join("missing.md");
        assert_eq!(shown(&joined), "content/posts/missing.md");
        let loc = Location::line(joined, 3);
        assert_eq!(loc.to_string(), "content/posts/missing.md:3");
        if cfg!(windows) {
            assert_eq!(
                shown(Path::new(r"\\?\C:\Users\me\blog")),
                "C:/Users/me/blog"
            );
            assert_eq!(shown(Path::new(r"\\?\UNC\school\share")), "//school/share");
        } else {
            // A `\` is a letter of a file's name here, shown as it is.
            assert_eq!(shown(Path::new(r"a\b.md")), r"a\b.md");
        }
    }

    #[test]
    fn contained_panics_become_none() {
        assert_eq!(contain_panic(|| 1), Some(1));
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        assert_eq!(contain_panic(|| -> i32 { panic!("boom") }), None);
        std::panic::set_hook(hook);
        assert!(!panic_is_contained());
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
