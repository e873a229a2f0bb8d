//! Sharded sweeps (issue 16, point 3): `drsim sweep --shard K/N` slices partition the runs,
//! `drsim merge` of the shards writes exactly the unsharded files, and merge refuses shards
//! of different sweeps, a shard given twice and missing shards, naming the folders.

use assert_cmd::Command;
use drsim::study::{self, output, Shard, Sweep};
use std::path::{Path, PathBuf};

/// A small estate with random outages and bursty writers (seeds matter), two VM families.
const SCENARIO: &str = r#"
[scenario]
name = "shard-test"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "12h"
seed = 5
sample_step = "1h"

[[links]]
name = "wan"
capacity = "100 Mbps"
random_outages = { mtbf = "4h", mttr = "30m" }

[[policies]]
name = "std"
copy_interval = "5m"
target_rpo = "15m"

[[sites]]
name = "branch"
link = "wan"
policy = "std"

[[hosts]]
name = "hv1"
volume_free = "1 TiB"

[[profiles]]
name = "bursty"
kind = "bursts"
base = "100 kB/s"
burst_rate = "6 MB/s"
mean_gap = "40m"
burst_size_median = "2 GB"

[[vms]]
name = "sql"
count = 2
host = "hv1"
churn = "bursty"
protected_at_start = true
disks = [{ size = "200 GiB", used = "80 GiB" }]

[[vms]]
name = "app"
count = 2
host = "hv1"
churn = "300 kB/s"
protected_at_start = true
disks = [{ size = "60 GiB", used = "20 GiB" }]
"#;

const SETS: [&str; 4] = [
    "--set",
    "links.wan.capacity=50Mbps..150Mbps:50Mbps",
    "--set",
    "policies.std.copy_interval=30s,5m",
];

/// Every file under `dir` (relative path with `/`) and its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

fn scenario_file(dir: &Path) -> PathBuf {
    let f = dir.join("shard-test.toml");
    std::fs::write(&f, SCENARIO).unwrap();
    f
}

/// `drsim sweep` of the test scenario (6 points x `reps`) into `out`, with `extra` arguments.
fn sweep(file: &Path, out: &Path, reps: u32, extra: &[&str]) -> std::process::Output {
    drsim()
        .arg("sweep")
        .arg(file)
        .args(SETS)
        .args(["--replications", &reps.to_string(), "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn merge(dirs: &[&Path], out: &Path) -> std::process::Output {
    drsim()
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn shard_slices_partition_the_runs() {
    for total in 0..40 {
        for n in 1..8 {
            let mut seen = vec![0; total];
            for k in 1..=n {
                let s = Shard::new(k, n).unwrap();
                let mine: Vec<usize> = s.runs(total).collect();
                assert_eq!(mine.len(), s.count(total), "{s} of {total}");
                assert!(mine.windows(2).all(|w| w[0] < w[1]));
                for r in mine {
                    assert!(s.contains(r));
                    seen[r] += 1;
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "{total} runs, {n} shards");
        }
    }
    // The slice is the run index modulo N: nothing else (threads, machine) enters it.
    let s: Shard = "2/3".parse().unwrap();
    assert_eq!(s.runs(10).collect::<Vec<_>>(), [1, 4, 7]);
    assert_eq!(s.to_string(), "2/3");
    for bad in ["0/3", "4/3", "x", "1/0", "2", "1/2/3", "-1/3", ""] {
        assert!(bad.parse::<Shard>().is_err(), "{bad}");
    }
}

#[test]
fn a_shards_records_are_the_whole_sweeps_records_of_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let sweep = Sweep::load(&file, &[SETS[1].into(), SETS[3].into()], 2, None).unwrap();
    let all = study::run_sweep(&sweep, &study::Options::default()).unwrap();
    assert_eq!(all.len(), 12);
    let mut union = Vec::new();
    for k in 1..=5 {
        let shard = Shard::new(k, 5).unwrap();
        let o = study::Options {
            threads: Some(k as usize % 2 + 1),
            shard: Some(shard),
            ..Default::default()
        };
        let mine = study::run_sweep(&sweep, &o).unwrap();
        let want: Vec<_> = shard.runs(all.len()).map(|r| all[r].clone()).collect();
        assert_eq!(mine, want, "shard {shard}");
        union.extend(shard.runs(all.len()).zip(mine));
    }
    union.sort_by_key(|(r, _)| *r);
    assert_eq!(
        union.into_iter().map(|(_, rec)| rec).collect::<Vec<_>>(),
        all
    );
}

#[test]
fn three_shards_merged_equal_the_unsharded_sweep_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let whole = dir.path().join("whole");
    assert!(sweep(&file, &whole, 3, &["--threads", "2"])
        .status
        .success());
    let shards: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("shards/{i}")))
        .collect();
    for (i, s) in shards.iter().enumerate() {
        let threads = (i % 2 + 1).to_string();
        let o = sweep(
            &file,
            s,
            3,
            &["--shard", &format!("{}/3", i + 1), "--threads", &threads],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(
            text.contains(&format!("shard {}/3: 6 of the 18 runs", i + 1)),
            "{text}"
        );
        let runs = std::fs::read_to_string(s.join("runs.csv")).unwrap();
        assert_eq!(runs.lines().count(), 2 + 6, "stamp, header, its 6 runs");
        assert!(s.join("shard.json").is_file());
    }
    // In any order.
    let merged = dir.path().join("merged");
    let o = merge(&[&shards[2], &shards[0], &shards[1]], &merged);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains("merged 3 shards: 6 points x 3 replications = 18 runs"));
    // Every file, the charts too, byte for byte.
    let (a, b) = (tree(&whole), tree(&merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (f, bytes) in &a {
        assert!(
            *bytes == b[f],
            "{f} differs between the unsharded and the merged sweep"
        );
    }
    for f in output::FILES.iter().chain(&[".drsim-manifest"]) {
        assert!(a.contains_key(*f), "{f}");
    }
    assert!(a.contains_key("charts/rpo_p95_s.svg") && a.contains_key("charts/rpo_p95_s.png"));
    // Merging again into the same folder is the same sweep: allowed, same bytes.
    assert!(merge(&[&shards[0], &shards[1], &shards[2]], &merged)
        .status
        .success());
    assert_eq!(
        std::fs::read(whole.join("sweep.json")).unwrap(),
        std::fs::read(merged.join("sweep.json")).unwrap()
    );
}

#[test]
fn more_shards_than_runs_leave_some_empty_and_still_merge() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let run = |extra: &[&str], out: &Path| {
        let o = drsim()
            .arg("sweep")
            .arg(&file)
            .args(["--replications", "2", "--quiet", "--out"])
            .arg(out)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let whole = dir.path().join("whole");
    run(&[], &whole);
    let shards: Vec<PathBuf> = (1..=3).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, s) in shards.iter().enumerate() {
        run(&["--shard", &format!("{}/3", k + 1)], s);
    }
    let merged = dir.path().join("merged");
    let refs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    assert!(merge(&refs, &merged).status.success());
    assert!(
        tree(&whole) == tree(&merged),
        "the merged sweep's files differ"
    );
    for f in output::FILES {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn merge_refuses_other_sweeps_duplicates_and_missing_shards_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let d = |name: &str| dir.path().join(name);
    for k in 1..=3 {
        let o = sweep(
            &file,
            &d(&format!("a{k}")),
            2,
            &["--shard", &format!("{k}/3")],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let ok = |o: &std::process::Output| assert!(o.status.success(), "{}", stderr(o));
    ok(&sweep(
        &file,
        &d("seed9"),
        2,
        &["--shard", "3/3", "--seed", "9"],
    ));
    ok(&sweep(&file, &d("reps3"), 3, &["--shard", "3/3"]));
    ok(&sweep(&file, &d("of4"), 2, &["--shard", "3/4"]));
    ok(&sweep(&file, &d("whole"), 2, &[]));
    let out = d("merged");
    let refused = |dirs: &[&str], needles: &[&str]| {
        let paths: Vec<PathBuf> = dirs.iter().map(|n| d(n)).collect();
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        let o = merge(&refs, &out);
        assert_eq!(o.status.code(), Some(2), "{dirs:?} merged");
        let e = stderr(&o);
        assert!(e.starts_with("error: "), "{e}");
        for n in needles {
            assert!(e.contains(n), "{dirs:?}: {e:?} lacks {n:?}");
        }
        assert!(!out.exists(), "nothing is written");
        e
    };
    let a1 = d("a1").display().to_string();
    let a2 = d("a2").display().to_string();
    let a3 = d("a3").display().to_string();
    let e = refused(
        &["a1", "a2", "seed9"],
        &[
            &a1,
            &d("seed9").display().to_string(),
            "different sweeps",
            "seed 5 vs 9",
            "sweep_hash",
        ],
    );
    assert!(!e.contains("replications"), "{e}");
    refused(
        &["a1", "a2", "reps3"],
        &[
            "different sweeps",
            "replications 2 vs 3",
            &d("reps3").display().to_string(),
        ],
    );
    refused(
        &["a1", "a2", "of4"],
        &["shard 1/3", "shard 3/4", "share N", &a1],
    );
    refused(
        &["a1", "a2", "a2", "a3"],
        &["shard 2/3 is given twice", &a2],
    );
    refused(&["a2"], &["missing shards 1, 3 of 3", &a2]);
    refused(&["a1", "a3"], &["missing shard 2 of 3", &a1, &a3]);
    refused(
        &["a1", "a2", "whole"],
        &[
            "holds a whole sweep, not a shard",
            &d("whole").display().to_string(),
        ],
    );
    refused(&["a1", "a2", "nowhere"], &["nowhere", "is not a folder"]);
    // A shard whose runs.csv lost a run is refused, naming the file.
    let runs = d("a2").join("runs.csv");
    let text = std::fs::read_to_string(&runs).unwrap();
    let cut: Vec<&str> = text.lines().collect();
    std::fs::write(&runs, cut[..cut.len() - 1].join("\n") + "\n").unwrap();
    refused(
        &["a1", "a2", "a3"],
        &[
            "runs.csv",
            "run 10 is missing: shard 2/3 has 4 runs, the file 3",
        ],
    );
}

#[test]
fn bad_shard_arguments_are_refused_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    for (bad, says) in [
        ("0/3", "K must be between 1 and N"),
        ("4/3", "K must be between 1 and N"),
        ("1/0", "N, the number of shards, must be at least 1"),
        ("x", "expected K/N"),
        ("3", "expected K/N"),
    ] {
        let out = dir.path().join("out");
        let o = sweep(&file, &out, 2, &["--shard", bad]);
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
        let e = stderr(&o);
        assert!(e.contains(&format!("'{bad}'")) && e.contains(says), "{e}");
        assert!(!out.exists());
    }
}

#[test]
fn a_shard_folder_is_not_silently_replaced_by_another_shard() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let out = dir.path().join("s");
    assert!(sweep(&file, &out, 2, &["--shard", "1/2"]).status.success());
    // The same shard again: allowed.
    assert!(sweep(&file, &out, 2, &["--shard", "1/2"]).status.success());
    let o = sweep(&file, &out, 2, &["--shard", "2/2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("shard 1/2"), "{}", stderr(&o));
    let o = sweep(&file, &out, 2, &[]);
    assert_eq!(o.status.code(), Some(2), "nor by the whole sweep");
}
