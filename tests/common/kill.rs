//! SIGKILL for the durability tests: the real binary killed after delays drawn from a
//! fixed-seed LCG, so a failure is reproducible; STAFFROOM_KILL_SEED picks other moments.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Kills that must land while the command runs; a delay past its end is retried,
/// up to `TRIES` runs in all.
pub const KILLS: usize = 22;
pub const TRIES: usize = 60;

pub struct Lcg(u64);

impl Lcg {
    pub fn seeded() -> Lcg {
        let seed = std::env::var("STAFFROOM_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_2026);
        Lcg(seed)
    }

    /// A delay within a run that took `took`: half uniform over the whole run, half
    /// over its last part, where the writes are.
    pub fn moment(&mut self, took: Duration) -> Duration {
        let ms = took.as_millis() as u64;
        let ms = if self.below(2) == 0 {
            self.below(ms)
        } else {
            ms * 7 / 10 + self.below(ms * 4 / 10)
        };
        Duration::from_millis(ms)
    }

    /// A number in 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

pub fn binary(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_staffroom"));
    cmd.arg("--root")
        .arg(root)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

pub fn run_ok(root: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = binary(root, args).status().unwrap();
    assert!(status.success(), "staffroom {args:?} failed");
    start.elapsed()
}

/// Start `args`, SIGKILL it after `delay` (if it is still running); whether it was killed.
pub fn kill_after(root: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = binary(root, args).spawn().unwrap();
    std::thread::sleep(delay);
    let killed = matches!(child.try_wait(), Ok(None));
    // Child::kill sends SIGKILL on Unix: no destructors, no cleanup, like a power cut
    // as far as the process is concerned.
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(
        killed || status.success(),
        "staffroom {args:?} failed on its own: {status}"
    );
    killed
}

/// Run `args` again and again, each run from the state `reset(i)` makes and killed at
/// a random moment, until `KILLS` kills have landed while it ran; `check(i, delay)`
/// looks at what each run left. Run `i` starts from state `i % took.len()`, which a
/// complete run took `took[i % took.len()]` to get through. Returns the kills landed
/// and the runs it took.
pub fn kill_at_random(
    root: &Path,
    args: &[&str],
    took: &mut [Duration],
    mut reset: impl FnMut(usize),
    mut check: impl FnMut(usize, Duration),
) -> (usize, usize) {
    let mut rng = Lcg::seeded();
    let mut killed = 0;
    let mut runs = 0;
    while killed < KILLS && runs < TRIES {
        let i = runs;
        runs += 1;
        reset(i);
        let state = i % took.len();
        let delay = rng.moment(took[state]);
        if kill_after(root, args, delay) {
            killed += 1;
        } else {
            // It ended before `delay`: aim the tail of later kills at that end, where
            // the writes are (runs get faster than first measured as caches warm).
            took[state] = delay.max(Duration::from_millis(5));
        }
        check(i, delay);
    }
    assert!(
        killed >= 20,
        "only {killed} of {TRIES} runs of staffroom {args:?} were killed while running"
    );
    (killed, runs)
}

/// Every file under `dir` with its bytes, skipping names that start with a dot
/// (staging folders and temporary files, which readers never look at).
pub fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
            files.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    files
}

/// Names in `dir` starting with `prefix`: what killed runs left behind and the next
/// run did not clear. Only on Linux can staffroom tell that a leftover's maker is gone
/// (src/output/leftovers.rs); elsewhere (Windows, macOS) leftovers go once an hour
/// old, so those of the runs just killed stay by design and none are listed.
pub fn leftovers(dir: &Path, prefix: &str) -> Vec<String> {
    if !cfg!(target_os = "linux") {
        return Vec::new();
    }
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect()
}
