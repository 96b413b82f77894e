//! Merging two clones' `data/network/<blog>.json`, entry by entry, for git.
//!
//! Two fetches of one blog that saw different posts (the bot yesterday, the teacher
//! today) both add entries at the top of the list, and git's line merge calls any two
//! different insertions at one place a conflict, even when one is the other plus a post.
//! Entries have ids, so the merge is simple: every entry of either side, a changed
//! entry from the side that changed it, sorted as a fetch sorts them. Git runs it as a
//! merge driver: `data/network/.gitattributes` (written by `network fetch`) names it,
//! and `merge.staffroom.driver` in the clone's git config says how to run it, which
//! `network fetch` sets in each clone it runs in (the teacher's, and CI's). Without
//! that setting git merges line by line, as before.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use super::cache::{BlogCache, Entry, sort_newest_first};
use crate::error::{Error, Location, Result};

/// What `network fetch` writes beside the caches, once.
pub const GITATTRIBUTES: &str = "\
# Written by staffroom: git merges two fetches of a blog entry by entry, without
# conflicts, when `git config merge.staffroom.driver` is set (see the README).
*.json merge=staffroom
";

/// How git runs the driver: `staffroom` on the PATH, so it outlives any one install.
pub const DRIVER: &str = "staffroom network merge %O %A %B %P";

/// Name the driver in the git config of the clone `root` is in, unless some driver is
/// named already (the teacher's choice stands). True when it was set just now. Not in
/// a clone, or without git: nothing to do, and no error.
pub fn set_up_driver(root: &Path) -> bool {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
    };
    let inside = git(&["rev-parse", "--is-inside-work-tree"])
        .is_some_and(|o| o.status.success() && o.stdout.starts_with(b"true"));
    if !inside
        || git(&["config", "--get", "merge.staffroom.driver"]).is_some_and(|o| o.status.success())
    {
        return false;
    }
    let name = "staffroom: merge data/network/ caches entry by entry";
    git(&["config", "--local", "merge.staffroom.name", name]);
    git(&["config", "--local", "merge.staffroom.driver", DRIVER])
        .is_some_and(|o| o.status.success())
}

/// Write the 3-way merge of `ours` and `theirs` (from `base`) into `ours`, as git asks
/// a merge driver to. `name` is the file's path in the repository, for messages.
pub fn merge_files(base: &Path, ours: &Path, theirs: &Path, name: &str) -> Result<()> {
    let read = |p: &Path| -> Result<BlogCache> {
        let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
        // An empty base: both sides added the file.
        if text.trim().is_empty() {
            return Ok(BlogCache::default());
        }
        serde_json::from_str(&text).map_err(|e| {
            Error::input(
                Location::line(name, e.line()).with_column(Some(e.column())),
                format!("cannot merge this network cache, one side is damaged: {e}"),
            )
            .with_hint("resolve the conflict by hand, or take either side and run `staffroom network fetch`")
        })
    };
    let merged = merge(&read(base)?, read(ours)?, read(theirs)?);
    let mut text = serde_json::to_string_pretty(&merged)
        .map_err(|e| Error::io(ours, std::io::Error::other(e)))?;
    text.push('\n');
    std::fs::write(ours, text).map_err(|e| Error::io(ours, e))
}

/// Every entry of either side, as a 3-way merge: one both kept but only one changed
/// comes from that one (one both changed from `theirs`), and one that a side let go
/// (`keep_per_blog`) while the other left it as it was is gone.
pub fn merge(base: &BlogCache, ours: BlogCache, theirs: BlogCache) -> BlogCache {
    let pick = |o: &str, t: &str, b: &str| if t != b { t.to_string() } else { o.to_string() };
    let mut out = BlogCache {
        name: ours.name.clone(),
        feed: ours.feed.clone(),
        site: pick(&ours.site, &theirs.site, &base.site),
        feed_title: pick(&ours.feed_title, &theirs.feed_title, &base.feed_title),
        ..Default::default()
    };
    let before: HashMap<&str, &Entry> = base.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let unchanged = |e: &Entry| before.get(e.id.as_str()) == Some(&e);
    let mine: HashMap<&str, &Entry> = ours.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut taken = HashSet::new();
    let mut entries = Vec::with_capacity(ours.entries.len().max(theirs.entries.len()));
    for t in &theirs.entries {
        if !taken.insert(t.id.as_str()) {
            continue;
        }
        match mine.get(t.id.as_str()) {
            Some(o) if unchanged(t) => entries.push((*o).clone()),
            Some(_) => entries.push(t.clone()),
            None if unchanged(t) => {}
            None => entries.push(t.clone()),
        }
    }
    // Ours in its own order, after theirs: undated entries keep a stable order.
    for o in &ours.entries {
        if taken.insert(o.id.as_str()) && !unchanged(o) {
            entries.push(o.clone());
        }
    }
    sort_newest_first(&mut entries);
    out.entries = entries;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, day: u32, title: &str) -> Entry {
        Entry {
            id: id.into(),
            title: title.into(),
            published: Some(
                chrono::DateTime::parse_from_rfc3339(&format!("2026-10-{day:02}T08:00:00Z"))
                    .unwrap()
                    .to_utc(),
            ),
            ..Default::default()
        }
    }

    fn cache(entries: Vec<Entry>) -> BlogCache {
        BlogCache {
            name: "Room 9".into(),
            entries,
            ..Default::default()
        }
    }

    fn ids(c: &BlogCache) -> Vec<&str> {
        c.entries.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn both_sides_new_posts_are_kept_newest_first() {
        let base = cache(vec![entry("1", 1, "one")]);
        let bot = cache(vec![entry("2", 2, "two"), entry("1", 1, "one")]);
        let teacher = cache(vec![
            entry("3", 3, "three"),
            entry("2", 2, "two"),
            entry("1", 1, "one"),
        ]);
        let merged = merge(&base, bot.clone(), teacher.clone());
        assert_eq!(ids(&merged), ["3", "2", "1"]);
        assert_eq!(merge(&base, teacher, bot), merged);
    }

    #[test]
    fn a_changed_entry_comes_from_the_side_that_changed_it() {
        let base = cache(vec![entry("1", 1, "draft title")]);
        let edited = cache(vec![entry("1", 1, "final title")]);
        let merged = merge(&base, edited.clone(), base.clone());
        assert_eq!(merged.entries[0].title, "final title");
        let merged = merge(&base, base.clone(), edited);
        assert_eq!(merged.entries[0].title, "final title");
    }

    #[test]
    fn what_one_side_let_go_is_gone() {
        let base = cache(vec![entry("2", 2, ""), entry("1", 1, "")]);
        // keep = 2: one side fetched post 3 and let post 1 go.
        let ours = cache(vec![entry("3", 3, ""), entry("2", 2, "")]);
        let merged = merge(&base, ours.clone(), base.clone());
        assert_eq!(ids(&merged), ["3", "2"]);
        assert_eq!(merge(&base, base.clone(), ours), merged);
    }

    #[test]
    fn git_runs_it_on_files() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, c: &BlogCache| {
            let p = dir.path().join(name);
            std::fs::write(&p, serde_json::to_string_pretty(c).unwrap()).unwrap();
            p
        };
        let base = dir.path().join("base");
        std::fs::write(&base, "").unwrap();
        let ours = write("ours", &cache(vec![entry("1", 1, "")]));
        let theirs = write("theirs", &cache(vec![entry("2", 2, "")]));
        merge_files(&base, &ours, &theirs, "data/network/room-9.json").unwrap();
        let text = std::fs::read_to_string(&ours).unwrap();
        let merged: BlogCache = serde_json::from_str(&text).unwrap();
        assert_eq!(ids(&merged), ["2", "1"]);

        std::fs::write(&theirs, "<<<<<<< HEAD\n").unwrap();
        let err = merge_files(&base, &ours, &theirs, "data/network/room-9.json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("data/network/room-9.json:1:1: "),
            "{err}"
        );
    }
}
