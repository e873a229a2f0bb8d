//! Teaching: `drsim explain` (its text for the teaching scenario is pinned) and `drsim states`
//! in every format (every state and every row of the transition table, and the README's
//! diagram equal to the generated one).

use assert_cmd::Command;
use drsim::replication::{self, StateKind, TRANSITIONS};
use drsim::run::{run, RunSpec};

const TEACHING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/teaching-one-vm.toml"
);
const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/snapshots/explain-teaching-one-vm.txt"
);

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

fn explain_text() -> String {
    let scenario = drsim::scenario::load_with(TEACHING.as_ref(), &[]).unwrap();
    let vm = drsim::teach::find_vm(&scenario, Some("app01")).unwrap();
    let out = run(RunSpec::new(&scenario)).unwrap();
    drsim::teach::explain(&scenario, &out, vm)
}

/// The explanation of the teaching scenario is pinned. After a deliberate change, rewrite the
/// snapshot with `UPDATE_SNAPSHOTS=1 cargo test --test teach` and review its diff.
#[test]
fn explain_of_the_teaching_scenario_is_pinned() {
    let text = explain_text();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &text).unwrap();
    }
    let pinned = std::fs::read_to_string(SNAPSHOT).unwrap();
    assert!(
        text == pinned,
        "the explanation changed; if that is meant, run UPDATE_SNAPSHOTS=1 cargo test --test teach. Now:\n{text}"
    );
    // What the story must tell, whatever its wording.
    for needle in [
        "Mon 08:00  unprotected -> enabling-protection",
        "-> initial-replication",
        "initial-replication -> finalizing-protection",
        "finalizing-protection -> protected",
        "a transfer failed (network error: link internet is down)",
        "protected -> resync-required: the pending log reached 50% of the VM's 100.00 GiB (the 50% rule)",
        "resync waits for the off-peak window",
        "Tue 18:00  resync-required -> resynchronizing",
        "resynchronizing -> protected",
        "Wed 20:00 failover: shutting down the source (2m)",
        "Wed 20:02  protected -> failing-over: a planned failover",
        "failing-over -> failed-over",
        "rule: protected --log-threshold-reached--> resync-required",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn explain_on_the_command_line_prints_the_same_text_and_defaults_to_the_first_vm() {
    let out = drsim().args(["explain", TEACHING]).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout, explain_text());
    let named = drsim()
        .args(["explain", TEACHING, "--vm", "app01"])
        .assert()
        .success();
    assert_eq!(named.get_output().stdout, out.get_output().stdout);
}

#[test]
fn explain_refuses_an_unknown_vm_and_lists_the_names() {
    let out = drsim()
        .args(["explain", TEACHING, "--vm", "nope"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("no VM named \"nope\""), "{stderr}");
    assert!(stderr.contains("app01"), "{stderr}");
    assert!(out.get_output().stdout.is_empty());
    // A bad file is bad input too, not a panic.
    drsim()
        .args(["explain", "no-such-file.toml"])
        .assert()
        .code(2);
}

#[test]
fn explain_narrates_every_state_change_of_a_bigger_run() {
    // Every VM of a scenario with faults, failovers and plans: one paragraph per state line
    // of the event log, and no row left unfound.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/hyperv-site-to-azure.toml"
    );
    let scenario = drsim::scenario::load_with(path.as_ref(), &[]).unwrap();
    let out = run(RunSpec::new(&scenario).keep_series(false)).unwrap();
    for vm in 0..scenario.vms.len() {
        let text = drsim::teach::explain(&scenario, &out, vm);
        let changes = out
            .log
            .events()
            .filter(|e| e.vm() == Some(vm) && e.kind == drsim::sim::EventKind::State)
            .count();
        assert!(text.matches("rule").count() >= changes, "{text}");
        assert!(!text.contains("none of the table's rows"), "{text}");
    }
    // Out of range is a note, not a panic.
    assert!(drsim::teach::explain(&scenario, &out, 10_000).starts_with("no VM number"));
}

fn state_id(s: StateKind) -> String {
    s.name().replace('-', "_")
}

#[test]
fn mermaid_lists_every_state_and_every_transition() {
    let out = drsim()
        .args(["states", "--format", "mermaid"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(text, replication::state_machine_mermaid());
    assert!(text.starts_with("stateDiagram-v2\n"));
    for s in StateKind::ALL {
        assert!(text.contains(&state_id(s)), "{} missing", s.name());
    }
    let edges: Vec<&str> = text.lines().filter(|l| l.contains(" --> ")).collect();
    assert_eq!(
        edges.len(),
        TRANSITIONS.len() + 1,
        "one edge per row, and [*]"
    );
    for (t, line) in TRANSITIONS.iter().zip(&edges[1..]) {
        let guard = t.guard_text();
        let want = format!(
            "    {} --> {}: {}{}",
            state_id(t.from),
            state_id(t.to),
            t.input.name(),
            if guard.is_empty() {
                String::new()
            } else {
                format!(" [{guard}]")
            }
        );
        assert_eq!(*line, want);
    }
    // The Markdown page embeds the same diagram.
    assert!(replication::state_machine_markdown().contains(&text));
}

#[test]
fn dot_lists_every_state_and_every_transition() {
    let out = drsim()
        .args(["states", "--format", "dot"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(text, replication::state_machine_dot());
    assert!(text.contains("digraph replication {") && text.trim_end().ends_with('}'));
    for s in StateKind::ALL {
        assert!(
            text.contains(&format!("    \"{}\";\n", s.name())),
            "{} missing",
            s.name()
        );
    }
    let edges: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" -> ") && l.contains("[label="))
        .collect();
    assert_eq!(edges.len(), TRANSITIONS.len());
    for (t, line) in TRANSITIONS.iter().zip(&edges) {
        let guard = t.guard_text();
        let label = if guard.is_empty() {
            t.input.name().to_string()
        } else {
            format!("{}\\n[{guard}]", t.input.name())
        };
        assert_eq!(
            *line,
            format!(
                "    \"{}\" -> \"{}\" [label=\"{label}\"];",
                t.from.name(),
                t.to.name()
            )
        );
    }
    // The default is still the Markdown page.
    let md = drsim().arg("states").assert().success();
    assert_eq!(
        String::from_utf8(md.get_output().stdout.clone()).unwrap(),
        replication::state_machine_markdown()
    );
    drsim().args(["states", "--format", "svg"]).assert().code(2);
}

#[test]
fn readme_embeds_the_generated_mermaid_diagram() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md has a ```mermaid block");
    assert!(
        block == replication::state_machine_mermaid(),
        "README.md's mermaid block is stale: replace it with `drsim states --format mermaid`"
    );
}
