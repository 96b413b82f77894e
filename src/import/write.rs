//! Put an [`Export`] into the site. A file that is already there is never written
//! over: the same bytes count as "unchanged" (a second import changes nothing), other
//! bytes as "kept" (the teacher edited it since, and their edit wins).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::model::{AssetFrom, Export, Item, ItemKind};
use crate::error::{Error, Result};
use crate::output::write_atomically;

/// Where imported responses go, one folder per post, one file per response.
pub const RESPONSES_DIR: &str = "data/responses/imported";

/// What `write` did, or would do in a dry run.
#[derive(Debug, Default)]
pub struct Written {
    pub posts: usize,
    pub drafts: usize,
    pub pages: usize,
    pub responses: usize,
    pub files: usize,
    /// Already there with the same bytes.
    pub unchanged: usize,
    /// Already there with other bytes: left as the teacher has them.
    pub kept: Vec<PathBuf>,
    /// Images still to fetch from the old site: (URL, file to write).
    pub downloads: Vec<(String, PathBuf)>,
}

enum Outcome {
    New,
    Unchanged,
    Kept,
}

/// Where each item goes: its slug (made unique) and its Markdown file, in the export's
/// order. Reads nothing, so the importer can know the files before anything is written.
pub fn places(root: &Path, export: &Export) -> Vec<(String, PathBuf)> {
    let mut taken = HashSet::new();
    (export.items.iter())
        .map(|item| {
            let slug = unique(&mut taken, item);
            let file = item_file(root, item, &slug);
            (slug, file)
        })
        .collect()
}

/// The old site's files still missing beside each item: (URL, file to write).
pub fn downloads(export: &Export, places: &[(String, PathBuf)]) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for (item, (_, file)) in export.items.iter().zip(places) {
        let dir = file.parent().unwrap_or(Path::new("."));
        for asset in &item.assets {
            if let AssetFrom::Url(url) = &asset.from
                && !dir.join(&asset.name).exists()
            {
                out.push((url.clone(), dir.join(&asset.name)));
            }
        }
    }
    out
}

pub fn write(root: &Path, export: &Export, dry_run: bool) -> Result<Written> {
    let places = places(root, export);
    let mut done = Written {
        downloads: downloads(export, &places),
        ..Written::default()
    };
    for (item, (slug, file)) in export.items.iter().zip(&places) {
        match place(file, &markdown(item), dry_run)? {
            Outcome::New => match item.kind {
                ItemKind::Post if item.front.draft => done.drafts += 1,
                ItemKind::Post => done.posts += 1,
                ItemKind::Page => done.pages += 1,
            },
            Outcome::Unchanged => done.unchanged += 1,
            Outcome::Kept => done.kept.push(file.clone()),
        }
        copy_files(item, file, dry_run, &mut done)?;
        responses(root, item, slug, dry_run, &mut done)?;
    }
    Ok(done)
}

/// Two items that would share a file get `-2`, `-3`...: nothing read is dropped.
fn unique(taken: &mut HashSet<(ItemKind, String)>, item: &Item) -> String {
    let mut slug = item.slug.clone();
    let mut n = 2;
    while !taken.insert((item.kind, slug.clone())) {
        slug = format!("{}-{n}", item.slug);
        n += 1;
    }
    slug
}

fn item_file(root: &Path, item: &Item, slug: &str) -> PathBuf {
    let dir = root.join("content").join(match item.kind {
        ItemKind::Post => "posts",
        ItemKind::Page => "pages",
    });
    if item.assets.is_empty() {
        dir.join(format!("{slug}.md"))
    } else {
        dir.join(slug).join("index.md")
    }
}

/// The site path the item will have, for responses' `target`.
fn site_path(item: &Item, slug: &str) -> String {
    match item.kind {
        ItemKind::Post => format!("/posts/{slug}/"),
        ItemKind::Page => format!("/{slug}/"),
    }
}

pub fn markdown(item: &Item) -> String {
    // A struct of strings, lists and maps always serializes; an error here is a bug.
    let yaml = serde_yaml_ng::to_string(&item.front).unwrap_or_default();
    let body = item.body.trim_end();
    format!("---\n{yaml}---\n\n{body}\n")
}

fn place(file: &Path, bytes: &str, dry_run: bool) -> Result<Outcome> {
    match std::fs::read(file) {
        Ok(old) if old == bytes.as_bytes() => Ok(Outcome::Unchanged),
        // `init`'s example About page, never edited, gives way to the old blog's own.
        Ok(old) if !crate::init::is_untouched_starter(file, &old) => Ok(Outcome::Kept),
        Ok(_) => {
            if !dry_run {
                write_atomically(file, bytes.as_bytes(), true)?;
            }
            Ok(Outcome::New)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !dry_run {
                write_atomically(file, bytes.as_bytes(), true)?;
            }
            Ok(Outcome::New)
        }
        Err(e) => Err(Error::io(file, e)),
    }
}

/// Files from the old site's folder, copied beside the item (downloads are listed by
/// [`downloads`]).
fn copy_files(item: &Item, file: &Path, dry_run: bool, done: &mut Written) -> Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    for asset in &item.assets {
        let dest = dir.join(&asset.name);
        if let AssetFrom::File(src) = &asset.from
            && !dest.exists()
        {
            if !dry_run {
                let bytes = std::fs::read(src).map_err(|e| Error::io(src, e))?;
                write_atomically(&dest, &bytes, true)?;
            }
            done.files += 1;
        }
    }
    Ok(())
}

fn responses(
    root: &Path,
    item: &Item,
    slug: &str,
    dry_run: bool,
    done: &mut Written,
) -> Result<()> {
    let dir = root.join(RESPONSES_DIR).join(slug);
    for response in &item.responses {
        let mut r = response.clone();
        r.target = site_path(item, slug);
        // Serializing a struct of strings to TOML cannot fail; an error here is a bug.
        let text = toml::to_string(&r).unwrap_or_default();
        let file = dir.join(format!("{}.toml", r.id));
        match place(&file, &text, dry_run)? {
            Outcome::New => done.responses += 1,
            Outcome::Unchanged => done.unchanged += 1,
            Outcome::Kept => done.kept.push(file),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::model::{FrontMatter, Response};
    use super::*;

    fn post(slug: &str, body: &str) -> Item {
        Item {
            kind: ItemKind::Post,
            origin: "item 1".into(),
            slug: slug.into(),
            front: FrontMatter {
                title: "Hello".into(),
                date: chrono::DateTime::parse_from_rfc3339("2019-03-02T10:00:00+01:00").ok(),
                aliases: vec!["/2019/03/02/hello/".into(), "/?p=1".into()],
                ..FrontMatter::default()
            },
            body: body.into(),
            assets: vec![],
            responses: vec![Response {
                id: "wp-7".into(),
                kind: "comment",
                author: "Ann".into(),
                html: "<p>Nice</p>".into(),
                ..Response::default()
            }],
        }
    }

    #[test]
    fn a_second_write_changes_nothing_and_edits_are_kept() {
        let root = tempfile::tempdir().unwrap();
        let export = Export {
            items: vec![post("hello", "First."), post("hello", "Same slug.")],
            ..Export::default()
        };
        let first = write(root.path(), &export, false).unwrap();
        assert_eq!((first.posts, first.responses), (2, 2));
        let text = std::fs::read_to_string(root.path().join("content/posts/hello.md")).unwrap();
        assert_eq!(
            text,
            "---\ntitle: Hello\ndate: 2019-03-02T10:00:00+01:00\naliases:\n- /2019/03/02/hello/\n- /?p=1\n---\n\nFirst.\n"
        );
        assert!(root.path().join("content/posts/hello-2.md").is_file());
        let reply = std::fs::read_to_string(
            root.path()
                .join("data/responses/imported/hello-2/wp-7.toml"),
        )
        .unwrap();
        assert!(
            reply.starts_with("target = \"/posts/hello-2/\"\nid = \"wp-7\"\n"),
            "{reply}"
        );

        std::fs::write(root.path().join("content/posts/hello.md"), "edited").unwrap();
        let second = write(root.path(), &export, false).unwrap();
        assert_eq!(
            (second.posts, second.responses, second.unchanged),
            (0, 0, 3)
        );
        assert_eq!(
            second.kept,
            vec![root.path().join("content/posts/hello.md")]
        );
        assert_eq!(
            std::fs::read_to_string(root.path().join("content/posts/hello.md")).unwrap(),
            "edited"
        );
    }

    #[test]
    fn a_dry_run_writes_nothing() {
        let root = tempfile::tempdir().unwrap();
        let export = Export {
            items: vec![post("hello", "x")],
            ..Export::default()
        };
        let done = write(root.path(), &export, true).unwrap();
        assert_eq!(done.posts, 1);
        assert!(!root.path().join("content").exists());
    }
}
