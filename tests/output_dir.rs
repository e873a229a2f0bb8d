//! The output folder leaves nothing behind (issue 15, point 2): runs killed at named points
//! (the `DRSIM_TEST_PAUSE` hook of `src/report/output_dir.rs`), stopped by SIGINT or
//! SIGTERM, two runs into one folder, paths refused before a run, files drsim did not write.
#![cfg(unix)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

fn run_into(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    drsim()
        .args(["run", QUICKSTART, "--quiet", "--no-charts", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn seed_of(out: &Path) -> u64 {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    v["seed"].as_u64().unwrap()
}

/// A complete output folder: its manifest lists exactly the files in it.
fn assert_complete(out: &Path) {
    let manifest = std::fs::read_to_string(out.join(".drsim-manifest")).unwrap();
    let listed: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).collect();
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
        for name in names(dir) {
            let path = dir.join(&name);
            if path.is_dir() {
                walk(&path, &format!("{rel}{name}/"), out);
            } else if name != ".drsim-manifest" {
                out.push(format!("{rel}{name}"));
            }
        }
    }
    let mut present = Vec::new();
    walk(out, "", &mut present);
    present.sort();
    assert_eq!(listed, present, "{}", out.display());
    assert!(listed.contains(&"summary.json"));
}

/// A drsim process started with the pause hook at `point`, stopped there.
struct Paused {
    child: Child,
    _hook: tempfile::TempDir,
}

fn start_paused(args: &[&str], out: &Path, point: &str) -> Paused {
    let hook = tempfile::tempdir().unwrap();
    let flag = hook.path().join("paused");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("drsim"))
        .args(args)
        .arg("--out")
        .arg(out)
        .env("DRSIM_TEST_PAUSE", point)
        .env("DRSIM_TEST_PAUSE_FILE", &flag)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Generous: a debug build on a busy machine.
    let deadline = Instant::now() + Duration::from_secs(300);
    while !flag.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("drsim ended ({status}) before reaching {point}");
        }
        assert!(Instant::now() < deadline, "drsim never reached {point}");
        std::thread::sleep(Duration::from_millis(20));
    }
    Paused { child, _hook: hook }
}

impl Paused {
    fn kill_hard(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Send `signal` (`INT`, `TERM`); the exit code and stderr.
    fn signal(self, signal: &str) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let out = self.child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

const RUN: [&str; 4] = ["run", QUICKSTART, "--quiet", "--no-charts"];

#[test]
fn a_run_killed_at_any_point_leaves_complete_results_and_the_next_run_cleans_up() {
    // Without a previous folder the commit is one rename: it has no inside.
    let cases = [
        ("prepared", false),
        ("prepared", true),
        ("written", false),
        ("written", true),
        ("commit", true),
    ];
    for (point, previous) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o");
        if previous {
            run_into(&out, &[]).success();
        }
        start_paused(
            &[&RUN[..], &["--seed", "9", "--force"]].concat(),
            &out,
            point,
        )
        .kill_hard();
        let case = format!("killed at {point}, previous output: {previous}");
        // Something was left behind: a temporary folder, or the old results.
        assert!(names(dir.path()).len() > usize::from(previous), "{case}");
        match (point, previous) {
            // Inside the commit the new folder is already in place, complete.
            ("commit", true) => {
                assert_complete(&out);
                assert_eq!(seed_of(&out), 9, "{case}");
            }
            (_, true) => {
                assert_complete(&out);
                assert_eq!(seed_of(&out), 1, "{case}");
            }
            (_, false) => assert!(!out.exists(), "{case}"),
        }
        run_into(&out, &["--seed", "9", "--force"]).success();
        assert_complete(&out);
        assert_eq!(names(dir.path()), ["o"], "{case}");
    }
}

#[test]
fn an_old_folder_left_by_a_two_step_commit_is_put_back() {
    // What a kill between the two renames of a commit without an atomic exchange leaves (and
    // what drsim before issue 15 left on any platform): no target, the results in `.o.old`.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    run_into(&out, &[]).success();
    std::fs::rename(&out, dir.path().join(".o.old")).unwrap();
    // Put back first, then refused as another seed's results: they are kept.
    let refused = run_into(&out, &["--seed", "9"]).code(2);
    assert!(
        stderr(&refused).contains("holds results of"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(names(dir.path()), ["o"]);
    assert_eq!(seed_of(&out), 1);
    std::fs::rename(&out, dir.path().join(".o.old")).unwrap();
    run_into(&out, &["--seed", "9", "--force"]).success();
    assert_eq!(names(dir.path()), ["o"]);
    assert_eq!(seed_of(&out), 9);
}

#[test]
fn leftovers_that_are_not_drsim_s_are_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    // The name pattern alone is not enough: no manifest, no drsim results.
    let theirs = dir.path().join(".o.tmp-12345");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("thesis.tex"), "precious").unwrap();
    let odd = dir.path().join(".o.tmp-12x");
    std::fs::create_dir(&odd).unwrap();
    std::fs::write(odd.join(".drsim-manifest"), "").unwrap();
    run_into(&out, &[]).success();
    assert_eq!(names(dir.path()), [".o.tmp-12345", ".o.tmp-12x", "o"]);
    assert_eq!(
        std::fs::read_to_string(theirs.join("thesis.tex")).unwrap(),
        "precious"
    );
}

#[test]
fn sigint_and_sigterm_remove_the_temporary_folder() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        for point in ["prepared", "written"] {
            for previous in [false, true] {
                let dir = tempfile::tempdir().unwrap();
                let out = dir.path().join("o");
                if previous {
                    run_into(&out, &[]).success();
                }
                let args = [&RUN[..], &["--seed", "9", "--force"]].concat();
                let (got, err) = start_paused(&args, &out, point).signal(signal);
                let case = format!("SIG{signal} at {point}, previous output: {previous}");
                assert_eq!(got, Some(code), "{case}: {err}");
                assert_eq!(err.lines().count(), 1, "{case}: {err}");
                assert!(err.contains(&format!("stopped by SIG{signal}")), "{err}");
                assert!(err.contains(&out.display().to_string()), "{err}");
                if previous {
                    assert_eq!(names(dir.path()), ["o"], "{case}");
                    assert_complete(&out);
                    assert_eq!(seed_of(&out), 1, "{case}");
                } else {
                    assert!(names(dir.path()).is_empty(), "{case}");
                }
            }
        }
    }
}

#[test]
fn a_sweep_stopped_by_sigint_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let args = [
        "sweep",
        QUICKSTART,
        "--set",
        "links.wan.capacity=100Mbps,200Mbps",
        "--replications",
        "3",
        "--threads",
        "2",
        "--keep-runs",
        "--quiet",
    ];
    let (code, err) = start_paused(&args, &out, "sweep-run").signal("INT");
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("stopped by SIGINT"), "{err}");
    // The other worker may have been writing its runs: nothing at all is left.
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}

#[test]
fn two_runs_into_one_folder_never_both_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let first = start_paused(&RUN, &out, "prepared");
    let second = run_into(&out, &[]).code(2);
    let err = stderr(&second);
    assert!(err.contains("is being written by another drsim"), "{err}");
    assert!(err.contains(&out.display().to_string()), "{err}");
    assert!(err.contains("--out"), "{err}");
    first.kill_hard();
    // The lock died with its holder.
    run_into(&out, &[]).success();
    assert_eq!(names(dir.path()), ["o"]);
}

#[test]
fn unusable_output_paths_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&here, &link).unwrap();
    let mut cases: Vec<(PathBuf, &str)> = vec![
        (".".into(), "the current folder or one of its parents"),
        ("..".into(), "the current folder or one of its parents"),
        (here.clone(), "the current folder or one of its parents"),
        (
            dir.path().into(),
            "the current folder or one of its parents",
        ),
        ("/".into(), "the current folder or one of its parents"),
        ("/dev/null/x".into(), "/dev/null is a file, not a folder"),
        (file.join("x"), "is a file, not a folder"),
        (file.clone(), "it is a file, not a folder"),
        (link.clone(), "symbolic link"),
    ];
    // A parent nobody may write in, not even root.
    if Path::new("/proc/self").exists() {
        cases.push((
            "/proc/drsim-out".into(),
            "cannot write in its parent folder /proc",
        ));
    }
    // A read-only folder, when this user is held to its permissions.
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(locked.join("probe"), "").is_err() {
        cases.push((locked.join("o"), "cannot write in its parent folder"));
    }
    for (out, why) in &cases {
        let refused = drsim()
            .current_dir(&here)
            .args(["run", QUICKSTART, "--quiet", "--out"])
            .arg(out)
            .assert()
            .code(2);
        let err = stderr(&refused);
        assert!(
            err.starts_with(&format!(
                "error: {} cannot be an output folder: ",
                out.display()
            )),
            "{err}"
        );
        assert!(err.contains(why) && err.contains("--out"), "{err}");
    }
    // Nothing was written anywhere: no lock, no temporary folder, no output.
    assert!(names(&here).is_empty(), "{:?}", names(&here));
    assert_eq!(names(dir.path()), ["file", "here", "link", "locked"]);
}

#[test]
fn files_drsim_did_not_write_are_kept_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    run_into(&out, &[]).success();
    // A rerun of the same scenario and seed replaces drsim's own files.
    run_into(&out, &[]).success();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir(out.join("extra")).unwrap();
    std::fs::write(out.join("extra/plot.py"), "mine").unwrap();
    let refused = run_into(&out, &[]).code(2);
    let err = stderr(&refused);
    assert!(
        err.contains("holds 2 files drsim did not write (extra/plot.py, notes.txt)"),
        "{err}"
    );
    assert!(err.contains(&out.display().to_string()), "{err}");
    assert!(err.contains("--force") && err.contains("--out"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    // A folder written before manifests: compared with the files drsim writes.
    std::fs::remove_file(out.join(".drsim-manifest")).unwrap();
    let refused = run_into(&out, &[]).code(2);
    assert!(
        stderr(&refused).contains("notes.txt"),
        "{}",
        stderr(&refused)
    );
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    std::fs::remove_dir_all(out.join("extra")).unwrap();
    run_into(&out, &[]).success();
    // With --force they go.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    run_into(&out, &["--force"]).success();
    assert!(!out.join("notes.txt").exists());
    assert_complete(&out);
    assert_eq!(names(dir.path()), ["o"]);
}

#[test]
fn the_manifest_is_deterministic_and_lists_what_drsim_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_into(&a, &[]).success();
    drsim()
        .args(["run", QUICKSTART, "--quiet", "--out"])
        .arg(&b)
        .assert()
        .success();
    assert_complete(&a);
    assert_complete(&b);
    let manifest = std::fs::read_to_string(b.join(".drsim-manifest")).unwrap();
    assert!(manifest.contains("\ncharts/rpo.svg\n"), "{manifest}");
    run_into(&a, &[]).success();
    let again = std::fs::read_to_string(a.join(".drsim-manifest")).unwrap();
    let first = std::fs::read_to_string(b.join(".drsim-manifest")).unwrap();
    // Same run, same list (b has the charts a lacks).
    assert_eq!(
        again
            .lines()
            .filter(|l| !l.starts_with("charts/"))
            .collect::<Vec<_>>(),
        first
            .lines()
            .filter(|l| !l.starts_with("charts/"))
            .collect::<Vec<_>>()
    );
}
