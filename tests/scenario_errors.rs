//! Bad scenario files get errors naming file, line, column, field, problem and what is
//! allowed (issue "Foundation", points 3 and 8 f). Checked by text.

mod common;
use common::{errors, line_of};

use std::path::Path;

const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");

#[test]
fn bundled_quickstart_is_valid() {
    drsim::scenario::from_text(QUICKSTART, Path::new("scenarios/quickstart.toml")).unwrap();
}

#[test]
fn copy_interval_not_offered_by_the_topology() {
    let text = QUICKSTART.replace("copy_interval = \"5m\"", "copy_interval = \"10m\"");
    let line = line_of(&text, "copy_interval = \"10m\"");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:17: policies[0].copy_interval: \"10m\" is not a copy interval hyperv-to-azure offers\n  allowed: 30s, 5m for hyperv-to-azure; 30s, 5m, 15m for vmm-to-vmm; 5m for azure-to-azure"
        )
    );
    // The same interval is fine host to host.
    let vmm = text
        .replace("hyperv-to-azure\"", "vmm-to-vmm\"")
        .replace("\"10m\"", "\"15m\"");
    drsim::scenario::from_text(&vmm, Path::new("ok.toml")).unwrap();
}

#[test]
fn unknown_fields_are_errors_with_the_allowed_list() {
    let text = QUICKSTART.replace(
        "capacity = \"100 Mbps\"",
        "capacity = \"100 Mbps\"\ncolour = \"blue\"",
    );
    let line = line_of(&text, "colour");
    assert_eq!(
        errors(&text),
        format!("error: bad.toml:{line}:1: links[0].colour: unknown field `colour`\n  allowed: name, capacity, work_hours_limit, non_work_hours_limit, per_vm_cap, outages, random_outages, degradations")
    );
}

#[test]
fn all_value_errors_are_reported_at_once() {
    let text = QUICKSTART
        .replace("used = \"30 GiB\"", "used = \"30 GiBs\"")
        .replace("link = \"wan\"", "link = \"lan\"")
        .replace("churn = \"office-app\"", "churn = \"office\"");
    let e = errors(&text);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 6, "{e}");
    let l = line_of(&text, "link = \"lan\"");
    assert_eq!(
        lines[0],
        format!("error: bad.toml:{l}:8: sites[0].link: no link is named \"lan\"")
    );
    assert_eq!(lines[1], "  allowed: wan");
    let l = line_of(&text, "30 GiBs");
    assert!(
        lines[2].starts_with(&format!("error: bad.toml:{l}:")),
        "{}",
        lines[2]
    );
    assert!(lines[2].ends_with("vms[0].disks[0].used: \"30 GiBs\": unknown size unit \"GiBs\""));
    assert!(lines[3].contains("KiB, MiB, GiB"));
    assert!(lines[4].ends_with("vms[2].churn: \"office\" is neither a profile name nor a rate"));
    assert_eq!(
        lines[5],
        "  allowed: a profile name (office-app) or a constant rate such as \"2 MB/s\""
    );
}

#[test]
fn wrong_type_and_missing_field() {
    let text = QUICKSTART.replace("duration = \"1d\"", "duration = 5");
    let line = line_of(&text, "duration = 5");
    assert_eq!(
        errors(&text),
        format!("error: bad.toml:{line}:12: scenario.duration: the number 5 is not a quoted string\n  allowed: a quoted string: values with units are strings, e.g. \"5m\", \"100 Mbps\", \"500 GiB\"")
    );
    let text = QUICKSTART.replace("name = \"dc01\"\n", "");
    let e = errors(&text);
    assert!(e.contains(": vms[0]: missing field `name`"), "{e}");
}

#[test]
fn wrong_types_do_not_stop_the_reading() {
    // Three wrong types, an unknown field and a bad value: all five at once, in the order
    // of the file, each at its own position.
    let text = QUICKSTART
        .replace("seed = 1", "seed = \"one\"")
        .replace("copy_interval = \"5m\"", "copy_interval = 5")
        .replace("target_rpo = \"15m\"", "target_rpo = \"15 minutes\"")
        .replace(
            "volume_free = \"2 TiB\"",
            "volume_free = 2\ncolour = \"red\"",
        )
        .replace(
            "{ size = \"127 GiB\", used = \"25 GiB\", churn = \"100 kB/s\" }",
            "{ size = \"127 GiB\", used = true, churn = \"100 kB/s\" }",
        );
    let e = errors(&text);
    let lines: Vec<&str> = e.lines().filter(|l| l.starts_with("error:")).collect();
    let at = |needle: &str, column: usize, rest: &str| {
        format!(
            "error: bad.toml:{}:{column}: {rest}",
            line_of(&text, needle)
        )
    };
    let mut expected = vec![
        at(
            "seed = \"one\"",
            8,
            "scenario.seed: the text \"one\" is not a whole number",
        ),
        at(
            "copy_interval = 5",
            17,
            "policies[0].copy_interval: the number 5 is not a quoted string",
        ),
        at(
            "target_rpo",
            14,
            "policies[0].target_rpo: \"15 minutes\": unknown duration unit \"minutes\"",
        ),
        at(
            "volume_free = 2",
            15,
            "hosts[0].volume_free: the number 2 is not a quoted string",
        ),
        at("colour", 1, "hosts[0].colour: unknown field `colour`"),
        at(
            "used = true",
            30,
            "vms[1].disks[0].used: the yes/no value true is not a quoted string",
        ),
    ];
    let mut got: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "{e}");
}

#[test]
fn a_long_text_in_the_wrong_place_is_quoted_by_its_start() {
    let long = "x".repeat(500);
    let text = QUICKSTART.replace(
        "disks = [{ size = \"127 GiB\", used = \"30 GiB\" }]",
        &format!("disks = \"{long}\""),
    );
    let e = errors(&text);
    let line = line_of(&text, &long);
    assert_eq!(
        e.lines().next().unwrap(),
        format!(
            "error: bad.toml:{line}:9: vms[0].disks: a long text (\"{}...\") is not a list",
            "x".repeat(40)
        )
    );
}

#[test]
fn a_required_field_of_the_wrong_type_ends_the_reading_without_a_missing_field_error() {
    let text = QUICKSTART
        .replace("seed = 1", "seed = \"one\"")
        .replace(
            "{ size = \"127 GiB\", used = \"30 GiB\" }",
            "{ size = 127, used = \"30 GiB\" }",
        )
        .replace("target_rpo = \"15m\"", "target_rpo = \"15 minutes\"");
    let e = errors(&text);
    assert!(
        e.contains(": scenario.seed: the text \"one\" is not a whole number"),
        "{e}"
    );
    assert!(
        e.contains(": vms[0].disks[0].size: the number 127 is not a quoted string"),
        "{e}"
    );
    assert!(!e.contains("missing field"), "{e}");
    // Values are not checked on a file whose shape is still wrong.
    assert!(!e.contains("target_rpo"), "{e}");
    assert_eq!(
        e.lines().filter(|l| l.starts_with("error:")).count(),
        2,
        "{e}"
    );
}

#[test]
fn profile_fields_must_fit_the_kind() {
    let text = QUICKSTART.replace("peak = \"4 MB/s\"", "peak = \"4 MB/s\"\nrate = \"1 MB/s\"");
    let e = errors(&text);
    assert!(
        e.contains("profiles[0].rate: does not apply to kind \"office-hours\""),
        "{e}"
    );
    assert!(e.contains("allowed: for office-hours: peak, base"), "{e}");
}

#[test]
fn bad_trace_rows_name_the_trace_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), "at,rate\n0s,1 MB/s\n1h,2 MBs\n").unwrap();
    let text = QUICKSTART.replace(
        "kind = \"office-hours\"           # peak during the calendar's work hours (Mon-Fri 08:00-18:00)\npeak = \"4 MB/s\"\nbase = \"200 kB/s\"",
        "kind = \"trace\"\nfile = \"t.csv\"",
    );
    let e = match drsim::scenario::from_text(&text, &dir.path().join("s.toml")) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    let trace = dir.path().join("t.csv");
    assert!(
        e.starts_with(&format!("error: {}:3:2: rate: \"2 MBs\"", trace.display())),
        "{e}"
    );
    assert!(e.contains("allowed: a rate such as \"2 MB/s\""), "{e}");
}

#[test]
fn times_before_the_start_and_bad_calendars() {
    let text = QUICKSTART.replace(
        "name = \"dc01\"",
        "name = \"dc01\"\nprotect_at = \"2026-11-22T08:00\"",
    )
        + "\n[calendar]\nwork_days = [\"mon\", \"funday\"]\nwork_hours = \"18:00-08:00\"\n";
    let e = errors(&text);
    assert!(
        e.contains("vms[0].protect_at: \"2026-11-22T08:00\" is before the scenario start"),
        "{e}"
    );
    assert!(
        e.contains("calendar.work_days: unknown day \"funday\""),
        "{e}"
    );
    assert!(
        e.contains("calendar.work_hours: \"18:00-08:00\" is not a range of hours"),
        "{e}"
    );
}

#[test]
fn outages_and_retry_schedule_are_checked() {
    let text = QUICKSTART
        .replace(
            "capacity = \"100 Mbps\"           # 12.5 MB/s",
            "capacity = \"100 Mbps\"\noutages = [{ start = \"2026-11-23T14:00\", duration = \"3h\" }, { start = \"2026-11-23T16:00\", duration = \"1h\" }]",
        )
        .replace("target_rpo = \"15m\"", "target_rpo = \"15m\"\nretry_schedule = \"fibonacci\"");
    let e = errors(&text);
    assert!(
        e.contains("links[0].outages[1].start: overlaps links[0].outages[0]"),
        "{e}"
    );
    assert!(
        e.contains("policies[0].retry_schedule: unknown reading \"fibonacci\""),
        "{e}"
    );
    assert!(e.contains("allowed: \"waits\""), "{e}");
}

/// The keyword fields whose "allowed" text is written from the keyword tables (the others
/// are pinned where their fields are tested).
#[test]
fn keyword_errors_list_the_keywords_of_their_table() {
    let cases = [
        (
            "topology = \"hyperv-to-azure\"",
            "topology = \"hyperv-to-onprem\"",
            "scenario.topology: unknown topology \"hyperv-to-onprem\"\n  allowed: hyperv-to-azure, vmm-to-vmm, azure-to-azure",
        ),
        (
            "kind = \"office-hours\"",
            "kind = \"weekly\"",
            "profiles[0].kind: unknown workload kind \"weekly\"\n  allowed: constant (rate), office-hours (peak, base), bursts (base, burst_rate, mean_gap, burst_size_median, burst_size_sigma, hours), trace (file), sum (parts), perfmon (file), disk-bytes (file)",
        ),
        (
            "target_rpo = \"15m\"",
            "target_rpo = \"15m\"\nretry_schedule = \"fibonacci\"",
            "policies[0].retry_schedule: unknown reading \"fibonacci\"\n  allowed: \"waits\" (the default: retries 1, 3, 7, 15, 25, 55, 85, ... min after the first failure) or \"offsets\" (1, 2, 4, 8, 10, 40, 70, ... min)",
        ),
    ];
    for (from, to, expected) in cases {
        let text = QUICKSTART.replacen(from, to, 1);
        let e = errors(&text);
        assert!(e.contains(expected), "{expected}\nnot in:\n{e}");
    }
}

#[test]
fn every_bundled_scenario_is_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            drsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} scenarios found");
}

/// The quickstart with `extra` appended (new top-level tables such as `[[faults]]`).
fn with(extra: &str) -> String {
    format!("{QUICKSTART}\n{extra}")
}

#[test]
fn unknown_fault_kind_lists_every_kind_with_its_fields() {
    let text = with("[[faults]]\nkind = \"disk-on-fire\"\nvm = \"dc01\"\nat = \"1h\"\n");
    let line = line_of(&text, "disk-on-fire");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:8: faults[0].kind: unknown fault kind \"disk-on-fire\"\n  allowed: broken-vhd-chain, invalid-replica-state, authentication-failure, authorization-failure, vm-not-found (vm, and at or probability); low-memory (host, start, duration); volume-full (host, at, optional duration); host-crash (host, at or mtbf, optional restart); cache-outage (vm, start, duration, optional rate)"
        )
    );
}

#[test]
fn fault_probability_must_be_above_zero_and_at_most_one() {
    for p in ["1.5", "0", "-0.1"] {
        let text = with(&format!(
            "[[faults]]\nkind = \"broken-vhd-chain\"\nvm = \"dc01\"\nprobability = {p}\n"
        ));
        let line = line_of(&text, "probability =");
        let shown = p.parse::<f64>().unwrap();
        assert_eq!(
            errors(&text),
            format!(
                "error: bad.toml:{line}:15: faults[0].probability: {shown} is out of range\n  allowed: a probability per log transfer above 0 and at most 1, such as 0.01"
            )
        );
    }
}

#[test]
fn an_error_fault_takes_at_or_probability_not_both_nor_neither() {
    let text = with(
        "[[faults]]\nkind = \"vm-not-found\"\nvm = \"dc01\"\nat = \"2h\"\nprobability = 0.5\n",
    );
    let line = line_of(&text, "probability =");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:15: faults[0].probability: set together with at\n  allowed: exactly one of at (a point in time) or probability (per log transfer, above 0 and at most 1)"
        )
    );
    let text = with("[[faults]]\nkind = \"vm-not-found\"\nvm = \"dc01\"\n");
    let line = line_of(&text, "vm-not-found");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:8: faults[0].at: missing; kind \"vm-not-found\" needs at or probability\n  allowed: exactly one of at (a point in time) or probability (per log transfer, above 0 and at most 1)"
        )
    );
}

#[test]
fn a_host_fault_field_on_an_error_fault_names_the_kinds_that_take_it() {
    let text = with(
        "[[faults]]\nkind = \"broken-vhd-chain\"\nvm = \"dc01\"\nat = \"2h\"\nhost = \"hv01\"\n",
    );
    let line = text.lines().count(); // the last line
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:8: faults[0].host: does not apply to kind \"broken-vhd-chain\"; host is for low-memory, volume-full, host-crash\n  allowed: for broken-vhd-chain: vm, and at or probability"
        )
    );
}

#[test]
fn host_faults_need_their_fields() {
    let text = with("[[faults]]\nkind = \"low-memory\"\nhost = \"hv01\"\nat = \"2h\"\n");
    let kind = line_of(&text, "low-memory");
    let at = kind + 2;
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{at}:6: faults[0].at: does not apply to kind \"low-memory\"; at is for broken-vhd-chain, invalid-replica-state, authentication-failure, authorization-failure, vm-not-found, volume-full, host-crash\n  allowed: for low-memory: host, start, duration\n\
             error: bad.toml:{kind}:8: faults[0].start: missing; kind \"low-memory\" needs it\n  allowed: for low-memory: host, start, duration\n\
             error: bad.toml:{kind}:8: faults[0].duration: missing; kind \"low-memory\" needs it\n  allowed: for low-memory: host, start, duration"
        )
    );
}

#[test]
fn unknown_vm_or_host_in_faults_and_actions() {
    let text = with(
        "[[actions]]\nat = \"2026-11-23T12:00\"\nvm = \"sql-01\"\naction = \"pause\"\n\n\
         [[faults]]\nkind = \"volume-full\"\nhost = \"hv02\"\nat = \"1h\"\n",
    );
    let vm = line_of(&text, "sql-01");
    let host = line_of(&text, "hv02");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{host}:8: faults[0].host: no host is named \"hv02\"\n  allowed: hv01\n\
             error: bad.toml:{vm}:6: actions[0].vm: no vm is named \"sql-01\"\n  allowed: dc01, file01, app01; or a glob with * and ?; tag:NAME (no VM has tags)"
        )
    );
}

#[test]
fn vm_references_use_the_stamped_names_and_list_a_few() {
    let text = QUICKSTART.replace("name = \"app01\"", "name = \"web\"\ncount = 12")
        + "\n[[actions]]\nat = \"1h\"\nvm = \"web-13\"\naction = \"repair\"\n";
    let line = line_of(&text, "web-13");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:6: actions[0].vm: no vm is named \"web-13\"\n  allowed: dc01, file01, web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08, ... (14 VMs in all); or a [[vms]] table: web; a glob with * and ?; tag:NAME (no VM has tags)"
        )
    );
    let ok = text.replace("web-13", "web-12");
    let s = drsim::scenario::from_text(&ok, Path::new("ok.toml")).unwrap();
    assert_eq!(s.faults.actions[0].vm, 13);
    assert_eq!(s.vms[13].name, "web-12");
}

#[test]
fn unknown_action_and_times_outside_the_run() {
    let text = with(
        "[[actions]]\nat = \"1d\"\nvm = \"dc01\"\naction = \"reboot\"\n\n\
         [[faults]]\nkind = \"broken-vhd-chain\"\nvm = \"dc01\"\nat = \"2026-11-23T07:59\"\n",
    );
    let at = line_of(&text, "at = \"1d\"");
    let action = line_of(&text, "reboot");
    let before = line_of(&text, "07:59");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{before}:6: faults[0].at: \"2026-11-23T07:59\" is before the scenario start 2026-11-23 08:00:00\n  allowed: a date-time at or after scenario.start, or an offset such as \"6h\"\n\
             error: bad.toml:{at}:6: actions[0].at: \"1d\" is not before the end of the run\n  allowed: a point in time before 2026-11-24 08:00:00 (scenario.start + scenario.duration), or an offset below 1d\n\
             error: bad.toml:{action}:10: actions[0].action: unknown action \"reboot\"\n  allowed: pause, resume, resynchronize, cancel-resync, repair"
        )
    );
}

#[test]
fn bad_resync_window() {
    let cases = [
        (
            "18:00-18:00",
            "\"18:00-18:00\" starts and ends at the same time",
        ),
        ("6pm-8am", "\"6pm-8am\" is not a daily window"),
        ("18:00-25:00", "\"18:00-25:00\" is not a daily window"),
        ("nights", "\"nights\" is not a daily window"),
    ];
    for (window, problem) in cases {
        let text = QUICKSTART.replace(
            "target_rpo = \"15m\"",
            &format!("target_rpo = \"15m\"\nresync_window = \"{window}\""),
        );
        let line = line_of(&text, "resync_window");
        assert_eq!(
            errors(&text),
            format!(
                "error: bad.toml:{line}:17: policies[0].resync_window: {problem}\n  allowed: \"HH:MM-HH:MM\" every day, wrapping past midnight when the end is not after the start (e.g. \"18:00-08:00\"), or \"outside-work-hours\" (the default)"
            )
        );
    }
}

#[test]
fn bad_resync_threshold() {
    let cases = [
        ("0.5%", "is out of range"),
        ("100.01%", "is out of range"),
        ("50", "is not a percentage"),
        ("37.12345%", "is not a percentage"),
        ("-5%", "is not a percentage"),
    ];
    for (value, problem) in cases {
        let text = QUICKSTART.replace(
            "target_rpo = \"15m\"",
            &format!("target_rpo = \"15m\"\nresync_threshold = \"{value}\""),
        );
        let line = line_of(&text, "resync_threshold");
        assert_eq!(
            errors(&text),
            format!(
                "error: bad.toml:{line}:20: policies[0].resync_threshold: \"{value}\" {problem}\n  allowed: a share of the virtual size from 1% to 100%, such as \"50%\" or \"37.5%\" (up to 4 decimals)"
            )
        );
    }
}

#[test]
fn other_resync_and_health_fields_are_checked() {
    let text = QUICKSTART.replace(
        "target_rpo = \"15m\"",
        "target_rpo = \"15m\"\nresync_basis = \"host\"\nresync_start = \"tonight\"\nresync_read_rate = \"0 MB/s\"\nresync_block_size = \"1 KiB\"\nadmin_response = \"0s\"\nhealth_interval = \"30m\"\nhealth_interval_start = \"24:00\"",
    );
    let e = errors(&text);
    for expected in [
        "policies[0].resync_basis: unknown basis \"host\"\n  allowed: \"vm\" (the default: the VM's pending log bytes against its virtual size) or \"disk\" (each disk against its own size)",
        "policies[0].resync_start: unknown start \"tonight\"\n  allowed: \"off-peak\" (the default: at the next opening of resync_window), \"immediate\" or \"manual\" (only on a scheduled resynchronize action)",
        "policies[0].resync_read_rate: a zero read rate\n  allowed: a rate above zero, such as \"200 MB/s\"",
        "policies[0].resync_block_size: \"1 KiB\" is out of range\n  allowed: from 4 KiB to 1 GiB",
        "policies[0].admin_response: a zero response time\n  allowed: a duration above zero, such as \"4h\", or \"manual\" (only a scheduled repair action repairs)",
        "policies[0].health_interval: \"30m\" is out of range\n  allowed: from 1h to 7d",
        "policies[0].health_interval_start: \"24:00\" is not a time of day\n  allowed: \"HH:MM\" from 00:00 to 23:59, such as \"09:00\"",
    ] {
        assert!(e.contains(expected), "{expected}\nnot in:\n{e}");
    }
    assert_eq!(
        e.lines().filter(|l| l.starts_with("error: ")).count(),
        7,
        "{e}"
    );
}

#[test]
fn hot_region_larger_than_the_disk() {
    let text = QUICKSTART.replace(
        "used = \"30 GiB\" }",
        "used = \"30 GiB\", hot_region = \"200 GiB\" }",
    );
    let line = line_of(&text, "hot_region");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:60: vms[0].disks[0].hot_region: 200.00 GiB hot region is more than the disk's size 127.00 GiB\n  allowed: above zero and at most 127.00 GiB: a size, or a percentage of the disk's size such as \"25%\""
        )
    );
    for (value, problem) in [
        ("101%", "\"101%\" is more than the disk's size"),
        ("0%", "an empty hot region"),
        ("0 GiB", "an empty hot region"),
        ("lots%", "\"lots%\" is not a percentage"),
    ] {
        let text = text.replace("200 GiB", value);
        let e = errors(&text);
        assert!(
            e.contains(&format!("vms[0].disks[0].hot_region: {problem}\n")),
            "{e}"
        );
    }
}

#[test]
fn random_outages_and_degradations_are_checked() {
    let text = QUICKSTART.replace(
        "capacity = \"100 Mbps\"           # 12.5 MB/s",
        "capacity = \"100 Mbps\"\n\
         random_outages = { mtbf = \"0s\", mttr = \"2h\", repair = \"exponential\", sigma = 1.0 }\n\
         degradations = [{ start = \"2h\", duration = \"3h\", capacity = \"40%\" }, { start = \"1h\", duration = \"90m\", capacity = \"40.5%\" }, { start = \"10h\", duration = \"1h\", capacity = \"120%\" }]",
    );
    let e = errors(&text);
    for expected in [
        "links[0].random_outages.mtbf: a zero mean time between failures\n  allowed: a duration of at least 1s",
        "links[0].random_outages.sigma: does not apply to repair \"exponential\"\n  allowed: sigma only with repair = \"lognormal\"",
        "links[0].degradations[1].capacity: \"40.5%\" is not a whole percent\n  allowed: the share of the capacity left, a whole percent from 0% to 100%, such as \"40%\"",
        "links[0].degradations[2].capacity: \"120%\" is out of range",
        "links[0].degradations[0].start: overlaps links[0].degradations[1]\n  allowed: degradations that do not overlap",
    ] {
        assert!(e.contains(expected), "{expected}\nnot in:\n{e}");
    }
    assert_eq!(
        e.lines().filter(|l| l.starts_with("error: ")).count(),
        5,
        "{e}"
    );

    let text = QUICKSTART.replace(
        "capacity = \"100 Mbps\"           # 12.5 MB/s",
        "capacity = \"100 Mbps\"\nrandom_outages = { mtbf = \"30d\", mttr = \"2h\", repair = \"lognormal\" }",
    );
    let line = line_of(&text, "random_outages");
    assert_eq!(
        errors(&text),
        format!("error: bad.toml:{line}:56: links[0].random_outages.sigma: missing; repair \"lognormal\" needs it\n  allowed: a lognormal shape above 0, such as 1.0")
    );
    let text = text.replace("repair = \"lognormal\"", "repair = \"weibull\"");
    assert!(errors(&text).contains(
        "links[0].random_outages.repair: unknown repair distribution \"weibull\"\n  allowed: \"exponential\" (the default) or \"lognormal\" (with sigma)"
    ));
}
