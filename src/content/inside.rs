//! Every file staffroom reads from a site must lie inside the site folder. A symbolic
//! link in `static/` or `content/` to `/etc/passwd`, `/proc/self/environ` or
//! `../site.toml` would otherwise be published with the site, and in CI that is the
//! job's environment. Links whose target, fully resolved (chains of links, links to
//! folders), lies inside the site keep working, as in Jekyll's safe mode.
//!
//! The check resolves the path when it is read, by `canonicalize`: a link swapped for
//! another between the check and the read is not caught, which needs a process already
//! running on the machine, not a file committed to the site.

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

/// The site folder, and where it really is once every link on the way is resolved.
#[derive(Debug, Clone)]
pub struct SiteFolder {
    root: PathBuf,
    real: PathBuf,
}

impl SiteFolder {
    pub fn new(root: &Path) -> Result<SiteFolder> {
        let real = root.canonicalize().map_err(|e| Error::io(root, e))?;
        Ok(SiteFolder {
            root: root.to_path_buf(),
            real,
        })
    }

    /// An error when `path` (a file or folder of the site, which exists) resolves to a
    /// place outside the site folder.
    pub fn check(&self, path: &Path) -> Result<()> {
        let real = path.canonicalize().map_err(|e| Error::io(path, e))?;
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let what = if real.is_dir() { "folder" } else { "file" };
        let Ok(inside) = real.strip_prefix(&self.real) else {
            return Err(Error::input(
                Location::file(rel),
                format!(
                    "is a link to a {what} outside the site folder ({}), and staffroom only reads files inside the site",
                    crate::error::shown(&real)
                ),
            )
            .with_hint("copy the file into the site instead, and remove the link"));
        };
        if inside == rel {
            return Ok(());
        }
        // Through a link: hidden files (`.git/config`, `.env`) and the site's settings
        // are never published by name, and a link must not publish them either.
        let private = inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .find(|c| c.starts_with('.'))
            .map(|c| format!("a hidden {what} of the site ({c})"))
            .or_else(|| {
                let settings = [
                    crate::config::SITE_FILE,
                    crate::network::blogroll::NETWORK_FILE,
                ];
                settings
                    .iter()
                    .find(|f| inside == Path::new(f))
                    .map(|f| format!("the site's settings ({f})"))
            });
        match private {
            Some(target) => Err(Error::input(
                Location::file(rel),
                format!("is a link to {target}, which staffroom does not publish"),
            )
            .with_hint("copy what should be published into the site instead, and remove the link")),
            None => Ok(()),
        }
    }

    /// Like `check`, for a file to be read that may not exist: a missing file is
    /// left for the reader to report (or treat as absent).
    pub fn check_if_present(&self, path: &Path) -> Result<()> {
        if std::fs::symlink_metadata(path).is_err() {
            return Ok(());
        }
        self.check(path)
    }

    /// For an entry of a walk that follows links: only the walk's start and the links
    /// themselves need resolving, since everything else lies in a folder that was
    /// checked when the walk entered it.
    pub fn check_entry(&self, entry: &walkdir::DirEntry) -> Result<()> {
        if entry.depth() == 0 || entry.path_is_symlink() {
            self.check(entry.path())
        } else {
            Ok(())
        }
    }
}

/// A walk's error in the teacher's words: a link loop or a link to nothing.
pub fn walk_error(e: walkdir::Error, fallback: &Path) -> Error {
    let path = e.path().unwrap_or(fallback).to_path_buf();
    let dangling = e
        .io_error()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
        && path.is_symlink();
    if e.loop_ancestor().is_some() {
        Error::input(
            Location::file(&path),
            "this folder link points back into itself (a symlink loop)",
        )
        .with_hint("remove the symbolic link")
    } else if dangling {
        Error::input(
            Location::file(&path),
            "is a link to a file that does not exist",
        )
        .with_hint("copy the file into the site instead, and remove the link")
    } else {
        Error::input(Location::file(&path), format!("cannot be read: {e}"))
    }
}

/// `check_if_present` for one file read by name (`site.toml`, a cache file), where
/// a missing site folder is for the reader to report, in its own words.
pub fn check_site_file(root: &Path, path: &Path) -> Result<()> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    SiteFolder::new(root)?.check(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn links_are_judged_by_where_they_end() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("static/inner")).unwrap();
        std::fs::write(root.join("site.toml"), "").unwrap();
        std::fs::write(tmp.path().join("secret"), "").unwrap();
        let site = SiteFolder::new(&root).unwrap();
        symlink("inner", root.join("static/dir-ok")).unwrap();
        symlink("../../secret", root.join("static/bad")).unwrap();
        // A chain: a link inside, to a link that leaves.
        symlink("bad", root.join("static/chain")).unwrap();
        symlink("..", root.join("static/inner/up")).unwrap();
        symlink("../../..", root.join("static/inner/out")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), "").unwrap();
        symlink("../.git/config", root.join("static/git")).unwrap();
        symlink("../.git", root.join("static/gitdir")).unwrap();
        std::fs::write(root.join("static/inner/a.css"), "").unwrap();
        symlink("inner/a.css", root.join("static/ok")).unwrap();
        symlink("../site.toml", root.join("static/settings")).unwrap();
        for ok in ["static/ok", "static/dir-ok", "static/inner/up", "site.toml"] {
            site.check(&root.join(ok)).unwrap();
        }
        for bad in ["static/bad", "static/chain", "static/inner/out"] {
            let e = site.check(&root.join(bad)).unwrap_err().to_string();
            assert!(e.starts_with(&format!("{bad}: is a link to a ")), "{e}");
            assert!(e.contains("copy the file into the site instead"), "{e}");
        }
        for bad in ["static/git", "static/gitdir"] {
            let e = site.check(&root.join(bad)).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("{bad}: is a link to a hidden ")),
                "{e}"
            );
        }
        let e = site.check(&root.join("static/settings")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "static/settings: is a link to the site's settings (site.toml), which staffroom does not publish\n  hint: copy what should be published into the site instead, and remove the link"
        );
        site.check_if_present(&root.join("static/none")).unwrap();
    }
}
