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
    ("azure-to-azure", "stdout", "904432657481abf3"),
    ("azure-to-azure", "summary.json", "68f31f1400deb5ba"),
    ("azure-to-azure", "vms.csv", "83de1451c9bcffa3"),
    ("azure-to-azure", "timeseries.csv", "bbbf94c14919b225"),
    ("azure-to-azure", "events.csv", "ae31460cb2e85957"),
    ("azure-to-azure", "jobs.csv", "8aebb32778a34e40"),
    ("azure-to-azure", "health.csv", "dcf86a8bbc44d279"),
    ("azure-to-azure", "failovers.csv", "5402c834d93a8244"),
    ("azure-to-azure", "links_timeseries.csv", "35cd61dcdf5eddac"),
    ("azure-to-azure", "hosts_timeseries.csv", "e01e8f11ebe9c92a"),
    ("azure-to-azure", "outages.csv", "e20dc3a3943008eb"),
    ("azure-to-azure", "rollups.csv", "fba1a0bd1c641d8d"),
    ("azure-to-azure", "summary.md", "4db2043b1576b7ac"),
    ("bad-day", "stdout", "65b0da81197d25e5"),
    ("bad-day", "summary.json", "8e7d4aa4c3930473"),
    ("bad-day", "vms.csv", "a9fa6d5573e952db"),
    ("bad-day", "timeseries.csv", "7104f4a79535ca3e"),
    ("bad-day", "events.csv", "673fdec103478598"),
    ("bad-day", "jobs.csv", "b2425c6c1311641a"),
    ("bad-day", "health.csv", "41ae109562149d32"),
    ("bad-day", "failovers.csv", "95873be1fcd81013"),
    ("bad-day", "links_timeseries.csv", "8c24dbdb8491df95"),
    ("bad-day", "hosts_timeseries.csv", "8629f30bf872c7c0"),
    ("bad-day", "outages.csv", "d5228755488d4f42"),
    ("bad-day", "rollups.csv", "7cef00720e7da3d9"),
    ("bad-day", "summary.md", "99372c2dfa9736e5"),
    ("branch-office", "stdout", "5349392068512c5a"),
    ("branch-office", "summary.json", "274adae5a7bf5887"),
    ("branch-office", "vms.csv", "c909118872804d6b"),
    ("branch-office", "timeseries.csv", "b34dbafdcde16256"),
    ("branch-office", "events.csv", "1bf23d3fd45a4485"),
    ("branch-office", "jobs.csv", "491f9f314bba80ca"),
    ("branch-office", "health.csv", "12522c4555b9ebe3"),
    ("branch-office", "failovers.csv", "7e101d862b3ccd7c"),
    ("branch-office", "links_timeseries.csv", "5e93ea689006c382"),
    ("branch-office", "hosts_timeseries.csv", "b68e7d4440962dbf"),
    ("branch-office", "outages.csv", "2603e31670a78b44"),
    ("branch-office", "rollups.csv", "0dfaa7c9c645fe56"),
    ("branch-office", "summary.md", "999183a23f9e59e5"),
    ("capacity-plan", "stdout", "a49e5251791d0f6e"),
    ("capacity-plan", "summary.json", "d90307797cdab60b"),
    ("capacity-plan", "vms.csv", "3c8b27d50022f7c5"),
    ("capacity-plan", "timeseries.csv", "0b5f648cefb5d9ed"),
    ("capacity-plan", "events.csv", "0b316a780351d740"),
    ("capacity-plan", "jobs.csv", "ab55239043c47331"),
    ("capacity-plan", "health.csv", "8a5abe41567598dc"),
    ("capacity-plan", "failovers.csv", "17ced44a11e5c263"),
    ("capacity-plan", "links_timeseries.csv", "a91eb7ea2e903a75"),
    ("capacity-plan", "hosts_timeseries.csv", "10a8990db47e45d8"),
    ("capacity-plan", "outages.csv", "ef519cc1f1866a2b"),
    ("capacity-plan", "rollups.csv", "e24ac38997b132b2"),
    ("capacity-plan", "summary.md", "8900e9569039697c"),
    ("hyperv-site-to-azure", "stdout", "34d73920e6e0d450"),
    ("hyperv-site-to-azure", "summary.json", "f818606d381bd07a"),
    ("hyperv-site-to-azure", "vms.csv", "83d7d1f68d4d39f4"),
    ("hyperv-site-to-azure", "timeseries.csv", "834e3536d4d33959"),
    ("hyperv-site-to-azure", "events.csv", "208d923e522fc964"),
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
        "54bac489434bb196",
    ),
    ("hyperv-site-to-azure", "outages.csv", "83e23db1391caeed"),
    ("hyperv-site-to-azure", "rollups.csv", "246337aced113c04"),
    ("hyperv-site-to-azure", "summary.md", "f360515a1857c573"),
    ("ir-batching", "stdout", "3d51091d147ea2ec"),
    ("ir-batching", "summary.json", "6272ffddbb319588"),
    ("ir-batching", "vms.csv", "874cad51a11860b4"),
    ("ir-batching", "timeseries.csv", "8a810b659331f7da"),
    ("ir-batching", "events.csv", "f8e547a8ef638daa"),
    ("ir-batching", "jobs.csv", "74d95796ad947042"),
    ("ir-batching", "health.csv", "283a67e869bd16fa"),
    ("ir-batching", "failovers.csv", "6b64e7d3fe625307"),
    ("ir-batching", "links_timeseries.csv", "d8b60c9acd07aa72"),
    ("ir-batching", "hosts_timeseries.csv", "49b1908ffc88ee2c"),
    ("ir-batching", "outages.csv", "d848e4f83732c055"),
    ("ir-batching", "rollups.csv", "a0346307ef92d531"),
    ("ir-batching", "summary.md", "6745ca1e1b8728e1"),
    ("link-outage", "stdout", "0526f1eac5152923"),
    ("link-outage", "summary.json", "c732f77b744fcf39"),
    ("link-outage", "vms.csv", "ec60e7f603f53566"),
    ("link-outage", "timeseries.csv", "4b76d4ba10a20461"),
    ("link-outage", "events.csv", "ff521b754415d2fb"),
    ("link-outage", "jobs.csv", "1fe00720b975daf0"),
    ("link-outage", "health.csv", "bc5e052d5313af57"),
    ("link-outage", "failovers.csv", "70038623725bdfec"),
    ("link-outage", "links_timeseries.csv", "b7a6de364df6ec81"),
    ("link-outage", "hosts_timeseries.csv", "1f53b71fdcebab68"),
    ("link-outage", "outages.csv", "c6e6ac0583082dee"),
    ("link-outage", "rollups.csv", "646f0e344ba88e4f"),
    ("link-outage", "summary.md", "51bfee1b7ef968be"),
    ("measured-churn", "stdout", "f65ef650377973d9"),
    ("measured-churn", "summary.json", "b8211202a307dfbc"),
    ("measured-churn", "vms.csv", "22ba13c00f212ab9"),
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
    ("quickstart", "summary.json", "b9a9018c921353f1"),
    ("quickstart", "vms.csv", "734bc35689cfbe4e"),
    ("quickstart", "timeseries.csv", "94bc8140b578f0b8"),
    ("quickstart", "events.csv", "2a36ea1b0a9779d7"),
    ("quickstart", "jobs.csv", "aa785baa9c4323d0"),
    ("quickstart", "health.csv", "75fab653a28987a4"),
    ("quickstart", "failovers.csv", "bdf6718e032e7110"),
    ("quickstart", "links_timeseries.csv", "0a216fb8d0816601"),
    ("quickstart", "hosts_timeseries.csv", "925ee9be118f5fc4"),
    ("quickstart", "outages.csv", "977d793d98ff9258"),
    ("quickstart", "rollups.csv", "740979a135308521"),
    ("quickstart", "summary.md", "a806cc0a0d5913a0"),
    ("teaching-one-vm", "stdout", "9f1569884fe90cc9"),
    ("teaching-one-vm", "summary.json", "177b36ec104cfb4e"),
    ("teaching-one-vm", "vms.csv", "aa5f2af7f8cbec86"),
    ("teaching-one-vm", "timeseries.csv", "e409da33838aabbd"),
    ("teaching-one-vm", "events.csv", "bf43d8b9a6008595"),
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
    ("vmm-to-azure", "summary.json", "5f6fedd2ee372a0e"),
    ("vmm-to-azure", "vms.csv", "96b0ac3059a6c671"),
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
    ("vmm-to-secondary-site", "stdout", "5e067c052262048e"),
    ("vmm-to-secondary-site", "summary.json", "cfd2b7362d6b1f9e"),
    ("vmm-to-secondary-site", "vms.csv", "1b537b58d9dc9289"),
    (
        "vmm-to-secondary-site",
        "timeseries.csv",
        "d554d67267e4772d",
    ),
    ("vmm-to-secondary-site", "events.csv", "dd1e9b2d2b65af65"),
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
        "d261393203f593cf",
    ),
    ("vmm-to-secondary-site", "outages.csv", "d7a3713355a42ece"),
    ("vmm-to-secondary-site", "rollups.csv", "fb0b72237638f551"),
    ("vmm-to-secondary-site", "summary.md", "8450fb41bedf7171"),
    ("canonical-100x1d", "stdout", "176bd7eced8992c4"),
    ("canonical-100x1d", "summary.json", "c832f3276492df3d"),
    ("canonical-100x1d", "vms.csv", "6d96f21d59a96469"),
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
