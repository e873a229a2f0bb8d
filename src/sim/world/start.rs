//! What a run knows at its start: every scheduled fault, operation, outage window (random
//! ones drawn from each link's own stream), throttle change, health interval and sample,
//! put on the queue before the first event.

use super::*;
use crate::model::Scenario;
use std::collections::BTreeMap;

impl World<'_> {
    pub(in crate::sim) fn schedule_start(&mut self, queue: &mut EventQueue<Event>) {
        let sc = self.scenario;
        let at = |queue: &mut EventQueue<Event>, t: Time, ev: Event| {
            if t < sc.horizon {
                queue.schedule(t, ev.class(), ev)
            }
        };
        for (i, spec) in sc.vms.iter().enumerate() {
            let vm = i as u32;
            if spec.protected_at_start {
                at(queue, 0, Event::AssumeProtected { vm });
            } else if let Some(after) = &spec.protect_after {
                let detail = format!(
                    "waiting for \"{}\" (protect_after): protection is enabled once its {} VM(s) are protected",
                    after.name,
                    after.vms.len()
                );
                self.log_event(0, i, EventKind::Admin, Mark::None, Mark::None, detail);
            } else {
                at(queue, spec.protect_at, Event::EnableProtection { vm });
            }
        }
        for (i, l) in sc.links.iter().enumerate() {
            let link = i as u32;
            for (start, end) in outage_windows(l, &self.streams, sc.horizon) {
                at(queue, start, Event::OutageStart { link });
                at(queue, end, Event::OutageEnd { link });
            }
            for d in &l.degradations {
                let percent = d.percent;
                at(queue, d.start, Event::DegradationStart { link, percent });
                at(queue, d.end, Event::DegradationEnd { link });
            }
            if l.is_throttled() {
                if let Some(t) = sc.calendar.next_change(0) {
                    at(queue, t, Event::CapacityChange { link });
                }
            }
        }
        for (i, f) in sc.faults.hosts.iter().enumerate() {
            let host = f.host as u32;
            match f.kind {
                HostFaultKind::LowMemory { start, end } => {
                    at(queue, start, Event::LowMemoryStart { host });
                    at(queue, end, Event::LowMemoryEnd { host });
                }
                HostFaultKind::Crash { at: t, restart } => {
                    at(queue, t, Event::HostCrash { host });
                    at(
                        queue,
                        t.saturating_add(restart),
                        Event::HostRestart { host },
                    );
                }
                HostFaultKind::RandomCrashes { mtbf, restart } => {
                    let name = &sc.hosts[f.host].name;
                    let mut rng = self.streams.stream(&format!("host/{name}/crashes"));
                    for (t, back) in crash_times(mtbf, restart, sc.horizon, &mut rng) {
                        at(queue, t, Event::HostCrash { host });
                        at(queue, back, Event::HostRestart { host });
                    }
                }
                HostFaultKind::VolumeFull { at: t, .. } => at(
                    queue,
                    t,
                    Event::VolumeFull {
                        host,
                        fault: i as u32,
                    },
                ),
            }
        }
        for (i, f) in sc.faults.cache.iter().enumerate() {
            let fault = i as u32;
            at(queue, f.start, Event::CacheFaultStart { fault });
            at(queue, f.end, Event::CacheFaultEnd { fault });
        }
        for f in &sc.faults.vm_errors {
            if let ErrorTrigger::At(t) = f.trigger {
                let (vm, error) = (f.vm as u32, f.error);
                at(queue, t, Event::VmError { vm, error });
            }
        }
        for a in &sc.faults.actions {
            let (vm, action) = (a.vm as u32, a.action);
            at(queue, a.at, Event::Admin { vm, action });
        }
        for (i, _) in sc.failovers.operations.iter().enumerate() {
            let op = &sc.failovers.operations[i];
            at(queue, op.at, Event::Operation { index: i as u32 });
        }
        for e in &sc.failovers.site_events {
            let site = e.site as u32;
            at(queue, e.down_at, Event::SiteDown { site });
            if let Some(up) = e.up_at {
                let disks_lost = e.disks_lost;
                at(queue, up, Event::SiteUp { site, disks_lost });
            }
        }
        for (i, p) in sc.policies.iter().enumerate() {
            let first = first_interval_boundary(
                &sc.calendar,
                p.health_interval_start_min,
                p.health_interval,
            );
            at(queue, first, Event::HealthInterval { policy: i as u32 });
        }
        if sc.sample_step.is_some() {
            at(queue, 0, Event::Sample);
        }
    }
}

/// The `protect_after` triggers of a run: per waiting VM the count of named VMs not yet
/// protected, per named VM the VMs that wait for it (ascending: a deterministic order).
pub(in crate::sim) struct Waits {
    left: Vec<u32>,
    waiters: BTreeMap<u32, Vec<u32>>,
}

impl Waits {
    pub(super) fn of(sc: &Scenario) -> Option<Box<Waits>> {
        if sc.vms.iter().all(|v| v.protect_after.is_none()) {
            return None;
        }
        let mut left = vec![0u32; sc.vms.len()];
        let mut waiters: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (w, spec) in sc.vms.iter().enumerate() {
            if let Some(after) = &spec.protect_after {
                left[w] = after.vms.len() as u32;
                for &n in &after.vms {
                    waiters.entry(n as u32).or_default().push(w as u32);
                }
            }
        }
        Some(Box::new(Waits { left, waiters }))
    }
}

impl World<'_> {
    /// VM `vm` is protected now: its records note the first time, and the VMs whose
    /// `protect_after` it completes get their enable scheduled (event-driven, no polling).
    pub(super) fn protected(&mut self, now: Time, vm: usize, queue: &mut EventQueue<Event>) {
        let first = self.cold[vm].records.protected_at().is_none();
        self.cold[vm].records.protected(now);
        if !first {
            return;
        }
        let Some(waits) = self.waits.as_mut() else {
            return;
        };
        let Some(ws) = waits.waiters.remove(&(vm as u32)) else {
            return;
        };
        let mut ready = Vec::new();
        for w in ws {
            let left = &mut waits.left[w as usize];
            *left -= 1;
            if *left == 0 {
                ready.push(w as usize);
            }
        }
        let sc = self.scenario;
        for w in ready {
            let spec = &sc.vms[w];
            let after = spec
                .protect_after
                .as_ref()
                .expect("waits only with protect_after");
            let t = (now + after.delay).max(spec.protect_at);
            let detail = format!(
                "\"{}\" protected (protect_after): protection is enabled at {}",
                after.name,
                crate::units::Millis(t)
            );
            self.log_event(now, w, EventKind::Admin, Mark::None, Mark::None, detail);
            if t < sc.horizon {
                let ev = Event::EnableProtection { vm: w as u32 };
                queue.schedule(t, ev.class(), ev);
            }
        }
    }
}

/// A link's outage windows as a run draws them: the scheduled ones, then the random ones
/// (drawn from the link's own stream `link/<name>/outages`), unsorted and possibly
/// overlapping (the link is down while any is in force).
pub(in crate::sim) fn outage_windows(
    link: &crate::model::LinkSpec,
    streams: &crate::engine::RngStreams,
    horizon: Time,
) -> Vec<(Time, Time)> {
    let mut windows = link.outages.clone();
    if let Some(random) = link.random_outages {
        let mut rng = streams.stream(&format!("link/{}/outages", link.name));
        windows.extend(random_outage_windows(random, horizon, &mut rng));
    }
    windows
}

/// Random crashes of a host over `[0, horizon)`, each with the instant it is back: up-times
/// exponential with mean `mtbf` [ours, as random link outages], each crash down for
/// `restart`. Drawn from the host's own stream, so another host's crashes (or a VM added)
/// change none of these.
fn crash_times(
    mtbf: Time,
    restart: Time,
    horizon: Time,
    rng: &mut ChaCha8Rng,
) -> Vec<(Time, Time)> {
    let up = Exp::new(1.0 / mtbf.max(1) as f64).expect("positive MTBF");
    let mut out = Vec::new();
    let mut t: Time = 0;
    loop {
        let crash = t.saturating_add((up.sample(rng).ceil() as Time).max(1));
        if crash >= horizon {
            return out;
        }
        t = crash.saturating_add(restart.max(1));
        out.push((crash, t));
    }
}

/// Random outage windows over `[0, horizon)`: up-times exponential with mean MTBF, repair
/// times as the spec says. Drawn from the link's own stream.
fn random_outage_windows(
    spec: RandomOutages,
    horizon: Time,
    rng: &mut ChaCha8Rng,
) -> Vec<(Time, Time)> {
    let up = Exp::new(1.0 / spec.mtbf.max(1) as f64).expect("positive MTBF");
    let mttr = spec.mttr.max(1) as f64;
    let mut out = Vec::new();
    let mut t: Time = 0;
    loop {
        let start = t.saturating_add((up.sample(rng).ceil() as Time).max(1));
        if start >= horizon {
            return out;
        }
        let repair = match spec.repair {
            RepairDistribution::Exponential => Exp::new(1.0 / mttr).expect("positive").sample(rng),
            // Mean mttr: mu = ln(mttr) - sigma^2 / 2.
            RepairDistribution::LogNormal { sigma } => {
                LogNormal::new(mttr.ln() - sigma * sigma / 2.0, sigma)
                    .expect("validated sigma")
                    .sample(rng)
            }
        };
        let end = start.saturating_add((repair.min(1e15).ceil() as Time).max(1));
        out.push((start, end));
        t = end;
    }
}

/// The first monitoring-interval boundary after the start: intervals are aligned to
/// `start_min` past midnight of the first day.
fn first_interval_boundary(
    calendar: &crate::model::calendar::Calendar,
    start_min: u32,
    interval: Time,
) -> Time {
    let into_day = calendar.ms_into_day(0) as i128;
    let mut b = -into_day + i128::from(start_min) * 60_000;
    let step = i128::from(interval.max(1));
    if b <= 0 {
        b += ((-b) / step + 1) * step;
    }
    b as Time
}
