//! `sum` profiles and work-hours bursts in scenario files (issue 14 item 8): accepted, used by
//! a run, and each error checked by its text.

use drsim::model::workload::{BurstHours, WorkloadSpec};
use drsim::units::ByteRate;
use std::path::Path;

mod common;
use common::{errors, line_of};

const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");

/// Quickstart with `profiles` in place of its one profile, and app01's churn `churn`.
fn with_profiles(profiles: &str, churn: &str) -> String {
    let old = "[[profiles]]\nname = \"office-app\"\nkind = \"office-hours\"           # peak during the calendar's work hours (Mon-Fri 08:00-18:00)\npeak = \"4 MB/s\"\nbase = \"200 kB/s\"\n";
    assert!(QUICKSTART.contains(old));
    QUICKSTART
        .replace(old, profiles)
        .replace("churn = \"office-app\"", &format!("churn = \"{churn}\""))
}

const SQL: &str = r#"[[profiles]]
name = "sql"
kind = "sum"
parts = ["sql-base", "sql-jobs", "50 kB/s"]

[[profiles]]
name = "sql-base"
kind = "office-hours"
peak = "2 MB/s"
base = "200 kB/s"

[[profiles]]
name = "sql-jobs"
kind = "bursts"
base = "0 B/s"
burst_rate = "60 MB/s"
mean_gap = "20m"
burst_size_median = "2 GB"
hours = "work"
"#;

#[test]
fn a_sum_names_profiles_defined_before_or_after_it_and_rates() {
    let text = with_profiles(SQL, "sql");
    let sc = drsim::scenario::from_text(&text, Path::new("ok.toml")).unwrap();
    let app = sc.vms.iter().find(|v| v.name == "app01").unwrap();
    let WorkloadSpec::Sum { parts } = &app.disks[0].workload else {
        panic!("{:?}", app.disks[0].workload)
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(
        parts[0],
        WorkloadSpec::OfficeHours {
            peak: ByteRate::from_bytes_per_s(2_000_000),
            base: ByteRate::from_bytes_per_s(200_000),
        }
    );
    assert!(matches!(
        parts[1],
        WorkloadSpec::Bursts {
            hours: BurstHours::Work,
            ..
        }
    ));
    assert_eq!(
        parts[2],
        WorkloadSpec::Constant {
            rate: ByteRate::from_bytes_per_s(50_000)
        }
    );
    // Its peak: 2 MB/s + 60 MB/s + 50 kB/s, the parts' peaks added up.
    assert_eq!(
        app.disks[0].workload.max_rate(),
        ByteRate::from_bytes_per_s(62_050_000)
    );
}

#[test]
fn bursts_hours_default_to_always() {
    let text = with_profiles(&SQL.replace("hours = \"work\"\n", ""), "sql-jobs");
    let sc = drsim::scenario::from_text(&text, Path::new("ok.toml")).unwrap();
    let app = sc.vms.iter().find(|v| v.name == "app01").unwrap();
    assert!(matches!(
        app.disks[0].workload,
        WorkloadSpec::Bursts {
            hours: BurstHours::Always,
            ..
        }
    ));
}

#[test]
fn unknown_hours_lists_the_two_words() {
    let text = with_profiles(&SQL.replace("\"work\"", "\"nights\""), "sql");
    let line = line_of(&text, "hours = \"nights\"");
    assert_eq!(
        errors(&text),
        format!("error: bad.toml:{line}:9: profiles[2].hours: unknown hours \"nights\"\n  allowed: \"always\" (the default: bursts at any hour) or \"work\" (bursts only in the calendar's work hours, the base rate otherwise)")
    );
}

#[test]
fn a_part_that_is_a_sum_an_import_or_unknown_is_an_error() {
    let allowed = "  allowed: profile names of kind constant, office-hours, bursts or trace, or constant rates such as \"2 MB/s\"";
    let text = with_profiles(
        &format!("{SQL}\n[[profiles]]\nname = \"outer\"\nkind = \"sum\"\nparts = [\"sql\", \"sql-jobz\"]\n"),
        "outer",
    );
    let line = line_of(&text, "parts = [\"sql\", \"sql-jobz\"]");
    assert_eq!(
        errors(&text),
        format!(
            "error: bad.toml:{line}:10: profiles[3].parts[0]: \"sql\" is itself a sum; a sum's parts are not sums\n{allowed}\nerror: bad.toml:{line}:17: profiles[3].parts[1]: \"sql-jobz\" is neither a profile name nor a rate\n{allowed}"
        )
    );
}

#[test]
fn an_empty_sum_and_parts_on_another_kind_are_errors() {
    let text = with_profiles(
        &SQL.replace(
            "parts = [\"sql-base\", \"sql-jobs\", \"50 kB/s\"]",
            "parts = []",
        ),
        "sql",
    );
    let line = line_of(&text, "name = \"sql\"");
    assert_eq!(
        errors(&text),
        format!("error: bad.toml:{line}:8: profiles[0].parts: an empty sum\n  allowed: one or more parts: profile names of kind constant, office-hours, bursts or trace, or constant rates such as \"2 MB/s\"")
    );
    let text = with_profiles(
        &SQL.replace(
            "peak = \"2 MB/s\"",
            "peak = \"2 MB/s\"\nparts = [\"sql-jobs\"]",
        ),
        "sql",
    );
    let line = line_of(&text, "kind = \"office-hours\"");
    assert_eq!(
        errors(&text),
        format!("error: bad.toml:{line}:8: profiles[1].parts: does not apply to kind \"office-hours\"\n  allowed: for office-hours: peak, base")
    );
}

#[test]
fn a_sum_runs_and_the_vm_writes_what_its_parts_write() {
    // app01 on its office-hours profile alone, then on a sum of it and a constant 1 MB/s.
    // Its writes count from the end of the 2-minute Enable job (08:02) to the end of the
    // 1-day run: the sum adds 1 MB/s * 86,280 s = 86.28 GB, to the byte.
    let written = |profiles: &str, churn: &str| {
        let (result, _) = common::run(&with_profiles(profiles, churn));
        result
            .vms
            .iter()
            .find(|v| v.name == "app01")
            .unwrap()
            .bytes_written
    };
    let profiles = format!(
        "{SQL}\n[[profiles]]\nname = \"plus\"\nkind = \"sum\"\nparts = [\"sql-base\", \"1 MB/s\"]\n"
    );
    let alone = written(&profiles, "sql-base");
    // 9 h 58 min at 2 MB/s (to 18:00) and 14 h at 200 kB/s (to Tuesday 08:00).
    assert_eq!(
        alone,
        (9 * 3600 + 58 * 60) * 2_000_000 + 14 * 3600 * 200_000
    );
    assert_eq!(written(&profiles, "plus"), alone + 86_280 * 1_000_000);
}
