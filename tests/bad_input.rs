//! The bad-input battery: each case is one thing a teacher (or a hostile file) might
//! do, run through the real `staffroom build`. Every case is its own `#[test]`, with
//! its own exit code and its own snapshot of the whole output (tests/snapshots/
//! `bad_input__NAME.snap`, temp-dir paths replaced by `[SITE]`), so renaming a case
//! cannot switch its check off and a message that merely mentions a file name is not
//! enough. Every case also gets the battery's global checks: exit 0 or 1 within
//! [`TIME_BOUND`], never a panic or a backtrace, nothing written outside the output
//! folder, and on an error the previous `public/` left exactly as it was.
//!
//! The cases live in `bad_input/` by area; a case is one row of [`cases!`]:
//! `name { intent, code, setup, [args,] [check] }`. A new case, or a message changed
//! on purpose, gets its snapshot with `INSTA_UPDATE=always cargo test --test bad_input
//! NAME` (or `cargo insta review`); read the `.snap` before committing it: does the
//! message name the file and line, and say what to do?

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{TestSite, snapshot};

/// Far above what any case takes (well under a second each), so a slow shared machine
/// does not fail a case, while a hang still ends the test.
const TIME_BOUND: Duration = Duration::from_secs(30);

/// One row of the battery.
pub struct Case {
    /// The test's name, which names the snapshot too.
    pub name: &'static str,
    /// What the teacher (or the attacker) did, in words; shown in the snapshot header.
    pub intent: &'static str,
    /// The exit code this case must end with.
    pub code: i32,
    /// Changes the standard site (site.toml and content/posts/good.md).
    pub setup: fn(&TestSite),
    /// Extra arguments after `build`.
    pub args: fn(&TestSite) -> Vec<OsString>,
    /// Checks on the result beyond the snapshot, e.g. where a file was written; given
    /// the normalized output too.
    pub check: fn(&TestSite, &str),
}

/// `cases! { name { intent: "...", code: 1, setup: |s| ..., args: |s| ..., check: |s| ... } ... }`
/// makes one `#[test]` per row; `args` and `check` may be left out. Attributes before a
/// row (`#[ignore = "..."]`) go onto its test.
macro_rules! cases {
    ($(
        $(#[$attr:meta])*
        $name:ident {
            intent: $intent:literal,
            code: $code:literal,
            setup: $setup:expr
            $(, args: $args:expr)?
            $(, check: $check:expr)?
            $(,)?
        }
    )*) => {
        $(
            $(#[$attr])*
            #[test]
            fn $name() {
                $crate::run_case(&$crate::Case {
                    name: stringify!($name),
                    intent: $intent,
                    code: $code,
                    setup: $setup,
                    args: cases!(@or $($args)?),
                    check: cases!(@or_check $($check)?),
                });
            }
        )*
        /// Every case of this file, to check the battery keeps them all.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];
    };
    (@or) => { |_| Vec::new() };
    (@or $args:expr) => { $args };
    (@or_check) => { |_, _| {} };
    (@or_check $check:expr) => { $check };
}

#[path = "bad_input/config.rs"]
mod config;
#[path = "bad_input/network.rs"]
mod network;
#[path = "bad_input/output.rs"]
mod output;
#[path = "bad_input/posts.rs"]
mod posts;
#[path = "bad_input/refs.rs"]
mod refs;
#[path = "bad_input/template_lines.rs"]
mod template_lines;
#[path = "bad_input/templates.rs"]
mod templates;

/// The cases the battery had when it was one test (issue #13), in their old order; each
/// must stay, under this name, so its snapshot keeps being checked.
const CASES_BEFORE_ISSUE_13: [&str; 58] = [
    "invalid_utf8_in_a_post",
    "an_empty_post_file",
    "front_matter_never_closed",
    "front_matter_that_is_a_list",
    "yaml_alias_bomb",
    "a_date_that_does_not_exist",
    "a_date_in_words",
    "no_date_on_a_post",
    "no_title",
    "title_is_a_list",
    "date_is_a_number",
    "updated_is_a_list",
    "tags_is_a_table",
    "categories_is_true",
    "draft_is_text",
    "summary_is_a_table",
    "slug_is_a_list",
    "aliases_is_a_number",
    "toml_front_matter_with_a_type_error",
    "toml_front_matter_that_does_not_parse",
    "a_slug_that_climbs_out_of_public",
    "an_absolute_slug",
    "a_slug_with_nothing_usable_in_it",
    "a_tag_that_tries_to_climb_out",
    "an_empty_tag",
    "an_alias_that_climbs_out",
    "an_alias_with_an_absolute_system_path",
    "an_alias_that_takes_an_existing_pages_url",
    "deeply_nested_block_quotes",
    "deeply_nested_lists",
    "a_200_kb_title",
    "nul_bytes_in_a_post",
    "script_in_a_title_is_escaped",
    "a_byte_order_mark_and_crlf_line_ends",
    "a_link_to_a_markdown_file_outside_content",
    "site_toml_missing",
    "site_toml_empty",
    "site_toml_not_toml",
    "site_toml_not_utf8",
    "base_url_with_an_ftp_scheme",
    "posts_per_page_of_zero",
    "a_theme_name_that_climbs_out",
    "a_theme_that_does_not_exist",
    "a_template_that_includes_itself",
    "two_templates_that_include_each_other",
    "a_template_with_a_syntax_error",
    "a_template_that_is_not_utf8",
    "a_symlink_loop_in_content",
    "a_post_file_that_is_a_dangling_symlink",
    "network_toml_not_toml",
    "network_toml_not_utf8",
    "a_blog_without_a_feed",
    "a_blog_whose_feed_is_not_a_url",
    "blog_is_a_string",
    "a_corrupt_network_cache_file",
    "a_network_cache_file_with_wrong_types",
    "a_network_cache_entry_with_hostile_html",
    "output_pointing_at_the_site_itself",
];

fn all_names() -> Vec<&'static str> {
    [
        posts::NAMES,
        refs::NAMES,
        config::NAMES,
        templates::NAMES,
        template_lines::NAMES,
        network::NAMES,
        output::NAMES,
    ]
    .concat()
}

/// The standard site every case starts from, plus a `public/` standing in for the
/// previous build, so "left as it was" can be checked.
fn standard_site() -> TestSite {
    let site = TestSite::new();
    site.post("good.md", "title: Good\ndate: 2024-01-01", "Fine.");
    site.file("public/index.html", "the previous build\n");
    site.file("public/posts/good/index.html", "the previous post\n");
    site
}

pub fn run_case(case: &Case) {
    let name = case.name;
    let site = standard_site();
    (case.setup)(&site);
    let before = Files::of(&site);
    let (code, shown) = build(case, &site);
    // Lost or stray files matter more than a wrong exit code, so they are checked first.
    before.unchanged(&site, code == Some(1), &format!("case `{name}`"));
    assert_eq!(code, Some(case.code), "case `{name}`: exit code\n{shown}");
    (case.check)(&site, &shown);
    insta::with_settings!({
        description => case.intent,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, format!("exit: {}\n{shown}", case.code));
    });
}

/// Runs `staffroom build` on the site: its exit code, and its normalized stdout and
/// stderr, after the checks every case must pass whatever it expects.
fn build(case: &Case, site: &TestSite) -> (Option<i32>, String) {
    let name = case.name;
    let mut cmd = assert_cmd::Command::cargo_bin("staffroom").unwrap();
    // Output as on a teacher's computer, even when the tests run on GitHub Actions.
    cmd.env_remove("GITHUB_ACTIONS");
    cmd.arg("--root")
        .arg(site.root())
        .arg("build")
        .args((case.args)(site))
        .timeout(TIME_BOUND);
    let started = Instant::now();
    let out = cmd.output().unwrap();
    let took = started.elapsed();
    let stdout = normalize(&String::from_utf8_lossy(&out.stdout), site);
    let stderr = normalize(&String::from_utf8_lossy(&out.stderr), site);
    let shown = format!("--- stdout\n{stdout}--- stderr\n{stderr}");
    assert!(
        took < TIME_BOUND,
        "case `{name}`: still running after {TIME_BOUND:?}\n{shown}"
    );
    for bug in ["panicked", "RUST_BACKTRACE", "staffroom hit a bug"] {
        assert!(
            !shown.contains(bug),
            "case `{name}`: `{bug}` in the output\n{shown}"
        );
    }
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "case `{name}`: exit {code:?}, only 0 or 1 are allowed\n{shown}"
    );
    (code, shown)
}

/// What the site folder and its parent hold before a build.
struct Files {
    outside_public: Vec<(PathBuf, Vec<u8>)>,
    public: Vec<(PathBuf, Vec<u8>)>,
    beside: Vec<OsString>,
}

impl Files {
    fn of(site: &TestSite) -> Files {
        Files {
            outside_public: outside_public(site.root()),
            public: snapshot(&site.public()),
            beside: names_in(site.dir.path()),
        }
    }

    /// Nothing outside `public/` was written, changed or removed, nothing appeared
    /// beside the site, and after an error `public/` is byte for byte what it was. (No
    /// case that builds successfully points `--output` elsewhere.)
    fn unchanged(&self, site: &TestSite, failed: bool, case: &str) {
        let after = outside_public(site.root());
        let written: Vec<_> = after
            .iter()
            .filter(|f| !self.outside_public.contains(f))
            .map(|(p, _)| p.display().to_string())
            .collect();
        assert!(
            written.is_empty(),
            "{case}: wrote outside public/: {written:?}"
        );
        let removed: Vec<_> = self
            .outside_public
            .iter()
            .filter(|(p, _)| !after.iter().any(|(q, _)| q == p))
            .map(|(p, _)| p.display().to_string())
            .collect();
        assert!(
            removed.is_empty(),
            "{case}: removed files outside public/: {removed:?}"
        );
        assert_eq!(
            self.beside,
            names_in(site.dir.path()),
            "{case}: wrote beside the site"
        );
        if failed {
            assert!(
                snapshot(&site.public()) == self.public,
                "{case}: the failed build changed public/"
            );
        }
    }
}

/// Files of the site outside `public/`, with their contents.
fn outside_public(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    snapshot(root)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("public"))
        .collect()
}

fn names_in(dir: &Path) -> Vec<OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names
}

/// The output with everything that differs between machines and runs replaced: the
/// temp folder (as given and as the OS resolves it) and the text of OS errors, whose
/// wording depends on the C library (the error number is kept).
fn normalize(text: &str, site: &TestSite) -> String {
    let mut text = text.to_owned();
    for dir in [site.root().to_path_buf(), site.dir.path().to_path_buf()] {
        let real = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        let (marker, dirs) = if dir == site.root() {
            ("[SITE]", [real, dir])
        } else {
            ("[TMP]", [real, dir])
        };
        // Messages show paths with `/` (error::shown), so on Windows the folder is
        // looked for in that form.
        for d in dirs {
            text = text.replace(&staffroom::error::shown(&d), marker);
        }
    }
    let os_error = regex::Regex::new(r"[A-Z][^:\n]*? \(os error (\d+)\)").unwrap();
    os_error.replace_all(&text, "[os error $1]").into_owned()
}

/// The battery keeps every case it had, and every snapshot belongs to a case (a
/// renamed case leaves its old snapshot behind, which would hide that it was renamed).
#[test]
fn battery_keeps_every_case_and_no_stray_snapshots() {
    let names = all_names();
    let lost: Vec<_> = CASES_BEFORE_ISSUE_13
        .iter()
        .filter(|n| !names.contains(n))
        .collect();
    assert!(lost.is_empty(), "cases lost from the battery: {lost:?}");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        names.len(),
        "two cases share a name (and a snapshot)"
    );
    let dir = common::repo().join("tests/snapshots");
    let stray: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let file = e.unwrap().file_name().to_string_lossy().into_owned();
            let case = file.strip_prefix("bad_input__")?.strip_suffix(".snap")?;
            (!names.contains(&case)).then_some(file)
        })
        .collect();
    assert!(stray.is_empty(), "snapshots without a case: {stray:?}");
}

/// Helpers the case files share.
pub mod write {
    use super::TestSite;

    pub const BLOG_A: &str = "[[blog]]\nname = \"A\"\nfeed = \"https://a.example.org/feed\"\n";

    /// content/posts/bad.md, byte for byte.
    pub fn post(site: &TestSite, text: &[u8]) {
        raw(site, "content/posts/bad.md", text);
    }

    /// content/posts/bad.md with this YAML front matter and a one-line body.
    pub fn fm(site: &TestSite, front: &str) {
        post(site, format!("---\n{front}\n---\nBody.\n").as_bytes());
    }

    pub fn site_toml(site: &TestSite, text: &str) {
        site.file("site.toml", text);
    }

    pub fn raw(site: &TestSite, rel: &str, bytes: &[u8]) {
        let p = site.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}
