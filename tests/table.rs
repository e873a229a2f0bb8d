//! The terminal table: every VM of a small estate; families and the worst VMs of a large one.

use drsim::report::{self, Report, Stamp};
use drsim::run::{run, RunSpec};

fn table(text: &str) -> String {
    let scenario = drsim::scenario::from_text(text, "t.toml".as_ref()).unwrap();
    let out = run(RunSpec::new(&scenario).keep_series(false)).unwrap();
    let stamp = Stamp::new(&scenario, out.seed);
    let report = Report::new(&scenario, &stamp, &out);
    String::from_utf8(report::to_bytes(&report::TerminalTable, &report)).unwrap()
}

#[test]
fn a_small_estate_lists_every_vm() {
    let text = drsim::generated::canonical::scenario_toml(20, 1, 1.5, "off");
    let t = table(&text);
    assert!(!t.contains("family"), "{t}");
    assert_eq!(t.lines().filter(|l| l.starts_with('w')).count(), 20, "{t}");
}

#[test]
fn a_large_estate_shows_its_families_and_worst_vms() {
    // 7 families (w0..w6) of 60 VMs; the link is short of the churn, so VMs differ.
    let text = drsim::generated::canonical::scenario_toml(60, 1, 0.9, "off");
    let t = table(&text);
    let families: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.starts_with("family"))
        .skip(1)
        .take_while(|l| !l.starts_with('('))
        .collect();
    assert_eq!(families.len(), 7, "{t}");
    assert!(families[0].starts_with("w0 "), "{t}");
    // The family rows count their VMs: 9, 9, 9, 9, 8, 8 and 8.
    let counts: usize = families
        .iter()
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(counts, 60, "{t}");
    let vm_rows: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.starts_with("vm "))
        .skip(1)
        .take_while(|l| !l.starts_with('('))
        .collect();
    assert_eq!(vm_rows.len(), 10, "{t}");
    assert!(
        t.contains("(the 10 worst of 60 VMs by longest time over target RPO"),
        "{t}"
    );
    // The worst first: the ten VMs with the longest time over target, from the results.
    let scenario = drsim::scenario::from_text(&text, "t.toml".as_ref()).unwrap();
    let result = run(RunSpec::new(&scenario).keep_series(false))
        .unwrap()
        .result;
    let mut longest: Vec<(f64, &str)> = result
        .vms
        .iter()
        .map(|v| (v.rpo.longest_violation_s, v.name.as_str()))
        .collect();
    longest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let cutoff = longest[9].0;
    for row in &vm_rows {
        let name = row.split_whitespace().next().unwrap();
        let v = result.vms.iter().find(|v| v.name == name).unwrap();
        assert!(v.rpo.longest_violation_s >= cutoff, "{name}\n{t}");
    }
    assert!(cutoff > longest[59].0, "the VMs differ: the test can tell");
}
