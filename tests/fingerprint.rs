//! Behaviour pinned: a fingerprint (FNV-1a 64 of each output file and of the terminal table)
//! of every bundled scenario and of the canonical workload at 100 VMs x 1 day, as the
//! command line writes them. A refactoring keeps every line of `PINNED`; a change of
//! behaviour updates the lines it changes in the same commit, and the commit says why.
//!
//! On a mismatch the test prints the whole table as it is now, ready to paste.

use assert_cmd::Command;
use drsim::engine::stable_hash;
use std::path::Path;

/// Every text file `drsim run` writes (a test below checks that against the standard
/// exporters). The charts (`charts/*.svg`, `charts/*.png`) and `report.html`, which inlines
/// them, are not pinned here: a change of plotters or of a chart's looks would change them
/// without a change of behaviour; `tests/charts.rs` and `tests/report_html.rs` check that
/// they render, parse and are deterministic. `summary.md` is pinned.
const FILES: [&str; 12] = [
    "summary.json",
    "vms.csv",
    "timeseries.csv",
    "events.csv",
    "jobs.csv",
    "health.csv",
    "failovers.csv",
    "links_timeseries.csv",
    "hosts_timeseries.csv",
    "outages.csv",
    "rollups.csv",
    "summary.md",
];

/// (case, file, fingerprint). `stdout` is the terminal table, its last line (the output
/// folder's path) left out.
const PINNED: &[(&str, &str, &str)] = &[
    ("azure-to-azure", "stdout", "39a50f70ed341733"),
    ("azure-to-azure", "summary.json", "8fe1143d2b3ac4f3"),
    ("azure-to-azure", "vms.csv", "54f2b50bf04be59f"),
    ("azure-to-azure", "timeseries.csv", "c159322036c47d07"),
    ("azure-to-azure", "events.csv", "8765017de7b54a87"),
    ("azure-to-azure", "jobs.csv", "5492efafbf10eb8a"),
    ("azure-to-azure", "health.csv", "14a651309498d0e7"),
    ("azure-to-azure", "failovers.csv", "153c3104e7e14e27"),
    ("azure-to-azure", "links_timeseries.csv", "3bd490ecae02a15f"),
    ("azure-to-azure", "hosts_timeseries.csv", "9578d05e602aff8c"),
    ("azure-to-azure", "outages.csv", "fd5cfe037032d47c"),
    ("azure-to-azure", "rollups.csv", "e97e84baab6567ab"),
    ("azure-to-azure", "summary.md", "b9bf55c636f221f3"),
    ("bad-day", "stdout", "65b0da81197d25e5"),
    ("bad-day", "summary.json", "c143c46874d53076"),
    ("bad-day", "vms.csv", "56bc967bbd117219"),
    ("bad-day", "timeseries.csv", "7104f4a79535ca3e"),
    ("bad-day", "events.csv", "5db64ed228c16975"),
    ("bad-day", "jobs.csv", "b2425c6c1311641a"),
    ("bad-day", "health.csv", "41ae109562149d32"),
    ("bad-day", "failovers.csv", "95873be1fcd81013"),
    ("bad-day", "links_timeseries.csv", "8c24dbdb8491df95"),
    ("bad-day", "hosts_timeseries.csv", "8629f30bf872c7c0"),
    ("bad-day", "outages.csv", "d5228755488d4f42"),
    ("bad-day", "rollups.csv", "7cef00720e7da3d9"),
    ("bad-day", "summary.md", "99372c2dfa9736e5"),
    ("branch-office", "stdout", "92dbac8ad24dfeb7"),
    ("branch-office", "summary.json", "1f802e89b0ae4d42"),
    ("branch-office", "vms.csv", "8d4f9de23ad67fec"),
    ("branch-office", "timeseries.csv", "ea582217e2afb483"),
    ("branch-office", "events.csv", "df1a2675d693fb09"),
    ("branch-office", "jobs.csv", "ebd501f0b02f3e7f"),
    ("branch-office", "health.csv", "a56e3cc2c684abe0"),
    ("branch-office", "failovers.csv", "7e101d862b3ccd7c"),
    ("branch-office", "links_timeseries.csv", "bc0391830693e5fa"),
    ("branch-office", "hosts_timeseries.csv", "2ffa95e2488f33f9"),
    ("branch-office", "outages.csv", "2603e31670a78b44"),
    ("branch-office", "rollups.csv", "bf58de5fcf313b31"),
    ("branch-office", "summary.md", "2fedf984905fd027"),
    ("capacity-plan", "stdout", "7f2f5faa7349ac18"),
    ("capacity-plan", "summary.json", "2c32adb7dd13dbca"),
    ("capacity-plan", "vms.csv", "7b701e4fc1c9539b"),
    ("capacity-plan", "timeseries.csv", "47c7d075ec2c2698"),
    ("capacity-plan", "events.csv", "b0a1f051d6a9f9d7"),
    ("capacity-plan", "jobs.csv", "ab55239043c47331"),
    ("capacity-plan", "health.csv", "824672dda62b0513"),
    ("capacity-plan", "failovers.csv", "17ced44a11e5c263"),
    ("capacity-plan", "links_timeseries.csv", "50ba1a660c480916"),
    ("capacity-plan", "hosts_timeseries.csv", "203dc75c1a5faffa"),
    ("capacity-plan", "outages.csv", "ef519cc1f1866a2b"),
    ("capacity-plan", "rollups.csv", "728a2ca49915742e"),
    ("capacity-plan", "summary.md", "2b91c0c75e9afa20"),
    ("hyperv-site-to-azure", "stdout", "336f316c3077803d"),
    ("hyperv-site-to-azure", "summary.json", "e7b7adfb886ca257"),
    ("hyperv-site-to-azure", "vms.csv", "24102c4f87e51b7e"),
    ("hyperv-site-to-azure", "timeseries.csv", "73d3431d840f3446"),
    ("hyperv-site-to-azure", "events.csv", "5bfad920b68e320d"),
    ("hyperv-site-to-azure", "jobs.csv", "4516fa97520233b2"),
    ("hyperv-site-to-azure", "health.csv", "3a42686bb19d855a"),
    ("hyperv-site-to-azure", "failovers.csv", "c5ecd52aa28b1ce2"),
    (
        "hyperv-site-to-azure",
        "links_timeseries.csv",
        "51b39aa888697bd0",
    ),
    (
        "hyperv-site-to-azure",
        "hosts_timeseries.csv",
        "e73c1686835643ea",
    ),
    ("hyperv-site-to-azure", "outages.csv", "1f5fefcd14b4c572"),
    ("hyperv-site-to-azure", "rollups.csv", "eb72c255d8d1569f"),
    ("hyperv-site-to-azure", "summary.md", "34c5d63d8c8d58f2"),
    ("ir-batching", "stdout", "6a745399920b7a09"),
    ("ir-batching", "summary.json", "c90bc1612df59697"),
    ("ir-batching", "vms.csv", "ae2e2777c1524270"),
    ("ir-batching", "timeseries.csv", "bd2b9ca64df3b6e0"),
    ("ir-batching", "events.csv", "334f12c889b8720c"),
    ("ir-batching", "jobs.csv", "a26a9a117bc2c7ee"),
    ("ir-batching", "health.csv", "7ea8dfce55dbb2cc"),
    ("ir-batching", "failovers.csv", "6b64e7d3fe625307"),
    ("ir-batching", "links_timeseries.csv", "9c7a488eb0d492d3"),
    ("ir-batching", "hosts_timeseries.csv", "6e20f6c40b7c6381"),
    ("ir-batching", "outages.csv", "d848e4f83732c055"),
    ("ir-batching", "rollups.csv", "ce15b6ffb1ae2b1c"),
    ("ir-batching", "summary.md", "0ed2fadeebfa9485"),
    ("link-outage", "stdout", "b5ca644d416612bc"),
    ("link-outage", "summary.json", "03abd2037b220218"),
    ("link-outage", "vms.csv", "b861300bb26c4a69"),
    ("link-outage", "timeseries.csv", "a61209610789e5c1"),
    ("link-outage", "events.csv", "0759ed65658482e7"),
    ("link-outage", "jobs.csv", "cd7218806eeb29a2"),
    ("link-outage", "health.csv", "9b2a1d4f5fe565a4"),
    ("link-outage", "failovers.csv", "70038623725bdfec"),
    ("link-outage", "links_timeseries.csv", "15333b9dd4a34e06"),
    ("link-outage", "hosts_timeseries.csv", "b783ab868f0d2d7f"),
    ("link-outage", "outages.csv", "c6e6ac0583082dee"),
    ("link-outage", "rollups.csv", "282edaba970df3b4"),
    ("link-outage", "summary.md", "3fd02e58f848cd8a"),
    ("measured-churn", "stdout", "f65ef650377973d9"),
    ("measured-churn", "summary.json", "5114774777c5b9f0"),
    ("measured-churn", "vms.csv", "b02492f34d6aebaf"),
    ("measured-churn", "timeseries.csv", "a6a19a729ff5bdce"),
    ("measured-churn", "events.csv", "11a4298f68fac46e"),
    ("measured-churn", "jobs.csv", "df60d40af5ebcdc9"),
    ("measured-churn", "health.csv", "f66d4c11245b2d2d"),
    ("measured-churn", "failovers.csv", "ec93011e7a0ea5bb"),
    ("measured-churn", "links_timeseries.csv", "b0c4268c196f07ba"),
    ("measured-churn", "hosts_timeseries.csv", "9431aa9ba77450be"),
    ("measured-churn", "outages.csv", "aaa4ce6a07844789"),
    ("measured-churn", "rollups.csv", "d07d3926872ae57b"),
    ("measured-churn", "summary.md", "6349e5013bdda0f8"),
    ("quickstart", "stdout", "c8035f423ff5ed2f"),
    ("quickstart", "summary.json", "6ab3b8479e219e74"),
    ("quickstart", "vms.csv", "131f69f738728c1e"),
    ("quickstart", "timeseries.csv", "94bc8140b578f0b8"),
    ("quickstart", "events.csv", "b1ccc91ce573d191"),
    ("quickstart", "jobs.csv", "aa785baa9c4323d0"),
    ("quickstart", "health.csv", "75fab653a28987a4"),
    ("quickstart", "failovers.csv", "bdf6718e032e7110"),
    ("quickstart", "links_timeseries.csv", "0a216fb8d0816601"),
    ("quickstart", "hosts_timeseries.csv", "925ee9be118f5fc4"),
    ("quickstart", "outages.csv", "977d793d98ff9258"),
    ("quickstart", "rollups.csv", "740979a135308521"),
    ("quickstart", "summary.md", "a806cc0a0d5913a0"),
    ("teaching-one-vm", "stdout", "e4780fe8495d2473"),
    ("teaching-one-vm", "summary.json", "bb0db5e521f7804b"),
    ("teaching-one-vm", "vms.csv", "05414f6512441803"),
    ("teaching-one-vm", "timeseries.csv", "ec7c111def455b11"),
    ("teaching-one-vm", "events.csv", "1e1fabe5762e64fa"),
    ("teaching-one-vm", "jobs.csv", "42ca9122e1f2d748"),
    ("teaching-one-vm", "health.csv", "ad7b87a5b88f4e9f"),
    ("teaching-one-vm", "failovers.csv", "1595bd12b5dc560e"),
    (
        "teaching-one-vm",
        "links_timeseries.csv",
        "f28ebe69b0d0eb89",
    ),
    (
        "teaching-one-vm",
        "hosts_timeseries.csv",
        "c532719261104f21",
    ),
    ("teaching-one-vm", "outages.csv", "3bb45bfda639b62b"),
    ("teaching-one-vm", "rollups.csv", "689627ecb93a5b06"),
    ("teaching-one-vm", "summary.md", "c4e1b7a5a112d5a0"),
    ("vmm-to-azure", "stdout", "bd458696c4ddb1e3"),
    ("vmm-to-azure", "summary.json", "6afadd35c670a01f"),
    ("vmm-to-azure", "vms.csv", "a7ed21b8f3c54766"),
    ("vmm-to-azure", "timeseries.csv", "3b4b50e06d646830"),
    ("vmm-to-azure", "events.csv", "ccf8936fcb2e6b4d"),
    ("vmm-to-azure", "jobs.csv", "f3d9c33933a1aebc"),
    ("vmm-to-azure", "health.csv", "76b21f67957c8c1b"),
    ("vmm-to-azure", "failovers.csv", "2ab3b9d0c59ff920"),
    ("vmm-to-azure", "links_timeseries.csv", "f6e7c769eedf36f5"),
    ("vmm-to-azure", "hosts_timeseries.csv", "caa3510441dc7208"),
    ("vmm-to-azure", "outages.csv", "964706ad2379429a"),
    ("vmm-to-azure", "rollups.csv", "cd9b71c87e75126c"),
    ("vmm-to-azure", "summary.md", "2fc6d6e08fe491aa"),
    ("vmm-to-secondary-site", "stdout", "af5538d4b9acea9c"),
    ("vmm-to-secondary-site", "summary.json", "999aae4df2e0930e"),
    ("vmm-to-secondary-site", "vms.csv", "04eb2f913f0bc949"),
    (
        "vmm-to-secondary-site",
        "timeseries.csv",
        "3c3135b2d03eff35",
    ),
    ("vmm-to-secondary-site", "events.csv", "2c778bbe15c0c22a"),
    ("vmm-to-secondary-site", "jobs.csv", "dcbef4cf67973ce0"),
    ("vmm-to-secondary-site", "health.csv", "17e75d964c471a73"),
    ("vmm-to-secondary-site", "failovers.csv", "161f75b026c33949"),
    (
        "vmm-to-secondary-site",
        "links_timeseries.csv",
        "02f30b495d18a0d9",
    ),
    (
        "vmm-to-secondary-site",
        "hosts_timeseries.csv",
        "0da48695dd012eb1",
    ),
    ("vmm-to-secondary-site", "outages.csv", "5f85086eb0312804"),
    ("vmm-to-secondary-site", "rollups.csv", "c560ab13ddeb7e09"),
    ("vmm-to-secondary-site", "summary.md", "da3ea62553c6d60e"),
    ("canonical-100x1d", "stdout", "176bd7eced8992c4"),
    ("canonical-100x1d", "summary.json", "734747bb7fcab091"),
    ("canonical-100x1d", "vms.csv", "4d2b78c0760eb4af"),
    ("canonical-100x1d", "timeseries.csv", "16572a2fcda88d30"),
    ("canonical-100x1d", "events.csv", "debe1337e1c9074d"),
    ("canonical-100x1d", "jobs.csv", "991973f7f275df03"),
    ("canonical-100x1d", "health.csv", "a5dd0533ef4b6776"),
    ("canonical-100x1d", "failovers.csv", "0b2a17297b13a4cd"),
    (
        "canonical-100x1d",
        "links_timeseries.csv",
        "b88bf31ad6369446",
    ),
    (
        "canonical-100x1d",
        "hosts_timeseries.csv",
        "6d1dd218c194ead0",
    ),
    ("canonical-100x1d", "outages.csv", "0ffea74908cc219b"),
    ("canonical-100x1d", "rollups.csv", "be471765b8a23a3f"),
    ("canonical-100x1d", "summary.md", "5d53a15dd693ccd0"),
];

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

/// Run `file` into `out` and return the fingerprint of each output, the table first.
fn fingerprints(case: &str, file: &Path, out: &Path) -> Vec<(String, String, String)> {
    let done = drsim()
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    let stdout = String::from_utf8(done.get_output().stdout.clone()).unwrap();
    let table: String = stdout
        .lines()
        .filter(|l| !l.starts_with("results in "))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut rows = vec![(
        case.to_string(),
        "stdout".to_string(),
        format!("{:016x}", stable_hash(table.as_bytes())),
    )];
    for f in FILES {
        let bytes = std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{case}: {f}: {e}"));
        rows.push((
            case.to_string(),
            f.to_string(),
            format!("{:016x}", stable_hash(&bytes)),
        ));
    }
    rows
}

#[test]
fn every_standard_output_file_is_pinned() {
    let written: Vec<&str> = drsim::report::standard()
        .iter()
        .map(|e| e.file_name())
        .filter(|f| !f.starts_with("charts/") && *f != "report.html")
        .collect();
    let mut pinned = FILES.to_vec();
    pinned.sort_unstable();
    let mut written_sorted = written.clone();
    written_sorted.sort_unstable();
    assert_eq!(
        pinned, written_sorted,
        "FILES must list every standard exporter's text file"
    );
}

#[test]
fn outputs_of_bundled_scenarios_and_canonical_workload_are_unchanged() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    let canonical = drsim()
        .args([
            "gen",
            "canonical",
            "--vms",
            "100",
            "--days",
            "1",
            "--sample-step",
            "1h",
        ])
        .assert()
        .success();
    let canonical_file = dir.path().join("canonical-100x1d.toml");
    std::fs::write(&canonical_file, &canonical.get_output().stdout).unwrap();
    cases.push(("canonical-100x1d".into(), canonical_file));

    let mut now = Vec::new();
    for (case, file) in &cases {
        now.extend(fingerprints(case, file, &dir.path().join(case)));
    }
    let table: String = now
        .iter()
        .map(|(c, f, h)| format!("    (\"{c}\", \"{f}\", \"{h}\"),\n"))
        .collect();
    let same = now.len() == PINNED.len()
        && now
            .iter()
            .zip(PINNED)
            .all(|((c, f, h), (pc, pf, ph))| c == pc && f == pf && h == ph);
    let changed: Vec<String> = now
        .iter()
        .filter(|(c, f, h)| {
            !PINNED
                .iter()
                .any(|(pc, pf, ph)| pc == c && pf == f && ph == h)
        })
        .map(|(c, f, _)| format!("{c}/{f}"))
        .collect();
    assert!(
        same,
        "outputs changed: {changed:?}\nIf on purpose, say why in the commit and pin:\n{table}"
    );
}
