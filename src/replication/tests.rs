//! One test per transition of the table, plus refused inputs.

use super::*;
use std::collections::BTreeSet;

fn config(disks: u16, ir_scheduled: bool) -> Config {
    Config {
        disks,
        copy_interval_ms: 300_000,
        enable_job_ms: 120_000,
        finalize_job_ms: 60_000,
        ir_scheduled,
        first_tick_ms: 1_500,
        retry: RetryReading::Waits,
        protected_after_planned: false,
    }
}

/// Steps `m` and records the transition taken.
struct Driver {
    m: Replication,
    taken: BTreeSet<(StateKind, InputKind, StateKind)>,
}

impl Driver {
    fn new(c: Config) -> Self {
        Driver {
            m: Replication::new(c),
            taken: BTreeSet::new(),
        }
    }
    fn feed(&mut self, input: Input) -> Vec<Action> {
        let from = self.m.state().kind();
        let mut actions = vec![];
        let to = self
            .m
            .step(&input, &mut actions)
            .unwrap_or_else(|r| panic!("refused: {r}"));
        // The simulation's fixed action buffer holds every step's actions.
        assert!(actions.len() <= MAX_ACTIONS, "{input:?}: {actions:?}");
        self.taken.insert((from, input.kind(), to.kind()));
        actions
    }
}

fn to_protected(d: &mut Driver) {
    d.feed(Input::EnableProtection);
    d.feed(Input::JobSucceeded(Job::EnableProtection));
    for _ in 0..d.m.config().disks {
        d.feed(Input::TransferDone);
    }
    d.feed(Input::TransferDone);
    d.feed(Input::JobSucceeded(Job::FinalizeProtection));
}

#[test]
fn enable_to_protected_with_two_disks() {
    let mut d = Driver::new(config(2, false));
    assert_eq!(
        d.feed(Input::EnableProtection),
        vec![Action::StartJob {
            job: Job::EnableProtection,
            duration_ms: 120_000
        }]
    );
    assert_eq!(
        d.feed(Input::JobSucceeded(Job::EnableProtection)),
        vec![
            Action::StartInitialReplication,
            Action::CopyDisk { disk: 0 }
        ]
    );
    assert_eq!(d.m.state(), State::InitialReplication { disk: 0 });
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![Action::CopyDisk { disk: 1 }]
    );
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![
            Action::DeleteSnapshot,
            Action::CloseAndSendLog { cycle: false }
        ]
    );
    assert_eq!(
        d.m.state(),
        State::FinalizingProtection(FinalizeStep::SendingLog)
    );
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![Action::StartJob {
            job: Job::FinalizeProtection,
            duration_ms: 60_000
        }]
    );
    assert_eq!(
        d.feed(Input::JobSucceeded(Job::FinalizeProtection)),
        vec![
            Action::RecoveryPointCreated { cycle: false },
            Action::ScheduleTick { after_ms: 300_000 }
        ]
    );
    assert_eq!(d.m.state(), State::Protected { sending: false });
}

#[test]
fn delta_cycle_sends_then_misses_while_in_transit() {
    let mut d = Driver::new(config(1, false));
    to_protected(&mut d);
    let tick = Action::ScheduleTick { after_ms: 300_000 };
    assert_eq!(
        d.feed(Input::CycleTick),
        vec![Action::CloseAndSendLog { cycle: true }, tick.clone()]
    );
    assert_eq!(
        d.feed(Input::CycleTick),
        vec![Action::CycleMissed, tick.clone()]
    );
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![Action::RecoveryPointCreated { cycle: true }]
    );
    assert_eq!(
        d.feed(Input::CycleTick),
        vec![Action::CloseAndSendLog { cycle: true }, tick]
    );
}

#[test]
fn a_vm_protected_at_the_start_ticks_at_its_phase() {
    let mut d = Driver::new(config(1, false));
    assert_eq!(
        d.feed(Input::AssumeProtected),
        vec![
            Action::AssumeInSync,
            Action::ScheduleTick { after_ms: 1_500 }
        ]
    );
    assert_eq!(d.m.state(), State::Protected { sending: false });
    assert!(d.m.step(&Input::AssumeProtected, &mut vec![]).is_err());
    assert!(d.m.step(&Input::EnableProtection, &mut vec![]).is_err());
}

#[test]
fn failures_back_off_and_a_success_resets_the_schedule() {
    let mut d = Driver::new(config(1, false));
    to_protected(&mut d);
    d.feed(Input::CycleTick);
    let waits: Vec<Action> = (1..=3)
        .flat_map(|_| {
            let mut a = d.feed(Input::TransferFailed);
            assert!(d.m.retry_pending());
            // Nothing runs while waiting: a completion is refused, a tick is a missed cycle.
            assert!(d.m.step(&Input::TransferDone, &mut vec![]).is_err());
            assert!(d.m.step(&Input::TransferFailed, &mut vec![]).is_err());
            assert_eq!(d.feed(Input::CycleTick)[0], Action::CycleMissed);
            a.extend(d.feed(Input::RetryTimer));
            a
        })
        .collect();
    assert_eq!(
        waits,
        vec![
            Action::ScheduleRetry {
                attempt: 1,
                after_ms: 60_000
            },
            Action::ResumeTransfer,
            Action::ScheduleRetry {
                attempt: 2,
                after_ms: 120_000
            },
            Action::ResumeTransfer,
            Action::ScheduleRetry {
                attempt: 3,
                after_ms: 240_000
            },
            Action::ResumeTransfer,
        ]
    );
    d.feed(Input::TransferDone);
    d.feed(Input::CycleTick);
    assert_eq!(
        d.feed(Input::TransferFailed),
        vec![Action::ScheduleRetry {
            attempt: 1,
            after_ms: 60_000
        }],
        "a success resets the back-off"
    );
    // Idle VMs have nothing to fail or retry.
    let mut idle = Driver::new(config(1, false));
    to_protected(&mut idle);
    assert!(idle.m.step(&Input::TransferFailed, &mut vec![]).is_err());
    assert!(idle.m.step(&Input::RetryTimer, &mut vec![]).is_err());
}

#[test]
fn failed_enable_job_leaves_the_vm_unprotected() {
    let mut d = Driver::new(config(1, false));
    d.feed(Input::EnableProtection);
    let actions = d.feed(Input::JobFailed(
        Job::EnableProtection,
        JobFailure("OS disk over 300 GB".into()),
    ));
    assert!(actions.is_empty());
    assert_eq!(d.m.state(), State::Unprotected);
}

#[test]
fn scheduled_initial_replication_waits_for_its_start() {
    let mut d = Driver::new(config(1, true));
    d.feed(Input::EnableProtection);
    assert_eq!(
        d.feed(Input::JobSucceeded(Job::EnableProtection)),
        vec![Action::ScheduleInitialReplication]
    );
    assert_eq!(d.m.state(), State::InitialReplicationPending);
    assert_eq!(
        d.feed(Input::StartInitialReplication),
        vec![
            Action::StartInitialReplication,
            Action::CopyDisk { disk: 0 }
        ]
    );
}

#[test]
fn vm_without_disks_goes_straight_to_finalizing() {
    for scheduled in [false, true] {
        let mut d = Driver::new(config(0, scheduled));
        d.feed(Input::EnableProtection);
        d.feed(Input::JobSucceeded(Job::EnableProtection));
        if scheduled {
            d.feed(Input::StartInitialReplication);
        }
        assert_eq!(
            d.m.state(),
            State::FinalizingProtection(FinalizeStep::SendingLog)
        );
    }
}

#[test]
fn refused_inputs_change_nothing() {
    let mut m = Replication::new(config(1, false));
    let mut actions = vec![Action::CycleMissed];
    for input in [
        Input::CycleTick,
        Input::TransferDone,
        Input::JobSucceeded(Job::EnableProtection),
        Input::StartInitialReplication,
    ] {
        let err = m.step(&input, &mut actions).unwrap_err();
        assert_eq!(err.state, StateKind::Unprotected);
        assert_eq!(m.state(), State::Unprotected);
        assert_eq!(actions, vec![Action::CycleMissed], "buffer left as it was");
    }
    m.step(&Input::EnableProtection, &mut actions).unwrap();
    let err = m.step(&Input::EnableProtection, &mut actions).unwrap_err();
    assert_eq!(
        err.to_string(),
        "enable-protection is not allowed in state enabling-protection"
    );
    // A job outcome for the wrong job is refused too.
    assert!(m
        .step(&Input::JobSucceeded(Job::FinalizeProtection), &mut vec![])
        .is_err());
    // A transfer done while idle in protected is refused.
    let mut d = Driver::new(config(1, false));
    to_protected(&mut d);
    assert!(d.m.step(&Input::TransferDone, &mut vec![]).is_err());
}

#[test]
fn every_table_row_is_reachable_and_every_move_is_in_the_table() {
    let mut taken = BTreeSet::new();
    for (disks, scheduled) in [(0, false), (0, true), (1, true), (2, false)] {
        let mut d = Driver::new(config(disks, scheduled));
        d.feed(Input::EnableProtection);
        d.feed(Input::JobSucceeded(Job::EnableProtection));
        if scheduled {
            d.feed(Input::StartInitialReplication);
        }
        for _ in 0..disks {
            d.feed(Input::TransferDone);
        }
        d.feed(Input::TransferDone);
        d.feed(Input::JobSucceeded(Job::FinalizeProtection));
        d.feed(Input::CycleTick);
        d.feed(Input::CycleTick);
        d.feed(Input::TransferDone);
        taken.extend(d.taken);
    }
    let mut d = Driver::new(config(1, false));
    d.feed(Input::EnableProtection);
    d.feed(Input::JobFailed(
        Job::EnableProtection,
        JobFailure("x".into()),
    ));
    taken.extend(d.taken);

    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    taken.extend(d.taken);
    // Failures and retries in each transferring state.
    let mut d = Driver::new(config(1, false));
    d.feed(Input::EnableProtection);
    d.feed(Input::JobSucceeded(Job::EnableProtection));
    d.feed(Input::TransferFailed);
    d.feed(Input::RetryTimer);
    d.feed(Input::TransferDone);
    d.feed(Input::TransferFailed);
    d.feed(Input::RetryTimer);
    d.feed(Input::TransferDone);
    d.feed(Input::JobSucceeded(Job::FinalizeProtection));
    d.feed(Input::CycleTick);
    d.feed(Input::TransferFailed);
    d.feed(Input::RetryTimer);
    taken.extend(d.taken);

    // Trouble: pause, the 50% rule, log write failures, resync, errors and repairs.
    taken.extend(trouble_walks());
    taken.extend(failover_walks());

    let table: BTreeSet<_> = TRANSITIONS
        .iter()
        .map(|r| (r.from, r.input, r.to))
        .collect();
    assert_eq!(taken, table, "the table and the machine disagree");
    assert_eq!(
        table.len(),
        TRANSITIONS.len(),
        "duplicate rows in the table"
    );
}

/// Walks through every trouble transition; returns the moves taken.
fn trouble_walks() -> BTreeSet<(StateKind, InputKind, StateKind)> {
    let mut taken = BTreeSet::new();
    let protected = || {
        let mut d = Driver::new(config(1, false));
        d.feed(Input::AssumeProtected);
        d
    };
    let resyncing = |step: ResyncStep| {
        let mut d = protected();
        d.feed(Input::LogThresholdReached);
        d.feed(Input::StartResync);
        if step == ResyncStep::SendingBlocks {
            d.feed(Input::ChecksumsCompared);
        }
        d
    };
    for trigger in [
        Input::LogThresholdReached,
        Input::LogWriteFailed,
        Input::HostCrashed,
    ] {
        // From protected, paused, resynchronizing and a paused resync.
        let mut d = protected();
        d.feed(trigger.clone());
        let mut p = protected();
        p.feed(Input::Pause);
        p.feed(trigger.clone());
        let mut r = resyncing(ResyncStep::Comparing);
        r.feed(trigger.clone());
        let mut q = resyncing(ResyncStep::Comparing);
        q.feed(Input::Pause);
        q.feed(trigger.clone());
        for x in [d, p, r, q] {
            taken.extend(x.taken);
        }
    }
    // A log write failure or the 50% rule before protection: during IR and during
    // finalize, then IR again.
    for (transfers, trigger) in [0, 1]
        .into_iter()
        .flat_map(|n| [(n, Input::LogWriteFailed), (n, Input::LogThresholdReached)])
    {
        let mut d = Driver::new(config(1, false));
        d.feed(Input::EnableProtection);
        d.feed(Input::JobSucceeded(Job::EnableProtection));
        for _ in 0..transfers {
            d.feed(Input::TransferDone);
        }
        d.feed(trigger);
        assert_eq!(d.m.state(), State::InitialReplicationPending);
        d.feed(Input::StartInitialReplication);
        assert_eq!(d.m.state(), State::InitialReplication { disk: 0 });
        taken.extend(d.taken);
    }
    // A host back from a crash before protection: initial replication starts over, after
    // the back-off wait.
    for transfers in [0, 1] {
        let mut d = Driver::new(config(1, false));
        d.feed(Input::EnableProtection);
        d.feed(Input::JobSucceeded(Job::EnableProtection));
        for _ in 0..transfers {
            d.feed(Input::TransferDone);
        }
        let actions = d.feed(Input::HostCrashed);
        assert_eq!(actions.last(), Some(&Action::RetryInitialReplication));
        assert_eq!(d.m.state(), State::InitialReplicationPending);
        taken.extend(d.taken);
    }
    let mut d = protected();
    d.feed(Input::CycleTick);
    d.feed(Input::Pause);
    d.feed(Input::Resume);
    taken.extend(d.taken);
    let mut d = resyncing(ResyncStep::SendingBlocks);
    d.feed(Input::TransferFailed);
    d.feed(Input::RetryTimer);
    d.feed(Input::Pause);
    d.feed(Input::Resume);
    d.feed(Input::TransferDone);
    taken.extend(d.taken);
    for pause in [false, true] {
        let mut d = resyncing(ResyncStep::Comparing);
        if pause {
            d.feed(Input::Pause);
        }
        d.feed(Input::CancelResync);
        taken.extend(d.taken);
    }
    let e = Input::NonRecoverableError(NonRecoverableError::BrokenVhdChain);
    let mut starts: Vec<Driver> = Vec::new();
    let mut ir = Driver::new(config(1, false));
    ir.feed(Input::EnableProtection);
    ir.feed(Input::JobSucceeded(Job::EnableProtection));
    let mut fin = Driver::new(config(0, false));
    fin.feed(Input::EnableProtection);
    fin.feed(Input::JobSucceeded(Job::EnableProtection));
    let mut paused = protected();
    paused.feed(Input::Pause);
    let mut required = protected();
    required.feed(Input::LogThresholdReached);
    let mut rpaused = resyncing(ResyncStep::Comparing);
    rpaused.feed(Input::Pause);
    starts.extend([
        ir,
        fin,
        protected(),
        paused,
        required,
        resyncing(ResyncStep::Comparing),
        rpaused,
    ]);
    for mut d in starts {
        d.feed(e.clone());
        d.feed(Input::Repair);
        taken.extend(d.taken);
    }
    taken
}

/// Walks through every failover transition; returns the moves taken.
fn failover_walks() -> BTreeSet<(StateKind, InputKind, StateKind)> {
    let mut taken = BTreeSet::new();
    let protected = |vmm: bool| {
        let mut d = Driver::new(Config {
            protected_after_planned: vmm,
            ..config(1, false)
        });
        d.feed(Input::AssumeProtected);
        d
    };
    let e = Input::NonRecoverableError(NonRecoverableError::BrokenVhdChain);
    // Test failover and cleanup in every state a test copy can be in.
    let prep: [&[Input]; 6] = [
        &[],
        &[Input::Pause],
        &[Input::LogThresholdReached],
        &[Input::LogThresholdReached, Input::StartResync],
        &[Input::LogThresholdReached, Input::StartResync, Input::Pause],
        std::slice::from_ref(&e),
    ];
    for inputs in prep {
        let mut d = protected(false);
        d.feed(Input::TestFailover);
        for i in inputs {
            d.feed(i.clone());
        }
        d.feed(Input::Cleanup);
        taken.extend(d.taken);
        // An unplanned failover from the same state.
        let mut d = protected(false);
        for i in inputs {
            d.feed(i.clone());
        }
        d.feed(Input::UnplannedFailover);
        taken.extend(d.taken);
    }
    // Planned, from idle and from a cycle in flight; Hyper-V to Azure and VMM to VMM.
    for (vmm, busy) in [(false, false), (false, true), (true, false)] {
        let mut d = protected(vmm);
        if busy {
            d.feed(Input::CycleTick);
        }
        d.feed(Input::PlannedFailover);
        if busy {
            d.feed(Input::TransferDone);
        }
        d.feed(Input::TransferFailed);
        d.feed(Input::RetryTimer);
        d.feed(Input::TransferDone);
        taken.extend(d.taken);
    }
    // Unplanned while a planned one moves data; commit; reverse by sync, by full copy.
    for (full_copy, disks) in [(false, 1), (true, 1), (true, 0)] {
        let mut d = Driver::new(config(disks, false));
        d.feed(Input::AssumeProtected);
        d.feed(Input::PlannedFailover);
        d.feed(Input::UnplannedFailover);
        d.feed(Input::ChangePoint);
        d.feed(Input::Commit);
        d.feed(Input::ReverseReplicate { full_copy });
        taken.extend(d.taken);
    }
    // Failback from Azure: synchronizing first, or by full download.
    for sync_first in [true, false] {
        let mut d = protected(false);
        d.feed(Input::UnplannedFailover);
        d.feed(Input::Commit);
        d.feed(Input::Failback { sync_first });
        if sync_first {
            d.feed(Input::ChecksumsCompared);
            d.feed(Input::TransferDone);
        }
        d.feed(Input::TransferDone);
        taken.extend(d.taken);
    }
    taken
}

#[test]
fn planned_failover_sends_the_last_changes_then_runs_on_the_other_side() {
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::CycleTick);
    // A log is in flight: it finishes first, then the final one goes.
    assert_eq!(
        d.feed(Input::PlannedFailover),
        vec![Action::StopCycles, Action::ShutDown]
    );
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![
            Action::RecoveryPointCreated { cycle: false },
            Action::CloseAndSendLog { cycle: false }
        ]
    );
    // Network trouble during the final send is retried like any transfer.
    d.feed(Input::TransferFailed);
    assert!(d.m.retry_pending());
    d.feed(Input::RetryTimer);
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![
            Action::RecoveryPointCreated { cycle: false },
            Action::FailoverReady {
                after: ReadyAfter::FinalChanges
            }
        ]
    );
    assert_eq!(d.m.state(), State::FailedOver);
    // Not committed: a second failover or reverse replication is refused.
    for refused in [
        Input::PlannedFailover,
        Input::UnplannedFailover,
        Input::ReverseReplicate { full_copy: false },
        Input::TestFailover,
    ] {
        assert!(d.m.step(&refused, &mut vec![]).is_err(), "{refused:?}");
    }
    assert_eq!(d.feed(Input::Commit), vec![Action::DeleteRecoveryPoints]);
    assert_eq!(
        d.feed(Input::ReverseReplicate { full_copy: false }),
        vec![
            Action::ReverseDirection,
            Action::BeginResync {
                sync: SyncKind::ReverseReplication
            },
            Action::CompareChecksums
        ]
    );
}

#[test]
fn vmm_planned_failover_is_protected_in_reverse_at_once() {
    let mut d = Driver::new(Config {
        protected_after_planned: true,
        ..config(1, false)
    });
    d.feed(Input::AssumeProtected);
    d.feed(Input::PlannedFailover);
    let actions = d.feed(Input::TransferDone);
    assert_eq!(
        actions,
        vec![
            Action::RecoveryPointCreated { cycle: false },
            Action::FailoverReady {
                after: ReadyAfter::FinalChanges
            },
            Action::ReverseDirection,
            Action::AssumeInSync,
            Action::ScheduleTick { after_ms: 300_000 }
        ]
    );
    assert_eq!(d.m.state(), State::Protected { sending: false });
}

#[test]
fn refused_failovers_change_nothing() {
    // Planned during resync, test of a VM not protected, cleanup without a test copy.
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::LogThresholdReached);
    d.feed(Input::StartResync);
    let before = d.m.clone();
    for input in [Input::PlannedFailover, Input::TestFailover, Input::Cleanup] {
        let r = d.m.step(&input, &mut vec![]).unwrap_err();
        assert_eq!(r.state, StateKind::Resynchronizing);
        assert_eq!(d.m.state(), before.state());
    }
    let mut ir = Driver::new(config(1, false));
    ir.feed(Input::EnableProtection);
    ir.feed(Input::JobSucceeded(Job::EnableProtection));
    let r = ir.m.step(&Input::TestFailover, &mut vec![]).unwrap_err();
    assert_eq!(
        r.to_string(),
        "test-failover is not allowed in state initial-replication"
    );
    // One test copy at a time.
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::TestFailover);
    assert!(d.m.step(&Input::TestFailover, &mut vec![]).is_err());
    // An unplanned failover during resync cancels it: the transfer stops, nothing is sent.
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::TestFailover);
    d.feed(Input::LogThresholdReached);
    d.feed(Input::StartResync);
    assert_eq!(
        d.feed(Input::UnplannedFailover),
        vec![
            Action::Interrupted {
                work: Work::Resync,
                by: InterruptedBy::UnplannedFailover
            },
            Action::RemoveTestCopy,
            Action::StopTransfer,
            Action::StopCycles,
            Action::LoseWritesAfterPoint,
            Action::ShutDown,
            Action::FailoverReady {
                after: ReadyAfter::RecoveryPoint
            }
        ]
    );
}

#[test]
fn the_fifty_percent_rule_stops_and_drops_then_waits_for_the_resync() {
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::CycleTick);
    assert_eq!(
        d.feed(Input::LogThresholdReached),
        vec![
            Action::StopTransfer,
            Action::StopCycles,
            Action::DropLogs,
            Action::ScheduleResync
        ]
    );
    assert_eq!(d.m.state(), State::ResyncRequired);
    // Nothing is sent or ticked until the resync starts.
    assert!(d.m.step(&Input::CycleTick, &mut vec![]).is_err());
    assert!(d.m.step(&Input::TransferDone, &mut vec![]).is_err());
    assert_eq!(
        d.feed(Input::StartResync),
        vec![
            Action::BeginResync {
                sync: SyncKind::Resync
            },
            Action::CompareChecksums
        ]
    );
    assert_eq!(
        d.feed(Input::ChecksumsCompared),
        vec![Action::SendDifferingBlocks]
    );
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![
            Action::ResyncComplete,
            Action::CloseAndSendLog { cycle: false },
            Action::ScheduleTick { after_ms: 300_000 }
        ]
    );
    assert_eq!(d.m.state(), State::Protected { sending: true });
}

#[test]
fn pause_and_resume_continue_where_they_stopped() {
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::CycleTick);
    d.feed(Input::TransferFailed);
    assert!(d.m.retry_pending());
    assert_eq!(
        d.feed(Input::Pause),
        vec![Action::StopTransfer, Action::StopCycles]
    );
    assert!(!d.m.retry_pending(), "a pause ends the back-off");
    assert_eq!(
        d.feed(Input::Resume),
        vec![
            Action::ResumeTransfer,
            Action::ScheduleTick { after_ms: 300_000 }
        ]
    );
    // A paused comparison continues; a paused block transfer resumes.
    d.feed(Input::LogThresholdReached);
    d.feed(Input::StartResync);
    d.feed(Input::Pause);
    assert_eq!(d.m.state(), State::ResyncPaused(ResyncStep::Comparing));
    assert_eq!(d.feed(Input::Resume), vec![Action::CompareChecksums]);
    d.feed(Input::ChecksumsCompared);
    d.feed(Input::Pause);
    assert_eq!(d.feed(Input::Resume), vec![Action::ResumeTransfer]);
    // Cancel: required again, from the beginning.
    assert_eq!(
        d.feed(Input::CancelResync),
        vec![
            Action::Interrupted {
                work: Work::Resync,
                by: InterruptedBy::Cancel
            },
            Action::StopTransfer,
            Action::StopCycles,
            Action::DropLogs,
            Action::ScheduleResync
        ]
    );
}

#[test]
fn non_recoverable_errors_never_retry_and_repair_leads_to_resync_or_ir() {
    let e = Input::NonRecoverableError(NonRecoverableError::AuthenticationFailure);
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::CycleTick);
    let actions = d.feed(e.clone());
    assert!(actions.contains(&Action::ScheduleRepair));
    assert!(!actions
        .iter()
        .any(|a| matches!(a, Action::ScheduleRetry { .. })));
    assert_eq!(d.m.state(), State::AdminRequired);
    assert!(d.m.step(&Input::RetryTimer, &mut vec![]).is_err());
    assert!(d.m.step(&Input::StartResync, &mut vec![]).is_err());
    assert_eq!(d.feed(Input::Repair), vec![Action::ScheduleResync]);
    assert_eq!(d.m.state(), State::ResyncRequired);
    // Never protected: IR again.
    let mut d = Driver::new(config(2, false));
    d.feed(Input::EnableProtection);
    d.feed(Input::JobSucceeded(Job::EnableProtection));
    d.feed(e);
    assert_eq!(
        d.feed(Input::Repair),
        vec![
            Action::StartInitialReplication,
            Action::CopyDisk { disk: 0 }
        ]
    );
    // Refused where nothing replicates.
    let mut m = Replication::new(config(1, false));
    let e = Input::NonRecoverableError(NonRecoverableError::VmNotFound);
    assert!(m.step(&e, &mut vec![]).is_err());
}

#[test]
fn the_matrix_is_the_table() {
    for from in StateKind::ALL {
        for input in InputKind::ALL {
            for to in StateKind::ALL {
                let row = TRANSITIONS
                    .iter()
                    .any(|r| (r.from, r.input, r.to) == (from, input, to));
                assert_eq!(
                    MATRIX.allows(from, input, to),
                    row,
                    "{from:?} --{input:?}--> {to:?}"
                );
            }
        }
    }
}

/// The table without the row `from --input--> to`.
fn table_without(from: StateKind, input: InputKind, to: StateKind) -> Matrix {
    let rows: Vec<Transition> = TRANSITIONS
        .iter()
        .filter(|r| (r.from, r.input, r.to) != (from, input, to))
        .copied()
        .collect();
    Matrix::from_rows(&rows)
}

#[test]
fn a_move_missing_from_the_table_is_refused_and_changes_nothing() {
    use InputKind as I;
    use StateKind as S;
    // A cycle tick in protection, against a table without that row.
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    let table = table_without(S::Protected, I::CycleTick, S::Protected);
    let mut actions = vec![Action::CycleMissed];
    let refused = d.m.step_by(&table, &Input::CycleTick, &mut actions);
    assert_eq!(
        refused,
        Err(Refused {
            state: S::Protected,
            input: I::CycleTick
        })
    );
    assert_eq!(actions, vec![Action::CycleMissed], "buffer left as it was");
    assert_eq!(d.m.state(), State::Protected { sending: false });
    assert!(d.m.step_by(&MATRIX, &Input::CycleTick, &mut vec![]).is_ok());

    // A retry, whose bookkeeping the machine had already changed: restored.
    d.feed(Input::TransferFailed);
    let table = table_without(S::Protected, I::RetryTimer, S::Protected);
    assert!(d
        .m
        .step_by(&table, &Input::RetryTimer, &mut vec![])
        .is_err());
    assert!(d.m.retry_pending() && d.m.failing());
    assert_eq!(d.m.state(), State::Protected { sending: true });
    assert!(d
        .m
        .step_by(&MATRIX, &Input::RetryTimer, &mut vec![])
        .is_ok());

    // One target of several: without the row for IR at once, only that case is refused.
    let table = table_without(
        S::EnablingProtection,
        I::JobSucceeded,
        S::InitialReplication,
    );
    let done = Input::JobSucceeded(Job::EnableProtection);
    for (scheduled, accepted) in [(false, false), (true, true)] {
        let mut d = Driver::new(config(1, scheduled));
        d.feed(Input::EnableProtection);
        assert_eq!(
            d.m.step_by(&table, &done, &mut vec![]).is_ok(),
            accepted,
            "IR scheduled: {scheduled}"
        );
    }
}

/// One input of every kind, with each choice of its data that the machine tells apart.
fn every_input() -> Vec<Input> {
    let inputs = vec![
        Input::EnableProtection,
        Input::JobSucceeded(Job::EnableProtection),
        Input::JobSucceeded(Job::FinalizeProtection),
        Input::JobFailed(Job::EnableProtection, JobFailure("x".into())),
        Input::JobFailed(Job::FinalizeProtection, JobFailure("x".into())),
        Input::StartInitialReplication,
        Input::TransferDone,
        Input::CycleTick,
        Input::AssumeProtected,
        Input::TransferFailed,
        Input::RetryTimer,
        Input::Pause,
        Input::Resume,
        Input::StartResync,
        Input::CancelResync,
        Input::ChecksumsCompared,
        Input::LogThresholdReached,
        Input::LogWriteFailed,
        Input::NonRecoverableError(NonRecoverableError::BrokenVhdChain),
        Input::Repair,
        Input::TestFailover,
        Input::Cleanup,
        Input::PlannedFailover,
        Input::UnplannedFailover,
        Input::ChangePoint,
        Input::Commit,
        Input::ReverseReplicate { full_copy: false },
        Input::ReverseReplicate { full_copy: true },
        Input::Failback { sync_first: false },
        Input::Failback { sync_first: true },
        Input::HostCrashed,
    ];
    let kinds: BTreeSet<InputKind> = inputs.iter().map(Input::kind).collect();
    assert_eq!(
        kinds.len(),
        InputKind::ALL.len(),
        "an input kind is missing"
    );
    inputs
}

/// Every machine reachable from a new one with `config` by any sequence of inputs (the
/// count of failures capped: past one it only sets the back-off's length).
fn reachable(config: Config) -> Vec<Replication> {
    let key = |m: &Replication| {
        (
            m.state,
            m.retry_pending,
            m.was_protected,
            m.test_copy,
            m.failures.min(1),
        )
    };
    let inputs = every_input();
    let mut seen = vec![Replication::new(config)];
    let mut keys = vec![key(&seen[0])];
    let mut next = 0;
    while next < seen.len() {
        let m = seen[next].clone();
        next += 1;
        for input in &inputs {
            let mut n = m.clone();
            if n.step(input, &mut vec![]).is_ok() && !keys.contains(&key(&n)) {
                keys.push(key(&n));
                seen.push(n);
            }
        }
    }
    seen
}

/// Every machine setting the transition function looks at.
fn every_config() -> Vec<Config> {
    let mut configs = vec![];
    for disks in [0, 1, 2] {
        for ir_scheduled in [false, true] {
            for protected_after_planned in [false, true] {
                configs.push(Config {
                    protected_after_planned,
                    ..config(disks, ir_scheduled)
                });
            }
        }
    }
    configs
}

#[test]
fn the_guards_say_which_row_every_input_takes() {
    let mut taken = BTreeSet::new();
    for config in every_config() {
        for m in reachable(config) {
            for input in every_input() {
                let from = m.state().kind();
                let rows: Vec<&Transition> = TRANSITIONS
                    .iter()
                    .filter(|r| r.from == from && r.input == input.kind())
                    .filter(|r| r.guard_holds(&m, &input))
                    .collect();
                let mut n = m.clone();
                let mut actions = vec![];
                let what = format!("{m:?} fed {input:?}");
                match n.step(&input, &mut actions) {
                    Ok(to) => {
                        let targets: Vec<StateKind> = rows.iter().map(|r| r.to).collect();
                        assert_eq!(targets, vec![to.kind()], "{what}: the guards that hold");
                        assert!(actions.len() <= MAX_ACTIONS, "{what}: {actions:?}");
                        taken.insert((from, input.kind(), to.kind()));
                        // The move is the table's: without its row, it is refused.
                        let table = table_without(from, input.kind(), to.kind());
                        let mut n = m.clone();
                        assert!(n.step_by(&table, &input, &mut vec![]).is_err(), "{what}");
                    }
                    Err(_) => assert!(rows.is_empty(), "{what}: refused, yet {rows:?} hold"),
                }
            }
        }
    }
    let table: BTreeSet<_> = TRANSITIONS
        .iter()
        .map(|r| (r.from, r.input, r.to))
        .collect();
    assert_eq!(taken, table, "rows no machine takes");
}

/// Every accepted step of every reachable machine under every setting: `f(before, input,
/// to, actions)`.
fn every_step(mut f: impl FnMut(&Replication, &Input, State, &[Action])) {
    for config in every_config() {
        for m in reachable(config) {
            for input in every_input() {
                let mut n = m.clone();
                let mut actions = vec![];
                if let Ok(to) = n.step(&input, &mut actions) {
                    f(&m, &input, to, &actions);
                }
            }
        }
    }
}

#[test]
fn logs_and_points_say_whether_they_are_delta_cycles() {
    let close = |cycle| Action::CloseAndSendLog { cycle };
    let point = |cycle| Action::RecoveryPointCreated { cycle };
    // Initial replication's logs, and the first point: not cycles.
    let mut d = Driver::new(config(1, false));
    d.feed(Input::EnableProtection);
    d.feed(Input::JobSucceeded(Job::EnableProtection));
    assert!(d.feed(Input::TransferDone).contains(&close(false)));
    d.feed(Input::TransferDone);
    assert!(d
        .feed(Input::JobSucceeded(Job::FinalizeProtection))
        .contains(&point(false)));
    let mut none = Driver::new(config(0, false));
    none.feed(Input::EnableProtection);
    assert!(none
        .feed(Input::JobSucceeded(Job::EnableProtection))
        .contains(&close(false)));
    // Delta replication: a cycle's log and its point.
    assert!(d.feed(Input::CycleTick).contains(&close(true)));
    assert_eq!(d.feed(Input::TransferDone), vec![point(true)]);
    // The writes logged during a resync are sent as it ends, not as a cycle; they arrive
    // in protection.
    d.feed(Input::LogThresholdReached);
    d.feed(Input::StartResync);
    d.feed(Input::ChecksumsCompared);
    assert!(d.feed(Input::TransferDone).contains(&close(false)));
    assert_eq!(d.feed(Input::TransferDone), vec![point(true)]);
    // A planned failover when idle closes the log as a cycle would; after a cycle in
    // flight, the final log is not one; no point during the failover is a cycle's.
    let mut idle = Driver::new(config(1, false));
    idle.feed(Input::AssumeProtected);
    assert!(idle.feed(Input::PlannedFailover).contains(&close(true)));
    assert!(idle.feed(Input::TransferDone).contains(&point(false)));
    d.feed(Input::CycleTick);
    d.feed(Input::PlannedFailover);
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![point(false), close(false)]
    );
    // Failback's final log, after its blocks.
    d.feed(Input::TransferDone);
    d.feed(Input::Commit);
    d.feed(Input::Failback { sync_first: true });
    d.feed(Input::ChecksumsCompared);
    assert!(d.feed(Input::TransferDone).contains(&close(false)));
}

#[test]
fn interruptions_say_what_was_cut_short_and_by_what() {
    use InterruptedBy as By;
    let e = || Input::NonRecoverableError(NonRecoverableError::InvalidReplicaState);
    let protected = || vec![Input::AssumeProtected];
    let required = || vec![Input::AssumeProtected, Input::LogThresholdReached];
    let resyncing = || {
        let mut v = required();
        v.push(Input::StartResync);
        v
    };
    let resync_paused = || {
        let mut v = resyncing();
        v.push(Input::Pause);
        v
    };
    let committed = || {
        vec![
            Input::AssumeProtected,
            Input::UnplannedFailover,
            Input::Commit,
        ]
    };
    let with = |mut v: Vec<Input>, more: &[Input]| {
        v.extend_from_slice(more);
        v
    };
    let enabled = vec![
        Input::EnableProtection,
        Input::JobSucceeded(Job::EnableProtection),
    ];
    // Inputs that lead to a state, the input then fed, what it interrupts.
    type Case = (Vec<Input>, Input, Option<(Work, By)>);
    let cases: Vec<Case> = vec![
        (
            enabled.clone(),
            e(),
            Some((Work::InitialReplication, By::NonRecoverableError)),
        ),
        (
            with(enabled.clone(), &[Input::TransferDone]),
            e(),
            Some((Work::FinalizeProtection, By::NonRecoverableError)),
        ),
        (
            with(enabled, &[Input::TransferDone, Input::TransferDone]),
            e(),
            Some((Work::FinalizeProtection, By::NonRecoverableError)),
        ),
        (protected(), e(), None),
        (protected(), Input::LogThresholdReached, None),
        (
            with(protected(), &[Input::Pause]),
            Input::LogWriteFailed,
            None,
        ),
        (protected(), Input::UnplannedFailover, None),
        (
            required(),
            e(),
            Some((Work::Resync, By::NonRecoverableError)),
        ),
        (
            required(),
            Input::UnplannedFailover,
            Some((Work::Resync, By::UnplannedFailover)),
        ),
        (
            resyncing(),
            Input::LogThresholdReached,
            Some((Work::Resync, By::LogThreshold)),
        ),
        (
            resync_paused(),
            Input::LogWriteFailed,
            Some((Work::Resync, By::LogWriteFailed)),
        ),
        (
            resyncing(),
            Input::CancelResync,
            Some((Work::Resync, By::Cancel)),
        ),
        (
            resync_paused(),
            Input::CancelResync,
            Some((Work::Resync, By::Cancel)),
        ),
        (
            resync_paused(),
            e(),
            Some((Work::Resync, By::NonRecoverableError)),
        ),
        (resyncing(), Input::Pause, None),
        (with(required(), &[e()]), Input::Repair, None),
        (with(protected(), &[e()]), Input::UnplannedFailover, None),
        (
            with(protected(), &[Input::CycleTick, Input::PlannedFailover]),
            Input::UnplannedFailover,
            Some((Work::PlannedFailover, By::UnplannedFailover)),
        ),
        (
            with(protected(), &[Input::PlannedFailover]),
            Input::UnplannedFailover,
            Some((Work::PlannedFailover, By::UnplannedFailover)),
        ),
        (
            with(committed(), &[Input::Failback { sync_first: true }]),
            Input::UnplannedFailover,
            Some((Work::FailbackSynchronization, By::UnplannedFailover)),
        ),
        (
            with(
                committed(),
                &[
                    Input::Failback { sync_first: true },
                    Input::ChecksumsCompared,
                ],
            ),
            Input::UnplannedFailover,
            Some((Work::FailbackSynchronization, By::UnplannedFailover)),
        ),
        (
            with(committed(), &[Input::Failback { sync_first: false }]),
            Input::UnplannedFailover,
            Some((Work::FailbackDownload, By::UnplannedFailover)),
        ),
    ];
    for (prep, input, expected) in cases {
        let mut d = Driver::new(config(1, false));
        for i in &prep {
            d.feed(i.clone());
        }
        let actions = d.feed(input.clone());
        let said: Vec<(Work, By)> = actions
            .iter()
            .filter_map(|a| match *a {
                Action::Interrupted { work, by } => Some((work, by)),
                _ => None,
            })
            .collect();
        assert_eq!(said, Vec::from_iter(expected), "{prep:?} then {input:?}");
        if expected.is_some() {
            assert!(
                matches!(actions[0], Action::Interrupted { .. }),
                "{prep:?} then {input:?}: said first, {actions:?}"
            );
        }
    }
    // Any step: at most one interruption, first, and only when the state's kind changes.
    every_step(|m, input, to, actions| {
        let said = actions
            .iter()
            .filter(|a| matches!(a, Action::Interrupted { .. }))
            .count();
        assert!(said <= 1, "{m:?} fed {input:?}: {actions:?}");
        if said == 1 {
            assert!(matches!(actions[0], Action::Interrupted { .. }));
            assert_ne!(m.state().kind(), to.kind(), "{m:?} fed {input:?}");
        }
    });
}

#[test]
fn syncs_and_failovers_say_which_they_are() {
    let mut d = Driver::new(config(1, false));
    d.feed(Input::AssumeProtected);
    d.feed(Input::LogThresholdReached);
    assert_eq!(
        d.feed(Input::StartResync)[0],
        Action::BeginResync {
            sync: SyncKind::Resync
        }
    );
    let ready = |after| Action::FailoverReady { after };
    assert!(d
        .feed(Input::UnplannedFailover)
        .contains(&ready(ReadyAfter::RecoveryPoint)));
    d.feed(Input::Commit);
    assert!(d
        .feed(Input::ReverseReplicate { full_copy: false })
        .contains(&Action::BeginResync {
            sync: SyncKind::ReverseReplication
        }));
    // Back in protection on the other side; a planned failover, then failback from there.
    d.feed(Input::ChecksumsCompared);
    d.feed(Input::TransferDone);
    d.feed(Input::TransferDone);
    d.feed(Input::PlannedFailover);
    d.feed(Input::TransferDone);
    assert_eq!(d.m.state(), State::FailedOver);
    d.feed(Input::Commit);
    assert!(d
        .feed(Input::Failback { sync_first: true })
        .contains(&Action::BeginResync {
            sync: SyncKind::FailbackSynchronization
        }));
    d.feed(Input::ChecksumsCompared);
    d.feed(Input::TransferDone);
    assert!(d
        .feed(Input::TransferDone)
        .contains(&ready(ReadyAfter::FinalChanges)));
    d.feed(Input::Commit);
    d.feed(Input::Failback { sync_first: false });
    assert_eq!(
        d.feed(Input::TransferDone),
        vec![ready(ReadyAfter::Download)]
    );
    // vmm-to-vmm: ready after the final changes, and protected in reverse at once.
    let mut v = Driver::new(Config {
        protected_after_planned: true,
        ..config(1, false)
    });
    v.feed(Input::AssumeProtected);
    v.feed(Input::PlannedFailover);
    assert!(v
        .feed(Input::TransferDone)
        .contains(&ready(ReadyAfter::FinalChanges)));
}

/// What `sim::world` infers today from a move `from --input--> to` (`on_state_change`,
/// `act`, `failover_ready`), and the action fields that say it: over every step of every
/// reachable machine, the two agree, so the world can read the actions instead.
#[test]
fn the_actions_say_what_the_world_infers_from_the_move() {
    use FailoverStep as F;
    use State as S;
    every_step(|m, input, to, actions| {
        let from = m.state();
        let what = format!("{m:?} fed {input:?}: {actions:?}");
        let changed = from.kind() != to.kind();
        let interrupted = actions.iter().find_map(|a| match *a {
            Action::Interrupted { work, by } => Some((work, by)),
            _ => None,
        });
        for a in actions {
            match *a {
                // act(): a log closed, or a point created, from protection is a cycle's.
                Action::CloseAndSendLog { cycle } | Action::RecoveryPointCreated { cycle } => {
                    assert_eq!(cycle, matches!(from, S::Protected { .. }), "{what}")
                }
                // on_state_change(): the cause of a synchronization's record.
                Action::BeginResync { sync } => {
                    let world = match (from, to) {
                        (S::ResyncRequired, S::Resynchronizing(_)) => SyncKind::Resync,
                        (S::FailoverCommitted, S::Resynchronizing(_)) => {
                            SyncKind::ReverseReplication
                        }
                        (S::FailoverCommitted, S::FailingOver(F::Comparing)) => {
                            SyncKind::FailbackSynchronization
                        }
                        _ => panic!("{what}"),
                    };
                    assert_eq!(sync, world, "{what}");
                }
                // failover_ready(): zero loss after a planned failover's final send or a
                // download (unless an unplanned failover books a loss); the download's job.
                Action::FailoverReady { after } => {
                    let unplanned = matches!(input, Input::UnplannedFailover);
                    let final_send =
                        matches!(from, S::FailingOver(F::SendingFinal | F::Downloading));
                    assert_eq!(
                        after != ReadyAfter::RecoveryPoint,
                        final_send && !unplanned,
                        "{what}"
                    );
                    let download = matches!(from, S::FailingOver(F::Downloading));
                    assert_eq!(
                        download,
                        after == ReadyAfter::Download
                            || interrupted.map(|(w, _)| w) == Some(Work::FailbackDownload),
                        "{what}"
                    );
                }
                _ => {}
            }
        }
        // on_state_change(): how a resync record ends ("cancelled", "restarted",
        // "interrupted"), from `from`, `to` and the input.
        let resyncing = matches!(from, S::Resynchronizing(_) | S::ResyncPaused(_));
        let resync = matches!(
            from,
            S::ResyncRequired | S::Resynchronizing(_) | S::ResyncPaused(_)
        );
        let world = match (from, to) {
            _ if !changed => None,
            (S::Resynchronizing(_), S::Protected { .. }) => None,
            (S::ResyncRequired, S::Resynchronizing(_)) => None,
            (_, S::ResyncPaused(_)) | (S::ResyncPaused(_), S::Resynchronizing(_)) => None,
            (_, S::ResyncRequired) if resyncing => Some(match input {
                Input::CancelResync => "cancelled",
                _ => "restarted",
            }),
            (_, S::AdminRequired) if resync => Some("interrupted"),
            (_, S::FailedOver) if resync => Some("cancelled"),
            _ => None,
        };
        let said = match interrupted {
            Some((Work::Resync, by)) => Some(match by {
                InterruptedBy::Cancel | InterruptedBy::UnplannedFailover => "cancelled",
                InterruptedBy::LogThreshold
                | InterruptedBy::LogWriteFailed
                | InterruptedBy::HostCrash => "restarted",
                InterruptedBy::NonRecoverableError => "interrupted",
            }),
            _ => None,
        };
        assert_eq!(said, world, "{what}");
        // on_state_change(): an error or a log write failure stops initial replication (its
        // job fails), and the Finalize protection job if it was running.
        let work = interrupted.map(|(w, _)| w);
        let stopped = matches!(to, S::AdminRequired | S::InitialReplicationPending);
        assert_eq!(
            work == Some(Work::InitialReplication),
            matches!(from, S::InitialReplication { .. }) && stopped,
            "{what}"
        );
        assert_eq!(
            work == Some(Work::FinalizeProtection),
            matches!(from, S::FinalizingProtection(_)) && stopped,
            "{what}"
        );
    });
}
