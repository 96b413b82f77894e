//! The bad-input battery: each case is one thing a teacher (or a hostile file) might
//! do. Every case must end in exit 0 or 1 within seconds, never a panic or a hang; an
//! error names the file; nothing is written outside the output folder.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{TestSite, snapshot};

struct Case {
    intent: &'static str,
    setup: fn(&TestSite),
    /// Expected exit code, and a file name the message must mention when it is 1.
    expect: Expect,
}

enum Expect {
    Ok,
    Error(&'static str),
}

const BLOG_A: &str = "[[blog]]\nname = \"A\"\nfeed = \"https://a.example.org/feed\"\n";

fn post(site: &TestSite, text: &[u8]) {
    let p = site.root().join("content/posts/bad.md");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn fm(site: &TestSite, front: &str) {
    post(site, format!("---\n{front}\n---\nBody.\n").as_bytes());
}

fn cases() -> Vec<Case> {
    use Expect::*;
    vec![
        Case {
            intent: "invalid UTF-8 in a post",
            setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\n---\n\xff\xfe bad"),
            expect: Error("bad.md:5"),
        },
        Case {
            intent: "an empty post file",
            setup: |s| post(s, b""),
            expect: Error("bad.md"),
        },
        Case {
            intent: "front matter never closed",
            setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\nBody"),
            expect: Error("bad.md:1"),
        },
        Case {
            intent: "front matter that is a list, not keys",
            setup: |s| fm(s, "- a\n- b"),
            expect: Error("bad.md"),
        },
        Case {
            intent: "YAML alias bomb (billion laughs)",
            setup: |s| {
                fm(
                    s,
                    "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\ntitle: T\ndate: 2024-01-01",
                )
            },
            expect: Error("bad.md"),
        },
        Case {
            intent: "a date that does not exist",
            setup: |s| fm(s, "title: T\ndate: 2023-02-29"),
            expect: Error("bad.md:3"),
        },
        Case {
            intent: "a date in words",
            setup: |s| fm(s, "title: T\ndate: last Tuesday"),
            expect: Error("bad.md:3"),
        },
        Case {
            intent: "no date on a post",
            setup: |s| fm(s, "title: T"),
            expect: Error("bad.md"),
        },
        Case {
            intent: "no title",
            setup: |s| fm(s, "date: 2024-01-01"),
            expect: Error("bad.md"),
        },
        Case {
            intent: "title is a list",
            setup: |s| fm(s, "title: [a, b]\ndate: 2024-01-01"),
            expect: Error("bad.md:2"),
        },
        Case {
            intent: "date is a number",
            setup: |s| fm(s, "title: T\ndate: 20240101"),
            expect: Error("bad.md:3"),
        },
        Case {
            intent: "updated is a list",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\nupdated: [1]"),
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "tags is a table",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: {a: 1}"),
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "categories is true",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\ncategories: true"),
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "draft is text",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\ndraft: \"no\""),
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "summary is a table",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\nsummary: {a: b}"),
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "slug is a list",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: [a]"),
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "aliases is a number",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: 5"),
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "TOML front matter with a type error",
            setup: |s| {
                post(
                    s,
                    b"+++\ntitle = \"T\"\ndate = 2024-01-01\ndraft = 1\n+++\nx",
                )
            },
            expect: Error("bad.md:4"),
        },
        Case {
            intent: "TOML front matter that does not parse",
            setup: |s| post(s, b"+++\ntitle = T\n+++\nx"),
            expect: Error("bad.md:2"),
        },
        Case {
            intent: "a slug that climbs out of public/",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: ../../../escaped"),
            expect: Ok,
        },
        Case {
            intent: "an absolute slug",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: /etc/passwd"),
            expect: Ok,
        },
        Case {
            intent: "a slug with nothing usable in it",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\nslug: \"../\""),
            expect: Error("bad.md"),
        },
        Case {
            intent: "a tag that tries to climb out",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: [\"../..\"]"),
            expect: Error("bad.md"),
        },
        Case {
            intent: "an empty tag",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\ntags: [\"\", ok]"),
            expect: Ok,
        },
        Case {
            intent: "an alias that climbs out",
            setup: |s| {
                fm(
                    s,
                    "title: T\ndate: 2024-01-01\naliases: [\"/../../outside/\"]",
                )
            },
            expect: Error("bad.md"),
        },
        Case {
            intent: "an alias with an absolute system path",
            setup: |s| {
                fm(
                    s,
                    "title: T\ndate: 2024-01-01\naliases: [\"/etc/cron.d/x\"]",
                )
            },
            expect: Ok,
        },
        Case {
            intent: "an alias that takes an existing page's URL",
            setup: |s| fm(s, "title: T\ndate: 2024-01-01\naliases: [\"/posts/good/\"]"),
            expect: Error("bad.md"),
        },
        Case {
            intent: "deeply nested block quotes",
            setup: |s| {
                post(
                    s,
                    format!(
                        "---\ntitle: T\ndate: 2024-01-01\n---\n{}deep\n",
                        ">".repeat(50_000)
                    )
                    .as_bytes(),
                )
            },
            expect: Ok,
        },
        Case {
            intent: "deeply nested lists",
            setup: |s| {
                post(
                    s,
                    format!(
                        "---\ntitle: T\ndate: 2024-01-01\n---\n{}",
                        (0..5_000)
                            .map(|i| format!("{}- x\n", "  ".repeat(i)))
                            .collect::<String>()
                    )
                    .as_bytes(),
                )
            },
            expect: Ok,
        },
        Case {
            intent: "a 200 KB title",
            setup: |s| {
                fm(
                    s,
                    &format!("title: \"{}\"\ndate: 2024-01-01", "Long ".repeat(40_000)),
                )
            },
            expect: Ok,
        },
        Case {
            intent: "NUL bytes in a post",
            setup: |s| post(s, b"---\ntitle: T\ndate: 2024-01-01\n---\nA\0B"),
            expect: Error("bad.md"),
        },
        Case {
            intent: "script in a title is escaped",
            setup: |s| fm(s, "title: \"<script>alert(1)</script>\"\ndate: 2024-01-01"),
            expect: Ok,
        },
        Case {
            intent: "a byte-order mark and CRLF line ends",
            setup: |s| {
                post(
                    s,
                    b"\xef\xbb\xbf---\r\ntitle: T\r\ndate: 2024-01-01\r\n---\r\nBody\r\n",
                )
            },
            expect: Ok,
        },
        Case {
            intent: "a link to a Markdown file outside content/",
            setup: |s| {
                post(
                    s,
                    b"---\ntitle: T\ndate: 2024-01-01\n---\n[x](../../../site.md)\n",
                )
            },
            expect: Error("bad.md:5"),
        },
        Case {
            intent: "site.toml missing",
            setup: |s| std::fs::remove_file(s.root().join("site.toml")).unwrap(),
            expect: Error("site.toml"),
        },
        Case {
            intent: "site.toml empty",
            setup: |s| {
                std::fs::write(s.root().join("site.toml"), "").unwrap();
            },
            expect: Error("site.toml"),
        },
        Case {
            intent: "site.toml not TOML",
            setup: |s| {
                std::fs::write(s.root().join("site.toml"), "title: T\n").unwrap();
            },
            expect: Error("site.toml:1"),
        },
        Case {
            intent: "site.toml not UTF-8",
            setup: |s| {
                std::fs::write(s.root().join("site.toml"), b"title = \"\xff\"\n").unwrap();
            },
            expect: Error("site.toml"),
        },
        Case {
            intent: "base_url with an ftp scheme",
            setup: |s| {
                std::fs::write(
                    s.root().join("site.toml"),
                    "title = \"T\"\nbase_url = \"ftp://x.org/\"\n",
                )
                .unwrap();
            },
            expect: Error("site.toml:2"),
        },
        Case {
            intent: "posts_per_page of zero",
            setup: |s| {
                std::fs::write(
                    s.root().join("site.toml"),
                    "title = \"T\"\nbase_url = \"https://x.org/\"\nposts_per_page = 0\n",
                )
                .unwrap();
            },
            expect: Error("site.toml:3"),
        },
        Case {
            intent: "a theme name that climbs out",
            setup: |s| {
                std::fs::write(
                    s.root().join("site.toml"),
                    "title = \"T\"\nbase_url = \"https://x.org/\"\ntheme = \"../../x\"\n",
                )
                .unwrap();
            },
            expect: Error("site.toml:3"),
        },
        Case {
            intent: "a theme that does not exist",
            setup: |s| {
                std::fs::write(
                    s.root().join("site.toml"),
                    "title = \"T\"\nbase_url = \"https://x.org/\"\ntheme = \"fancy\"\n",
                )
                .unwrap();
            },
            expect: Error("site.toml"),
        },
        Case {
            intent: "a template that includes itself",
            setup: |s| {
                s.file("templates/post.html", "{% include \"post.html\" %}");
            },
            expect: Error("post.html:1"),
        },
        Case {
            intent: "two templates that include each other",
            setup: |s| {
                s.file(
                    "templates/partials/a.html",
                    "{% include \"partials/b.html\" %}",
                );
                s.file(
                    "templates/partials/b.html",
                    "\n{% include \"partials/a.html\" %}",
                );
                s.file("templates/page.html", "{% include \"partials/a.html\" %}");
            },
            expect: Error("partials/"),
        },
        Case {
            intent: "a template with a syntax error",
            setup: |s| {
                s.file("templates/index.html", "{% if %}");
            },
            expect: Error("index.html:1"),
        },
        Case {
            intent: "a template that is not UTF-8",
            setup: |s| {
                std::fs::create_dir_all(s.root().join("templates")).unwrap();
                std::fs::write(s.root().join("templates/index.html"), b"\xff").unwrap();
            },
            expect: Error("index.html"),
        },
        Case {
            intent: "a symlink loop in content/",
            setup: |s| {
                std::os::unix::fs::symlink(
                    s.root().join("content"),
                    s.root().join("content/posts/loop"),
                )
                .unwrap();
            },
            expect: Error("loop"),
        },
        Case {
            intent: "a post file that is a dangling symlink",
            setup: |s| {
                std::os::unix::fs::symlink(
                    s.root().join("nowhere.md"),
                    s.root().join("content/posts/dangling.md"),
                )
                .unwrap();
            },
            expect: Error("dangling"),
        },
        Case {
            intent: "network.toml not TOML",
            setup: |s| {
                s.file("network.toml", "[[blog]\nname = \"A\"\n");
            },
            expect: Error("network.toml:1"),
        },
        Case {
            intent: "network.toml not UTF-8",
            setup: |s| {
                std::fs::write(s.root().join("network.toml"), b"# \xff\n").unwrap();
            },
            expect: Error("network.toml"),
        },
        Case {
            intent: "a blog without a feed in network.toml",
            setup: |s| {
                s.file("network.toml", "[[blog]]\nname = \"A\"\n");
            },
            expect: Error("network.toml:1"),
        },
        Case {
            intent: "a blog whose feed is not a URL",
            setup: |s| {
                s.file(
                    "network.toml",
                    BLOG_A
                        .replace("https://a.example.org/feed", "feed please")
                        .as_str(),
                );
            },
            expect: Error("network.toml:1"),
        },
        Case {
            intent: "blog is a string, not a table",
            setup: |s| {
                s.file("network.toml", "blog = \"A\"\n");
            },
            expect: Error("network.toml"),
        },
        Case {
            intent: "a corrupt network cache file",
            setup: |s| {
                s.file("network.toml", BLOG_A);
                s.file(
                    "data/network/a.json",
                    "{\"name\": \"A\", \"entries\": [{\"id\": ",
                );
            },
            expect: Error("data/network/a.json:1"),
        },
        Case {
            intent: "a network cache file with wrong types",
            setup: |s| {
                s.file("network.toml", BLOG_A);
                s.file("data/network/a.json", "{\"entries\": \"none\"}");
            },
            expect: Error("a.json:1"),
        },
        Case {
            intent: "a network cache entry with hostile HTML and a javascript: link",
            setup: |s| {
                s.file("network.toml", BLOG_A);
                s.file(
                    "data/network/a.json",
                    r#"{"entries": [{"id": "1", "title": "<script>alert(1)</script>", "url": "javascript:alert(1)", "summary": "<img src=x onerror=alert(1)>", "published": "2024-01-02T00:00:00Z"}]}"#,
                );
            },
            expect: Ok,
        },
        Case {
            intent: "--output pointing at the site itself",
            setup: |_| {},
            expect: Error("output"),
        },
    ]
}

fn outside_public(root: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    snapshot(root)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("public"))
        .collect()
}

#[test]
fn every_bad_input_ends_cleanly() {
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 30);
    for case in &cases {
        let site = TestSite::new();
        site.post("good.md", "title: Good\ndate: 2024-01-01", "Fine.");
        (case.setup)(&site);
        let before = outside_public(site.root());
        let parent_before: Vec<_> = std::fs::read_dir(site.root().parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        let mut cmd = assert_cmd::Command::cargo_bin("staffroom").unwrap();
        cmd.arg("--root")
            .arg(site.root())
            .arg("build")
            .timeout(Duration::from_secs(20));
        if case.intent.starts_with("--output") {
            cmd.arg("--output").arg(site.root());
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = out.status.code();
        let mut problem =
            |what: String| failures.push(format!("{}: {what}\n  stderr: {err}", case.intent));
        if err.contains("panicked") || err.contains("staffroom hit a bug") {
            problem("panicked".into());
            continue;
        }
        match (&case.expect, code) {
            (Expect::Ok, Some(0)) => {}
            (Expect::Error(name), Some(1)) => {
                if !err.contains(name) {
                    problem(format!("the error does not name `{name}`"));
                }
            }
            (_, c) => problem(format!("exit code {c:?}")),
        }
        let after = outside_public(site.root());
        let leftover: Vec<_> = after
            .iter()
            .filter(|f| !before.contains(f))
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !leftover.is_empty() {
            problem(format!("wrote outside public/: {leftover:?}"));
        }
        let parent_after: Vec<_> = std::fs::read_dir(site.root().parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        let new_in_parent: Vec<_> = parent_after
            .iter()
            .filter(|n| !parent_before.contains(n))
            .collect();
        if !new_in_parent.is_empty() {
            problem(format!("wrote beside the site: {new_in_parent:?}"));
        }
        if case.intent.contains("hostile HTML") {
            let html = site.read("network/index.html");
            for bad in ["<script>alert", "href=\"javascript:", "<img src=x"] {
                if html.contains(bad) {
                    problem(format!("`{bad}` from the cache reached the network page"));
                }
            }
        }
        if case.intent.starts_with("script in a title") {
            let html = site.read("posts/bad/index.html");
            if html.contains("<script>alert") {
                problem("the title's script reached the page".into());
            }
        }
        if case.intent.contains("slug") && code == Some(0) {
            let escaped = site.root().join("escaped").exists()
                || site.public().join("escaped").exists()
                    && !site.public().join("posts/escaped").exists();
            if escaped {
                problem("the slug escaped posts/".into());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
