//! Overrides of a scenario by parameter path (`links.wan.capacity=200 Mbps`), through the
//! library API: they change the validated model and its hash, errors about what they set name
//! them, and every other error keeps its place in the original file.

mod common;
use common::line_of;

use drsim::scenario::{self, Override, ScenarioErrors};
use drsim::units::parse_rate;
use std::path::Path;

const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");

fn quickstart() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.toml"
    ))
}

fn sets(args: &[&str]) -> Vec<Override> {
    args.iter()
        .map(|a| a.parse().unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn with(text: &str, args: &[&str]) -> drsim::model::Scenario {
    scenario::from_text_with(text, Path::new("q.toml"), &sets(args))
        .unwrap_or_else(|e| panic!("rejected:\n{e}"))
}

fn errors(text: &str, args: &[&str]) -> String {
    match scenario::from_text_with(text, Path::new("q.toml"), &sets(args)) {
        Ok(_) => panic!("accepted"),
        Err(ScenarioErrors(e)) => ScenarioErrors(e).to_string(),
    }
}

#[test]
fn overrides_change_the_validated_model() {
    let plain = with(QUICKSTART, &[]);
    assert_eq!(plain.links[0].capacity, parse_rate("100 Mbps").unwrap());
    assert_eq!(plain.vms.len(), 3);

    let s = with(
        QUICKSTART,
        &[
            "links.wan.capacity=200 Mbps",
            "policies.standard.copy_interval=30s",
            "vms.dc01.count=8",
            "scenario.seed=5",
            "scenario.duration=3d",
            // Not in the file: inserted.
            "links.wan.per_vm_cap=20Mbps",
            "scenario.description=\"what if\"",
        ],
    );
    assert_eq!(s.links[0].capacity, parse_rate("200 Mbps").unwrap());
    assert_eq!(s.policies[0].copy_interval, 30_000);
    assert_eq!(s.vms.len(), 3 - 1 + 8);
    assert_eq!(s.vms[0].name, "dc01-01");
    assert_eq!(s.vms[7].name, "dc01-08");
    assert_eq!(s.seed, 5);
    assert_eq!(s.horizon, 3 * 86_400_000);
    assert_eq!(s.links[0].per_vm_cap, Some(parse_rate("20 Mbps").unwrap()));
    assert_eq!(s.description, "what if");
    assert_eq!(
        s.overrides,
        [
            "links.wan.capacity=200 Mbps",
            "policies.standard.copy_interval=30s",
            "vms.dc01.count=8",
            "scenario.seed=5",
            "scenario.duration=3d",
            "links.wan.per_vm_cap=20Mbps",
            "scenario.description=\"what if\"",
        ]
    );
    assert!(plain.overrides.is_empty());
}

#[test]
fn load_with_reads_the_file_and_applies_the_overrides() {
    let s = scenario::load_with(quickstart(), &sets(&["links.0.capacity=1 Gbps"])).unwrap();
    assert_eq!(s.links[0].capacity, parse_rate("1 Gbps").unwrap());
    assert_eq!(s.overrides, ["links.0.capacity=1 Gbps"]);
    assert_eq!(
        scenario::load(quickstart()).unwrap().links[0].capacity,
        parse_rate("100 Mbps").unwrap()
    );
}

#[test]
fn tables_within_arrays_of_tables_and_whole_tables() {
    let text = QUICKSTART.replace(
        "capacity = \"100 Mbps\"           # 12.5 MB/s",
        "capacity = \"100 Mbps\"\n\n[links.random_outages]\nmtbf = \"2d\"\nmttr = \"1h\"",
    );
    let s = with(&text, &["links.wan.random_outages.mtbf=3d"]);
    let r = s.links[0].random_outages.as_ref().expect("random outages");
    assert_eq!((r.mtbf, r.mttr), (3 * 86_400_000, 3_600_000));

    // A table the file lacks can be set whole, then keys in it.
    let s = with(
        QUICKSTART,
        &[
            "links.wan.random_outages={ mtbf = \"5d\", mttr = \"2h\" }",
            "links.wan.random_outages.mttr=30m",
            "calendar={ work_hours = \"09:00-17:00\" }",
        ],
    );
    let r = s.links[0].random_outages.as_ref().expect("random outages");
    assert_eq!((r.mtbf, r.mttr), (5 * 86_400_000, 1_800_000));
    assert_eq!(
        (s.calendar.work_start_min, s.calendar.work_end_min),
        (9 * 60, 17 * 60)
    );
    // Inline tables in an array: a disk by index.
    let s = with(QUICKSTART, &["vms.file01.disks.1.used=100 GiB"]);
    assert_eq!(s.vms[1].disks[1].used.0, 100 << 30);
}

#[test]
fn overrides_apply_in_order_and_the_last_wins() {
    let s = with(QUICKSTART, &["scenario.seed=5", "scenario.seed=7"]);
    assert_eq!(s.seed, 7);
    // A bad value written over is no error...
    let s = with(
        QUICKSTART,
        &["links.wan.capacity=fast", "links.wan.capacity=300 Mbps"],
    );
    assert_eq!(s.links[0].capacity, parse_rate("300 Mbps").unwrap());
    // ...and the error about a bad last value names the last override.
    let e = errors(
        QUICKSTART,
        &["links.wan.capacity=300 Mbps", "links.wan.capacity=fast"],
    );
    assert!(
        e.starts_with("error: q.toml: --set links.wan.capacity=fast: links[0].capacity: "),
        "{e}"
    );
}

#[test]
fn the_hash_follows_the_overrides_and_is_unchanged_without() {
    let plain = scenario::load(quickstart()).unwrap().hash;
    // Without overrides, exactly the bytes of the file are hashed, as before overrides.
    assert_eq!(plain, drsim::engine::stable_hash(QUICKSTART.as_bytes()));
    assert_eq!(scenario::load_with(quickstart(), &[]).unwrap().hash, plain);

    let a = with(QUICKSTART, &["links.wan.capacity=200 Mbps"]).hash;
    let b = with(QUICKSTART, &["links.wan.capacity=300 Mbps"]).hash;
    let c = with(QUICKSTART, &["scenario.seed=2"]).hash;
    assert_ne!(a, plain);
    assert_ne!(a, b);
    assert_ne!(c, plain);
    // The hash is of the scenario, not of the command line: setting what the file says
    // leaves the text, and so the hash, as it was.
    assert_eq!(with(QUICKSTART, &["scenario.seed=1"]).hash, plain);
}

#[test]
fn unknown_table_names_the_override_and_the_tables_there() {
    assert_eq!(
        errors(QUICKSTART, &["link.wan.capacity=200Mbps"]),
        "error: q.toml: --set link.wan.capacity=200Mbps: link: \"link\" is not in the file\n  allowed: scenario, links, policies, sites, hosts, profiles, vms (only the last segment may be new: set a missing table whole, e.g. link={ ... })"
    );
    assert_eq!(
        errors(QUICKSTART, &["links.wan.random_outages.mtbf=3d"]),
        "error: q.toml: --set links.wan.random_outages.mtbf=3d: links.wan.random_outages: \"random_outages\" is not in links.wan\n  allowed: none: links.wan holds no tables (only the last segment may be new: set a missing table whole, e.g. links.wan.random_outages={ ... })"
    );
}

#[test]
fn unknown_element_names_the_override_and_the_names() {
    let text = QUICKSTART.replace(
        "[[policies]]",
        "[[links]]\nname = \"dr-link\"\ncapacity = \"1 Gbps\"\n\n[[policies]]",
    );
    assert_eq!(
        errors(&text, &["links.lan.capacity=200Mbps"]),
        "error: q.toml: --set links.lan.capacity=200Mbps: links.lan: links has no element named \"lan\"\n  allowed: links named wan, dr-link, or an index 0 to 1"
    );
    assert_eq!(
        errors(&text, &["links.2.capacity=200Mbps"]),
        "error: q.toml: --set links.2.capacity=200Mbps: links.2: links has no element 2\n  allowed: links named wan, dr-link, or an index 0 to 1"
    );
    // A path through a value, and a path that stops at an element.
    assert_eq!(
        errors(QUICKSTART, &["links.wan.capacity.max=1"]),
        "error: q.toml: --set links.wan.capacity.max=1: links.wan.capacity: links.wan.capacity is a string, not a table: the path cannot go on to \"max\"\n  allowed: a path that ends at links.wan.capacity"
    );
    assert_eq!(
        errors(QUICKSTART, &["vms.dc01=1"]),
        "error: q.toml: --set vms.dc01=1: vms.dc01: \"dc01\" selects an element of vms; an override sets a key\n  allowed: a key of vms.dc01: name, host, churn, disks"
    );
}

#[test]
fn bad_values_name_the_override_in_place_of_the_position() {
    assert_eq!(
        errors(QUICKSTART, &["links.wan.capacity=fast"]),
        "error: q.toml: --set links.wan.capacity=fast: links[0].capacity: \"fast\": expected a number before the unit \"fast\"\n  allowed: bps, kbps, Mbps, Gbps, Tbps, or a size per time such as MB/s, GB/h, GB/day (e.g. \"100 Mbps\", \"6 MB/s\")"
    );
    assert_eq!(
        errors(QUICKSTART, &["vms.dc01.count=0"]),
        "error: q.toml: --set vms.dc01.count=0: vms[0].count: 0 VMs\n  allowed: 1 to 1000000 VMs in all"
    );
    // A quoted number is a string: the type error names the override too.
    let e = errors(QUICKSTART, &["scenario.seed=\"5\""]);
    assert!(
        e.starts_with(
            "error: q.toml: --set scenario.seed=\"5\": scenario.seed: the text \"5\" is not a whole number"
        ),
        "{e}"
    );
    // An unquoted value that is not TOML is a string: a copy interval of "10m" is refused as
    // the topology's, not as a syntax error.
    assert_eq!(
        errors(QUICKSTART, &["policies.standard.copy_interval=10m"]),
        "error: q.toml: --set policies.standard.copy_interval=10m: policies[0].copy_interval: \"10m\" is not a copy interval hyperv-to-azure offers\n  allowed: 30s, 5m for hyperv-to-azure; 30s, 5m, 15m for vmm-to-vmm; 5m for azure-to-azure"
    );
}

#[test]
fn unknown_keys_are_caught_by_validation_and_name_the_override() {
    assert_eq!(
        errors(QUICKSTART, &["links.wan.colour=blue"]),
        "error: q.toml: --set links.wan.colour=blue: links[0].colour: unknown field `colour`\n  allowed: name, capacity, work_hours_limit, non_work_hours_limit, per_vm_cap, outages, random_outages, degradations"
    );
    // At the top level too: the new key lands above every table.
    let e = errors(QUICKSTART, &["seed=5"]);
    assert!(
        e.starts_with("error: q.toml: --set seed=5: seed: unknown field `seed`\n  allowed: scenario, calendar, links,"),
        "{e}"
    );
}

#[test]
fn malformed_arguments_are_errors() {
    assert_eq!(
        "links.wan.capacity".parse::<Override>().unwrap_err(),
        "--set links.wan.capacity: no \"=\" between the path and the value\n  allowed: PATH=VALUE, e.g. links.wan.capacity=200Mbps, vms.sql.count=8"
    );
    assert_eq!(
        "=200Mbps".parse::<Override>().unwrap_err(),
        "--set =200Mbps: the path is empty\n  allowed: PATH=VALUE, e.g. links.wan.capacity=200Mbps, vms.sql.count=8; quote a segment that holds a dot: vms.\"sql.01\".count=8"
    );
    assert!("links..capacity=1"
        .parse::<Override>()
        .unwrap_err()
        .contains(": segment 2 of the path is empty\n"));
    // Built by hand rather than parsed: the same refusal, with the file.
    let bad = Override {
        path: " ".into(),
        value: "1".into(),
    };
    match scenario::from_text_with(QUICKSTART, Path::new("q.toml"), &[bad]) {
        Ok(_) => panic!("accepted"),
        Err(e) => assert_eq!(
            e.to_string(),
            "error: q.toml: --set  =1: the path is empty\n  allowed: PATH=VALUE, e.g. links.wan.capacity=200Mbps, vms.sql.count=8; quote a segment that holds a dot: vms.\"sql.01\".count=8"
        ),
    }
}

#[test]
fn every_refused_override_is_reported_at_once() {
    let e = errors(
        QUICKSTART,
        &["links.lan.capacity=1", "scenario.seed=2", "vm.dc01.count=2"],
    );
    let firsts: Vec<&str> = e.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(firsts.len(), 2, "{e}");
    assert!(
        firsts[0].contains("--set links.lan.capacity=1: links.lan:"),
        "{e}"
    );
    assert!(firsts[1].contains("--set vm.dc01.count=2: vm:"), "{e}");
}

/// The quickstart with two errors of its own, far below where the overrides write.
fn broken() -> String {
    QUICKSTART
        .replace("link = \"wan\"", "link = \"lan\"")
        .replace("churn = \"office-app\"", "churn = \"office\"")
}

#[test]
fn errors_elsewhere_keep_their_original_lines_when_overrides_insert_lines_above() {
    let text = broken();
    let plain = errors(&text, &[]);
    let link = line_of(&text, "link = \"lan\"");
    let churn = line_of(&text, "churn = \"office\"");
    assert!(
        plain.starts_with(&format!(
            "error: q.toml:{link}:8: sites[0].link: no link is named \"lan\"\n"
        )),
        "{plain}"
    );
    assert!(
        plain.contains(&format!("error: q.toml:{churn}:9: vms[2].churn:")),
        "{plain}"
    );
    for args in [
        // A new line in [scenario] and one in [[links]], both above the errors.
        &["scenario.description=moved", "links.wan.per_vm_cap=10 Mbps"][..],
        // A new line at the very top of the file (a root key goes above every table).
        &["calendar={ work_hours = \"09:00-17:00\" }"][..],
        // Four lines of a multi-line array become one.
        &["vms.file01.disks=[{ size = \"1 TiB\", churn = \"1 MB/s\" }]"][..],
    ] {
        assert_eq!(errors(&text, args), plain, "with {args:?}");
    }
    // The overrides did edit the text: once the errors are gone, the model shows them.
    let fixed = with(
        QUICKSTART,
        &[
            "scenario.description=moved",
            "vms.file01.disks=[{ size = \"1 TiB\", churn = \"1 MB/s\" }]",
        ],
    );
    assert_eq!(fixed.description, "moved");
    assert_eq!(fixed.vms[1].disks.len(), 1);
}

#[test]
fn an_error_on_a_line_an_override_edited_keeps_its_column() {
    let text = QUICKSTART.replace("used = \"30 GiB\"", "used = \"30 GiBs\"");
    let plain = errors(&text, &[]);
    let line = line_of(&text, "30 GiBs");
    let column = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("\"30 GiBs\"")
        .unwrap()
        + 1;
    assert!(
        plain.starts_with(&format!(
            "error: q.toml:{line}:{column}: vms[0].disks[0].used:"
        )),
        "{plain}"
    );
    // The size before it on the same line grows by five characters.
    assert_eq!(errors(&text, &["vms.dc01.disks.0.size=127000 GiB"]), plain);
}

#[test]
fn errors_of_the_file_and_of_an_override_are_reported_together() {
    let text = broken();
    let e = errors(&text, &["links.wan.capacity=fast"]);
    let link = line_of(&text, "link = \"lan\"");
    let lines: Vec<&str> = e.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 3, "{e}");
    assert!(
        lines[0].starts_with("error: q.toml: --set links.wan.capacity=fast: links[0].capacity:"),
        "{e}"
    );
    assert!(
        lines[1].starts_with(&format!("error: q.toml:{link}:8: sites[0].link:")),
        "{e}"
    );
}

#[test]
fn a_file_that_is_not_toml_is_reported_as_without_overrides() {
    let text = QUICKSTART.replace("seed = 1", "seed = = 1");
    assert_eq!(errors(&text, &["scenario.seed=2"]), errors(&text, &[]));
}
