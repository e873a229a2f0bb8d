//! azure-to-azure's alert "no new recovery point for 60 minutes" [src] (domain.md section 6):
//! an alert of its own, apart from health, so that Critical health (transfers failing, a
//! resync required) does not hide it. It is raised exactly 60 minutes after the last new
//! recovery point was created (or after the VM's replication started, if none has been since),
//! whatever the health, and cleared when the next point is created.
//!
//! [ours] The alert watches a VM from the moment it is protected (initial replication, or a
//! reprotect's sync, has its own warning) while its replication stays in that direction:
//! protected, paused, waiting for or running a resync, waiting for an administrator. A
//! failover ends the watch (and clears a raised alert).
//!
//! One lazy deadline per VM: the check is scheduled at the last point plus 60 minutes; a check
//! that finds a newer point schedules itself again from it. No polling, and at most one check
//! per VM per hour however often points come.

use super::*;

/// [src] azure-to-azure alerts after 60 minutes without a new recovery point.
pub(super) const POINT_ALERT_AFTER_MS: Time = 3_600_000;

/// One VM's alert (azure-to-azure only).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PointAlert {
    /// The VM's replication is watched (see the module docs).
    watching: bool,
    /// The last new point's creation, or the start of the watch if none since.
    since: Time,
    /// A check is scheduled.
    armed: bool,
    raised_at: Option<Time>,
    /// How many times the alert was raised, and the first time.
    pub(super) raised: u32,
    pub(super) first_raised_at: Option<Time>,
}

/// The states in which the alert keeps watching a VM (it starts at `Protected`).
fn watched(state: rep::StateKind) -> bool {
    use rep::StateKind as K;
    matches!(
        state,
        K::Protected
            | K::ReplicationPaused
            | K::ResyncRequired
            | K::Resynchronizing
            | K::ResyncPaused
            | K::AdminRequired
    )
}

impl World<'_> {
    #[inline(always)]
    fn alerts(&self) -> bool {
        self.scenario.topology == Topology::AzureToAzure
    }

    /// Schedule the check at the deadline, unless one is scheduled (it re-arms itself).
    fn arm_point_alert(&mut self, vm: usize, queue: &mut EventQueue<Event>) {
        let a = &mut self.cold[vm].alert;
        if !a.armed {
            a.armed = true;
            let ev = Event::PointAlertCheck { vm: vm as u32 };
            queue.schedule(a.since + POINT_ALERT_AFTER_MS, ev.class(), ev);
        }
    }

    /// The VM's state kind changed to `to` now: the watch starts or ends.
    pub(super) fn point_alert_state(
        &mut self,
        now: Time,
        vm: usize,
        to: rep::StateKind,
        queue: &mut EventQueue<Event>,
    ) {
        if !self.alerts() {
            return;
        }
        let a = &mut self.cold[vm].alert;
        let on = if a.watching {
            watched(to)
        } else {
            to == rep::StateKind::Protected
        };
        if on == a.watching {
            return;
        }
        a.watching = on;
        if on {
            a.since = now;
            self.arm_point_alert(vm, queue);
        } else if a.raised_at.take().is_some() {
            let detail = format!("cleared: replication stopped ({})", to.name());
            self.log_event(now, vm, EventKind::Alert, Mark::None, Mark::None, detail);
        }
    }

    /// A new recovery point was created now: the clock restarts, a raised alert clears.
    // Inlined to its topology test: on every point's path, and only azure-to-azure has work.
    #[inline(always)]
    pub(super) fn point_alert_point(
        &mut self,
        now: Time,
        vm: usize,
        queue: &mut EventQueue<Event>,
    ) {
        if self.alerts() {
            self.point_alert_restart(now, vm, queue);
        }
    }

    #[inline(never)]
    fn point_alert_restart(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        if !self.cold[vm].alert.watching {
            return;
        }
        let a = &mut self.cold[vm].alert;
        let last = std::mem::replace(&mut a.since, now);
        if a.raised_at.take().is_some() {
            let detail = format!(
                "cleared: a new recovery point after {}",
                crate::units::Millis(now - last)
            );
            self.log_event(now, vm, EventKind::Alert, Mark::None, Mark::None, detail);
        }
        self.arm_point_alert(vm, queue);
    }

    /// The check comes due: raise the alert at the deadline, or wait for the new one.
    pub(super) fn point_alert_check(
        &mut self,
        now: Time,
        vm: usize,
        queue: &mut EventQueue<Event>,
    ) {
        let a = &mut self.cold[vm].alert;
        a.armed = false;
        if !a.watching || a.raised_at.is_some() {
            return;
        }
        let due = a.since + POINT_ALERT_AFTER_MS;
        if now < due {
            self.arm_point_alert(vm, queue);
            return;
        }
        a.raised_at = Some(now);
        a.raised += 1;
        a.first_raised_at.get_or_insert(now);
        self.log_event(
            now,
            vm,
            EventKind::Alert,
            Mark::None,
            Mark::None,
            "raised: no new recovery point for 60 minutes",
        );
    }
}
