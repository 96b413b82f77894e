//! The GitHub Action's install script (action/install.sh) against a real HTTP server on
//! 127.0.0.1 laid out like a GitHub Release, serving archives made the way cargo-dist makes
//! them from this test's own staffroom binary. Nothing is compiled.
#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use common::{Reply, Server, repo};

const VERSION: &str = "0.1.0";
const LINUX: &str = "x86_64-unknown-linux-musl";
const WINDOWS: &str = "x86_64-pc-windows-msvc";
const RELEASES: &str = "/staffroom-ssg/staffroom/releases";

/// A release's files by name, served like github.com: `/releases/download/vX/NAME`
/// redirects to the asset's storage, which answers with the bytes.
fn release_server(files: HashMap<String, Vec<u8>>) -> Server {
    let files = Arc::new(files);
    Server::start(move |path, _| {
        let download = format!("{RELEASES}/download/v{VERSION}/");
        if let Some(name) = path.strip_prefix(&download)
            && files.contains_key(name)
        {
            return Reply::Status(302, vec![("Location", format!("/assets/{name}"))]);
        }
        if path == format!("{RELEASES}/latest") {
            let tag = format!("{RELEASES}/tag/v{VERSION}");
            return Reply::Status(302, vec![("Location", tag)]);
        }
        match path.strip_prefix("/assets/").and_then(|n| files.get(n)) {
            Some(body) => Reply::Ok {
                body: body.clone(),
                content_type: "application/octet-stream",
                headers: vec![],
            },
            None => Reply::Status(404, vec![]),
        }
    })
}

fn sh(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
}

/// This test's staffroom binary at `to`, without its debug information when `strip` is
/// there: a tenth of the size, so packing and serving it takes seconds, not a minute.
fn copy_binary(to: &Path) {
    let bin = env!("CARGO_BIN_EXE_staffroom");
    let stripped = Command::new("strip").arg("-o").arg(to).arg(bin).status();
    if !stripped.is_ok_and(|s| s.success()) {
        std::fs::copy(bin, to).unwrap();
    }
}

/// cargo-dist's archive for `target` holding this test's binary, and its `.sha256` file:
/// a tarball with one folder named like it, or a flat zip on Windows.
fn dist_archive(target: &str) -> (String, Vec<u8>, Vec<u8>) {
    let work = tempfile::tempdir().unwrap();
    let stem = format!("staffroom-{target}");
    let name = if target.contains("windows") {
        copy_binary(&work.path().join("staffroom.exe"));
        std::fs::write(work.path().join("README.md"), "# staffroom\n").unwrap();
        sh(Command::new("zip").current_dir(work.path()).args([
            "-q",
            "-1",
            &format!("{stem}.zip"),
            "staffroom.exe",
            "README.md",
        ]));
        format!("{stem}.zip")
    } else {
        let folder = work.path().join(&stem);
        std::fs::create_dir(&folder).unwrap();
        copy_binary(&folder.join("staffroom"));
        std::fs::write(folder.join("README.md"), "# staffroom\n").unwrap();
        // The fastest xz level: the debug binary is large, and how well it packs is not
        // what is tested.
        sh(Command::new("tar")
            .current_dir(work.path())
            .env("XZ_OPT", "-0 -T2")
            .args(["-cJf", &format!("{stem}.tar.xz"), &stem]));
        format!("{stem}.tar.xz")
    };
    let bytes = std::fs::read(work.path().join(&name)).unwrap();
    let out = Command::new("sha256sum")
        .arg(work.path().join(&name))
        .output()
        .unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    let hex = hex.split_whitespace().next().unwrap();
    // cargo-dist writes "<hex> *<name>" and a blank line.
    let sum = format!("{hex} *{name}\n\n").into_bytes();
    (name, bytes, sum)
}

/// The release's files for `target`, made once for all the tests here.
fn release(target: &'static str) -> HashMap<String, Vec<u8>> {
    type Made = (String, Vec<u8>, Vec<u8>);
    static MADE: Mutex<BTreeMap<&str, Arc<Made>>> = Mutex::new(BTreeMap::new());
    let made = {
        let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
        made.entry(target)
            .or_insert_with(|| Arc::new(dist_archive(target)))
            .clone()
    };
    let (name, bytes, sum) = &*made;
    HashMap::from([
        (format!("{name}.sha256"), sum.clone()),
        (name.clone(), bytes.clone()),
    ])
}

/// A runner's folders, kept across runs of the script like a job's steps (and, for the tool
/// cache, like actions/cache restoring it).
struct Runner {
    dir: tempfile::TempDir,
    os: &'static str,
}

impl Runner {
    fn new(os: &'static str) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["tools", "temp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Runner { dir, os }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn tool_dir(&self, target: &str) -> PathBuf {
        self.path(&format!("tools/staffroom/{VERSION}/{target}"))
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    /// action/install.sh MODE, as action.yml runs it, with `env` on top.
    fn script(&self, server: &Server, mode: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(repo().join("action/install.sh")).arg(mode);
        for var in [
            "INPUT_VERSION",
            "ACTION_REF",
            "GITHUB_ACTION_PATH",
            "STAFFROOM_ARGS",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("RUNNER_OS", self.os)
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TOOL_CACHE", self.path("tools"))
            .env("RUNNER_TEMP", self.path("temp"))
            .env("GITHUB_PATH", self.path("github_path"))
            .env("GITHUB_OUTPUT", self.path("github_output"))
            .env("STAFFROOM_RELEASES_URL", server.url(RELEASES))
            .env("INPUT_VERSION", VERSION);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Nothing half-made is left in the runner's temp folder.
    fn assert_temp_clean(&self) {
        let left: Vec<_> = std::fs::read_dir(self.path("temp")).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn requests(server: &Server) -> usize {
    server.seen.lock().unwrap().len()
}

#[test]
fn downloads_checks_installs_then_uses_the_cache() {
    let server = release_server(release(LINUX));
    let runner = Runner::new("Linux");

    let out = runner.script(&server, "install", &[]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    let dir = runner.tool_dir(LINUX);
    assert!(
        said.contains(&format!("Installed staffroom {VERSION} ({LINUX})")),
        "{said}"
    );
    assert_eq!(runner.read("github_path"), format!("{}\n", dir.display()));
    let version = Command::new(dir.join("staffroom"))
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    // Both the archive and its checksum came through the release's redirects.
    let assets = format!("/assets/staffroom-{LINUX}.tar.xz");
    assert_eq!(server.requests_to(&assets).len(), 1);
    assert_eq!(server.requests_to(&format!("{assets}.sha256")).len(), 1);
    runner.assert_temp_clean();

    // The next job finds the folder (actions/cache restored it) and asks the server nothing.
    let before = requests(&server);
    let out = runner.script(&server, "install", &[]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("from the cache"), "{said}");
    assert_eq!(requests(&server), before);
    assert_eq!(runner.read("github_path").lines().count(), 2);

    // args: run the installed binary.
    let out = runner.script(&server, "run", &[("STAFFROOM_ARGS", "--version")]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!("staffroom {}", env!("CARGO_PKG_VERSION"))),
        "{said}"
    );
}

#[test]
fn a_wrong_checksum_is_refused_and_nothing_installed() {
    let mut files = release(LINUX);
    let other = "0".repeat(64);
    files.insert(
        format!("staffroom-{LINUX}.tar.xz.sha256"),
        format!("{other} *staffroom-{LINUX}.tar.xz\n").into_bytes(),
    );
    let server = release_server(files);
    let runner = Runner::new("Linux");

    let out = runner.script(&server, "install", &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("::error"), "{said}");
    assert!(
        said.contains("does not match its published SHA-256 checksum"),
        "{said}"
    );
    assert!(said.contains(&format!("expected {other}")), "{said}");
    assert!(!runner.path("tools/staffroom").exists());
    assert_eq!(runner.read("github_path"), "");
    runner.assert_temp_clean();
}

#[test]
fn a_missing_checksum_is_refused() {
    let mut files = release(LINUX);
    files.remove(&format!("staffroom-{LINUX}.tar.xz.sha256"));
    let server = release_server(files);
    let runner = Runner::new("Linux");

    let out = runner.script(&server, "install", &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("has no checksum file"), "{said}");
    assert!(!runner.path("tools/staffroom").exists());
    assert_eq!(runner.read("github_path"), "");
}

#[test]
fn windows_zip_is_flat_and_installs() {
    // The script on a Windows runner (Git Bash) reads cargo-dist's flat zip; the "exe" is
    // this test's binary, so it runs here.
    let server = release_server(release(WINDOWS));
    let runner = Runner::new("Windows");

    let out = runner.script(&server, "install", &[]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(runner.tool_dir(WINDOWS).join("staffroom.exe").is_file());
    assert_eq!(
        server
            .requests_to(&format!("/assets/staffroom-{WINDOWS}.zip"))
            .len(),
        1
    );
}

/// A stand-in for cargo that only records its arguments and leaves a one-line staffroom
/// where `--root` says, so the fallback runs to its end without compiling anything.
fn recording_cargo(runner: &Runner) -> String {
    let bin = runner.path("fake-bin");
    std::fs::create_dir(&bin).unwrap();
    let cargo = bin.join("cargo");
    let log = runner.path("cargo-args");
    std::fs::write(
        &cargo,
        format!(
            r#"#!/bin/sh
echo "$@" > '{}'
while [ "$1" != --root ]; do shift; done
mkdir -p "$2/bin"
printf '#!/bin/sh\necho staffroom {VERSION}\n' > "$2/bin/staffroom"
chmod +x "$2/bin/staffroom"
"#,
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap())
}

#[test]
fn no_binary_for_this_runner_compiles_from_source_saying_so() {
    let server = release_server(HashMap::new());
    let runner = Runner::new("Linux");
    let path = recording_cargo(&runner);

    let out = runner.script(&server, "install", &[("PATH", &path)]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("has no staffroom binary for this runner"),
        "{said}"
    );
    assert!(said.contains("compiled from source"), "{said}");
    let args = runner.read("cargo-args");
    let expected = format!(
        "install --git {} --tag v{VERSION} --locked --root ",
        env!("CARGO_PKG_REPOSITORY")
    );
    assert!(args.starts_with(&expected), "{args}");
    assert!(args.trim_end().ends_with(" staffroom"), "{args}");
    // What cargo built is in the tool folder, so the cache keeps it for the next job.
    assert!(runner.tool_dir(LINUX).join("staffroom").is_file());
    assert!(
        runner
            .read("github_path")
            .contains(&format!("{VERSION}/{LINUX}"))
    );
    runner.assert_temp_clean();
}

#[test]
fn version_comes_from_the_input_the_action_tag_or_the_latest_release() {
    let server = release_server(HashMap::new());
    let runner = Runner::new("Linux");
    let plan = |env: &[(&str, &str)]| {
        let _ = std::fs::remove_file(runner.path("github_output"));
        let out = runner.script(&server, "plan", env);
        assert!(out.status.success(), "{}", text(&out));
        runner.read("github_output")
    };

    let out = plan(&[("INPUT_VERSION", "v2.3.4")]);
    assert!(out.contains("version=2.3.4\n"), "{out}");
    assert!(out.contains(&format!("target={LINUX}\n")), "{out}");
    let dir = runner.path("tools/staffroom/2.3.4").join(LINUX);
    assert!(out.contains(&format!("dir={}\n", dir.display())), "{out}");

    let out = plan(&[("INPUT_VERSION", ""), ("ACTION_REF", "v1.2.3")]);
    assert!(out.contains("version=1.2.3\n"), "{out}");
    // When the runner leaves github.action_ref empty, the action's checkout folder has it.
    let checkout = "/home/runner/work/_actions/staffroom-ssg/staffroom/v3.4.5";
    let out = plan(&[("INPUT_VERSION", ""), ("GITHUB_ACTION_PATH", checkout)]);
    assert!(out.contains("version=3.4.5\n"), "{out}");
    assert_eq!(requests(&server), 0);

    // Used by a branch: the latest release, from github.com's redirect.
    let out = plan(&[("INPUT_VERSION", ""), ("ACTION_REF", "main")]);
    assert!(out.contains(&format!("version={VERSION}\n")), "{out}");
    assert_eq!(server.requests_to(&format!("{RELEASES}/latest")).len(), 1);
}

#[test]
fn a_version_that_is_not_a_release_number_is_refused() {
    let server = release_server(HashMap::new());
    let runner = Runner::new("Linux");
    let out = runner.script(&server, "install", &[("INPUT_VERSION", "latest; rm -rf /")]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("is not a release number"), "{said}");
    assert_eq!(requests(&server), 0);
}

#[test]
fn action_yml_is_a_composite_action_with_the_inputs_init_uses() {
    let path = repo().join("action.yml");
    let action: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The workflow `staffroom init` writes passes these two.
    for input in ["version", "args"] {
        assert!(action["inputs"][input].is_mapping(), "input {input}");
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    for mode in ["plan", "install", "run"] {
        let line = format!("bash \"$GITHUB_ACTION_PATH/action/install.sh\" {mode}");
        assert!(runs.contains(&line.as_str()), "{line} in {runs:?}");
    }
    // The cache holds the folder the script installs into, keyed like it.
    let cache = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .unwrap();
    assert_eq!(
        cache["with"]["path"].as_str(),
        Some("${{ steps.plan.outputs.dir }}")
    );

    let validator = Command::new("check-jsonschema")
        .args(["--builtin-schema", "vendor.github-actions"])
        .arg(&path)
        .output();
    match validator {
        Ok(out) => assert!(out.status.success(), "{}", text(&out)),
        // CI installs it (.ci/run); on a developer's machine say how to get it.
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped schema validation: pip install check-jsonschema")
        }
        Err(e) => panic!("check-jsonschema is required in CI: {e}"),
    }
}
