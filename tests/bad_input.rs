//! A bad-input tour (issue 15 point 5): one small valid scenario, and one row per bad input
//! that edits one line of it. Each row asserts what `drsim validate` prints for the first
//! error: exit code 2, `file:line:column: field: problem`, and the allowed text, exactly.

use assert_cmd::Command;

const BASE: &str = r#"[scenario]
name = "tour"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "1d"
seed = 1
sample_step = "5m"

[calendar]
work_days = ["mon", "tue", "wed", "thu", "fri"]
work_hours = "08:00-18:00"

[[links]]
name = "wan"
capacity = "100 Mbps"
work_hours_limit = "50 Mbps"
per_vm_cap = "20 Mbps"
outages = [{ start = "2026-11-23T12:00", duration = "30m" }]
degradations = [{ start = "2026-11-23T14:00", duration = "1h", capacity = "50%" }]
random_outages = { mtbf = "2d", mttr = "4m" }

[[policies]]
name = "standard"
copy_interval = "5m"
target_rpo = "15m"

[[sites]]
name = "branch"
link = "wan"
policy = "standard"

[[hosts]]
name = "hv01"
volume_free = "2 TiB"

[[profiles]]
name = "office-app"
kind = "office-hours"
peak = "4 MB/s"
base = "200 kB/s"

[[vms]]
name = "dc01"
host = "hv01"
generation = 2
churn = "50 kB/s"
disks = [{ size = "127 GiB", used = "30 GiB" }]

[[vms]]
name = "app"
count = 2
host = "hv01"
churn = "office-app"
disks = [{ size = "200 GiB", used = "40 GiB" }]

[[faults]]
kind = "volume-full"
host = "hv01"
at = "2026-11-23T15:00"

[[actions]]
at = "2026-11-23T16:00"
vm = "dc01"
action = "pause"

[[recovery_plans]]
name = "office"
groups = [{ vms = ["dc01"], after = [{ script = "check-ad", duration = "2m" }] }]

[[failovers]]
at = "2026-11-23T20:00"
kind = "test"
plan = "office"
# end
"#;

/// (text to find in BASE, its replacement, "line:column: field: problem", allowed).
const CASES: &[(&str, &str, &str, &str)] = &[
    ("name = \"tour\"", "name = \"\"",
     "2:8: scenario.name: empty name",
     "a non-empty name (it heads every report)"),
    ("topology = \"hyperv-to-azure\"", "topology = \"hyperv-to-aws\"",
     "3:12: scenario.topology: unknown topology \"hyperv-to-aws\"",
     "hyperv-to-azure, vmm-to-vmm, azure-to-azure"),
    ("start = \"2026-11-23T08:00\"", "start = \"2026-13-01T08:00\"",
     "4:9: scenario.start: \"2026-13-01T08:00\" is not a date-time",
     "a local date-time such as \"2026-11-23T08:00\" or \"2026-11-23 08:00:00\""),
    ("start = \"2026-11-23T08:00\"", "start = 2026-11-23T08:00:00",
     "4:9: scenario.start: the unquoted date-time 2026-11-23T08:00:00 is not a quoted date-time",
     "a date-time in quotes such as \"2026-11-23T08:00\""),
    ("start = \"2026-11-23T08:00\"", "start = 2026-11-23T08:00",
     "4:25: an unquoted date-time (TOML's own date-times need seconds, and drsim reads them as text anyway)",
     "a date-time in quotes such as \"2026-11-23T08:00\""),
    ("duration = \"1d\"", "duration = \"0s\"",
     "5:12: scenario.duration: 0s is out of range",
     "from 1s to 366d"),
    ("duration = \"1d\"", "duration = \"400d\"",
     "5:12: scenario.duration: 400d is out of range",
     "from 1s to 366d"),
    ("duration = \"1d\"", "duration = 5",
     "5:12: scenario.duration: the number 5 is not a quoted string",
     "a quoted string: values with units are strings, e.g. \"5m\", \"100 Mbps\", \"500 GiB\""),
    ("duration = \"1d\"", "duration = \"1 fortnight\"",
     "5:12: scenario.duration: \"1 fortnight\": unknown duration unit \"fortnight\"",
     "ms, s, m, h, d, w, combinable as in \"1h30m\" (e.g. \"30s\", \"5m\", \"2h\", \"3d\")"),
    ("seed = 1", "seed = -1",
     "6:8: scenario.seed: the number -1 is out of range",
     "a whole number from 0 to 9,223,372,036,854,775,807"),
    ("seed = 1", "seed = 1.5",
     "6:8: scenario.seed: the number 1.5 is not a whole number",
     "a whole number from 0 to 9,223,372,036,854,775,807"),
    ("seed = 1", "seed = \"1\"",
     "6:8: scenario.seed: the text \"1\" is not a whole number",
     "a whole number from 0 to 9,223,372,036,854,775,807"),
    ("sample_step = \"5m\"", "sample_step = \"0s\"",
     "7:15: scenario.sample_step: a zero step",
     "a duration of at least 1s, or \"off\""),
    ("seed = 1", "seed = 1\ncolour = \"blue\"",
     "7:1: scenario.colour: unknown field `colour`",
     "name, description, topology, start, duration, seed, sample_step"),
    ("work_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]", "work_days = [\"mon\", \"tue\", \"mon\"]",
     "10:13: calendar.work_days: \"mon\" is listed twice",
     "each day at most once, e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]"),
    ("work_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]", "work_days = [\"mon\", \"funday\"]",
     "10:13: calendar.work_days: unknown day \"funday\"",
     "mon, tue, wed, thu, fri, sat, sun"),
    ("work_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]", "work_days = \"mon\"",
     "10:13: calendar.work_days: the text \"mon\" is not a list",
     "a list of day names in brackets, e.g. [\"mon\", \"tue\"]"),
    ("work_hours = \"08:00-18:00\"", "work_hours = \"18:00-08:00\"",
     "11:14: calendar.work_hours: \"18:00-08:00\" is not a range of hours",
     "\"HH:MM-HH:MM\" with the start before the end, e.g. \"08:00-18:00\""),
    ("capacity = \"100 Mbps\"", "capacity = \"0 Mbps\"",
     "15:12: links[0].capacity: a zero rate: the link would never carry a byte",
     "a rate above zero, e.g. \"100 Mbps\""),
    ("capacity = \"100 Mbps\"", "capacity = \"100 Mbit\"",
     "15:12: links[0].capacity: \"100 Mbit\": unknown rate unit \"Mbit\"",
     "bps, kbps, Mbps, Gbps, Tbps, or a size per time such as MB/s, GB/h, GB/day (e.g. \"100 Mbps\", \"6 MB/s\")"),
    ("capacity = \"100 Mbps\"", "capacity = 100",
     "15:12: links[0].capacity: the number 100 is not a quoted string",
     "a quoted string: values with units are strings, e.g. \"5m\", \"100 Mbps\", \"500 GiB\""),
    ("per_vm_cap = \"20 Mbps\"", "per_vm_cap = \"0 Mbps\"",
     "17:14: links[0].per_vm_cap: a zero rate: no VM could send a byte",
     "a rate above zero, e.g. \"100 Mbps\""),
    ("work_hours_limit = \"50 Mbps\"", "work_hours_limit = \"0 kbps\"",
     "16:20: links[0].work_hours_limit: a zero rate: nothing would replicate in work hours",
     "a rate above zero, e.g. \"100 Mbps\""),
    ("outages = [{ start = \"2026-11-23T12:00\", duration = \"30m\" }]", "outages = [{ start = \"3d\", duration = \"30m\" }]",
     "18:22: links[0].outages[0].start: \"3d\" is not before the end of the run: the outage would never happen",
     "a point in time before 2026-11-24 08:00:00 (scenario.start + scenario.duration), or an offset below 1d"),
    ("outages = [{ start = \"2026-11-23T12:00\", duration = \"30m\" }]", "outages = [{ start = \"2026-11-23T12:00\", duration = \"0s\" }]",
     "18:53: links[0].outages[0].duration: an outage of zero length",
     "a duration of at least 1s"),
    ("outages = [{ start = \"2026-11-23T12:00\", duration = \"30m\" }]", "outages = [{ start = \"2026-11-22T12:00\", duration = \"30m\" }]",
     "18:22: links[0].outages[0].start: \"2026-11-22T12:00\" is before the scenario start 2026-11-23 08:00:00",
     "a date-time at or after scenario.start, or an offset such as \"6h\""),
    ("outages = [{ start = \"2026-11-23T12:00\", duration = \"30m\" }]", "outages = [{ start = \"2026-11-23T12:00\", duration = \"30m\", reason = \"fibre cut\" }]",
     "18:60: links[0].outages[0].reason: unknown field `reason`",
     "start or duration"),
    ("capacity = \"50%\" }]", "capacity = \"150%\" }]",
     "19:75: links[0].degradations[0].capacity: \"150%\" is out of range",
     "the share of the capacity left, a whole percent from 0% to 100%, such as \"40%\""),
    ("degradations = [{ start = \"2026-11-23T14:00\"", "degradations = [{ start = \"2026-11-24T14:00\"",
     "19:27: links[0].degradations[0].start: \"2026-11-24T14:00\" is not before the end of the run: the degradation would never happen",
     "a point in time before 2026-11-24 08:00:00 (scenario.start + scenario.duration), or an offset below 1d"),
    ("mtbf = \"2d\"", "mtbf = \"0s\"",
     "20:27: links[0].random_outages.mtbf: a zero mean time between failures",
     "a duration of at least 1s"),
    ("mttr = \"4m\" }", "mttr = \"4m\", repair = \"weibull\" }",
     "20:55: links[0].random_outages.repair: unknown repair distribution \"weibull\"",
     "\"exponential\" (the default) or \"lognormal\" (with sigma)"),
    ("per_vm_cap = \"20 Mbps\"", "per_vm_cap = \"20 Mbps\"\nlatency = \"5ms\"",
     "18:1: links[0].latency: unknown field `latency`",
     "name, capacity, work_hours_limit, non_work_hours_limit, per_vm_cap, outages, random_outages, degradations"),
    ("[[policies]]", "[[links]]\nname = \"wan\"\ncapacity = \"1 Gbps\"\n\n[[policies]]",
     "23:8: links[1].name: \"wan\" is already the name of links[0]",
     "a name used once per table"),
    ("target_rpo = \"15m\"", "target_rpo = \"0s\"",
     "25:14: policies[0].target_rpo: a zero target: no recovery point is ever zero seconds old",
     "a duration above zero, e.g. \"15m\""),
    ("target_rpo = \"15m\"", "target_rpo = 15",
     "25:14: policies[0].target_rpo: the number 15 is not a quoted string",
     "a quoted string: values with units are strings, e.g. \"5m\", \"100 Mbps\", \"500 GiB\""),
    ("copy_interval = \"5m\"", "copy_interval = \"10m\"",
     "24:17: policies[0].copy_interval: \"10m\" is not a copy interval hyperv-to-azure offers",
     "30s, 5m for hyperv-to-azure; 30s, 5m, 15m for vmm-to-vmm; 5m for azure-to-azure"),
    ("target_rpo = \"15m\"", "target_rpo = \"15m\"\ninitial_replication_start = \"tomorrow\"",
     "26:29: policies[0].initial_replication_start: \"tomorrow\" is neither a date-time nor an offset",
     "a date-time such as \"2026-11-23T20:00\", or an offset from the start such as \"6h\", \"1d12h\""),
    ("target_rpo = \"15m\"", "target_rpo = \"15m\"\ncompression_ratio = 1.5",
     "26:21: policies[0].compression_ratio: does not apply to topology \"hyperv-to-azure\": Hyper-V to Azure does not compress",
     "compression_ratio only with topology = \"vmm-to-vmm\"; leave it out"),
    ("target_rpo = \"15m\"", "target_rpo = \"15m\"\nhigh_churn = \"yes\"",
     "26:14: policies[0].high_churn: the text \"yes\" is not true or false",
     "true or false, unquoted"),
    ("link = \"wan\"", "link = \"lan\"",
     "29:8: sites[0].link: no link is named \"lan\"",
     "wan"),
    ("policy = \"standard\"", "policy = \"gold\"",
     "30:10: sites[0].policy: no policy is named \"gold\"",
     "standard"),
    ("policy = \"standard\"", "policy = \"standard\"\norchestration = \"scvmm\"",
     "31:17: sites[0].orchestration: unknown orchestration \"scvmm\"",
     "\"hyperv-site\" (the default: a Hyper-V site, the Provider on each host) or \"vmm\" (hosts in VMM clouds, the Provider on the VMM server)"),
    ("volume_free = \"2 TiB\"", "volume_free = \"2 TB/s\"",
     "34:15: hosts[0].volume_free: \"2 TB/s\": unknown size unit \"TB/s\"",
     "B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB (e.g. \"500 GiB\", \"1.5 TB\")"),
    ("name = \"hv01\"", "name = \"\"",
     "33:8: hosts[0].name: empty name",
     "a non-empty name"),
    ("kind = \"office-hours\"", "kind = \"spiky\"",
     "38:8: profiles[0].kind: unknown workload kind \"spiky\"",
     "constant (rate), office-hours (peak, base), bursts (base, burst_rate, mean_gap, burst_size_median, burst_size_sigma, hours), trace (file), sum (parts), perfmon (file), disk-bytes (file)"),
    ("peak = \"4 MB/s\"", "peak = \"4 MB\"",
     "39:8: profiles[0].peak: \"4 MB\": unknown rate unit \"MB\"",
     "bps, kbps, Mbps, Gbps, Tbps, or a size per time such as MB/s, GB/h, GB/day (e.g. \"100 Mbps\", \"6 MB/s\")"),
    ("peak = \"4 MB/s\"", "peak = \"4 MB/s\"\nrate = \"1 MB/s\"",
     "38:8: profiles[0].rate: does not apply to kind \"office-hours\"",
     "for office-hours: peak, base"),
    ("count = 2", "count = 0",
     "51:9: vms[1].count: 0 VMs",
     "1 to 1000000 VMs in all"),
    ("count = 2", "count = -1",
     "51:9: vms[1].count: the number -1 is out of range",
     "a whole number from 1 to 1,000,000"),
    ("count = 2", "count = 1.5",
     "51:9: vms[1].count: the number 1.5 is not a whole number",
     "a whole number from 1 to 1,000,000"),
    ("count = 2", "count = 2000000",
     "51:9: vms[1].count: 2000000 VMs",
     "1 to 1000000 VMs in all"),
    ("count = 2", "count = \"2\"",
     "51:9: vms[1].count: the text \"2\" is not a whole number",
     "a whole number from 1 to 1,000,000"),
    ("generation = 2", "generation = 3",
     "45:14: vms[0].generation: generation 3",
     "1 or 2"),
    ("churn = \"office-app\"", "churn = \"office\"",
     "53:9: vms[1].churn: \"office\" is neither a profile name nor a rate",
     "a profile name (office-app) or a constant rate such as \"2 MB/s\""),
    ("generation = 2", "generation = 2\nprotect_at = \"2026-11-22T08:00\"",
     "46:14: vms[0].protect_at: \"2026-11-22T08:00\" is before the scenario start 2026-11-23 08:00:00",
     "a date-time at or after scenario.start, or an offset such as \"6h\""),
    ("disks = [{ size = \"127 GiB\", used = \"30 GiB\" }]", "disks = [{ size = \"0 GiB\" }]",
     "47:19: vms[0].disks[0].size: a disk of zero size",
     "a size above zero, e.g. \"127 GiB\""),
    ("disks = [{ size = \"127 GiB\", used = \"30 GiB\" }]", "disks = [{ size = \"127 GiB\", used = \"300 GiB\" }]",
     "47:37: vms[0].disks[0].used: 300.00 GiB used is more than the disk's size 127.00 GiB",
     "at most 127.00 GiB"),
    ("disks = [{ size = \"127 GiB\", used = \"30 GiB\" }]", "disks = []",
     "47:9: vms[0].disks: a VM needs at least one disk",
     "a list such as [{ size = \"127 GiB\", used = \"60 GiB\" }]"),
    ("disks = [{ size = \"127 GiB\", used = \"30 GiB\" }]", "disks = { size = \"127 GiB\" }",
     "47:9: vms[0].disks: a table is not a list",
     "a list of inline tables in brackets, e.g. [{ size = \"127 GiB\", used = \"30 GiB\" }]"),
    ("disks = [{ size = \"127 GiB\", used = \"30 GiB\" }]", "disks = [{ size = \"127 GiB\", used = \"30 GiB\", iops = 500 }]",
     "47:47: vms[0].disks[0].iops: unknown field `iops`",
     "name, size, used, churn, shared, hot_region"),
    ("name = \"app\"", "name = \"dc01\"",
     "50:8: vms[1].name: \"dc01\" is already the name of vms[0]",
     "a name used once per table, or on tables that all set count (their numbering continues)"),
    ("host = \"hv01\"\nchurn = \"office-app\"", "host = \"hv02\"\nchurn = \"office-app\"",
     "52:8: vms[1].host: no host is named \"hv02\"",
     "hv01"),
    ("kind = \"volume-full\"", "kind = \"meteor\"",
     "57:8: faults[0].kind: unknown fault kind \"meteor\"",
     "broken-vhd-chain, invalid-replica-state, authentication-failure, authorization-failure, vm-not-found (vm, and at or probability); low-memory (host, start, duration); volume-full (host, at, optional duration); host-crash (host, at or mtbf, optional restart); cache-outage (vm, start, duration, optional rate)"),
    ("at = \"2026-11-23T15:00\"", "at = \"2026-11-25T15:00\"",
     "59:6: faults[0].at: \"2026-11-25T15:00\" is not before the end of the run",
     "a point in time before 2026-11-24 08:00:00 (scenario.start + scenario.duration), or an offset below 1d"),
    ("kind = \"volume-full\"\nhost = \"hv01\"", "kind = \"volume-full\"\nhost = \"hv09\"",
     "58:8: faults[0].host: no host is named \"hv09\"",
     "hv01"),
    ("action = \"pause\"", "action = \"explode\"",
     "64:10: actions[0].action: unknown action \"explode\"",
     "pause, resume, resynchronize, cancel-resync, repair"),
    ("vm = \"dc01\"\naction", "vm = \"dc02\"\naction",
     "63:6: actions[0].vm: no vm is named \"dc02\"",
     "dc01, app-01, app-02; or a [[vms]] table: app; a glob with * and ?; tag:NAME (no VM has tags)"),
    ("at = \"2026-11-23T16:00\"", "at = 16",
     "62:6: actions[0].at: the number 16 is not a quoted date-time or offset",
     "a date-time in quotes such as \"2026-11-23T08:00\", or an offset such as \"6h\""),
    ("groups = [{ vms = [\"dc01\"]", "groups = [{ vms = [\"dc09\"]",
     "68:20: recovery_plans[0].groups[0].vms[0]: no vm is named \"dc09\"",
     "dc01, app-01, app-02; or a [[vms]] table: app; a glob with * and ?; tag:NAME (no VM has tags)"),
    ("duration = \"2m\" }]", "duration = \"-2m\" }]",
     "68:72: recovery_plans[0].groups[0].after[0].duration: \"-2m\": a duration cannot be negative",
     "ms, s, m, h, d, w, combinable as in \"1h30m\" (e.g. \"30s\", \"5m\", \"2h\", \"3d\")"),
    ("kind = \"test\"", "kind = \"sideways\"",
     "72:8: failovers[0].kind: unknown failover kind \"sideways\"",
     "test (point), planned, unplanned (point), change-point (point), commit, cleanup, reverse-replicate, failback (mode, alternate_vm); each with at, and vm or plan"),
    ("plan = \"office\"", "plan = \"nope\"",
     "73:8: failovers[0].plan: no recovery plan is named \"nope\"",
     "office"),
    ("at = \"2026-11-23T20:00\"", "at = \"2026-11-24T20:00\"",
     "71:6: failovers[0].at: \"2026-11-24T20:00\" is not before the end of the run",
     "a point in time before 2026-11-24 08:00:00 (scenario.start + scenario.duration), or an offset below 1d"),
    ("[[faults]]", "[[fault]]",
     "56:3: fault: unknown field `fault`",
     "scenario, calendar, links, policies, sites, hosts, profiles, vms, faults, actions, recovery_plans, failovers, site_events"),
    ("# end", "# a NUL \0 in a comment",
     "74:9: character U+0000 is not allowed here",
     "TOML text: no control characters other than tab, in comments and strings too"),
    ("name = \"tour\"", "name = \"tour",
     "2:13: a quoted text that does not end on its line",
     "text between double quotes on one line, e.g. \"tour\", or between \"\"\" for several lines"),
    ("seed = 1", "seed = 99999999999999999999",
     "6:8: a number too large for a TOML integer",
     "a whole number up to 9,223,372,036,854,775,807; sizes and rates are quoted strings with a unit, e.g. \"500 GiB\", \"100 Mbps\""),
    ("name = \"tour\"", "name = \"t\\u12\"",
     "2:12: an escape \\u or \\U that is not a Unicode character",
     "\\u with 4 or \\U with 8 hex digits of a Unicode code point, or the character itself"),
    ("start = \"2026-11-23T08:00\"", "start = 2026-11-23T08:00:00+01:99",
     "4:32: an unquoted date-time (TOML's own date-times need seconds, and drsim reads them as text anyway)",
     "a date-time in quotes such as \"2026-11-23T08:00\""),
];

fn validate(text: &[u8]) -> (Option<i32>, String, String, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tour.toml");
    std::fs::write(&file, text).unwrap();
    let out = Command::cargo_bin("drsim")
        .unwrap()
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        file,
    )
}

#[test]
fn the_base_scenario_is_valid() {
    let (code, stdout, stderr, _) = validate(BASE.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("ok: scenario \"tour\", 3 VMs"), "{stdout}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn every_bad_input_is_refused_with_a_located_error() {
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for (i, &(find, replace, first, allowed)) in CASES.iter().enumerate() {
        assert!(BASE.contains(find), "case {i}: {find:?} is not in the base");
        let text = BASE.replacen(find, replace, 1);
        let (code, _, stderr, file) = validate(text.as_bytes());
        let lines: Vec<&str> = stderr.lines().collect();
        let want_first = format!("error: {}:{first}", file.display());
        let got_allowed = lines
            .get(1)
            .and_then(|l| l.strip_prefix("  allowed: "))
            .unwrap_or("");
        if code != Some(2) || lines.first() != Some(&want_first.as_str()) || got_allowed != allowed
        {
            failures.push(format!(
                "case {i} ({replace:?}): exit {code:?}\n  want: {want_first}\n        allowed: {allowed}\n  got:  {stderr}"
            ));
        }
        // serde's words never reach the user.
        for serde in [
            "invalid type",
            "invalid value",
            "expected u",
            "floating point",
            "u32",
            "struct Raw",
            "a map",
        ] {
            assert!(!stderr.contains(serde), "case {i}: {serde:?} in {stderr}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unknown_fields_do_not_stop_validation() {
    // Two unknown fields (one in an inline table) and a value error: all three at once.
    let text = BASE
        .replacen(
            "per_vm_cap = \"20 Mbps\"",
            "per_vm_cap = \"20 Mbps\"\nlatency = \"5ms\"",
            1,
        )
        .replacen(
            "{ size = \"127 GiB\", used = \"30 GiB\" }",
            "{ iops = 500, size = \"127 GiB\", used = \"30 GiB\" }",
            1,
        )
        .replacen("link = \"wan\"", "link = \"lan\"", 1);
    let (code, _, stderr, file) = validate(text.as_bytes());
    assert_eq!(code, Some(2));
    let f = file.display();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(
        errors,
        [
            format!("error: {f}:18:1: links[0].latency: unknown field `latency`"),
            format!("error: {f}:48:12: vms[0].disks[0].iops: unknown field `iops`"),
            format!("error: {f}:30:8: sites[0].link: no link is named \"lan\""),
        ],
        "{stderr}"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    let mut bytes = BASE.as_bytes().to_vec();
    let at = BASE.find("wan").unwrap();
    bytes[at + 1] = 0xff;
    let (code, _, stderr, file) = validate(&bytes);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {}:14:10: byte 0xff is not UTF-8 text\n  allowed: a UTF-8 text file (save it as UTF-8)",
            file.display()
        )
    );
}

#[test]
fn starts_after_the_run_are_warnings_for_protection_and_initial_replication() {
    let text = BASE
        .replacen("generation = 2", "generation = 2\nprotect_at = \"2d\"", 1)
        .replacen(
            "target_rpo = \"15m\"",
            "target_rpo = \"15m\"\ninitial_replication_start = \"2026-11-24T09:00\"",
            1,
        );
    let (code, _, stderr, file) = validate(text.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    let f = file.display();
    assert!(stderr.contains(&format!("warning: {f}:26:29: policies[0].initial_replication_start: \"2026-11-24T09:00\" is not before the end of the run (1d): no VM of this policy starts initial replication in the run")), "{stderr}");
    assert!(stderr.contains(&format!("warning: {f}:47:14: vms[0].protect_at: \"2d\" is not before the end of the run (1d): the VM is never protected in the run")), "{stderr}");
}

#[test]
fn a_stray_quote_in_a_trace_is_located_in_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.csv");
    std::fs::write(&trace, "at,rate\n0s,1 MB/s\n1h,2 MB\"/s\n2h,\"3 MB/s\"\n").unwrap();
    let text = BASE.replacen(
        "kind = \"office-hours\"\npeak = \"4 MB/s\"\nbase = \"200 kB/s\"",
        "kind = \"trace\"\nfile = \"t.csv\"",
        1,
    );
    let file = dir.path().join("tour.toml");
    std::fs::write(&file, text).unwrap();
    let out = Command::cargo_bin("drsim")
        .unwrap()
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().next().unwrap(),
        format!(
            "error: {}:3:8: row: a stray quote: a quote may only wrap a whole field",
            trace.display()
        )
    );
    // A quote that wraps a whole field is fine.
    std::fs::write(&trace, "at,rate\n0s,1 MB/s\n2h,\"3 MB/s\"\n").unwrap();
    let out = Command::cargo_bin("drsim")
        .unwrap()
        .arg("validate")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_negative_seed_on_the_command_line_gets_a_message() {
    let out = Command::cargo_bin("drsim")
        .unwrap()
        .args(["run", "--seed", "-1", "scenarios/quickstart.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: invalid value '-1' for '--seed <SEED>': seeds are non-negative; allowed: a whole number from 0 to 18,446,744,073,709,551,615"),
        "{stderr}"
    );
}
