//! Changes to `network.toml` that keep the teacher's comments and layout, written
//! only when the result still loads. An `Editor` holds the network.toml lock from
//! the moment it reads the file until it is dropped, so every change applies to what
//! is on disk at that moment and no other staffroom command can write in between.

use std::path::{Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::{Blog, Blogroll, NETWORK_FILE, same_feed};
use crate::error::{Error, Location, Result};
use crate::lock::{self, Lock};

/// Held by an `Editor`; hidden, so builds and `serve` skip it.
pub const NETWORK_LOCK: &str = ".network.toml.lock";

/// network.toml opened for changes that keep the teacher's comments and layout.
pub struct Editor {
    path: PathBuf,
    doc: DocumentMut,
    original: String,
    /// What the file said when the lock was taken.
    blogroll: Blogroll,
    changed: bool,
    _lock: Lock,
}

const NEW_FILE_HEADER: &str = "# The blogs you follow. Each [[blog]] needs a name and a feed; site, tags and\n# note are optional. `staffroom network add URL` adds one for you.\n";

impl Editor {
    /// Lock network.toml (waiting for another command's edit, as `lock::EDIT` says;
    /// `waiting` hears what to tell the teacher) and read it.
    pub fn open(root: &Path, waiting: &mut dyn FnMut(&str)) -> Result<Editor> {
        let path = root.join(NETWORK_FILE);
        let lock = lock::acquire(&root.join(NETWORK_LOCK), &path, lock::EDIT, waiting)?;
        let original = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        // Check it the strict way first, so edits never build on a broken file.
        let blogroll = Blogroll::parse(&path, &original)?;
        let text = if original.trim().is_empty() {
            NEW_FILE_HEADER.to_string()
        } else {
            original.clone()
        };
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            Error::input(Location::file(&path), e.message().to_string())
        })?;
        if doc.get("blog").is_some_and(|b| !b.is_array_of_tables()) {
            return Err(Error::input(
                Location::file(&path),
                "`blog` is not written as [[blog]] tables",
            )
            .with_hint("write each blog as its own [[blog]] table"));
        }
        Ok(Editor {
            path,
            doc,
            original,
            blogroll,
            changed: false,
            _lock: lock,
        })
    }

    /// The blogs as the file listed them when it was locked: what a change must be
    /// checked against (already followed? name taken?), not an earlier read.
    pub fn blogroll(&self) -> &Blogroll {
        &self.blogroll
    }

    pub fn add(&mut self, blog: &Blog) {
        self.changed = true;
        let mut t = Table::new();
        t["name"] = value(&blog.name);
        if !blog.site.is_empty() {
            t["site"] = value(&blog.site);
        }
        t["feed"] = value(&blog.feed);
        if !blog.tags.is_empty() {
            let mut arr = toml_edit::Array::new();
            for tag in &blog.tags {
                arr.push(tag.as_str());
            }
            t["tags"] = value(arr);
        }
        if !blog.note.is_empty() {
            t["note"] = value(&blog.note);
        }
        if self.doc.get("blog").is_none() {
            // In a file of only comments, toml_edit keeps them as the document's tail,
            // which would put them below the first blog; they belong above it.
            let tail = self.doc.trailing().as_str().unwrap_or("").to_string();
            if !tail.trim().is_empty() {
                let tail = if tail.ends_with("\n\n") {
                    tail
                } else {
                    format!("{}\n\n", tail.trim_end())
                };
                t.decor_mut().set_prefix(tail);
                self.doc.set_trailing("");
            }
        }
        let blogs = self
            .doc
            .entry("blog")
            .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
        if let Some(arr) = blogs.as_array_of_tables_mut() {
            arr.push(t);
        }
    }

    /// Point the blog that follows `old` at `new`, keeping the comments around the value.
    pub fn set_feed(&mut self, old: &str, new: &str) -> bool {
        let Some(arr) = blogs(&mut self.doc) else {
            return false;
        };
        for t in arr.iter_mut() {
            if let Some(v) = t.get_mut("feed").and_then(|i| i.as_value_mut())
                && v.as_str().is_some_and(|f| same_feed(f, old))
            {
                let decor = v.decor().clone();
                *v = new.into();
                *v.decor_mut() = decor;
                self.changed = true;
                return true;
            }
        }
        false
    }

    /// Stop following the blog whose feed is `feed`. The comment lines right above its
    /// `[[blog]]` go with it; a comment separated from it by a blank line (a heading
    /// over a group of blogs) stays, above the next blog, as does everything above
    /// the first blog.
    pub fn remove(&mut self, feed: &str) -> bool {
        let Some(arr) = blogs(&mut self.doc) else {
            return false;
        };
        let found = arr.iter().position(|t| {
            t.get("feed")
                .and_then(|i| i.as_str())
                .is_some_and(|f| same_feed(f, feed))
        });
        let Some(i) = found else {
            return false;
        };
        let prefix = arr
            .get(i)
            .and_then(|t| t.decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string();
        // Above the first blog is usually the file's own header, whatever its layout:
        // better a comment left over than the teacher's notes lost.
        let kept = if i == 0 {
            prefix
        } else {
            detached_comments(&prefix)
        };
        arr.remove(i);
        if !kept.is_empty() {
            if let Some(next) = arr.get_mut(i) {
                let own = next
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("")
                    .to_string();
                let own = if kept.ends_with("\n\n") {
                    own.trim_start_matches('\n')
                } else {
                    &own
                };
                next.decor_mut().set_prefix(format!("{kept}{own}"));
            } else {
                let tail = self.doc.trailing().as_str().unwrap_or("").to_string();
                let joined = if tail.trim().is_empty() {
                    format!("{}\n", kept.trim_end())
                } else {
                    format!("{kept}{}", tail.trim_start_matches('\n'))
                };
                self.doc.set_trailing(joined);
            }
        }
        self.changed = true;
        true
    }

    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    /// Write the file if anything changed; the result must still load.
    pub fn save(&self) -> Result<bool> {
        let text = self.text();
        if !self.changed || text == self.original {
            return Ok(false);
        }
        Blogroll::parse(&self.path, &text)?;
        crate::output::write_atomically(&self.path, text.as_bytes(), true)?;
        Ok(true)
    }
}

/// The part of a table's prefix up to its last blank line: what does not belong to
/// the table itself.
/// The `[[blog]]` tables, when there are any.
fn blogs(doc: &mut DocumentMut) -> Option<&mut ArrayOfTables> {
    doc.get_mut("blog").and_then(|b| b.as_array_of_tables_mut())
}

fn detached_comments(prefix: &str) -> String {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    match lines.iter().rposition(|l| l.trim().is_empty()) {
        Some(blank) if lines[..blank].iter().any(|l| !l.trim().is_empty()) => {
            lines[..=blank].concat()
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_keeps_comments_when_moving_a_feed() {
        let dir = tempfile::tempdir().unwrap();
        let text = "# my PLN\n[[blog]]\nname = \"A\" # the best\nfeed = \"https://a.org/old\" # moved once\n";
        std::fs::write(dir.path().join(NETWORK_FILE), text).unwrap();
        let mut ed = Editor::open(dir.path(), &mut |_| {}).unwrap();
        assert!(ed.set_feed("https://a.org/old", "https://a.org/new"));
        ed.add(&Blog {
            name: "B".into(),
            site: String::new(),
            feed: "https://b.org/feed".into(),
            tags: vec!["science".into()],
            note: String::new(),
            line: 0,
        });
        ed.save().unwrap();
        let out = std::fs::read_to_string(dir.path().join(NETWORK_FILE)).unwrap();
        assert!(out.starts_with("# my PLN\n[[blog]]\nname = \"A\" # the best\nfeed = \"https://a.org/new\" # moved once\n"), "{out}");
        assert!(out.contains("[[blog]]\nname = \"B\""), "{out}");
        assert_eq!(Blogroll::load(dir.path()).unwrap().blogs.len(), 2);
    }

    #[test]
    fn remove_keeps_headings_and_drops_the_blogs_own_comments() {
        let dir = tempfile::tempdir().unwrap();
        let text = "# my PLN\n\n# Maths\n[[blog]]\nname = \"A\"\nfeed = \"https://a.org/f\"\n\n# Science\n\n# B is great\n[[blog]]\nname = \"B\" # the best\nfeed = \"https://b.org/f\"\n\n[[blog]]\nname = \"C\"\nfeed = \"https://c.org/f\"\n# the end\n";
        std::fs::write(dir.path().join(NETWORK_FILE), text).unwrap();
        let mut ed = Editor::open(dir.path(), &mut |_| {}).unwrap();
        assert!(ed.remove("https://b.org/f"));
        assert!(!ed.remove("https://nobody.org/f"));
        assert_eq!(
            ed.text(),
            "# my PLN\n\n# Maths\n[[blog]]\nname = \"A\"\nfeed = \"https://a.org/f\"\n\n# Science\n\n[[blog]]\nname = \"C\"\nfeed = \"https://c.org/f\"\n# the end\n"
        );
        assert!(ed.remove("https://a.org/f"));
        assert!(ed.remove("https://c.org/f"));
        ed.save().unwrap();
        let out = std::fs::read_to_string(dir.path().join(NETWORK_FILE)).unwrap();
        assert_eq!(out, "# my PLN\n\n# Maths\n\n# Science\n\n# the end\n");
        assert!(Blogroll::load(dir.path()).unwrap().blogs.is_empty());
    }
}
