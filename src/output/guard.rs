//! The output folder is replaced whole on every build, so it must hold nothing the
//! teacher wrote: not the site, not a folder above it, not a folder the site is built
//! from. (`--output content` once deleted every post.)

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Location, Result};

/// The site's own folders: everything under them is the teacher's.
const INPUTS: [&str; 6] = ["content", "templates", "static", "themes", "data", ".git"];

/// Refuses an output folder that is the site `root`, holds it, or lies inside one of
/// its input folders, however it is spelt (`..`, symbolic links).
pub fn refuse_site_folders(root: &Path, output: &Path) -> Result<()> {
    let (Some(site), Some(out)) = (resolved(root), resolved(output)) else {
        return Ok(());
    };
    let refuse = |why: String| {
        Err(Error::input(Location::file(output), why)
            .with_hint("use a folder of its own, e.g. --output public"))
    };
    let replaced = "and the output folder is replaced on every build";
    if site.starts_with(&out) {
        let what = if site == out {
            "is the site itself"
        } else {
            "holds the site"
        };
        return refuse(format!("{what}, {replaced}"));
    }
    for input in INPUTS {
        let folder = site.join(input);
        if out.starts_with(&folder) {
            let what = if out == folder { "is" } else { "is inside" };
            return refuse(format!("{what} the site's {input}/ folder, {replaced}"));
        }
    }
    Ok(())
}

/// `path` made absolute and resolved the way the system will resolve it: each part
/// that exists is followed through symbolic links before the next `..` is applied; for
/// the parts that do not exist yet, `..` takes away the part before it. So two
/// spellings of one folder compare equal. `None` when the working directory cannot be
/// read.
fn resolved(path: &Path) -> Option<PathBuf> {
    let mut p = PathBuf::new();
    for c in std::path::absolute(path).ok()?.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                p.pop();
            }
            c => p.push(c),
        }
        if let Ok(real) = p.canonicalize() {
            p = real;
        }
    }
    Some(p)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_sites_own_folders_however_spelt() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::os::unix::fs::symlink(root.join("content"), root.join("out-link")).unwrap();
        std::os::unix::fs::symlink(root.join("content/posts"), root.join("deep-link")).unwrap();
        for bad in [
            "",
            "content",
            "content/posts",
            "static/new",
            "public/../data",
            "out-link",
            "..",
            ".git",
        ] {
            assert!(
                refuse_site_folders(&root, &root.join(bad)).is_err(),
                "`{bad}` was allowed"
            );
        }
        for good in ["public", "docs", "_site", "../site-public", "contents"] {
            assert!(
                refuse_site_folders(&root, &root.join(good)).is_ok(),
                "`{good}` was refused"
            );
        }
    }
}
