//! Sweeps (issue 16, points 1-4): axes, seeds, thread-count independence, reproduction of one
//! run with `drsim run`, statistics, and refusal before any run.

use assert_cmd::Command;
use drsim::report::charts::metric::XAxis;
use drsim::run::{run, RunSpec};
use drsim::scenario::{self, Override};
use drsim::study::{self, axes::Axis, metrics, output, seeds, stats, Sweep, SweepError};
use std::path::{Path, PathBuf};

/// A small estate with random outages and bursty writers, so that seeds matter: two VM
/// families, two hosts, one day.
const SCENARIO: &str = r#"
[scenario]
name = "sweep-test"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "1d"
seed = 5
sample_step = "1h"

[[links]]
name = "wan"
capacity = "100 Mbps"
random_outages = { mtbf = "8h", mttr = "30m" }

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

[[hosts]]
name = "hv2"
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
count = 3
host = "hv2"
churn = "300 kB/s"
protected_at_start = true
disks = [{ size = "60 GiB", used = "20 GiB" }]
"#;

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

/// The scenario written into `dir`.
fn scenario_file(dir: &Path) -> PathBuf {
    let f = dir.join("sweep-test.toml");
    std::fs::write(&f, SCENARIO).unwrap();
    f
}

fn sets(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn prepare(args: &[&str], replications: u32) -> Sweep {
    Sweep::prepare(
        SCENARIO,
        Path::new("sweep-test.toml"),
        &sets(args),
        replications,
        None,
    )
    .unwrap()
}

fn values(arg: &str) -> Vec<String> {
    Axis::parse(arg).unwrap().values
}

fn refused(arg: &str) -> String {
    Axis::parse(arg).unwrap_err()
}

// ------------------------------------------------------------------------------------------
// Axes
// ------------------------------------------------------------------------------------------

#[test]
fn ranges_of_rates_durations_sizes_and_numbers_keep_their_units() {
    assert_eq!(
        values("links.wan.capacity=100Mbps..400Mbps:50Mbps"),
        ["100Mbps", "150Mbps", "200Mbps", "250Mbps", "300Mbps", "350Mbps", "400Mbps"]
    );
    // A value not a whole step from the end is not included; spaces are allowed.
    assert_eq!(
        values("links.wan.capacity = 1 Gbps .. 2 Gbps : 400 Mbps"),
        ["1Gbps", "1.4Gbps", "1.8Gbps"]
    );
    assert_eq!(
        values("a.b=10 MB/s..20MB/s:5MB/s"),
        ["10MB/s", "15MB/s", "20MB/s"]
    );
    assert_eq!(values("a.b=30s..2m:30s"), ["30s", "1m", "90s", "2m"]);
    assert_eq!(values("a.b=1h..2h:30m"), ["1h", "90m", "2h"]);
    assert_eq!(values("a.b=1TiB..2TiB:512GiB"), ["1TiB", "1.5TiB", "2TiB"]);
    assert_eq!(
        values("a.b=100GB..300GB:100GB"),
        ["100GB", "200GB", "300GB"]
    );
    assert_eq!(values("vms.sql.count=2..8:2"), ["2", "4", "6", "8"]);
    assert_eq!(values("a.b=0.1..0.5:0.2"), ["0.1", "0.3", "0.5"]);
    assert_eq!(values("a.b=1.0..2:0.5"), ["1.0", "1.5", "2.0"]);
    assert_eq!(values("a.b=10%..30%:10%"), ["10%", "20%", "30%"]);
    // Every value parses back to the exact integer the range computed.
    for v in values("a.b=100kbps..1Mbps:150kbps") {
        let r = drsim::units::parse_rate(&v).unwrap();
        // 100 kbps = 12,500,000 mB/s, steps of 18,750,000.
        assert_eq!((r.millibytes_per_s() - 12_500_000) % 18_750_000, 0, "{v}");
    }
}

#[test]
fn lists_hold_keywords_and_toml_values_and_one_value_is_one_point() {
    assert_eq!(values("policies.std.copy_interval=30s,5m"), ["30s", "5m"]);
    assert_eq!(
        values("policies.std.resync_start=off-peak, immediate ,manual"),
        ["off-peak", "immediate", "manual"]
    );
    assert_eq!(
        values("calendar.work_days=[\"mon\",\"tue\"],[\"sat\"]"),
        ["[\"mon\",\"tue\"]", "[\"sat\"]"]
    );
    assert_eq!(values("links.wan.capacity=200 Mbps"), ["200 Mbps"]);
    let a = Axis::parse("links.wan.capacity=1Gbps,2Gbps").unwrap();
    assert_eq!(a.path, "links.wan.capacity");
    assert_eq!(a.override_at(1).to_string(), "links.wan.capacity=2Gbps");
}

#[test]
fn bad_axes_are_refused_with_what_is_allowed() {
    let e = refused("links.wan.capacity=100Mbps..400Mbps");
    assert!(
        e.starts_with(
            "--set links.wan.capacity=100Mbps..400Mbps: a range needs a step\n  allowed: a..b:step"
        ),
        "{e}"
    );
    let e = refused("a.b=100Mbps..400Mbps:0Mbps");
    assert!(e.contains(": the range's step is not above zero\n"), "{e}");
    let e = refused("a.b=400Mbps..100Mbps:50Mbps");
    assert!(e.contains(": the range's start is above its end\n"), "{e}");
    let e = refused("a.b=100Mbps..4h:50Mbps");
    assert!(
        e.contains(": the range's start \"100Mbps\" is a rate but its end \"4h\" is a duration\n"),
        "{e}"
    );
    let e = refused("a.b=fast..slow:1");
    assert!(
        e.contains(
            "the range's start \"fast\" is not a number, percentage, duration, size or rate"
        ),
        "{e}"
    );
    let e = refused("a.b=30s,,5m");
    assert!(e.contains(": item 2 of the list is empty\n"), "{e}");
    let e = refused("a.b=30s,1m..2m:30s");
    assert!(
        e.contains(": item 2 of the list is a range (1m..2m:30s)\n"),
        "{e}"
    );
    let e = refused("a.b=1..1000000:1");
    assert!(
        e.contains(": the range has 1000000 values\n  allowed: at most 10000"),
        "{e}"
    );
    let e = refused("a.b=");
    assert!(e.contains(": the value is empty\n"), "{e}");
    let e = refused("links.wan");
    assert!(e.contains("no \"=\" between the path and the value"), "{e}");
}

// ------------------------------------------------------------------------------------------
// Points and refusal before any run
// ------------------------------------------------------------------------------------------

#[test]
fn points_are_every_combination_with_the_last_axis_fastest() {
    let s = prepare(
        &[
            "links.wan.capacity=100Mbps..200Mbps:50Mbps",
            "policies.std.copy_interval=30s,5m",
        ],
        2,
    );
    assert_eq!(s.points.len(), 6);
    assert_eq!(s.run_count(), 12);
    let shown: Vec<String> = s
        .points
        .iter()
        .map(|p| {
            p.overrides
                .iter()
                .map(|o| o.value.clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        shown,
        [
            "100Mbps 30s",
            "100Mbps 5m",
            "150Mbps 30s",
            "150Mbps 5m",
            "200Mbps 30s",
            "200Mbps 5m"
        ]
    );
    assert_eq!(
        s.points[2].scenario.links[0].capacity.to_string(),
        "150 Mbps"
    );
    assert_eq!(s.scopes, ["estate", "sql", "app"]);
    assert_eq!(s.master_seed, 5, "the scenario's seed by default");
    // No --set: a Monte Carlo study of the scenario as written.
    let mc = prepare(&[], 3);
    assert_eq!((mc.points.len(), mc.run_count()), (1, 3));
}

#[test]
fn an_unknown_path_or_a_bad_value_is_refused_naming_the_set_before_any_run() {
    let Err(SweepError::Scenario(e)) = Sweep::prepare(
        SCENARIO,
        Path::new("sweep-test.toml"),
        &sets(&["links.lan.capacity=1Gbps,2Gbps"]),
        5,
        None,
    ) else {
        panic!("an unknown path must be refused")
    };
    let e = e.to_string();
    assert_eq!(
        e,
        "error: sweep-test.toml: --set links.lan.capacity=1Gbps: links.lan: links has no element named \"lan\"\n  allowed: links named wan, or an index 0 to 0",
        "reported once, not once per point"
    );
    // A bad value at one point of a list: its own override is named.
    let Err(SweepError::Scenario(e)) = Sweep::prepare(
        SCENARIO,
        Path::new("sweep-test.toml"),
        &sets(&["policies.std.copy_interval=30s,10m"]),
        5,
        None,
    ) else {
        panic!("10m is not a copy interval to Azure")
    };
    let e = e.to_string();
    assert!(
        e.starts_with("error: sweep-test.toml: --set policies.std.copy_interval=10m: policies[0].copy_interval: \"10m\" is not a copy interval hyperv-to-azure offers"),
        "{e}"
    );
    assert_eq!(e.matches("error: ").count(), 1, "{e}");
    // A malformed axis is located the same way.
    let Err(SweepError::Scenario(e)) = Sweep::prepare(
        SCENARIO,
        Path::new("sweep-test.toml"),
        &sets(&["links.wan.capacity=1Gbps..2Gbps"]),
        5,
        None,
    ) else {
        panic!()
    };
    assert!(
        e.to_string().starts_with(
            "error: sweep-test.toml: --set links.wan.capacity=1Gbps..2Gbps: a range needs a step\n"
        ),
        "{e}"
    );
    assert!(matches!(
        Sweep::prepare(SCENARIO, Path::new("x.toml"), &[], 0, None),
        Err(SweepError::Size(_))
    ));
}

#[test]
fn the_cli_refuses_an_unknown_path_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let out = dir.path().join("out");
    let a = drsim()
        .arg("sweep")
        .arg(&file)
        .args(["--set", "links.wan.capacity=100Mbps,200Mbps"])
        .args([
            "--set",
            "vms.web.count=2..4:1",
            "--replications",
            "3",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        stderr.contains(": --set vms.web.count=2: vms.web: vms has no element named \"web\"\n  allowed: vms named sql, app"),
        "{stderr}"
    );
    assert!(!out.exists());
    assert!(a.get_output().stdout.is_empty());
}

// ------------------------------------------------------------------------------------------
// Seeds
// ------------------------------------------------------------------------------------------

#[test]
fn replication_seeds_are_a_stable_hash_of_the_master_seed_and_the_replication() {
    // Pinned: a change of derivation would silently change every sweep's runs.
    assert_eq!(seeds::replication_seed(5, 0), PINNED_5_0);
    let s: Vec<u64> = (0..100).map(|i| seeds::replication_seed(5, i)).collect();
    let mut distinct = s.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 100);
    assert_ne!(
        seeds::replication_seed(6, 0),
        s[0],
        "the master seed matters"
    );
    // The same at every point: replications pair across points.
    let sweep = prepare(&["links.wan.capacity=100Mbps,200Mbps"], 3);
    let records = study::run_sweep(&sweep, &study::Options::default()).unwrap();
    let seeds_at = |p: usize| -> Vec<u64> {
        records
            .iter()
            .filter(|r| r.point == p)
            .map(|r| r.seed)
            .collect()
    };
    assert_eq!(seeds_at(0), seeds_at(1));
    assert_eq!(seeds_at(0), s[..3]);
}
const PINNED_5_0: u64 = 16_740_764_427_975_860_785;

// ------------------------------------------------------------------------------------------
// Determinism and reproduction
// ------------------------------------------------------------------------------------------

fn files_of(sweep: &Sweep, records: &[study::RunRecord]) -> [Vec<u8>; 3] {
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    output::write_runs_csv(sweep, records, &mut out[0]).unwrap();
    output::write_points_csv(sweep, records, &mut out[1]).unwrap();
    output::write_sweep_json(sweep, records, &mut out[2]).unwrap();
    out
}

#[test]
fn outputs_are_byte_identical_with_one_thread_and_with_several() {
    let sweep = prepare(
        &[
            "links.wan.capacity=50Mbps..150Mbps:50Mbps",
            "policies.std.copy_interval=30s,5m",
        ],
        3,
    );
    let with = |threads| {
        let o = study::Options {
            threads: Some(threads),
            ..Default::default()
        };
        files_of(&sweep, &study::run_sweep(&sweep, &o).unwrap())
    };
    let one = with(1);
    assert_eq!(one, with(3));
    assert_eq!(one, with(2));
    let runs = String::from_utf8(one[0].clone()).unwrap();
    assert_eq!(
        runs.lines().count(),
        2 + 18,
        "comment, header, one row per run"
    );
    // Seeds make a difference: the bursty family's figures vary between replications.
    let stats = output::point_stats(
        &sweep,
        &study::run_sweep(&sweep, &Default::default()).unwrap(),
    );
    let sql = sweep.scopes.iter().position(|s| s == "sql").unwrap();
    let max = metrics::METRICS
        .iter()
        .position(|m| m.name == "rpo_max_s")
        .unwrap();
    assert!(stats[0][sql][max].sd.unwrap() > 0.0);
}

#[test]
fn the_cli_writes_the_same_files_with_one_thread_and_with_two() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let sweep_into = |out: &Path, threads: &str| {
        drsim()
            .arg("sweep")
            .arg(&file)
            .args(["--set", "links.wan.capacity=100Mbps,200Mbps"])
            .args(["--replications", "3", "--threads", threads, "--out"])
            .arg(out)
            .assert()
            .success()
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let ok = sweep_into(&a, "1");
    assert_eq!(
        String::from_utf8_lossy(&ok.get_output().stdout),
        format!(
            "sweep-test: 2 points x 3 replications = 6 runs, master seed 5\nresults in {}\n",
            a.display()
        )
    );
    assert!(
        ok.get_output().stderr.is_empty(),
        "no progress bar off a terminal"
    );
    sweep_into(&b, "2");
    let charts: Vec<String> = std::fs::read_dir(a.join("charts"))
        .unwrap()
        .map(|e| format!("charts/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert!(charts.len() >= 2, "{charts:?}");
    for f in output::FILES.iter().map(|f| f.to_string()).chain(charts) {
        assert_eq!(
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
            "{f}"
        );
    }
    // The same sweep again replaces its own folder; another sweep needs --force.
    sweep_into(&a, "2");
    let other = drsim()
        .arg("sweep")
        .arg(&file)
        .args(["--replications", "2", "--out"])
        .arg(&a)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&other.get_output().stderr).into_owned();
    assert!(
        stderr.contains("holds results of a sweep of scenario sweep-test"),
        "{stderr}"
    );
}

#[test]
fn one_run_of_a_sweep_reproduces_alone_with_its_overrides_and_seed() {
    let sweep = prepare(
        &[
            "links.wan.capacity=100Mbps,200Mbps",
            "policies.std.copy_interval=30s,5m",
        ],
        3,
    );
    let records = study::run_sweep(&sweep, &study::Options::default()).unwrap();
    let r = &records[7]; // point 2 (200Mbps, 30s), replication 1
    assert_eq!((r.point, r.replication), (2, 1));
    let overrides: Vec<Override> = sweep.points[2].overrides.clone();
    assert_eq!(
        overrides
            .iter()
            .map(Override::to_string)
            .collect::<Vec<_>>(),
        [
            "links.wan.capacity=200Mbps",
            "policies.std.copy_interval=30s"
        ]
    );
    // As `drsim run FILE --set ... --seed S` does: series kept, the same figures.
    let alone =
        scenario::from_text_with(SCENARIO, Path::new("sweep-test.toml"), &overrides).unwrap();
    let out = run(RunSpec::new(&alone).seed(r.seed)).unwrap();
    let again: Vec<Option<metrics::Values>> = metrics::of(&alone, &out.result)
        .into_iter()
        .map(Some)
        .collect();
    assert_eq!(r.metrics, again);
}

#[test]
fn the_cli_run_reproduces_a_row_of_runs_csv() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path());
    let out = dir.path().join("sweep");
    drsim()
        .arg("sweep")
        .arg(&file)
        .args([
            "--set",
            "links.wan.capacity=80Mbps,160Mbps",
            "--replications",
            "2",
        ])
        .args(["--seed", "11", "--quiet", "--keep-runs", "--out"])
        .arg(&out)
        .assert()
        .success();
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = runs.lines().skip(1);
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.nth(3).unwrap().split(',').collect(); // run 3: point 1, rep 1
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!((col("point"), col("replication")), ("1", "1"));
    assert_eq!(col("links.wan.capacity"), "160Mbps");
    let seed = col("seed");
    assert_eq!(seed, seeds::replication_seed(11, 1).to_string());

    let alone = dir.path().join("alone");
    drsim()
        .arg("run")
        .arg(&file)
        .args([
            "--set",
            "links.wan.capacity=160Mbps",
            "--seed",
            seed,
            "--out",
        ])
        .arg(&alone)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(alone.join("summary.json")).unwrap()).unwrap();
    let vms = summary["vms"].as_array().unwrap();
    let missed: u64 = vms
        .iter()
        .map(|v| v["cycles_missed"].as_u64().unwrap())
        .sum();
    let rpo_max = vms
        .iter()
        .map(|v| v["rpo_s_max"].as_f64().unwrap())
        .fold(0.0, f64::max);
    let sql_p95 = vms[..2]
        .iter()
        .map(|v| v["rpo_s_p95"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(col("estate.cycles_missed"), missed.to_string());
    // serde_json's default float parsing may be one ulp off the text; the text is the same.
    let same = |a: &str, b: f64| (a.parse::<f64>().unwrap() - b).abs() <= 1e-12 * b.abs();
    assert!(same(col("estate.rpo_max_s"), rpo_max), "{rpo_max}");
    assert!(same(col("sql.rpo_p95_s"), sql_p95), "{sql_p95}");
    // --keep-runs wrote that run's full outputs, and they are the lone run's.
    let kept = out.join("runs").join("p1-r1");
    assert_eq!(
        std::fs::read(kept.join("summary.json")).unwrap(),
        std::fs::read(alone.join("summary.json")).unwrap()
    );
    assert!(kept.join("timeseries.csv").exists());
}

// ------------------------------------------------------------------------------------------
// Statistics
// ------------------------------------------------------------------------------------------

#[test]
fn statistics_match_hand_computed_values() {
    // 2, 4, 4, 5, 7: mean 4.4; squares of deviations 5.76 + 0.16 + 0.16 + 0.36 + 6.76 = 13.2;
    // variance 13.2 / 4 = 3.3, sd 1.8165902124584950; t(0.975, 4) = 2.7764451051977987;
    // half width 2.7764451051977987 * 1.8165902124584950 / sqrt(5) = 2.2555946663...
    let s = stats::summarize(&[2.0, 4.0, 4.0, 5.0, 7.0]);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert_eq!(s.n, 5);
    assert!(close(s.mean.unwrap(), 4.4));
    assert!(close(s.sd.unwrap(), 1.816_590_212_458_495));
    let t = stats::t_quantile(0.975, 4).unwrap();
    assert!(close(t, 2.776_445_105_197_799), "{t}");
    let half = 2.776_445_105_197_799 * 1.816_590_212_458_495 / 5f64.sqrt();
    let (lo, hi) = s.ci.unwrap();
    assert!(close(lo, 4.4 - half) && close(hi, 4.4 + half), "{lo} {hi}");
    assert!((half - 2.255_594_666).abs() < 1e-8, "{half}");
    assert_eq!((s.min, s.max), (Some(2.0), Some(7.0)));
    // Other quantiles: t(0.975, 1) = 12.7062047..., t(0.975, 29) = 2.0452296...
    assert!((stats::t_quantile(0.975, 1).unwrap() - 12.706_204_736).abs() < 1e-6);
    assert!((stats::t_quantile(0.975, 29).unwrap() - 2.045_229_642).abs() < 1e-6);
    assert_eq!(stats::t_quantile(0.975, 0), None);
    // n = 1: a mean, no spread, no interval; n = 0: nothing.
    let one = stats::summarize(&[3.5]);
    assert_eq!(
        (one.n, one.mean, one.sd, one.ci, one.min),
        (1, Some(3.5), None, None, Some(3.5))
    );
    assert_eq!(stats::summarize(&[]), stats::Summary::default());
    // No spread: the interval is the mean.
    assert_eq!(stats::summarize(&[2.0, 2.0, 2.0]).ci, Some((2.0, 2.0)));
}

#[test]
fn points_csv_has_no_interval_for_one_replication() {
    let sweep = prepare(&[], 1);
    let records = study::run_sweep(&sweep, &Default::default()).unwrap();
    let [_, points, json] = files_of(&sweep, &records);
    let points = String::from_utf8(points).unwrap();
    let row = points
        .lines()
        .find(|l| l.contains(",estate,rpo_max_s,"))
        .unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[3], "1", "{row}");
    assert_eq!(&cells[5..8], ["", "", ""], "no sd, no interval: {row}");
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["replications"], 1);
    assert_eq!(json["kind"], "sweep");
    assert!(json["points"][0]["stats"][0]["ci95_low"].is_null());
}

/// The PNG's width and height, decoded.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let mut reader = png::Decoder::new(bytes).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    (info.width, info.height)
}

#[test]
fn sweep_charts_plot_each_metric_against_the_first_parameter() {
    // One axis: a line for the estate and one per family, a point per capacity.
    let sweep = prepare(&["links.wan.capacity=50Mbps,100Mbps,200Mbps"], 4);
    let runs = study::run_sweep(&sweep, &Default::default()).unwrap();
    let layout = output::Layout::of(&sweep);
    let charts = study::charts::charts(&layout, &runs);
    let stats = output::point_stats(&sweep, &runs);
    let names: Vec<&str> = charts.iter().map(|(n, _)| *n).collect();
    assert!(names.contains(&"rpo_p95_s"), "{names:?}");
    // No failover: nothing is lost anywhere, so that metric has no chart.
    assert!(!names.contains(&"bytes_lost"), "{names:?}");
    let (_, p95) = charts.iter().find(|(n, _)| *n == "rpo_p95_s").unwrap();
    assert_eq!(
        p95.x,
        XAxis::Categories(vec!["50Mbps".into(), "100Mbps".into(), "200Mbps".into()])
    );
    let labels: Vec<&str> = p95.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["estate", "sql", "app"]);
    // Each point is the statistics of points.csv: mean and 95% interval.
    let m = metrics::METRICS
        .iter()
        .position(|m| m.name == "rpo_p95_s")
        .unwrap();
    for (s, line) in p95.lines.iter().enumerate() {
        for (p, point) in line.points.iter().enumerate() {
            let st = &stats[p][s][m];
            let point = point.expect("every point has an RPO");
            assert_eq!(Some(point.mean), st.mean);
            assert_eq!(point.interval, st.ci);
        }
    }
    // Written as SVG with its title and as PNG of the chart size.
    let dir = tempfile::tempdir().unwrap();
    let written = study::charts::write_charts(&layout, &runs, dir.path()).unwrap();
    assert_eq!(written.len(), 2 * charts.len());
    let svg = std::fs::read_to_string(dir.path().join("charts/rpo_p95_s.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("Worst p95 RPO by links.wan.capacity: sweep-test"));
    assert!(svg.contains("100Mbps") && svg.contains("estate"));
    let png = std::fs::read(dir.path().join("charts/rpo_p95_s.png")).unwrap();
    assert_eq!(png_size(&png), (1200, 640));

    // Two axes: x is the first, a line per value of the second.
    let sweep = prepare(
        &[
            "links.wan.capacity=50Mbps,100Mbps",
            "policies.std.copy_interval=30s,5m",
        ],
        2,
    );
    let runs = study::run_sweep(&sweep, &Default::default()).unwrap();
    let charts = study::charts::charts(&output::Layout::of(&sweep), &runs);
    let (_, p95) = charts.iter().find(|(n, _)| *n == "rpo_p95_s").unwrap();
    let labels: Vec<&str> = p95.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "policies.std.copy_interval=30s",
            "policies.std.copy_interval=5m"
        ]
    );
    assert!(p95.lines.iter().all(|l| l.points.len() == 2));
}
