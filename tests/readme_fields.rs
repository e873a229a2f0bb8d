//! The README's field table (section "Scenario files") against the validator's own lists
//! (issue 14 point 15). The raw tables refuse unknown fields, and the error lists the fields
//! a table takes: an unknown field is put into every table of a complete scenario and the
//! list read from the error. Each of those fields must appear in the table's README row, and
//! a row must name no field the validator refuses, so the two cannot drift apart.
//!
//! The README convention the test reads: inside a row's code spans, field names are the
//! unquoted words (`name`, `outages = [{ start, duration }]`); values are quoted (`"pause"`),
//! booleans, or not plain words (`hyperv-to-azure`, `30s`).

use drsim::scenario::from_text;
use std::collections::BTreeSet;
use std::path::Path;

/// A scenario with every table and nested table once.
const COMPLETE: &str = r#"
[scenario]
name = "all"
topology = "hyperv-to-azure"
start = "2026-11-23T08:00"
duration = "1d"

[calendar]
work_days = ["mon"]

[[links]]
name = "wan"
capacity = "100 Mbps"
outages = [{ start = "1h", duration = "10m" }]
random_outages = { mtbf = "30d", mttr = "1h" }
degradations = [{ start = "2h", duration = "10m", capacity = "50%" }]

[[policies]]
name = "p"

[[sites]]
name = "s"

[[hosts]]
name = "h"

[[profiles]]
name = "c"
kind = "constant"
rate = "1 MB/s"

[[vms]]
name = "vm"
churn = "c"
disks = [{ size = "10 GB", used = "1 GB" }]

[[faults]]
kind = "volume-full"
host = "h"
at = "3h"

[[actions]]
at = "4h"
vm = "vm"
action = "pause"

[[recovery_plans]]
name = "plan"
before = [{ script = "b", duration = "1m" }]
groups = [{ vms = ["vm"], after = [{ manual = "a", wait = "1m" }] }]

[[site_events]]
site = "s"
down_at = "20h"

[[failovers]]
at = "5h"
kind = "test"
plan = "plan"
"#;

const UNKNOWN: &str = "zzz_unknown = 1";

/// Each table of the file: its path, the README row it belongs to, and `COMPLETE` with the
/// unknown field put into it.
fn tables() -> Vec<(&'static str, &'static str, String)> {
    let after = |header: &str| COMPLETE.replacen(header, &format!("{header}\n{UNKNOWN}"), 1);
    let inline = |from: &str, to: &str| {
        assert!(COMPLETE.contains(from), "{from}");
        COMPLETE.replacen(from, to, 1)
    };
    vec![
        ("", "", format!("{UNKNOWN}\n{COMPLETE}")),
        ("scenario", "[scenario]", after("[scenario]")),
        ("calendar", "[calendar]", after("[calendar]")),
        ("links", "[[links]]", after("[[links]]")),
        (
            "links.outages",
            "[[links]]",
            inline(
                "duration = \"10m\" }]\nrandom",
                "duration = \"10m\", zzz_unknown = 1 }]\nrandom",
            ),
        ),
        (
            "links.random_outages",
            "[[links]]",
            inline("mttr = \"1h\" }", "mttr = \"1h\", zzz_unknown = 1 }"),
        ),
        (
            "links.degradations",
            "[[links]]",
            inline(
                "capacity = \"50%\" }",
                "capacity = \"50%\", zzz_unknown = 1 }",
            ),
        ),
        ("policies", "[[policies]]", after("[[policies]]")),
        ("sites", "[[sites]]", after("[[sites]]")),
        ("hosts", "[[hosts]]", after("[[hosts]]")),
        ("profiles", "[[profiles]]", after("[[profiles]]")),
        ("vms", "[[vms]]", after("[[vms]]")),
        (
            "vms.disks",
            "[[vms]]",
            inline("used = \"1 GB\" }", "used = \"1 GB\", zzz_unknown = 1 }"),
        ),
        ("faults", "[[faults]]", after("[[faults]]")),
        ("actions", "[[actions]]", after("[[actions]]")),
        (
            "recovery_plans",
            "[[recovery_plans]]",
            after("[[recovery_plans]]"),
        ),
        (
            "recovery_plans.before",
            "[[recovery_plans]]",
            inline(
                "duration = \"1m\" }",
                "duration = \"1m\", zzz_unknown = 1 }",
            ),
        ),
        (
            "recovery_plans.groups",
            "[[recovery_plans]]",
            inline("vms = [\"vm\"],", "vms = [\"vm\"], zzz_unknown = 1,"),
        ),
        (
            "recovery_plans.groups.after",
            "[[recovery_plans]]",
            inline("wait = \"1m\" }", "wait = \"1m\", zzz_unknown = 1 }"),
        ),
        ("site_events", "[[site_events]]", after("[[site_events]]")),
        ("failovers", "[[failovers]]", after("[[failovers]]")),
    ]
}

/// The fields the validator allows where `text` has the unknown field, read from its error.
fn allowed(path: &str, text: &str) -> BTreeSet<String> {
    let errors = from_text(text, Path::new("all.toml"))
        .expect_err("the unknown field is refused")
        .0;
    let e = errors
        .iter()
        .find(|e| e.problem.contains("zzz_unknown"))
        .unwrap_or_else(|| panic!("{path}: no error names the unknown field: {errors:?}"));
    let list = e
        .allowed
        .as_ref()
        .unwrap_or_else(|| panic!("{path}: no allowed list"));
    // serde's words: "a", "a or b", "a, b, c".
    list.replace(" or ", ", ")
        .split(", ")
        .map(str::to_string)
        .collect()
}

/// The README's field table: each row's first cell (`[[links]]`) and its field names.
fn readme_rows() -> Vec<(String, BTreeSet<String>)> {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let table = readme
        .split("\n| table | fields |\n|---|---|\n")
        .nth(1)
        .expect("the README has the field table");
    table
        .lines()
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').splitn(2, '|').collect();
            let key = cells[0].trim().trim_matches('`').to_string();
            (key, field_words(cells[1]))
        })
        .collect()
}

/// The unquoted plain words inside the code spans of `cell`.
fn field_words(cell: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for span in cell.split('`').skip(1).step_by(2) {
        // Drop quoted values, then split at what separates names in `x = [{ a, b }]`.
        let unquoted: String = span.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        for word in unquoted.split(|c: char| c.is_whitespace() || ",[]{}=()".contains(c)) {
            let plain = word.starts_with(|c: char| c.is_ascii_lowercase())
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            // TOML's own values, `fails = true`, are no names.
            if plain && word != "true" && word != "false" {
                out.insert(word.to_string());
            }
        }
    }
    out
}

#[test]
fn the_complete_scenario_is_valid() {
    // Otherwise an error of its own could hide the unknown field's.
    if let Err(e) = from_text(COMPLETE, Path::new("all.toml")) {
        panic!("{e}");
    }
}

#[test]
fn every_table_the_validator_reads_has_a_readme_row_and_no_row_is_unknown() {
    let (_, _, top) = &tables()[0];
    let files_tables = allowed("top level", top);
    let rows: BTreeSet<String> = readme_rows()
        .into_iter()
        .map(|(key, _)| key.trim_matches(['[', ']']).to_string())
        .collect();
    assert_eq!(rows, files_tables, "README rows against the file's tables");
    // Each table is also probed below: a new table needs its line in `tables()`.
    let probed: BTreeSet<String> = tables()
        .iter()
        .filter(|(path, _, _)| !path.is_empty() && !path.contains('.'))
        .map(|(path, _, _)| path.to_string())
        .collect();
    assert_eq!(
        probed, files_tables,
        "tables probed against the file's tables"
    );
}

#[test]
fn every_row_names_exactly_the_fields_its_tables_take() {
    let rows = readme_rows();
    let mut per_row: Vec<(&str, BTreeSet<String>)> = Vec::new();
    for (path, row, text) in tables().iter().skip(1) {
        let fields = allowed(path, text);
        let (_, words) = rows
            .iter()
            .find(|(key, _)| key == row)
            .unwrap_or_else(|| panic!("no README row {row}"));
        let missing: Vec<&String> = fields.difference(words).collect();
        assert!(
            missing.is_empty(),
            "README row {row} does not name {path}'s fields {missing:?}"
        );
        match per_row.iter_mut().find(|(r, _)| r == row) {
            Some((_, all)) => all.extend(fields),
            None => per_row.push((row, fields)),
        }
    }
    for (row, words) in &rows {
        let taken = &per_row
            .iter()
            .find(|(r, _)| r == row)
            .unwrap_or_else(|| panic!("README row {row} is no table"))
            .1;
        let refused: Vec<&String> = words.difference(taken).collect();
        assert!(
            refused.is_empty(),
            "README row {row} names {refused:?}, which the validator refuses there (a value? quote it)"
        );
    }
}
