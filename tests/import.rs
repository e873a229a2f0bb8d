//! Churn measured on real hosts (issue 17, point 5): a typeperf / relog CSV (`perfmon`) and a
//! tidy `time,vm,disk,bytes` CSV (`disk-bytes`) imported per disk. Bytes per disk are
//! computed by hand from the files; errors are checked by text.

mod common;
use common::line_of;

use drsim::engine::RngStreams;
use drsim::model::workload::DiskWrites;
use drsim::model::Scenario;
use drsim::run::{run, RunSpec};
use std::path::{Path, PathBuf};

const PDH: &str = "\"(PDH-CSV 4.0) (GMT Standard Time)(0)\"";

fn col(instance: &str) -> String {
    format!("\"\\\\HV-HOST01\\Hyper-V Virtual Storage Device({instance})\\Write Bytes/sec\"")
}

/// Three VHDs (alpha's os and data, beta's only disk) and a processor column; samples at 0,
/// 60 s, 120 s and 300 s (the intervals need not be equal); alpha's os has a missing sample.
fn perfmon_file() -> String {
    let header = [
        PDH.to_string(),
        col("D:-VMs-alpha-alpha_os.vhdx"),
        col("D:-VMs-alpha-alpha_data.vhdx"),
        "\"\\\\HV-HOST01\\Processor(_Total)\\% Processor Time\"".into(),
        col("D:-VMs-beta-beta.vhdx"),
    ]
    .join(",");
    [
        header.as_str(),
        "\"11/23/2026 08:00:00.000\",\" \",\" \",\" \",\" \"",
        "\"11/23/2026 08:01:00.000\",\"1000\",\"500.5\",\"3.2\",\"10\"",
        "\"11/23/2026 08:02:00.000\",\"2000\",\"500\",\"4.0\",\"20\"",
        "\"11/23/2026 08:05:00.000\",\" \",\"100\",\"2.5\",\"30\"",
    ]
    .join("\r\n")
        + "\r\n"
}

fn scenario(profile: &str, vms: &str) -> String {
    format!(
        "[scenario]\nname = \"import\"\ntopology = \"hyperv-to-azure\"\nstart = \"2026-11-23T08:00\"\nduration = \"1h\"\n\n\
         [[links]]\nname = \"wan\"\ncapacity = \"1 Gbps\"\n\n[[sites]]\nname = \"s\"\n\n[[hosts]]\nname = \"h\"\n\n{profile}\n{vms}"
    )
}

const PERFMON_PROFILE: &str =
    "[[profiles]]\nname = \"measured\"\nkind = \"perfmon\"\nfile = \"perf.csv\"\n";
const TWO_VMS: &str = "[[vms]]\nname = \"alpha\"\nprotected_at_start = true\nchurn = \"measured\"\ndisks = [{ name = \"os\", size = \"100 GiB\" }, { name = \"Data\", size = \"100 GiB\" }]\n\n\
     [[vms]]\nname = \"beta\"\nprotected_at_start = true\nchurn = \"measured\"\ndisks = [{ size = \"100 GiB\" }]\n";

/// A scenario `s.toml` beside `files` in a fresh folder.
fn folder(text: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn load(text: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Scenario) {
    let (dir, path) = folder(text, files);
    let s = drsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    (dir, s)
}

fn errors(text: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let (dir, path) = folder(text, files);
    match drsim::scenario::load(&path) {
        Ok(_) => panic!("accepted"),
        Err(e) => (dir, e.to_string()),
    }
}

/// Bytes each disk writes over the run, from the model.
fn disk_bytes(s: &Scenario) -> Vec<Vec<u64>> {
    s.vms
        .iter()
        .map(|vm| {
            vm.disks
                .iter()
                .map(|d| {
                    let rng = RngStreams::new(1).stream("t");
                    DiskWrites::new(d.workload.clone(), &s.calendar, rng)
                        .written_by(s.horizon, &s.calendar)
                })
                .collect()
        })
        .collect()
}

#[test]
fn perfmon_bytes_per_disk_are_rate_times_interval() {
    let text = scenario(PERFMON_PROFILE, TWO_VMS);
    let (dir, s) = load(&text, &[("perf.csv", &perfmon_file())]);
    // Each value holds over the interval that ends at its time stamp; the missing 08:05
    // sample of alpha's os holds 2000 B/s; nothing is written after 08:05.
    let alpha_os = 1000 * 60 + 2000 * 60 + 2000 * 180;
    let alpha_data = 500 * 60 + 30 + 500 * 60 + 100 * 180; // 500.5 B/s for 60 s: 30,030
    let beta = 10 * 60 + 20 * 60 + 30 * 180;
    assert_eq!(disk_bytes(&s), vec![vec![alpha_os, alpha_data], vec![beta]]);
    // The run writes the same bytes.
    let out = run(RunSpec::new(&s)).unwrap();
    let written: Vec<u64> = out.result.vms.iter().map(|v| v.bytes_written).collect();
    assert_eq!(written, vec![alpha_os + alpha_data, beta]);
    // Reported, not dropped: the processor column, the missing sample, the short span.
    let perf = dir.path().join("perf.csv");
    let p = perf.display();
    assert_eq!(
        s.warnings,
        vec![
            format!("warning: {p}:1:1: header: 1 columns are not Hyper-V Virtual Storage Device Write Bytes/sec and are not used: \"\\\\HV-HOST01\\Processor(_Total)\\% Processor Time\""),
            format!("warning: {p}:2:1: row: missing samples hold the previous sample's rate: \"\\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-VMs-alpha-alpha_os.vhdx)\\Write Bytes/sec\" (1)"),
            format!("warning: {p}: the measurement covers 5m, the run 1h: its disks write nothing after 5m [ours]"),
        ]
    );
}

#[test]
fn a_column_no_disk_takes_is_a_warning() {
    // beta is gone; gamma writes a constant rate: beta's column is left over.
    let vms = TWO_VMS
        .split("[[vms]]\nname = \"beta\"")
        .next()
        .unwrap()
        .to_string()
        + "[[vms]]\nname = \"gamma\"\nchurn = \"1 MB/s\"\ndisks = [{ size = \"100 GiB\" }]\n";
    let text = scenario(PERFMON_PROFILE, &vms);
    let (dir, s) = load(&text, &[("perf.csv", &perfmon_file())]);
    let p = dir.path().join("perf.csv");
    let unclaimed: Vec<&String> = s
        .warnings
        .iter()
        .filter(|w| w.contains("no disk"))
        .collect();
    assert_eq!(
        unclaimed,
        vec![&format!("warning: {}:1:5: \\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-VMs-beta-beta.vhdx)\\Write Bytes/sec: no disk of the scenario takes this series; its writes are not simulated", p.display())]
    );
}

const TIDY: &str = "time,vm,disk,bytes\n\
2026-11-23T08:00:00,alpha,os,0\n\
2026-11-23T08:00:00,alpha,1,0\n\
2026-11-23T08:00:00,beta,0,0\n\
2026-11-23T08:01:00,alpha,os,6000\n\
2026-11-23T08:01:00,alpha,1,1000\n\
2026-11-23T08:01:00,BETA,0,7\n\
2026-11-23T08:03:00,alpha,os,12000\n\
2026-11-23T08:03:00,alpha,1,\n\
2026-11-23T08:03:00,beta,0,5\n\
2026-11-23T09:00:00,alpha,os,3420000\n\
2026-11-23T09:00:00,alpha,1,34200\n\
2026-11-23T09:00:00,beta,0,0\n";

#[test]
fn disk_bytes_replays_each_interval_s_bytes() {
    let profile =
        "[[profiles]]\nname = \"measured\"\nkind = \"disk-bytes\"\nfile = \"bytes.csv\"\n";
    // alpha's disks by name ("os") and by index (1, unnamed); beta's by index, any case.
    let vms = TWO_VMS.replace(", { name = \"Data\", size", ", { size");
    let text = scenario(profile, &vms);
    let (_dir, s) = load(&text, &[("bytes.csv", TIDY)]);
    // Rate = bytes / interval, rounded up to a milli-byte per second: 1000 bytes in 60 s and
    // 5 bytes in 120 s replay exactly. alpha's disk 1 has no bytes at 08:03: that interval
    // holds the previous rate (1000 B / 60 s) for 120 s.
    let alpha_os = 6000 + 12000 + 3_420_000;
    let alpha_1 = 1000 + 2000 + 34200;
    let beta = 7 + 5;
    assert_eq!(disk_bytes(&s), vec![vec![alpha_os, alpha_1], vec![beta]]);
    let out = run(RunSpec::new(&s)).unwrap();
    let written: Vec<u64> = out.result.vms.iter().map(|v| v.bytes_written).collect();
    assert_eq!(written, vec![alpha_os + alpha_1, beta]);
}

#[test]
fn seconds_since_the_first_row_are_times_too() {
    let profile =
        "[[profiles]]\nname = \"measured\"\nkind = \"disk-bytes\"\nfile = \"bytes.csv\"\n";
    let file = "time,vm,disk,bytes\n0,beta,0,0\n90,beta,0,900\n100.5,beta,0,21\n";
    let vms = "[[vms]]\nname = \"beta\"\nprotected_at_start = true\nchurn = \"measured\"\ndisks = [{ size = \"100 GiB\" }]\n";
    let (_dir, s) = load(&scenario(profile, vms), &[("bytes.csv", file)]);
    assert_eq!(disk_bytes(&s), vec![vec![900 + 21]]);
}

fn bad_perfmon(replace: (&str, &str)) -> String {
    let text = scenario(PERFMON_PROFILE, TWO_VMS);
    let file = perfmon_file().replacen(replace.0, replace.1, 1);
    let (dir, e) = errors(&text, &[("perf.csv", &file)]);
    e.replace(&dir.path().display().to_string(), "DIR")
}

#[test]
fn bad_perfmon_files_name_file_line_column_and_field() {
    assert_eq!(
        bad_perfmon(("11/23/2026 08:02:00.000", "2026-11-23 08:02")),
        "error: DIR/perf.csv:4:1: time: \"2026-11-23 08:02\" is not a time stamp\n  allowed: a PDH time stamp such as \"11/23/2026 08:00:00.000\" (month/day/year)"
    );
    assert_eq!(
        bad_perfmon(("\"500\"", "\"5OO\"")),
        "error: DIR/perf.csv:4:3: \\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-VMs-alpha-alpha_data.vhdx)\\Write Bytes/sec: \"5OO\" is not a number of bytes per second\n  allowed: a number >= 0, or blank for a missing sample"
    );
    assert_eq!(
        bad_perfmon(("\"2.5\",", "")),
        "error: DIR/perf.csv:5:5: row: 4 fields; the header has 5\n  allowed: 5 fields per row, as in the header"
    );
    assert_eq!(
        bad_perfmon(("08:05:00.000", "08:01:00.000")),
        "error: DIR/perf.csv:5:1: time: 2026-11-23 08:01:00.000 is not after the previous time stamp\n  allowed: time stamps in increasing order"
    );
    assert_eq!(
        bad_perfmon(("(PDH-CSV 4.0) (GMT Standard Time)(0)", "Time")),
        "error: DIR/perf.csv:1:1: header: \"Time\" is not a PDH-CSV 4.0 header\n  allowed: a typeperf or relog CSV: first header cell \"(PDH-CSV 4.0) (<time zone>)(<bias>)\", then counters such as \"\\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-VMs-sql01-sql01_data.vhdx)\\Write Bytes/sec\""
    );
}

#[test]
fn bad_disk_bytes_files_name_file_line_column_and_field() {
    let profile =
        "[[profiles]]\nname = \"measured\"\nkind = \"disk-bytes\"\nfile = \"bytes.csv\"\n";
    let vms = TWO_VMS.replace(", { name = \"Data\", size", ", { size");
    let text = scenario(profile, &vms);
    let bad = |from: &str, to: &str| {
        let (dir, e) = errors(&text, &[("bytes.csv", &TIDY.replacen(from, to, 1))]);
        e.replace(&dir.path().display().to_string(), "DIR")
    };
    assert_eq!(
        bad("alpha,os,12000", "alpha,os,12 kB"),
        "error: DIR/bytes.csv:8:4: bytes: \"12 kB\" is not a whole number of bytes\n  allowed: a whole number >= 0, or blank for a missing sample"
    );
    assert_eq!(
        bad("2026-11-23T08:03:00,beta", "2026-11-23T08:00:30,beta"),
        "error: DIR/bytes.csv:10:1: time: 30s is before the previous row's 3m\n  allowed: rows in time order (rows of one time together)"
    );
    assert_eq!(
        bad("2026-11-23T08:01:00,alpha,os", "23/11/2026 08:01,alpha,os"),
        "error: DIR/bytes.csv:5:1: time: \"23/11/2026 08:01\" is not a time\n  allowed: a local date-time such as \"2026-11-23T08:05:00\", or seconds since the first row, the same form in every row"
    );
    assert_eq!(
        bad("BETA,0,7", "BETA,0"),
        "error: DIR/bytes.csv:7:4: row: 3 fields; the header has 4\n  allowed: 4 fields per row: time,vm,disk,bytes"
    );
}

#[test]
fn a_disk_that_asked_for_import_and_has_no_column_is_an_error_at_its_churn() {
    let vms = TWO_VMS.replace("name = \"beta\"", "name = \"delta\"");
    let text = scenario(PERFMON_PROFILE, &vms);
    let (_dir, e) = errors(&text, &[("perf.csv", &perfmon_file())]);
    let line = line_of(&text, "name = \"delta\"") + 2;
    let first = e.lines().next().unwrap();
    assert!(
        first.starts_with("error: ")
            && first.ends_with(&format!(
                "s.toml:{line}:9: vms[1].churn: VM \"delta\" disk 0 matches no series of {}",
                _dir.path().join("perf.csv").display()
            )),
        "{e}"
    );
    assert!(e.contains("\n  allowed: a Write Bytes/sec column whose instance name contains the VM's name and the disk's name as whole words, ignoring case"), "{e}");
}

#[test]
fn a_disk_matching_two_columns_is_an_error() {
    // alpha's disks without names: each matches both of alpha's columns.
    let vms = TWO_VMS
        .replace("{ name = \"os\", size", "{ size")
        .replace("{ name = \"Data\", size", "{ size");
    let text = scenario(PERFMON_PROFILE, &vms);
    let (dir, e) = errors(&text, &[("perf.csv", &perfmon_file())]);
    let line = line_of(&text, "name = \"alpha\"") + 2;
    let p = dir.path().join("perf.csv");
    let expected = format!(
        "error: {}:{line}:9: vms[0].churn: VM \"alpha\" disk 0 matches 2 series of {}: \"\\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-VMs-alpha-alpha_os.vhdx)\\Write Bytes/sec\", \"\\\\HV-HOST01\\Hyper-V Virtual Storage Device(D:-VMs-alpha-alpha_data.vhdx)\\Write Bytes/sec\"",
        dir.path().join("s.toml").display(),
        p.display()
    );
    assert_eq!(e.lines().next().unwrap(), expected, "{e}");
    assert!(e
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("  allowed: one series per disk: give the disk a `name` that picks one;"));
}

#[test]
fn missing_trace_and_import_files_say_file_not_found_with_the_resolved_path() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, word) in [
        ("trace", "trace"),
        ("perfmon", "perfmon"),
        ("disk-bytes", "disk-bytes"),
    ] {
        let profile = format!(
            "[[profiles]]\nname = \"measured\"\nkind = \"{kind}\"\nfile = \"traces/none.csv\"\n"
        );
        let vms =
            "[[vms]]\nname = \"beta\"\nchurn = \"measured\"\ndisks = [{ size = \"100 GiB\" }]\n";
        let text = scenario(&profile, vms);
        let path = dir.path().join("s.toml");
        std::fs::write(&path, &text).unwrap();
        let e = drsim::scenario::load(&path).unwrap_err().to_string();
        let line = line_of(&text, "traces/none.csv");
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(
            lines[0],
            format!(
                "error: {}:{line}:8: profiles[0].file: {word} file not found: {}",
                path.display(),
                dir.path().join("traces/none.csv").display()
            ),
            "{e}"
        );
    }
}

#[test]
fn the_bundled_measured_churn_scenario_takes_every_column_and_warns_of_nothing() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/measured-churn.toml");
    let s = drsim::scenario::load(&path).unwrap();
    assert_eq!(s.warnings, Vec::<String>::new());
    assert_eq!(s.vms.len(), 6);
    // Every disk replays a measured series (not one shared by two disks).
    let bytes = disk_bytes(&s);
    let mut all: Vec<u64> = bytes.iter().flatten().copied().collect();
    assert!(all.iter().all(|&b| b > 0), "{bytes:?}");
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 11, "{bytes:?}");
}
