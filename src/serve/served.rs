//! The folder `serve` serves. A rebuild's files are collected first (`Pending`), and
//! only when all of it succeeded are the files whose bytes differ written, each
//! atomically, and the ones the site no longer has removed (`OutDir`).

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::content::cache::{self, FastMap, FastSet};
use crate::error::{Error, Location, Result};
use crate::lock::unpoisoned;
use crate::render::pages::Sink;
use crate::render::theme::Origin;

enum Item {
    Bytes(Vec<u8>),
    Copy(PathBuf),
}

/// A sink that only collects, so nothing is written unless the whole rebuild worked.
#[derive(Default)]
pub(super) struct Pending(Mutex<Vec<(String, Item)>>);

impl Pending {
    fn push(&self, path: &str, item: Item) -> Result<()> {
        check_path(path)?;
        unpoisoned(&self.0).push((path.to_string(), item));
        Ok(())
    }
}

impl Sink for Pending {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.push(path, Item::Bytes(bytes.to_vec()))
    }

    fn copy(&self, origin: &Origin, path: &str) -> Result<()> {
        match origin {
            Origin::BuiltIn(bytes) => self.write(path, bytes),
            Origin::File(src) => self.push(path, Item::Copy(src.clone())),
        }
    }
}

/// The served folder and a stamp of each file in it: a hash of its bytes, or for a
/// copied file its source's path, size and modification time (so big images are not
/// read again on every rebuild).
pub(super) struct OutDir {
    pub(super) root: PathBuf,
    stamps: FastMap<String, u64>,
}

impl OutDir {
    pub(super) fn new(root: &Path) -> OutDir {
        OutDir {
            root: root.to_path_buf(),
            stamps: FastMap::default(),
        }
    }

    /// Write what differs, remove what the site no longer has (pages kept as
    /// unchanged are listed in `kept`); returns the changed site paths.
    pub(super) fn apply(
        &mut self,
        pending: Pending,
        kept: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<String>> {
        let items = pending.0.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut present: FastSet<String> =
            FastSet::with_capacity_and_hasher(items.len(), Default::default());
        let mut changed = Vec::new();
        for (path, item) in items {
            let stamp = match &item {
                Item::Bytes(b) => cache::key(&[b]),
                Item::Copy(src) => {
                    let meta = std::fs::metadata(src).map_err(|e| Error::io(src, e))?;
                    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    cache::key(&[src, &meta.len(), &modified])
                }
            };
            let dest = self.root.join(&path);
            if self.stamps.get(&path) != Some(&stamp) || !dest.exists() {
                replace(&dest, &item)?;
                self.stamps.insert(path.clone(), stamp);
                changed.push(path.clone());
            }
            present.insert(path);
        }
        let gone: Vec<String> = self
            .stamps
            .keys()
            .filter(|p| !present.contains(*p) && !kept(p))
            .cloned()
            .collect();
        for path in gone {
            let dest = self.root.join(&path);
            match std::fs::remove_file(&dest) {
                Ok(()) => remove_empty_parents(&self.root, &dest),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&dest, e)),
            }
            self.stamps.remove(&path);
            changed.push(path);
        }
        changed.sort();
        Ok(changed)
    }
}

/// Write beside the file and rename over it, so a page being served is never half new.
fn replace(dest: &Path, item: &Item) -> Result<()> {
    let dir = dest.parent().unwrap_or(dest);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".staffroom-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    match item {
        Item::Bytes(b) => std::io::Write::write_all(&mut tmp, b).map_err(|e| Error::io(dest, e))?,
        Item::Copy(src) => {
            let mut from = std::fs::File::open(src).map_err(|e| Error::io(src, e))?;
            std::io::copy(&mut from, &mut tmp).map_err(|e| Error::io(src, e))?;
        }
    }
    tmp.persist(dest).map_err(|e| Error::io(dest, e.error))?;
    Ok(())
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn check_path(path: &str) -> Result<()> {
    let safe = !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if safe {
        Ok(())
    } else {
        Err(Error::input(
            Location::file(path),
            "refusing to write outside the output folder",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(files: &[(&str, &str)]) -> Pending {
        let p = Pending::default();
        for (path, text) in files {
            p.write(path, text.as_bytes()).unwrap();
        }
        p
    }

    #[test]
    fn only_differing_files_are_written_and_vanished_ones_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = OutDir::new(tmp.path());
        let none = |_: &str| false;
        let first = out
            .apply(pending(&[("a/index.html", "A"), ("b.css", "B")]), &none)
            .unwrap();
        assert_eq!(first, ["a/index.html", "b.css"]);
        let second = out
            .apply(pending(&[("a/index.html", "A"), ("b.css", "B2")]), &none)
            .unwrap();
        assert_eq!(second, ["b.css"]);
        let third = out.apply(pending(&[("b.css", "B2")]), &none).unwrap();
        assert_eq!(third, ["a/index.html"]);
        assert!(!tmp.path().join("a").exists(), "empty folder left behind");
        assert_eq!(std::fs::read(tmp.path().join("b.css")).unwrap(), b"B2");
    }

    #[test]
    fn pending_refuses_paths_that_escape() {
        let p = Pending::default();
        assert!(p.write("../x", b"").is_err());
        assert!(p.write("/etc/x", b"").is_err());
        assert!(p.write("", b"").is_err());
    }
}
