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
    ("azure-to-azure", "stdout", "7a0f944879ce62bf"),
    ("azure-to-azure", "summary.json", "d59f4f60cd72589c"),
    ("azure-to-azure", "vms.csv", "76d297d2e7355c89"),
    ("azure-to-azure", "timeseries.csv", "34fbea06c8d954cd"),
    ("azure-to-azure", "events.csv", "ab6d6fd697098a85"),
    ("azure-to-azure", "jobs.csv", "a1261410c6165e98"),
    ("azure-to-azure", "health.csv", "0ce1ac048e1ac791"),
    ("azure-to-azure", "failovers.csv", "5200533aaf64d01c"),
    ("azure-to-azure", "links_timeseries.csv", "5f63113115161f74"),
    ("azure-to-azure", "hosts_timeseries.csv", "747ffad0219bc80d"),
    ("azure-to-azure", "outages.csv", "f579ac5ab5696313"),
    ("azure-to-azure", "rollups.csv", "31681b568e07d5e5"),
    ("azure-to-azure", "summary.md", "17e47e17082d6996"),
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
    ("hyperv-site-to-azure", "stdout", "34d73920e6e0d450"),
    ("hyperv-site-to-azure", "summary.json", "b2547341eb30e81a"),
    ("hyperv-site-to-azure", "vms.csv", "9906ea998b52c160"),
    ("hyperv-site-to-azure", "timeseries.csv", "834e3536d4d33959"),
    ("hyperv-site-to-azure", "events.csv", "8e7ae711ac1d5c16"),
    ("hyperv-site-to-azure", "jobs.csv", "991c258528bdf01a"),
    ("hyperv-site-to-azure", "health.csv", "8f8a8c5fe67b4c57"),
    ("hyperv-site-to-azure", "failovers.csv", "7fefdae4e831bc02"),
    (
        "hyperv-site-to-azure",
        "links_timeseries.csv",
        "f7f35d8582019535",
    ),
    (
        "hyperv-site-to-azure",
        "hosts_timeseries.csv",
        "e60248813097c64e",
    ),
    ("hyperv-site-to-azure", "outages.csv", "83e23db1391caeed"),
    ("hyperv-site-to-azure", "rollups.csv", "246337aced113c04"),
    ("hyperv-site-to-azure", "summary.md", "f360515a1857c573"),
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
    ("teaching-one-vm", "stdout", "9f1569884fe90cc9"),
    ("teaching-one-vm", "summary.json", "bd02452e6921e9c5"),
    ("teaching-one-vm", "vms.csv", "f22ddd173ce6042e"),
    ("teaching-one-vm", "timeseries.csv", "e409da33838aabbd"),
    ("teaching-one-vm", "events.csv", "06f66457ada04393"),
    ("teaching-one-vm", "jobs.csv", "0f945ccb28e27df8"),
    ("teaching-one-vm", "health.csv", "692cb5b27aa31be1"),
    ("teaching-one-vm", "failovers.csv", "7d6e982d3f2d7621"),
    (
        "teaching-one-vm",
        "links_timeseries.csv",
        "0da382140ffa1919",
    ),
    (
        "teaching-one-vm",
        "hosts_timeseries.csv",
        "cac997e41cc89b51",
    ),
    ("teaching-one-vm", "outages.csv", "712f6875b310a2bb"),
    ("teaching-one-vm", "rollups.csv", "f6303ba87e099308"),
    ("teaching-one-vm", "summary.md", "7a003c2e8be980ae"),
    ("vmm-to-azure", "stdout", "89dc175084353337"),
    ("vmm-to-azure", "summary.json", "5f23343cee384e7d"),
    ("vmm-to-azure", "vms.csv", "28039d1406df0093"),
    ("vmm-to-azure", "timeseries.csv", "554be5548fbe0db0"),
    ("vmm-to-azure", "events.csv", "9bc1ca25ba7bd034"),
    ("vmm-to-azure", "jobs.csv", "b6cc55f80fcbbb3c"),
    ("vmm-to-azure", "health.csv", "628ba11e37c8c536"),
    ("vmm-to-azure", "failovers.csv", "a108212cb2573143"),
    ("vmm-to-azure", "links_timeseries.csv", "8aa17d0ff91cb475"),
    ("vmm-to-azure", "hosts_timeseries.csv", "dc4a359c98b8bf88"),
    ("vmm-to-azure", "outages.csv", "6e32b025fd80cc1a"),
    ("vmm-to-azure", "rollups.csv", "85cad72a700831fe"),
    ("vmm-to-azure", "summary.md", "53f03998c289e939"),
    ("vmm-to-secondary-site", "stdout", "09b917b3e89bef1f"),
    ("vmm-to-secondary-site", "summary.json", "53de78f1521cb94d"),
    ("vmm-to-secondary-site", "vms.csv", "51802ab411a43d9d"),
    (
        "vmm-to-secondary-site",
        "timeseries.csv",
        "d554d67267e4772d",
    ),
    ("vmm-to-secondary-site", "events.csv", "29c74fe40e6c5a5a"),
    ("vmm-to-secondary-site", "jobs.csv", "0c9c46c1dc9946a8"),
    ("vmm-to-secondary-site", "health.csv", "0882ccfd7d99e2de"),
    ("vmm-to-secondary-site", "failovers.csv", "d6b69d3a7267d66e"),
    (
        "vmm-to-secondary-site",
        "links_timeseries.csv",
        "f270e7d21f6dd5ea",
    ),
    (
        "vmm-to-secondary-site",
        "hosts_timeseries.csv",
        "bd9fe568e4a52873",
    ),
    ("vmm-to-secondary-site", "outages.csv", "d7a3713355a42ece"),
    ("vmm-to-secondary-site", "rollups.csv", "7a86253fe7df89e6"),
    ("vmm-to-secondary-site", "summary.md", "8450fb41bedf7171"),
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
