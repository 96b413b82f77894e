//! What a killed `staffroom` leaves behind (a staging folder, the old site moved
//! aside, a temporary file), and how the next run clears it.

use std::path::Path;
use std::time::Duration;

use super::{TEMP_PREFIX, file_name, parent_dir};

/// Whether `name` (`PREFIX<pid>-…`) was made by a process that no longer runs, so
/// nobody will finish or remove it. Unknown (other systems, no id) counts as alive.
pub fn left_by_dead_process(name: &str, prefix: &str) -> bool {
    maker(name, prefix)
        .is_some_and(|pid| pid != std::process::id() && process_runs(pid) == Some(false))
}

/// The process id in `PREFIX<pid>-…`.
fn maker(name: &str, prefix: &str) -> Option<u32> {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok())
}

/// None where this system cannot tell without more than the standard library.
fn process_runs(pid: u32) -> Option<bool> {
    cfg!(target_os = "linux").then(|| Path::new(&format!("/proc/{pid}")).exists())
}

/// How long a leftover named for a process that may still run is kept: a write takes
/// milliseconds and a build seconds, so one untouched for this long was abandoned.
/// It is how leftovers go away where a process cannot be checked (macOS, Windows),
/// and where its id now belongs to another process.
const ABANDONED_AFTER: Duration = Duration::from_secs(3600);

/// A leftover (`PREFIX<pid>-…`) that no running process will finish or remove.
fn abandoned(entry: &std::fs::DirEntry, prefix: &str) -> bool {
    let name = entry.file_name().to_string_lossy().into_owned();
    left_by_dead_process(&name, prefix)
        || entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > ABANDONED_AFTER)
}

/// A build killed mid-way leaves its staging folder behind, and one killed between
/// the two renames of the fallback swap leaves the old site aside with no output.
/// Put the old site back, and clear staging folders whose build is gone.
pub(super) fn recover(output: &Path) {
    let parent = parent_dir(output);
    let name = file_name(output);
    let staging = format!(".{name}.staffroom-");
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return;
    };
    for entry in entries.flatten() {
        let n = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if n.starts_with(&format!(".{name}.old-")) {
            if !output.exists() {
                let _ = std::fs::rename(&path, output);
            } else {
                let _ = std::fs::remove_dir_all(&path);
            }
        } else if n.starts_with(&staging) && abandoned(&entry, &staging) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// A process killed between creating its temporary file and renaming it leaves the
/// file behind, in folders (data/network/, the site) that the teacher commits.
pub(super) fn remove_abandoned_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        // Only names that are surely ours: a teacher's file is never removed.
        let ours = maker(&entry.file_name().to_string_lossy(), TEMP_PREFIX).is_some();
        if ours && abandoned(&entry, TEMP_PREFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::output::{Staging, write_atomically};

    #[test]
    fn staging_left_by_a_killed_build_is_cleared() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        // Above any pid_max, so no process can own it.
        let dead = tmp.path().join(".public.staffroom-999999999-abc");
        let alive = tmp
            .path()
            .join(format!(".public.staffroom-{}-abc", std::process::id()));
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::create_dir_all(&alive).unwrap();
        let _ = Staging::new(&out).unwrap();
        assert_eq!(dead.exists(), !cfg!(target_os = "linux"));
        assert!(alive.exists());
    }

    #[test]
    fn a_write_clears_temporary_files_of_killed_writers() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = tmp.path().join(".staffroom-999999999-x");
        std::fs::write(&dead, "half").unwrap();
        write_atomically(&tmp.path().join("a.json"), b"{}", false).unwrap();
        assert_eq!(dead.exists(), !cfg!(target_os = "linux"));
        assert_eq!(std::fs::read(tmp.path().join("a.json")).unwrap(), b"{}");
    }

    fn touched_hours_ago(path: &Path, hours: u64) {
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(hours * 3600);
        let mut options = std::fs::File::options();
        // What setting a time needs, for a file or a folder alike.
        #[cfg(unix)]
        options.read(true);
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt;
            const FILE_WRITE_ATTRIBUTES: u32 = 0x100;
            const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
            options
                .access_mode(FILE_WRITE_ATTRIBUTES)
                .custom_flags(FILE_FLAG_BACKUP_SEMANTICS);
        }
        options.open(path).unwrap().set_modified(then).unwrap();
    }

    /// Where a process cannot be checked (macOS, Windows), and where its id now
    /// belongs to another process, age is what tells a leftover: tested here on
    /// every system, with the writer's own id, which always counts as running.
    #[test]
    fn leftovers_untouched_for_an_hour_are_cleared_whoever_made_them() {
        let tmp = tempfile::tempdir().unwrap();
        let me = std::process::id();
        let old_file = tmp.path().join(format!(".staffroom-{me}-old"));
        let new_file = tmp.path().join(format!(".staffroom-{me}-new"));
        let teachers = tmp.path().join(".staffroom-notes");
        for f in [&old_file, &new_file, &teachers] {
            std::fs::write(f, "x").unwrap();
        }
        touched_hours_ago(&old_file, 2);
        touched_hours_ago(&teachers, 2);
        write_atomically(&tmp.path().join("a.json"), b"{}", false).unwrap();
        assert!(!old_file.exists());
        assert!(new_file.exists(), "a write in progress was removed");
        assert!(teachers.exists(), "a file that is not ours was removed");

        let out = tmp.path().join("public");
        let old_dir = tmp.path().join(format!(".public.staffroom-{me}-old"));
        let new_dir = tmp.path().join(format!(".public.staffroom-{me}-new"));
        std::fs::create_dir_all(&old_dir).unwrap();
        std::fs::create_dir_all(&new_dir).unwrap();
        touched_hours_ago(&old_dir, 2);
        let _ = Staging::new(&out).unwrap();
        assert!(!old_dir.exists());
        assert!(new_dir.exists(), "a build in progress lost its folder");
    }
}
