//! `serve` redoes only what an edit changed; this checks that what it serves is always
//! what a full build writes. Random edits (seeded, so a failure repeats) to a copy of
//! the example site: post text, titles, tags, dates, slugs, drafts, links between
//! posts, pages, templates, site.toml, static files, the network cache and responses,
//! posts added and removed. After every edit the folder the preview serves must equal,
//! byte for byte, a fresh build of the same site (or both must refuse the site).
//!
//! It drives `Live`, the type `serve` rebuilds with, rather than a `serve` process:
//! the same code path, without waiting on file-watching and a port.
//!
//! STAFFROOM_EQUIVALENCE_SEED and STAFFROOM_EQUIVALENCE_STEPS change the run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use common::{TestSite, snapshot};
use staffroom::build::{BuildOptions, Builder, Mode, Stages};
use staffroom::content::Cache;
use staffroom::render::pages::Sink;
use staffroom::serve::live::Live;
use staffroom::site::LoadOptions;

const ORIGIN: &str = "http://127.0.0.1:9";

/// A post the test wrote, kept as a model so any field can change and the file be
/// written again.
#[derive(Clone)]
struct Gen {
    id: usize,
    title: String,
    date: String,
    tags: Vec<&'static str>,
    slug: Option<String>,
    draft: bool,
    alias: bool,
    paragraphs: Vec<String>,
    /// Ids of other generated posts this one links to (written as `.md` links).
    links: Vec<usize>,
}

impl Gen {
    fn file(&self) -> String {
        format!("gen-{}.md", self.id)
    }

    fn text(&self, all: &[Gen]) -> String {
        let mut front = format!("title: \"{}\"\ndate: {}\n", self.title, self.date);
        front += &format!("tags: [{}]\n", self.tags.join(", "));
        if let Some(s) = &self.slug {
            front += &format!("slug: {s}\n");
        }
        if self.draft {
            front += "draft: true\n";
        }
        if self.alias {
            front += &format!("aliases: [/old/gen-{}/]\n", self.id);
        }
        let mut body = self.paragraphs.join("\n\n");
        for target in &self.links {
            if let Some(t) = all.iter().find(|g| g.id == *target) {
                body += &format!("\n\nSee [{}]({}).", t.title, t.file());
            }
        }
        format!("---\n{front}---\n{body}\n")
    }
}

const TAGS: [&str; 6] = [
    "science",
    "lessons",
    "maths",
    "reflection",
    "new-tag",
    "Odd Tag",
];
const WORDS: [&str; 12] = [
    "beans",
    "density",
    "the",
    "class",
    "measured",
    "water",
    "and",
    "wrote",
    "a",
    "heron",
    "`code`",
    "*quietly*",
];

struct World {
    site: TestSite,
    rng: fastrand::Rng,
    posts: Vec<Gen>,
    next_id: usize,
    /// A post was given a link to a file that does not exist; the next edit removes it.
    broken: Option<PathBuf>,
}

impl World {
    fn root(&self) -> &Path {
        self.site.root()
    }

    fn words(&mut self, n: usize) -> String {
        let w: Vec<&str> = (0..n)
            .map(|_| WORDS[self.rng.usize(..WORDS.len())])
            .collect();
        w.join(" ")
    }

    fn date(&mut self) -> String {
        // Now and then a post dated in the future, which the preview shows marked.
        let year = if self.rng.u8(..10) == 0 {
            2031
        } else {
            self.rng.u32(2020..2026)
        };
        let (m, d) = (self.rng.u32(1..13), self.rng.u32(1..29));
        match self.rng.u8(..3) {
            0 => format!("{year}-{m:02}-{d:02}"),
            1 => format!("{year}-{m:02}-{d:02}T09:30:00-05:00"),
            _ => format!("{year}-{m:02}-{d:02}T18:00:00Z"),
        }
    }

    fn new_post(&mut self) -> Gen {
        self.next_id += 1;
        let n = self.rng.usize(1..4);
        let mut paragraphs: Vec<String> = (0..n).map(|_| self.words(12)).collect();
        if self.rng.u8(..4) == 0 {
            paragraphs.push(format!("```python\nx = {}\n```", self.rng.u8(..)));
        }
        // Long enough that lists show only the first paragraph, so the links at the
        // end are on the post's own page alone.
        if self.rng.bool() {
            paragraphs.push(self.words(220));
        }
        let tags = (0..self.rng.usize(..3))
            .map(|_| TAGS[self.rng.usize(..TAGS.len())])
            .collect();
        // Links between posts, so that one post's address changing changes others.
        let links = match self.posts.len() {
            0 => Vec::new(),
            n => vec![self.posts[self.rng.usize(..n)].id],
        };
        Gen {
            id: self.next_id,
            title: format!("Generated {}", self.words(2)),
            date: self.date(),
            tags,
            slug: None,
            draft: false,
            alias: false,
            paragraphs,
            links,
        }
    }

    fn write_post(&self, i: usize) {
        let g = &self.posts[i];
        self.site
            .file(&format!("content/posts/{}", g.file()), &g.text(&self.posts));
    }

    /// Writes every generated post: a change to one can change the links of others.
    fn write_posts(&self) {
        for i in 0..self.posts.len() {
            self.write_post(i);
        }
    }

    fn append(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        let mut old = std::fs::read_to_string(&path).unwrap_or_default();
        old.push_str(text);
        std::fs::write(path, old).unwrap();
    }

    fn replace(&self, rel: &str, re: &str, with: &str) {
        let path = self.root().join(rel);
        let old = std::fs::read_to_string(&path).unwrap();
        let new = regex::Regex::new(re)
            .unwrap()
            .replace(&old, with)
            .into_owned();
        std::fs::write(path, new).unwrap();
    }

    fn example_posts(&self) -> Vec<String> {
        let dir = self.root().join("content/posts");
        let mut files: Vec<String> = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                e.path()
                    .strip_prefix(self.root())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .filter(|p| p.ends_with(".md") && !p.contains("gen-"))
            .collect();
        files.sort();
        files
    }

    /// One random edit; returns what it did, for the failure message.
    fn edit(&mut self) -> String {
        if let Some(file) = self.broken.take() {
            self.replace(
                &file.display().to_string(),
                r"\n\[gone\]\(missing\.md\)\n",
                "\n",
            );
            return format!("removed the broken link from {}", file.display());
        }
        match self.rng.u8(..22) {
            roll @ 0..12 => self.edit_generated(roll),
            12 => {
                let files = self.example_posts();
                let file = files[self.rng.usize(..files.len())].clone();
                let text = self.words(20);
                self.append(&file, &format!("\n{text}\n"));
                format!("appended to {file}")
            }
            13 => {
                let file = "content/pages/about.md";
                let text = self.words(8);
                self.append(file, &format!("\n{text}\n"));
                format!("appended to {file}")
            }
            14 => self.edit_site_toml(),
            15 => self.edit_template(),
            16 => self.edit_network(),
            17 => {
                let css = format!("\n.x{} {{ color: red; }}\n", self.rng.u16(..));
                self.append("static/extra.css", &css);
                "static/extra.css".into()
            }
            18 => {
                let author = format!("author = \"Tomás {}\"", self.rng.u16(..));
                self.replace(
                    "data/responses/2026-11-21-like-social-example-org.toml",
                    r#"(?m)^author = .*$"#,
                    &author,
                );
                "a response's author".into()
            }
            19 => {
                let files = self.example_posts();
                let file = files[self.rng.usize(..files.len())].clone();
                self.append(&file, "\n[gone](missing.md)\n");
                self.broken = Some(file.clone().into());
                format!("a broken link in {file}")
            }
            _ => self.add_post(),
        }
    }

    fn add_post(&mut self) -> String {
        let g = self.new_post();
        self.posts.push(g);
        self.write_posts();
        "added a post".into()
    }

    /// An edit of the generated posts (`roll` picks which); a post added when the
    /// edit needs posts there are not.
    fn edit_generated(&mut self, roll: u8) -> String {
        let have = !self.posts.is_empty();
        match roll {
            2 if have => {
                let g = self.posts.remove(self.rng.usize(..self.posts.len()));
                std::fs::remove_file(self.root().join("content/posts").join(g.file())).unwrap();
                for p in &mut self.posts {
                    p.links.retain(|l| *l != g.id);
                }
                self.write_posts();
                format!("removed {}", g.file())
            }
            3 | 4 if have => {
                let i = self.rng.usize(..self.posts.len());
                self.posts[i].title = format!("Retitled {}", self.words(2));
                self.write_posts();
                format!("retitled {}", self.posts[i].file())
            }
            5 if have => {
                let i = self.rng.usize(..self.posts.len());
                self.posts[i].tags = (0..self.rng.usize(..3))
                    .map(|_| TAGS[self.rng.usize(..TAGS.len())])
                    .collect();
                self.write_post(i);
                format!("tags of {}", self.posts[i].file())
            }
            6 if have => {
                let i = self.rng.usize(..self.posts.len());
                self.posts[i].date = self.date();
                self.write_post(i);
                format!("date of {}", self.posts[i].file())
            }
            7 if have => {
                // A new address: posts linking to it must change with it.
                let i = self.rng.usize(..self.posts.len());
                self.posts[i].slug = match self.rng.bool() {
                    true => Some(format!("moved-{}", self.rng.u16(..1000))),
                    false => None,
                };
                self.write_post(i);
                format!("slug of {}", self.posts[i].file())
            }
            8 if have => {
                let i = self.rng.usize(..self.posts.len());
                self.posts[i].draft = !self.posts[i].draft;
                self.posts[i].alias = self.rng.bool();
                self.write_post(i);
                format!("draft/alias of {}", self.posts[i].file())
            }
            9 if self.posts.len() > 1 => {
                let i = self.rng.usize(..self.posts.len());
                let j = self.rng.usize(..self.posts.len());
                let target = self.posts[j].id;
                if i != j && !self.posts[i].links.contains(&target) {
                    self.posts[i].links.push(target);
                }
                self.write_post(i);
                format!("{} links to gen-{target}", self.posts[i].file())
            }
            10 | 11 if have => {
                let i = self.rng.usize(..self.posts.len());
                let n = self.rng.usize(1..30);
                let text = self.words(n);
                let g = &mut self.posts[i];
                match g.paragraphs.len() {
                    n if n > 1 && text.len().is_multiple_of(3) => {
                        g.paragraphs.remove(0);
                    }
                    _ => g.paragraphs.push(text),
                }
                self.write_post(i);
                format!("text of {}", self.posts[i].file())
            }
            _ => self.add_post(),
        }
    }

    fn edit_site_toml(&mut self) -> String {
        let (re, with) = match self.rng.u8(..4) {
            0 => (
                r#"(?m)^title = .*$"#,
                format!("title = \"Room {}\"", self.rng.u8(..)),
            ),
            1 => (
                r#"(?m)^posts_per_page = .*$"#,
                format!("posts_per_page = {}", self.rng.u8(1..7)),
            ),
            2 => (
                r#"(?m)^feed_limit = .*$"#,
                format!("feed_limit = {}", self.rng.u8(1..25)),
            ),
            _ => (
                r#"(?m)^description = .*$"#,
                format!("description = \"{}\"", self.words(5)),
            ),
        };
        self.replace("site.toml", re, &with);
        format!("site.toml: {with}")
    }

    fn edit_template(&mut self) -> String {
        let theme = common::repo().join("themes/default/templates/partials/post_summary.html");
        let theme = std::fs::read_to_string(theme).unwrap();
        let summary = "templates/partials/post_summary.html";
        match self.rng.u8(..4) {
            // A template that shows a field most themes leave out.
            0 => {
                let shown = theme.replace("</article>", "<i>{{ post.word_count }}</i></article>");
                self.site.file(summary, &shown);
                "post_summary.html shows word_count".into()
            }
            1 => {
                let _ = std::fs::remove_file(self.root().join(summary));
                "post_summary.html back to the theme's".into()
            }
            2 => {
                let n = self.rng.u16(..);
                let text = format!(
                    "{{% extends \"base.html\" %}}{{% block content %}}<h1>Lost {n}</h1>{{% endblock %}}"
                );
                self.site.file("templates/404.html", &text);
                "404.html".into()
            }
            _ => {
                let shown =
                    theme.replace("</article>", "<b>{{ post.title | upper }}</b></article>");
                self.site.file(summary, &shown);
                "post_summary.html shows the title twice".into()
            }
        }
    }

    fn edit_network(&mut self) -> String {
        let dir = self.root().join("data/network");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let file = &files[self.rng.usize(..files.len())];
        let mut cache: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let entries = cache["entries"].as_array_mut().unwrap();
        let what = if entries.len() > 1 && self.rng.u8(..4) == 0 {
            entries.pop();
            "dropped an entry"
        } else if let Some(e) = entries.first_mut() {
            e["title"] = format!("Network {}", self.rng.u16(..)).into();
            "retitled an entry"
        } else {
            "nothing"
        };
        std::fs::write(file, serde_json::to_string_pretty(&cache).unwrap()).unwrap();
        format!("network cache {}: {what}", file.display())
    }
}

/// Every file a build writes, by site path.
#[derive(Default)]
struct Files(Mutex<BTreeMap<PathBuf, Vec<u8>>>);

impl Sink for Files {
    fn write(&self, path: &str, bytes: &[u8]) -> staffroom::error::Result<()> {
        let mut files = self.0.lock().unwrap();
        files.insert(PathBuf::from(path), bytes.to_vec());
        Ok(())
    }
}

/// What a full build of the site writes, or its error: `build`'s stages, from
/// nothing, into memory rather than a staged folder (whose syncing to disk made
/// this test slow). The compiled templates are kept while their sources stay the
/// same (compiling them is most of a debug build); nothing else is.
fn full_build(
    builder: &mut Builder,
    root: &Path,
    drafts: bool,
) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let options = BuildOptions {
        // What the preview shows: drafts and future posts marked, or neither.
        load: LoadOptions {
            drafts,
            future: drafts,
            preview: true,
        },
        base_url: Some(format!("{ORIGIN}/room14/")),
        output: None,
    };
    builder.memo.content = Cache::default();
    let mut stages = Stages::default();
    let files = Files::default();
    let built = builder
        .prepare(root, &options, &mut stages)
        .and_then(|prepared| builder.write(&prepared, &files, Mode::All, &mut stages));
    match built {
        Ok(_) => Ok(files.0.into_inner().unwrap().into_iter().collect()),
        Err(e) => Err(e.to_string()),
    }
}

fn first_difference(a: &[(PathBuf, Vec<u8>)], b: &[(PathBuf, Vec<u8>)]) -> String {
    let names = |s: &[(PathBuf, Vec<u8>)]| s.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    if names(a) != names(b) {
        let only = |x: &[(PathBuf, Vec<u8>)], y: &[(PathBuf, Vec<u8>)]| {
            let y = names(y);
            names(x)
                .into_iter()
                .filter(|p| !y.contains(p))
                .collect::<Vec<_>>()
        };
        return format!(
            "only served: {:?}; only built: {:?}",
            only(a, b),
            only(b, a)
        );
    }
    let (path, _) = a
        .iter()
        .zip(b)
        .find(|(x, y)| x.1 != y.1)
        .map(|(x, _)| x)
        .unwrap();
    path.display().to_string()
}

/// The example site with two of its posts (one a bundle with images): its network,
/// responses, pages and settings, and few enough posts for hundreds of debug builds.
fn small_example() -> TestSite {
    let site = TestSite::example();
    let posts = site.root().join("content/posts");
    for entry in std::fs::read_dir(&posts).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match name.as_str() {
            "density-lesson.md" | "bean-diary" => {}
            _ if path.is_dir() => std::fs::remove_dir_all(&path).unwrap(),
            _ => std::fs::remove_file(&path).unwrap(),
        }
    }
    site
}

fn run(seed: u64, steps: usize, drafts: bool) {
    let mut world = World {
        site: small_example(),
        rng: fastrand::Rng::with_seed(seed),
        posts: Vec::new(),
        next_id: 0,
        broken: None,
    };
    let served = world.site.dir.path().join("served");
    let mut reference = Builder::default();
    let mut live = Live::new(world.root(), ORIGIN, drafts, &served);
    let mut history = vec!["the example site".to_string()];
    for step in 0..=steps {
        if step > 0 {
            history.push(world.edit());
        }
        let incremental = live.rebuild().map_err(|e| e.to_string());
        let full = full_build(&mut reference, world.root(), drafts);
        let last = history
            .iter()
            .rev()
            .take(5)
            .rev()
            .cloned()
            .collect::<Vec<_>>();
        match (incremental, full) {
            (Ok(_), Ok(full)) => {
                let got = snapshot(&served);
                assert!(
                    got == full,
                    "seed {seed}, step {step}: served and built differ at {}\nlast edits: {last:#?}",
                    first_difference(&got, &full)
                );
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "seed {seed}, step {step}"),
            (a, b) => panic!(
                "seed {seed}, step {step}: serve {:?} but build {:?}\nlast edits: {last:#?}",
                a.err(),
                b.err()
            ),
        }
    }
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn serving_with_drafts_equals_a_full_build_after_every_edit() {
    let seed = setting("STAFFROOM_EQUIVALENCE_SEED", 14);
    let steps = setting("STAFFROOM_EQUIVALENCE_STEPS", 150) as usize;
    run(seed, steps, true);
}

#[test]
fn serving_without_drafts_equals_a_full_build_after_every_edit() {
    let seed = setting("STAFFROOM_EQUIVALENCE_SEED", 14) + 1;
    let steps = setting("STAFFROOM_EQUIVALENCE_STEPS", 150) as usize;
    run(seed, steps, false);
}
