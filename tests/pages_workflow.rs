//! The scripts inside the Pages workflow `staffroom init` writes, run with bash as
//! GitHub's runner runs them (`bash -e`): the refresh commit against real git
//! repositories, and the "is Pages switched on" check against a local HTTP server
//! shaped like GitHub's API.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Output};

/// The `run:` script of the step called `name`.
fn script(name: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_staffroom"))
        .arg("init")
        .arg(tmp.path().join("b"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(tmp.path().join("b/.github/workflows/pages.yml")).unwrap();
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let steps = yaml["jobs"]["build"]["steps"].as_sequence().unwrap();
    let step = steps
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name:?}"));
    step["run"].as_str().unwrap().to_string()
}

/// Whether the tools the scripts use are here; in CI they must be.
fn have(tools: &[&str]) -> bool {
    let missing: Vec<_> = tools
        .iter()
        .filter(|t| {
            Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {t}"))
                .output()
                .is_ok_and(|o| !o.status.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!in_ci, "CI needs {missing:?}");
    eprintln!("skipped: {missing:?} not installed");
    false
}

fn run_bash(script: &str, dir: &Path, env: &[(&str, &str)]) -> Output {
    let file = dir.join("step.sh");
    std::fs::write(&file, script).unwrap();
    let out = Command::new("bash")
        .arg("-e")
        .arg(&file)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    std::fs::remove_file(file).unwrap();
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A bare "GitHub" repository with one commit, and two clones of it: the runner's
/// checkout and the teacher's laptop.
fn repositories(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let remote = root.join("remote.git");
    std::fs::create_dir_all(&remote).unwrap();
    git(
        &remote,
        &["init", "--quiet", "--bare", "--initial-branch=main"],
    );
    let laptop = root.join("laptop");
    git(
        root,
        &["clone", "--quiet", remote.to_str().unwrap(), "laptop"],
    );
    std::fs::create_dir_all(laptop.join("data/network")).unwrap();
    std::fs::write(laptop.join("data/network/lab.json"), "{\"posts\":1}\n").unwrap();
    std::fs::write(laptop.join("post.md"), "one\n").unwrap();
    git(&laptop, &["add", "."]);
    git(&laptop, &["commit", "--quiet", "-m", "first"]);
    git(&laptop, &["push", "--quiet", "origin", "HEAD:main"]);
    let runner = root.join("runner");
    git(
        root,
        &[
            "clone",
            "--quiet",
            "--depth=1",
            remote.to_str().unwrap(),
            "runner",
        ],
    );
    (laptop, runner)
}

const REF: [(&str, &str); 1] = [("GITHUB_REF_NAME", "main")];

#[test]
fn the_refresh_is_committed_on_top_of_a_push_made_meanwhile() {
    if !have(&["git"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (laptop, runner) = repositories(tmp.path());
    let step = script("Keep the fetched posts in the repository");

    // Nothing fetched: nothing committed.
    let out = run_bash(&step, &runner, &REF);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing new"));
    assert_eq!(git(&runner, &["rev-list", "--count", "HEAD"]), "1");

    // The teacher pushes a post while the refresh runs.
    std::fs::write(laptop.join("post.md"), "two\n").unwrap();
    git(&laptop, &["commit", "--quiet", "-am", "a post"]);
    git(&laptop, &["push", "--quiet", "origin", "HEAD:main"]);
    std::fs::write(runner.join("data/network/lab.json"), "{\"posts\":2}\n").unwrap();
    let out = run_bash(&step, &runner, &REF);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!said.contains("::warning"), "{said}");
    git(&laptop, &["pull", "--quiet", "--rebase", "origin", "main"]);
    assert_eq!(
        git(&laptop, &["log", "--format=%s"]),
        "Refresh My network\na post\nfirst"
    );
    assert_eq!(
        std::fs::read_to_string(laptop.join("data/network/lab.json")).unwrap(),
        "{\"posts\":2}\n"
    );
}

#[test]
fn a_refresh_that_loses_the_race_warns_and_the_publish_goes_on() {
    if !have(&["git"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (laptop, runner) = repositories(tmp.path());
    let step = script("Keep the fetched posts in the repository");
    // The teacher ran a fetch of their own and pushed it: the same file differs.
    std::fs::write(laptop.join("data/network/lab.json"), "{\"posts\":3}\n").unwrap();
    git(&laptop, &["commit", "--quiet", "-am", "my fetch"]);
    git(&laptop, &["push", "--quiet", "origin", "HEAD:main"]);
    std::fs::write(runner.join("data/network/lab.json"), "{\"posts\":2}\n").unwrap();

    let out = run_bash(&step, &runner, &REF);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("::warning title=My network not saved::"),
        "{said}"
    );
    // The runner is left on its own refresh, ready to build, with no rebase half done.
    assert!(
        !runner.join(".git/rebase-merge").exists() && !runner.join(".git/rebase-apply").exists()
    );
    assert_eq!(
        git(&runner, &["log", "-1", "--format=%s"]),
        "Refresh My network"
    );
    assert_eq!(git(&runner, &["status", "--porcelain"]), "");
    // The teacher's push is untouched.
    git(&laptop, &["fetch", "--quiet"]);
    assert_eq!(
        git(&laptop, &["log", "-1", "--format=%s", "origin/main"]),
        "my fetch"
    );
}

/// Answers `GET /repos/teacher/blog/pages` as GitHub does, once, and returns what
/// the script printed, its exit code, the step summary and the request's token.
fn pages_check(status: u16, body: &str) -> (String, Option<i32>, String, String) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let body = body.to_string();
    let answer = std::thread::spawn(move || {
        let request = server.recv().unwrap();
        let auth = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Authorization"))
            .map(|h| h.value.to_string())
            .unwrap_or_default();
        let path = request.url().to_string();
        let json = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
        let response = tiny_http::Response::from_string(body)
            .with_status_code(status)
            .with_header(json);
        request.respond(response).unwrap();
        (path, auth)
    });
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let api = format!("http://127.0.0.1:{port}");
    let env = [
        ("GITHUB_TOKEN", "ghs_test"),
        ("GITHUB_API_URL", api.as_str()),
        ("GITHUB_REPOSITORY", "teacher/blog"),
        ("RUNNER_TEMP", tmp.path().to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    let out = run_bash(
        &script("Check that GitHub Pages is switched on"),
        tmp.path(),
        &env,
    );
    let (path, auth) = answer.join().unwrap();
    assert_eq!(path, "/repos/teacher/blog/pages");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = std::fs::read_to_string(summary).unwrap_or_default();
    (said, out.status.code(), summary, auth)
}

#[test]
fn pages_switched_off_fails_saying_what_to_click() {
    if !have(&["curl", "jq"]) {
        return;
    }
    let not_found = r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest/pages/pages#get-a-apiname-pages-site","status":"404"}"#;
    let (said, code, summary, auth) = pages_check(404, not_found);
    assert_eq!(code, Some(1), "{said}");
    assert_eq!(auth, "Bearer ghs_test");
    assert!(
        said.starts_with("::error title=GitHub Pages is not switched on::"),
        "{said}"
    );
    for words in [
        "Settings -> Pages",
        "Source to GitHub Actions",
        "Re-run all jobs",
    ] {
        assert!(
            said.contains(words) && summary.contains(words),
            "{said}\n{summary}"
        );
    }

    let legacy = r#"{"url":"https://api.github.com/repos/teacher/blog/pages","status":"built","build_type":"legacy","source":{"branch":"main","path":"/"}}"#;
    let (said, code, summary, _) = pages_check(200, legacy);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("publish from a branch") && said.contains("Source to GitHub Actions"),
        "{said}"
    );
    assert!(summary.contains("Source to GitHub Actions"), "{summary}");
}

#[test]
fn pages_switched_on_passes_and_an_unsure_answer_only_warns() {
    if !have(&["curl", "jq"]) {
        return;
    }
    let on = r#"{"url":"https://api.github.com/repos/teacher/blog/pages","status":null,"build_type":"workflow","html_url":"https://teacher.github.io/blog/"}"#;
    let (said, code, summary, _) = pages_check(200, on);
    assert_eq!(code, Some(0), "{said}");
    assert!(!said.contains("::error") && summary.is_empty(), "{said}");

    let (said, code, _, _) = pages_check(502, r#"{"message":"Server Error"}"#);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.starts_with("::warning::") && said.contains("HTTP 502"),
        "{said}"
    );
}
