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
    ("azure-to-azure", "summary.json", "2abcf426f15de15e"),
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
    ("bad-day", "summary.json", "bf39d38ea750155e"),
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
    ("branch-office", "stdout", "c343d01aa3ed5e63"),
    ("branch-office", "summary.json", "66c6f2d8b5193867"),
    ("branch-office", "vms.csv", "8c6a228abab1258d"),
    ("branch-office", "timeseries.csv", "b34dbafdcde16256"),
    ("branch-office", "events.csv", "a061f9a75f9f722b"),
    ("branch-office", "jobs.csv", "491f9f314bba80ca"),
    ("branch-office", "health.csv", "12522c4555b9ebe3"),
    ("branch-office", "failovers.csv", "7e101d862b3ccd7c"),
    ("branch-office", "links_timeseries.csv", "5e93ea689006c382"),
    ("branch-office", "hosts_timeseries.csv", "b68e7d4440962dbf"),
    ("branch-office", "outages.csv", "2603e31670a78b44"),
    ("branch-office", "rollups.csv", "0dfaa7c9c645fe56"),
    ("branch-office", "summary.md", "635bc4b64639dfa8"),
    ("capacity-plan", "stdout", "2a741dc5493207ca"),
    ("capacity-plan", "summary.json", "13165239e045d162"),
    ("capacity-plan", "vms.csv", "58c7e29df88d591b"),
    ("capacity-plan", "timeseries.csv", "0b5f648cefb5d9ed"),
    ("capacity-plan", "events.csv", "2cb3d334bb6b6376"),
    ("capacity-plan", "jobs.csv", "ab55239043c47331"),
    ("capacity-plan", "health.csv", "8a5abe41567598dc"),
    ("capacity-plan", "failovers.csv", "17ced44a11e5c263"),
    ("capacity-plan", "links_timeseries.csv", "a91eb7ea2e903a75"),
    ("capacity-plan", "hosts_timeseries.csv", "10a8990db47e45d8"),
    ("capacity-plan", "outages.csv", "ef519cc1f1866a2b"),
    ("capacity-plan", "rollups.csv", "e24ac38997b132b2"),
    ("capacity-plan", "summary.md", "d61e322719242b74"),
    ("hyperv-site-to-azure", "stdout", "336f316c3077803d"),
    ("hyperv-site-to-azure", "summary.json", "00eecab78b318990"),
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
    ("ir-batching", "stdout", "d186f2c75730168f"),
    ("ir-batching", "summary.json", "6d4953d01312ef10"),
    ("ir-batching", "vms.csv", "f58a14358df9774a"),
    ("ir-batching", "timeseries.csv", "40d0b85c30528f98"),
    ("ir-batching", "events.csv", "aaebd7fbd3e73043"),
    ("ir-batching", "jobs.csv", "0d2a1c434f8d5895"),
    ("ir-batching", "health.csv", "86e416b0e491bde3"),
    ("ir-batching", "failovers.csv", "6b64e7d3fe625307"),
    ("ir-batching", "links_timeseries.csv", "5a580e2acc5c53c3"),
    ("ir-batching", "hosts_timeseries.csv", "9e4d15482fd32f2b"),
    ("ir-batching", "outages.csv", "d848e4f83732c055"),
    ("ir-batching", "rollups.csv", "4d90b438a598668f"),
    ("ir-batching", "summary.md", "6ce7528e942a5b25"),
    ("link-outage", "stdout", "0526f1eac5152923"),
    ("link-outage", "summary.json", "9519d757c8570c13"),
    ("link-outage", "vms.csv", "9b51c3dce2c748a4"),
    ("link-outage", "timeseries.csv", "4b76d4ba10a20461"),
    ("link-outage", "events.csv", "2488dc2fa17ceea5"),
    ("link-outage", "jobs.csv", "1fe00720b975daf0"),
    ("link-outage", "health.csv", "bc5e052d5313af57"),
    ("link-outage", "failovers.csv", "70038623725bdfec"),
    ("link-outage", "links_timeseries.csv", "b7a6de364df6ec81"),
    ("link-outage", "hosts_timeseries.csv", "1f53b71fdcebab68"),
    ("link-outage", "outages.csv", "c6e6ac0583082dee"),
    ("link-outage", "rollups.csv", "646f0e344ba88e4f"),
    ("link-outage", "summary.md", "51bfee1b7ef968be"),
    ("measured-churn", "stdout", "f65ef650377973d9"),
    ("measured-churn", "summary.json", "71063dca38fc3710"),
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
    ("quickstart", "summary.json", "11d7f24741310cb1"),
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
    ("teaching-one-vm", "summary.json", "caa40f51de854e1e"),
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
    ("vmm-to-azure", "summary.json", "54edba643243d7a2"),
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
    ("vmm-to-secondary-site", "summary.json", "ee864bc7195d5db0"),
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
    ("canonical-100x1d", "summary.json", "16164b48bd3ba400"),
    ("canonical-100x1d", "vms.csv", "5c0af1a33ed1f20d"),
    ("canonical-100x1d", "timeseries.csv", "da67cbcadddbcda6"),
    ("canonical-100x1d", "events.csv", "057a8d723d572b63"),
    ("canonical-100x1d", "jobs.csv", "b959ce68def3cdb9"),
    ("canonical-100x1d", "health.csv", "982057537a8bc3d0"),
    ("canonical-100x1d", "failovers.csv", "78df4482cde3fceb"),
    (
        "canonical-100x1d",
        "links_timeseries.csv",
        "7a3a9fa143a64a30",
    ),
    (
        "canonical-100x1d",
        "hosts_timeseries.csv",
        "4769add0e3c2b566",
    ),
    ("canonical-100x1d", "outages.csv", "cb5ba8cf3fcdcb39"),
    ("canonical-100x1d", "rollups.csv", "aa8a3e51694ae851"),
    ("canonical-100x1d", "summary.md", "5b9dca8159028fa2"),
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
