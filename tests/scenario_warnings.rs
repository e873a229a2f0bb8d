//! Warnings a valid scenario gets (issue 14, points 11, 12 and 14): Azure's prerequisite
//! check run by `validate`, plausibility warnings (a throttle above the link, churn the link
//! cannot carry, a run too short for initial replication, a trace shorter than the run), and
//! the errors of a trace file not found or a churn written as a path. Every message is
//! compared whole, with its line and column counted by hand in the text below.

use assert_cmd::Command;
use drsim::scenario::from_text;
use std::path::Path;

const FILE: &str = "x/warn.toml";

/// The warnings of `text`, read as if from `x/warn.toml`.
fn warnings(text: &str) -> Vec<String> {
    from_text(text, Path::new(FILE))
        .unwrap_or_else(|e| panic!("scenario rejected:\n{e}"))
        .warnings
}

fn w(at: &str, rest: &str) -> String {
    format!("warning: {FILE}:{at}: {rest}")
}

/// A header, one link and one site and host; `link` is added to the link's table.
fn head(topology: &str, capacity: &str, link: &str) -> String {
    format!(
        "[scenario]\nname = \"t\"\ntopology = \"{topology}\"\nstart = \"2026-11-23T08:00\"\nduration = \"1d\"\n\n\
         [[links]]\nname = \"wan\"\ncapacity = \"{capacity}\"\n{link}\n\
         [[sites]]\nname = \"s\"\n\n[[hosts]]\nname = \"h\"\n"
    )
}

/// Lines 1-16 are `head`; the VM tables start at line 17.
fn prerequisites(topology: &str) -> String {
    let many = vec!["{ size = \"10 GB\", used = \"1 GB\" }"; 18].join(", ");
    head(topology, "10 Gbps", "")
        + "\n[[vms]]\nname = \"legacy\"\ngeneration = 1\nchurn = \"0 MB/s\"\ndisks = [{ size = \"2.5 TB\", used = \"1 GB\" }]\n\
           \n[[vms]]\nname = \"app\"\ncount = 60\nchurn = \"0 MB/s\"\ndisks = [{ size = \"400 GB\", used = \"1 GB\" }, { size = \"5 TB\", used = \"1 GB\", shared = true }]\n\
           \n[[vms]]\nname = \"wide\"\nchurn = \"0 MB/s\"\n"
        + &format!("disks = [{many}]\n")
        + "\n[[vms]]\nname = \"old\"\nprotected_at_start = true\ngeneration = 1\nchurn = \"0 MB/s\"\ndisks = [{ size = \"2.5 TB\", used = \"1 GB\" }]\n"
}

#[test]
fn azure_prerequisites_warn_once_per_table_at_the_field_that_breaks_them() {
    let app = "the 60 VMs \"app-01\" to \"app-60\"";
    let their =
        "their Enable protection jobs fail Azure's prerequisite check and they stay unprotected";
    let its = "its Enable protection job fails Azure's prerequisite check and it stays unprotected";
    // 2.5 TB = 2,500 GB > 2,048 (generation 1); 400 GB > 300 (generation 2, the default);
    // 5 TB = 5,000 GB > 4,095; 18 disks = 17 data disks > 16. "old" is protected at the start:
    // it never runs the job.
    assert_eq!(
        warnings(&prerequisites("hyperv-to-azure")),
        vec![
            w("21:19", &format!("vms[0].disks[0].size: VM \"legacy\": OS disk of 2500 GB is over the 2048 GB limit for generation 1 VMs: {its}")),
            w("27:19", &format!("vms[1].disks[0].size: {app}: OS disk of 400 GB is over the 300 GB limit for generation 2 VMs: {their}")),
            w("27:55", &format!("vms[1].disks[1].size: {app}: data disk 1 of 5000 GB is over the 4,095 GB limit: {their}")),
            w("27:87", &format!("vms[1].disks[1].shared: {app}: shared VHDs are not supported: {their}")),
            w("32:9", &format!("vms[2].disks: VM \"wide\": 17 data disks; at most 16 are supported: {its}")),
        ]
    );
    // A secondary VMM site is no Azure target: no check.
    assert_eq!(warnings(&prerequisites("vmm-to-vmm")), Vec::<String>::new());
}

#[test]
fn the_run_fails_the_job_the_warning_names() {
    let text = prerequisites("hyperv-to-azure");
    let s = from_text(&text, Path::new(FILE)).unwrap();
    let out = drsim::run::run(drsim::run::RunSpec::new(&s)).unwrap();
    let legacy = s.vms.iter().position(|v| v.name == "legacy").unwrap();
    let job = out
        .log
        .jobs()
        .find(|j| j.vm == legacy && j.job.to_string() == "Enable protection")
        .expect("legacy runs Enable protection");
    assert_eq!(job.outcome.to_string(), "failed");
    assert_eq!(
        job.detail.to_string(),
        "OS disk of 2500 GB is over the 2048 GB limit for generation 1 VMs"
    );
}

#[test]
fn a_throttle_or_a_per_vm_cap_above_the_capacity_never_binds() {
    // Lines 7-12: the link; the limit equal to the capacity is no warning.
    let text = head(
        "hyperv-to-azure",
        "100 Mbps",
        "work_hours_limit = \"200 Mbps\"\nnon_work_hours_limit = \"100 Mbps\"\nper_vm_cap = \"1 Gbps\"\n",
    ) + "\n[[vms]]\nname = \"vm\"\nchurn = \"0 MB/s\"\ndisks = [{ size = \"10 GB\", used = \"1 GB\" }]\n";
    assert_eq!(
        warnings(&text),
        vec![
            w("10:20", "links[0].work_hours_limit: 200 Mbps is above the link's capacity, 100 Mbps: the limit never slows the link"),
            w("12:14", "links[0].per_vm_cap: 1 Gbps is above the link's capacity, 100 Mbps: the cap never slows a VM"),
        ]
    );
}

#[test]
fn churn_whose_mean_over_the_run_exceeds_the_link_warns_and_a_peak_does_not() {
    // 10 Mbps = 1.25 MB/s. The run is Monday 08:00 + 1d: 10 work hours.
    let text = head("hyperv-to-azure", "10 Mbps", "")
        + "\n[[profiles]]\nname = \"office\"\nkind = \"office-hours\"\npeak = \"4 MB/s\"\nbase = \"0 MB/s\"\n\
           \n[[profiles]]\nname = \"day\"\nkind = \"office-hours\"\npeak = \"2 MB/s\"\nbase = \"0 MB/s\"\n\
           \n[[profiles]]\nname = \"bursty\"\nkind = \"bursts\"\nbase = \"0 MB/s\"\nburst_rate = \"10 MB/s\"\nmean_gap = \"1s\"\nburst_size_median = \"10 MB\"\nburst_size_sigma = 0.0\n\
           \n[[vms]]\nname = \"hot\"\nchurn = \"2 MB/s\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }]\n\
           \n[[vms]]\nname = \"clerk\"\ncount = 3\nchurn = \"office\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }]\n\
           \n[[vms]]\nname = \"peaky\"\nchurn = \"day\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }]\n\
           \n[[vms]]\nname = \"burst\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\", churn = \"bursty\" }]\n";
    let tail = "replication cannot keep up and the backlog only grows";
    assert_eq!(
        warnings(&text),
        vec![
            // 2 MB/s = 16 Mbps.
            w("40:9", &format!("vms[0].churn: VM \"hot\": writes a mean of 16 Mbps over the run, above the 10 Mbps capacity of link \"wan\": {tail}")),
            // 4 MB/s for 10 h of 24: 1,666,666,666 mB/s (rounded down) = 13.333 Mbps.
            w("46:9", &format!("vms[1].churn: the 3 VMs \"clerk-01\" to \"clerk-03\": each writes a mean of 13.333 Mbps over the run, above the 10 Mbps capacity of link \"wan\": {tail}")),
            // "peaky": 2 MB/s (16 Mbps) peak, 0.667 MB/s mean: no warning. Bursts of 10 MB
            // at 10 MB/s (1 s) after gaps of 1 s on average: 5 MB/s = 40 Mbps.
            w("56:9", &format!("vms[3].disks: VM \"burst\": writes a mean of 40 Mbps over the run, above the 10 Mbps capacity of link \"wan\": {tail}")),
        ]
    );
}

#[test]
fn churn_counts_on_the_wire_and_against_a_lower_per_vm_cap() {
    let policy = "\n[[policies]]\nname = \"p\"\ncompression_ratio = 2.0\n";
    // 3 MB/s = 24 Mbps, 12 on the wire, over 10 Mbps; 2 MB/s = 8 on the wire is not.
    let text = head("vmm-to-vmm", "10 Mbps", "")
        + policy
        + "\n[[vms]]\nname = \"a\"\nchurn = \"3 MB/s\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }]\n\
           \n[[vms]]\nname = \"b\"\nchurn = \"2 MB/s\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }]\n";
    assert_eq!(
        warnings(&text),
        vec![w("23:9", "vms[0].churn: VM \"a\": writes a mean of 24 Mbps over the run, 12 Mbps on the wire after compression_ratio 2, above the 10 Mbps capacity of link \"wan\": replication cannot keep up and the backlog only grows")]
    );
    // A per-VM cap of 8 Mbps (1 MB/s) below the 1 Gbps capacity: 1.5 MB/s = 12 Mbps is over.
    let text = head("hyperv-to-azure", "1 Gbps", "per_vm_cap = \"8 Mbps\"\n")
        + "\n[[vms]]\nname = \"a\"\nchurn = \"1.5 MB/s\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }]\n";
    assert_eq!(
        warnings(&text),
        vec![w("20:9", "vms[0].churn: VM \"a\": writes a mean of 12 Mbps over the run, above the 8 Mbps per-VM cap of link \"wan\": replication cannot keep up and the backlog only grows")]
    );
}

#[test]
fn a_run_too_short_for_initial_replication_at_full_speed() {
    // Two VMs of 512 GiB used (generation 1: a 1 TiB OS disk is within Azure's limits): 1 TiB = 1,099,511,627,776 B at 100 Mbps (12,500,000 B/s) is
    // 87,960.93 s = 1,466.02 min, 1,467 whole minutes = 1d27m, over the 1d run. The VM
    // protected at the start has no initial replication.
    let text = head("hyperv-to-azure", "100 Mbps", "")
        + "\n[[vms]]\nname = \"big\"\ncount = 2\ngeneration = 1\nchurn = \"0 MB/s\"\ndisks = [{ size = \"1 TiB\", used = \"512 GiB\" }]\n\
           \n[[vms]]\nname = \"done\"\nprotected_at_start = true\nchurn = \"0 MB/s\"\ndisks = [{ size = \"20 TiB\", used = \"10 TiB\" }]\n";
    assert_eq!(
        warnings(&text),
        vec![w("9:12", "links[0].capacity: initial replication of the 2 VMs behind link \"wan\" sends 1.00 TiB, which takes at least 1d27m at its full 100 Mbps; the run lasts 1d: not every VM can finish initial replication in the run")]
    );
    // One VM of 512 GiB: 43,980.47 s, inside the day.
    let one = text.replacen("count = 2\n", "", 1);
    assert_eq!(warnings(&one), Vec::<String>::new());
}

/// `text` as `s.toml` in a fresh folder beside the traces `files`.
fn folder(text: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn a_trace_that_ends_before_the_run_warns_and_one_that_covers_it_does_not() {
    let text = head("hyperv-to-azure", "1 Gbps", "")
        + "\n[[profiles]]\nname = \"short\"\nkind = \"trace\"\nfile = \"short.csv\"\n\
           \n[[profiles]]\nname = \"day\"\nkind = \"trace\"\nfile = \"day.csv\"\n\
           \n[[profiles]]\nname = \"flat\"\nkind = \"trace\"\nfile = \"flat.csv\"\n\
           \n[[vms]]\nname = \"vm\"\nchurn = \"short\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }, { size = \"10 GB\", used = \"1 MB\", churn = \"day\" }, { size = \"10 GB\", used = \"1 MB\", churn = \"flat\" }]\n";
    let (_dir, path) = folder(
        &text,
        &[
            // Hourly to 2h: covers 3h of the 1d run; its last rate, 3 MB/s = 24 Mbps.
            ("short.csv", "at,rate\n0s,1 MB/s\n1h,2 MB/s\n2h,3 MB/s\n"),
            // Rows every 12 h to 12h: covers the day.
            ("day.csv", "at_s,bytes_per_s\n0,1000\n43200,2000\n"),
            // One row: a constant rate, for any run.
            ("flat.csv", "at,rate\n0s,1 MB/s\n"),
        ],
    );
    let s = drsim::scenario::load(&path).unwrap();
    assert_eq!(
        s.warnings,
        vec![format!("warning: {}:20:8: profiles[0].file: the trace covers 3h (its last row at 2h plus the 1h between its last two rows), the run 1d: its last rate, 24 Mbps, holds for the remaining 21h [ours]", path.display())]
    );
}

#[test]
fn a_missing_trace_says_file_not_found_with_the_resolved_path_and_nothing_else() {
    let text = head("hyperv-to-azure", "1 Gbps", "")
        + "\n[[profiles]]\nname = \"erp\"\nkind = \"trace\"\nfile = \"traces/nope.csv\"\n\
           \n[[vms]]\nname = \"vm\"\nchurn = \"erp\"\ndisks = [{ size = \"10 GB\", used = \"1 MB\" }]\n";
    let e = from_text(&text, Path::new("x/warn.toml")).unwrap_err();
    // Relative to the scenario file's folder, x; the VM naming the profile adds no error.
    assert_eq!(
        e.to_string(),
        "error: x/warn.toml:20:8: profiles[0].file: trace file not found: x/traces/nope.csv\n  allowed: a CSV file path, relative to the scenario file"
    );
}

#[test]
fn a_churn_written_as_a_path_says_so() {
    let disk = |churn: &str| {
        head("hyperv-to-azure", "1 Gbps", "")
            + &format!("\n[[vms]]\nname = \"vm\"\nchurn = \"{churn}\"\ndisks = [{{ size = \"10 GB\", used = \"1 MB\" }}]\n")
    };
    let e = from_text(&disk("traces/erp.csv"), Path::new(FILE)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error: x/warn.toml:19:9: vms[0].churn: \"traces/erp.csv\" looks like a file path; churn names a profile or gives a rate, not a file\n  allowed: a [[profiles]] table with kind = \"trace\" and file = \"traces/erp.csv\" (relative to the scenario file), and churn = its name"
    );
    // A rate gone wrong is not a path: the usual error.
    let e = from_text(&disk("2 MB/sec"), Path::new(FILE)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error: x/warn.toml:19:9: vms[0].churn: \"2 MB/sec\" is neither a profile name nor a rate\n  allowed: a constant rate such as \"2 MB/s\" (no [[profiles]] are defined)"
    );
}

#[test]
fn validate_prints_the_warnings_and_exits_0() {
    let (_dir, path) = folder(&prerequisites("hyperv-to-azure"), &[]);
    let out = Command::cargo_bin("drsim")
        .unwrap()
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap();
    assert_eq!(first, format!("warning: {}:21:19: vms[0].disks[0].size: VM \"legacy\": OS disk of 2500 GB is over the 2048 GB limit for generation 1 VMs: its Enable protection job fails Azure's prerequisite check and it stays unprotected", path.display()));
    assert_eq!(stderr.lines().count(), 5, "{stderr}");
}

#[test]
fn bundled_scenarios_warn_only_where_they_mean_to() {
    let mut dir: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    dir.sort();
    for path in dir {
        let s = drsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let expected: Vec<String> = match path.file_name().unwrap().to_str().unwrap() {
            // Its comments say so: legacy-crm is there to show the refused VM.
            "branch-office.toml" => vec![format!("warning: {}:157:19: vms[6].disks[0].size: VM \"legacy-crm\": OS disk of 2500 GB is over the 2048 GB limit for generation 1 VMs: its Enable protection job fails Azure's prerequisite check and it stays unprotected", path.display())],
            _ => Vec::new(),
        };
        assert_eq!(s.warnings, expected, "{}", path.display());
    }
}
