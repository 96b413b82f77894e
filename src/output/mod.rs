//! The output stage. A build writes into a staging folder beside the output and swaps
//! it in only when everything succeeded, so a failed build leaves `public/` as it was.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::render::pages::Sink;
use crate::render::theme::Origin;

mod guard;
mod leftovers;
pub use guard::refuse_site_folders;
pub use leftovers::left_by_dead_process;
use leftovers::{recover, remove_abandoned_temp_files};

pub struct Staging {
    dir: tempfile::TempDir,
}

impl Staging {
    /// A fresh folder next to `output` (same file system, so the swap is a rename).
    pub fn new(output: &Path) -> Result<Staging> {
        guard_output(output)?;
        recover(output);
        let parent = parent_dir(output);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // The process id in the name lets a later build tell a folder abandoned by a
        // killed build from one a running build is still filling.
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.staffroom-{}-", std::process::id()))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(Staging { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn target(&self, site_path: &str) -> Result<PathBuf> {
        let rel = Path::new(site_path);
        let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !safe || site_path.is_empty() {
            return Err(Error::input(
                Location::file(site_path),
                "refusing to write outside the output folder",
            ));
        }
        Ok(self.dir.path().join(rel))
    }

    /// Swap the staged site in. On Linux the two folders trade places in one atomic
    /// step, so a reader or a crash sees the old site or the new one, never neither.
    /// Elsewhere (or on a file system without the exchange) the old site is moved
    /// aside first, and a build killed between the two moves is undone by the next.
    pub fn commit(self, output: &Path) -> Result<()> {
        let staged = self.dir.keep();
        if output.exists() && exchange(&staged, output).is_ok() {
            // `staged` now holds the previous site.
            let _ = std::fs::remove_dir_all(&staged);
            return Ok(());
        }
        swap_by_renames(&staged, output)
    }
}

/// Move `output` aside, `staged` into its place, then remove the old site; if the
/// second move fails, the old site goes back.
fn swap_by_renames(staged: &Path, output: &Path) -> Result<()> {
    let parent = parent_dir(output);
    let old = if output.exists() {
        let aside = parent.join(format!(".{}.old-{}", file_name(output), std::process::id()));
        let _ = std::fs::remove_dir_all(&aside);
        std::fs::rename(output, &aside).map_err(|e| Error::io(output, e))?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(staged, output) {
        if let Some(aside) = &old {
            let _ = std::fs::rename(aside, output);
        }
        let _ = std::fs::remove_dir_all(staged);
        return Err(Error::io(output, e));
    }
    if let Some(aside) = old {
        let _ = std::fs::remove_dir_all(aside);
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("no atomic exchange on this system"))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Sink for Staging {
    fn write(&self, site_path: &str, bytes: &[u8]) -> Result<()> {
        let dest = self.target(site_path)?;
        create_parent(&dest)?;
        std::fs::write(&dest, bytes).map_err(|e| Error::io(&dest, e))
    }

    fn copy(&self, origin: &Origin, site_path: &str) -> Result<()> {
        match origin {
            Origin::BuiltIn(bytes) => self.write(site_path, bytes),
            Origin::File(src) => {
                let dest = self.target(site_path)?;
                create_parent(&dest)?;
                std::fs::copy(src, &dest).map_err(|e| Error::io(src, e))?;
                Ok(())
            }
        }
    }
}

const TEMP_PREFIX: &str = ".staffroom-";

/// Write a file so that a reader sees the old or the new version, never half of one:
/// a temporary file beside it, then a rename. `durable` also waits for the disk, which
/// the teacher's own files deserve; the cache, rewritten for every blog on every fetch
/// and recoverable from git, does not (fsync can take a third of a second).
pub fn write_atomically(path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    remove_abandoned_temp_files(dir);
    // A file written again keeps its permissions, and a new one gets those of any new
    // file (0666 less the umask), not a temporary file's 0600: `network add` must not
    // leave network.toml unreadable to the teacher's other tools.
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    if existing.is_none() {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    if let Some(perms) = existing {
        tmp.as_file()
            .set_permissions(perms)
            .map_err(|e| Error::io(path, e))?;
    }
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| Error::io(path, e))?;
    if durable {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

fn create_parent(dest: &Path) -> Result<()> {
    if let Some(p) = dest.parent() {
        std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
    }
    Ok(())
}

fn parent_dir(output: &Path) -> PathBuf {
    match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The output folder is replaced whole, so it must never be the site itself.
fn guard_output(output: &Path) -> Result<()> {
    if output.as_os_str().is_empty() || output.file_name().is_none() {
        return Err(
            Error::input(Location::file(output), "is not a usable output folder")
                .with_hint("use a folder of its own, e.g. --output public"),
        );
    }
    let looks_like_site = ["site.toml", "content", ".git"]
        .iter()
        .any(|f| output.join(f).exists());
    if looks_like_site {
        return Err(Error::input(
            Location::file(output),
            "holds a site or a git repository, and the output folder is replaced on every build",
        )
        .with_hint("use a folder of its own, e.g. --output public"));
    }
    if output.exists() && !output.is_dir() {
        return Err(Error::input(
            Location::file(output),
            "exists and is not a folder",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_refuses_paths_that_escape() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Staging::new(&tmp.path().join("public")).unwrap();
        assert!(s.write("../evil", b"x").is_err());
        assert!(s.write("/etc/x", b"x").is_err());
        s.write("a/b.html", b"ok").unwrap();
        s.commit(&tmp.path().join("public")).unwrap();
        assert_eq!(
            std::fs::read(tmp.path().join("public/a/b.html")).unwrap(),
            b"ok"
        );
    }

    #[test]
    fn a_second_commit_replaces_the_first_and_a_lost_output_comes_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        for text in [&b"one"[..], b"two"] {
            let s = Staging::new(&out).unwrap();
            s.write("index.html", text).unwrap();
            s.commit(&out).unwrap();
        }
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "nothing left beside it"
        );
        // As if killed between the fallback's two renames.
        std::fs::rename(&out, tmp.path().join(".public.old-1")).unwrap();
        let _ = Staging::new(&out).unwrap();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"two");
    }

    /// The swap macOS and Windows use (and Linux, where the file system has no
    /// exchange), called directly so that it is tested on every system.
    #[test]
    fn the_swap_by_renames_replaces_the_site_or_leaves_it_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let staged = tmp.path().join("staged");
        for (dir, text) in [(&out, "old"), (&staged, "new")] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("index.html"), text).unwrap();
        }
        swap_by_renames(&staged, &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "nothing left beside it: {left:?}");

        // The staged site is gone (as if removed under the build): the old one stays.
        let err = swap_by_renames(&staged, &out).unwrap_err().to_string();
        assert!(err.contains("public"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);

        // A first build: there is no old site to move aside.
        std::fs::remove_dir_all(&out).unwrap();
        std::fs::create_dir_all(&staged).unwrap();
        swap_by_renames(&staged, &out).unwrap();
        assert!(out.is_dir() && !staged.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_rewritten_file_keeps_its_permissions_and_a_new_one_is_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let new = tmp.path().join("network.toml");
        write_atomically(&new, b"a", true).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // Whatever the umask takes away, a temporary file's 0600 would have no group bits.
        let file = std::fs::File::create(tmp.path().join("plain")).unwrap();
        drop(file);
        assert_eq!(mode(&new), mode(&tmp.path().join("plain")));
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&new, b"b", true).unwrap();
        assert_eq!(mode(&new), 0o640);
    }

    #[test]
    fn refuses_to_replace_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("site.toml"), "").unwrap();
        assert!(Staging::new(tmp.path()).is_err());
    }
}
