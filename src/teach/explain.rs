//! `drsim explain`: one VM's run told as a story. Every state change of the VM's event log
//! becomes a paragraph: when (the scenario's calendar), what changed, why (the events logged
//! at the same instant: the job that ended, the order given, the resync's cause) and the
//! rule that applied (the transition table's row, its guard and its note). What happened
//! between state changes (transfer failures and their retries, health changes, jobs, faults)
//! is told under the paragraph it follows. Deterministic: the text depends on the run only.

use crate::engine::Time;
use crate::model::{ResyncBasis, Scenario};
use crate::replication::{InputKind, StateKind, Transition, TRANSITIONS};
use crate::report::{Exporter, Report};
use crate::run::RunOutput;
use crate::sim::{EventKind, EventRecord, Mark, ResyncCause, ResyncRecord};
use crate::units::{Bytes, Millis};
use std::fmt::{self, Write as _};

/// Where a paragraph's continuation lines start: under the text after the time.
const INDENT: &str = "           ";

/// A `--vm` that names no VM of the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVm {
    pub name: String,
    pub known: Vec<String>,
}

impl fmt::Display for UnknownVm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 30;
        write!(f, "no VM named \"{}\"; the scenario's VMs: ", self.name)?;
        let names: Vec<&str> = self.known.iter().take(SHOWN).map(String::as_str).collect();
        f.write_str(&names.join(", "))?;
        if self.known.len() > SHOWN {
            write!(f, ", ... ({} in all)", self.known.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownVm {}

/// The index of the VM named `name` (the first VM when `None`).
pub fn find_vm(scenario: &Scenario, name: Option<&str>) -> Result<usize, UnknownVm> {
    let unknown = |name: &str| UnknownVm {
        name: name.to_string(),
        known: scenario.vms.iter().map(|v| v.name.clone()).collect(),
    };
    match name {
        None if scenario.vms.is_empty() => Err(unknown("")),
        None => Ok(0),
        Some(n) => scenario
            .vms
            .iter()
            .position(|v| v.name == n)
            .ok_or_else(|| unknown(n)),
    }
}

/// The explanation of VM `vm` as an exporter (`explain-<vm>.txt`), for callers that write
/// files; `drsim explain` prints [`explain`]'s text.
pub struct Explain {
    pub vm: usize,
}

impl Exporter for Explain {
    fn file_name(&self) -> &'static str {
        "explain.txt"
    }

    fn export(&self, report: &Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(explain(report.scenario, report.run, self.vm).as_bytes())
    }
}

/// The story of VM `vm` (an index into `scenario.vms`; one out of range gets a one-line
/// note, never a panic) in the run `run` of `scenario`.
pub fn explain(scenario: &Scenario, run: &RunOutput, vm: usize) -> String {
    let (Some(spec), Some(result)) = (scenario.vms.get(vm), run.result.vms.get(vm)) else {
        return format!("no VM number {vm} in scenario \"{}\"\n", scenario.name);
    };
    let n = Narrator {
        scenario,
        run,
        vm,
        long: scenario.horizon > 7 * 86_400_000,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: what the replication state machine did with VM {} ({} of {} VMs; {}, seed {})",
        scenario.name,
        spec.name,
        vm + 1,
        scenario.vms.len(),
        scenario.topology.name(),
        run.seed
    );
    let _ = writeln!(
        out,
        "{} disk(s), {} virtual, {} used; from {} to {} (local time).\n\
         Each paragraph is one state change: when, what changed and why, then the rule of the\n\
         transition table that applied (`drsim states` lists them all); what happened until the\n\
         next change is indented below it.",
        result.disks,
        Bytes(result.virtual_size_bytes),
        Bytes(result.used_size_bytes),
        n.when_long(0),
        n.when_long(run.halted_at.unwrap_or(scenario.horizon)),
    );
    // The VM's own lines, and its link's outages and degradations (what its transfers met).
    let host = &scenario.hosts[spec.host];
    let link = scenario.sites[host.site].link;
    let events: Vec<EventRecord<'_>> = run
        .log
        .events()
        .filter(|e| e.vm() == Some(vm) || (e.link().is_some() && e.link() == link))
        .collect();
    let mut state = StateKind::Unprotected;
    let mut i = 0;
    while i < events.len() {
        let at = events[i].at;
        let mut j = i;
        while j < events.len() && events[j].at == at {
            j += 1;
        }
        let cluster = &events[i..j];
        if cluster.iter().any(|e| e.kind == EventKind::State) {
            n.state_change(&mut out, cluster, &mut state);
            i = j;
        } else if is_failure(cluster) {
            // A run of failed attempts and their retry waits, told as one.
            let mut k = j;
            let mut attempts = vec![cluster];
            loop {
                let mut l = k;
                while l < events.len() && events[l].at == events.get(k).map_or(0, |e| e.at) {
                    l += 1;
                }
                if l == k || !is_failure(&events[k..l]) {
                    break;
                }
                attempts.push(&events[k..l]);
                k = l;
            }
            n.failures(&mut out, &attempts, state);
            i = k;
        } else {
            for e in cluster {
                n.side_event(&mut out, e, at);
            }
            i = j;
        }
    }
    let end = run.halted_at.unwrap_or(scenario.horizon);
    let _ = writeln!(
        out,
        "\n{}  the run ends: {} is {}, health {}; {} resync(s), {} transfer failure(s), {} retries;\n\
         {INDENT}RPO {} on average, {} at worst, {:.1}% of the protected time within the {} target.",
        n.when(end),
        spec.name,
        result.state,
        result.health,
        result.resyncs.len(),
        result.transfer_failures,
        result.retries,
        seconds(result.rpo.mean_s),
        seconds(result.rpo.max_s),
        result.rpo.target_met_fraction.unwrap_or(0.0) * 100.0,
        Millis(result.target_rpo_ms),
    );
    out
}

/// A span rounded to the second (`57m16s`).
fn secs(ms: Time) -> String {
    Millis(ms.saturating_add(500) / 1000 * 1000).to_string()
}

fn seconds(s: Option<f64>) -> String {
    match s {
        Some(s) if s.is_finite() && s >= 0.0 => Millis(s.round() as u64 * 1000).to_string(),
        _ => "n/a".to_string(),
    }
}

/// A cluster of events at one instant that is only a failed transfer and what follows it.
fn is_failure(cluster: &[EventRecord<'_>]) -> bool {
    cluster.iter().any(|e| e.kind == EventKind::TransferFailed)
        && cluster.iter().all(|e| {
            matches!(
                e.kind,
                EventKind::TransferFailed
                    | EventKind::RetryWait
                    | EventKind::Health
                    | EventKind::Link
            )
        })
}

struct Narrator<'a> {
    scenario: &'a Scenario,
    run: &'a RunOutput,
    vm: usize,
    /// Runs over a week show the date too.
    long: bool,
}

impl Narrator<'_> {
    fn when(&self, t: Time) -> String {
        let dt = self.scenario.calendar.datetime(t);
        if self.long {
            dt.format("%a %d %b %H:%M").to_string()
        } else {
            dt.format("%a %H:%M").to_string()
        }
    }

    fn when_long(&self, t: Time) -> String {
        self.scenario
            .calendar
            .datetime(t)
            .format("%a %Y-%m-%d %H:%M")
            .to_string()
    }

    fn resync(&self, pick: impl Fn(&ResyncRecord) -> bool) -> Option<&ResyncRecord> {
        self.run.result.vms[self.vm]
            .resyncs
            .iter()
            .find(|r| pick(r))
    }

    /// One state change (or several at one instant) with its cause, its rule and what else
    /// was logged then.
    fn state_change(&self, out: &mut String, cluster: &[EventRecord<'_>], state: &mut StateKind) {
        let at = cluster[0].at;
        let mut first = true;
        for e in cluster {
            let (Mark::State(from), Mark::State(to)) = (e.from, e.to) else {
                continue;
            };
            if e.kind != EventKind::State {
                continue;
            }
            let rows = rows_for(from, to, cluster, e.detail);
            let cause = self.cause(from, to, &rows, cluster, e.detail, at);
            let head = if first {
                self.when(at)
            } else {
                " ".repeat(self.when(at).len())
            };
            first = false;
            let _ = writeln!(
                out,
                "\n{head}  {from} -> {to}: {cause}",
                from = from.name(),
                to = to.name()
            );
            match rows.as_slice() {
                [] => {
                    let _ = writeln!(
                        out,
                        "{INDENT}rule: none of the table's rows (a bug: please report it)"
                    );
                }
                [row] => {
                    let _ = writeln!(out, "{INDENT}rule: {}", rule(row));
                }
                many => {
                    let _ = writeln!(out, "{INDENT}rule, one of:");
                    for row in many {
                        let _ = writeln!(out, "{INDENT}  {}", rule(row));
                    }
                }
            }
            *state = to;
        }
        for e in cluster.iter().filter(|e| e.kind != EventKind::State) {
            if let Some(text) = self.side_text(e) {
                let _ = writeln!(out, "{INDENT}- {text}");
            }
        }
    }

    /// Why `from -> to` happened, in plain words.
    fn cause(
        &self,
        from: StateKind,
        to: StateKind,
        rows: &[&Transition],
        cluster: &[EventRecord<'_>],
        detail: &str,
        at: Time,
    ) -> String {
        let input = match rows {
            [row] => Some(row.input),
            _ => None,
        };
        let vm = &self.run.result.vms[self.vm];
        let job_took = || {
            self.run
                .log
                .jobs()
                .find(|j| j.vm == self.vm && j.ended_at == Some(at))
                .map(|j| {
                    format!(
                        "the {} job {} after {}",
                        j.job,
                        j.outcome,
                        secs(at.saturating_sub(j.started_at))
                    )
                })
        };
        let text = match (input, from, to) {
            (Some(InputKind::EnableProtection), ..) => {
                "protection is enabled: the Enable protection job starts".to_string()
            }
            (Some(InputKind::AssumeProtected), ..) => {
                "the VM is protected and in sync when the run starts".to_string()
            }
            (Some(InputKind::JobSucceeded | InputKind::JobFailed), _, S::InitialReplication) => {
                format!(
                    "{}; initial replication starts: a snapshot is taken and the first of {} disk(s) ({} used of {}) is copied",
                    job_took().unwrap_or_else(|| "the job ended".into()),
                    vm.disks,
                    Bytes(vm.used_size_bytes),
                    Bytes(vm.virtual_size_bytes)
                )
            }
            (Some(InputKind::JobSucceeded | InputKind::JobFailed), _, S::Protected) => format!(
                "{}: the logs written during initial replication are merged, the first recovery point exists and a delta cycle will start every copy interval",
                job_took().unwrap_or_else(|| "the job ended".into())
            ),
            (Some(InputKind::JobSucceeded | InputKind::JobFailed), ..) => {
                job_took().unwrap_or_else(|| "the job ended".into())
            }
            (Some(InputKind::TransferDone), S::InitialReplication, S::FinalizingProtection) => {
                format!(
                    "the last disk is copied ({} after initial replication started); the snapshot is deleted and the logs written meanwhile are sent",
                    vm.initial_replication_ms.map_or("n/a".into(), secs)
                )
            }
            (Some(InputKind::TransferDone), S::Resynchronizing, S::Protected) => {
                match self.resync(|r| r.ended_at == Some(at)) {
                    Some(r) => format!(
                        "the resync is complete after {}: {} of differing blocks were sent; every old recovery point is deleted and the writes logged during the resync become the next one",
                        secs(at.saturating_sub(r.started_at.unwrap_or(at))),
                        Bytes(r.bytes_to_send)
                    ),
                    None => "the resync is complete".to_string(),
                }
            }
            (Some(InputKind::TransferDone), S::FailingOver, _) => {
                "the last changes arrived on the other side".to_string()
            }
            (Some(InputKind::LogThresholdReached), ..) => {
                match self.resync(|r| r.required_at == at) {
                    Some(ResyncRecord {
                        cause: ResyncCause::LogThreshold { ppm, basis },
                        ..
                    }) => {
                        let percent = f64::from(*ppm) / 10_000.0;
                        let of = match basis {
                            ResyncBasis::Vm => {
                                format!("the VM's {}", Bytes(vm.virtual_size_bytes))
                            }
                            ResyncBasis::Disk => "a disk's size".to_string(),
                        };
                        format!(
                            "the pending log reached {percent}% of {of} (the {percent}% rule): the VM is marked for resynchronization, health Critical, write tracking stops and the logs are dropped"
                        )
                    }
                    _ => format!("{detail} (the 50% rule)"),
                }
            }
            (Some(InputKind::StartResync), ..) => {
                match self.resync(|r| r.started_at == Some(at)) {
                    Some(r) => format!(
                        "the resync starts ({}): both copies are read and compared, {} on each side; {} of blocks differ and will be sent",
                        r.cause,
                        Bytes(r.bytes_compared),
                        Bytes(r.bytes_to_send)
                    ),
                    None => "the resync starts".to_string(),
                }
            }
            (Some(InputKind::HostCrashed), ..) => format!(
                "the host is back from a crash ({detail}): the logs of the writes before it cannot be trusted, so they are dropped and the VM must be brought in sync again"
            ),
            (Some(InputKind::PlannedFailover), ..) => {
                "a planned failover is ordered: the VM is shut down and its last changes are sent, so nothing is lost".to_string()
            }
            (Some(InputKind::UnplannedFailover), ..) => {
                "an unplanned failover is ordered: the VM starts on the other side from a recovery point; later writes are lost".to_string()
            }
            (Some(k), ..) => format!("input {}", k.name()),
            (None, ..) => {
                if detail.is_empty() {
                    "one of the rows below".to_string()
                } else {
                    detail.to_string()
                }
            }
        };
        // The state line's own detail says what the table cannot (an error's message).
        let extra = cluster
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Fault | EventKind::Admin | EventKind::Site
                )
            })
            .map(|e| format!("; {}: {}", e.kind, e.detail))
            .collect::<String>();
        format!("{text}{extra}")
    }

    /// A failed transfer and its retries, told as one paragraph.
    fn failures(&self, out: &mut String, attempts: &[&[EventRecord<'_>]], state: StateKind) {
        let first = attempts[0];
        let at = first[0].at;
        let why = first
            .iter()
            .find(|e| e.kind == EventKind::TransferFailed)
            .map_or("", |e| e.detail);
        let _ = writeln!(
            out,
            "\n{}  {}: a transfer failed ({why}); the VM stays {} and waits out the retry back-off",
            self.when(at),
            state.name(),
            state.name()
        );
        let row = TRANSITIONS
            .iter()
            .find(|t| t.from == state && t.to == state && t.input == InputKind::TransferFailed);
        if let Some(row) = row {
            let _ = writeln!(out, "{INDENT}rule: {}", rule(row));
        }
        let waits: Vec<&str> = attempts
            .iter()
            .flat_map(|c| c.iter())
            .filter(|e| e.kind == EventKind::RetryWait)
            .map(|e| e.detail.rsplit(" in ").next().unwrap_or(e.detail))
            .collect();
        if attempts.len() > 1 {
            let last = attempts[attempts.len() - 1][0].at;
            let _ = writeln!(
                out,
                "{INDENT}- {} more attempt(s) failed, the last at {} (retry waits: {})",
                attempts.len() - 1,
                self.when(last),
                compress(&waits)
            );
        } else if !waits.is_empty() {
            let _ = writeln!(out, "{INDENT}- retry in {}", compress(&waits));
        }
        if let Some(row) = TRANSITIONS
            .iter()
            .find(|t| t.from == state && t.to == state && t.input == InputKind::RetryTimer)
        {
            let _ = writeln!(out, "{INDENT}  at each retry: {}", rule(row));
        }
        for e in attempts.iter().flat_map(|c| c.iter()) {
            if e.kind == EventKind::Health {
                if let Some(text) = self.side_text(e) {
                    let _ = writeln!(out, "{INDENT}- {} {text}", self.when(e.at));
                }
            }
        }
    }

    /// An event outside a state change, as its own line.
    fn side_event(&self, out: &mut String, e: &EventRecord<'_>, at: Time) {
        if let Some(text) = self.side_text(e) {
            let _ = writeln!(out, "{INDENT}- {} {text}", self.when(at));
        }
    }

    fn side_text(&self, e: &EventRecord<'_>) -> Option<String> {
        let d = e.detail;
        Some(match e.kind {
            EventKind::State => return None,
            EventKind::Health => {
                if e.from == e.to {
                    format!("health stays {}: {}", e.to, d)
                } else if d.is_empty() {
                    format!("health {} -> {}", e.from, e.to)
                } else {
                    format!("health {} -> {}: {d}", e.from, e.to)
                }
            }
            EventKind::JobStart => format!("job started: {d}"),
            EventKind::JobEnd => format!("job ended: {d}"),
            EventKind::RetryWait => format!("retry wait: {d}"),
            EventKind::TransferFailed => format!("transfer failed: {d}"),
            EventKind::Refused => format!("refused: {d}"),
            EventKind::Resync
            | EventKind::Fault
            | EventKind::Admin
            | EventKind::Site
            | EventKind::Failover
            | EventKind::Operation
            | EventKind::Alert => format!("{}: {d}", e.kind),
            // Their details read on their own.
            EventKind::DiskCopied
            | EventKind::RetrySucceeded
            | EventKind::ChecksumsCompared
            | EventKind::Link => d.to_string(),
        })
    }
}

use StateKind as S;

/// The table's rows from `from` to `to`, narrowed by what was logged at the same instant
/// when several fit.
fn rows_for(
    from: StateKind,
    to: StateKind,
    cluster: &[EventRecord<'_>],
    detail: &str,
) -> Vec<&'static Transition> {
    let rows: Vec<&Transition> = TRANSITIONS
        .iter()
        .filter(|t| t.from == from && t.to == to)
        .collect();
    if rows.len() < 2 {
        return rows;
    }
    let hinted = |k: InputKind| -> bool {
        cluster.iter().any(|e| match e.kind {
            EventKind::Operation | EventKind::Admin => e.detail.starts_with(k.name()),
            EventKind::JobEnd => match k {
                InputKind::JobSucceeded => e.detail.ends_with("succeeded"),
                InputKind::JobFailed => e.detail.ends_with("failed"),
                _ => false,
            },
            EventKind::Fault => k == InputKind::NonRecoverableError,
            _ => false,
        }) || match k {
            InputKind::LogThresholdReached => detail.starts_with("pending log reached"),
            InputKind::LogWriteFailed => detail.starts_with("log write failure"),
            InputKind::HostCrashed => detail.starts_with("host crash"),
            _ => false,
        }
    };
    let by_hint: Vec<&Transition> = rows.iter().copied().filter(|t| hinted(t.input)).collect();
    if !by_hint.is_empty() {
        return by_hint;
    }
    // Nothing ordered at that instant: the machine's own inputs, not an order's.
    let own: Vec<&Transition> = rows
        .iter()
        .copied()
        .filter(|t| !is_order(t.input))
        .collect();
    if own.is_empty() {
        rows
    } else {
        own
    }
}

/// Inputs that come from an order (a failover, an administrator), which the log records.
fn is_order(k: InputKind) -> bool {
    use InputKind as I;
    matches!(
        k,
        I::Pause
            | I::Resume
            | I::CancelResync
            | I::Repair
            | I::TestFailover
            | I::Cleanup
            | I::PlannedFailover
            | I::UnplannedFailover
            | I::ChangePoint
            | I::Commit
            | I::ReverseReplicate
            | I::Failback
            | I::NonRecoverableError
    )
}

/// A row as the explanation cites it.
fn rule(t: &Transition) -> String {
    let guard = match t.guard_text() {
        g if g.is_empty() => g,
        g => format!(" [{g}]"),
    };
    format!(
        "{} --{}{guard}--> {}: {}",
        t.from.name(),
        t.input.name(),
        t.to.name(),
        t.note
    )
}

/// `1m, 2m, 30m, 30m, 30m` as `1m, 2m, 30m x3`.
fn compress(items: &[&str]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let mut j = i;
        while j < items.len() && items[j] == items[i] {
            j += 1;
        }
        parts.push(if j - i > 1 {
            format!("{} x{}", items[i], j - i)
        } else {
            items[i].to_string()
        });
        i = j;
    }
    parts.join(", ")
}
