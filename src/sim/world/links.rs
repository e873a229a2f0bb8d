//! The links of a run: each a [`FairLink`] shared by the transfers on it, with its outages,
//! degradations and throttle schedule applied to its capacity, and the wake-up event that
//! completes its next transfer. VMs are flows on a link; the world says which.
//!
//! A host sends at most `parallel_transfers` of its VMs' transfers at once [src, third-party:
//! 6 by default]; a transfer that finds every slot taken waits in the host's queue, first
//! come first served, and starts on the link the instant a slot frees [ours: the order].
//! Each transfer (a disk's copy, a log, a resync's blocks) takes a slot of its own [ours].

use super::event::{self, Event};
use crate::engine::{EventQueue, Lane, Time};
use crate::model::link::{FairLink, FlowId, Load};
use crate::model::Scenario;
use crate::sim::record::LinkResult;
use crate::sim::series::LinkPoint;
use crate::units::ByteRate;
use std::collections::VecDeque;

struct Link {
    fair: FairLink,
    /// Bumped when the next completion is rescheduled: older wake-ups are void.
    gen: u64,
    /// Outages in force (scheduled and random ones, and site losses, may overlap).
    down: u32,
    /// Capacity left by a degradation in force, in percent.
    percent: u8,
    /// Delivered and offered bytes at the last sample, for per-step utilization.
    delivered_at_sample: u64,
    offered_at_sample: u64,
}

/// A host's transfer slots.
struct Slots {
    limit: u32,
    busy: u32,
    /// Transfers waiting for a slot, in arrival order: (flow, link, bytes).
    waiting: VecDeque<(FlowId, u32, u64)>,
}

/// `Links::queued` of a flow that is not waiting for a slot.
const NOT_QUEUED: u64 = u64::MAX;

pub(super) struct Links<'a> {
    scenario: &'a Scenario,
    links: Vec<Link>,
    /// Per host.
    slots: Vec<Slots>,
    /// Per flow (VM): its host.
    host_of: Vec<u32>,
    /// Per flow: the bytes of its transfer waiting for a slot, or `NOT_QUEUED`.
    queued: Vec<u64>,
    /// The queue lane of link wake-ups (they mostly come in time order).
    wake_lane: Lane,
    /// A reused buffer: link completions allocate nothing per event.
    finished: Vec<FlowId>,
}

impl<'a> Links<'a> {
    pub(super) fn new(scenario: &'a Scenario, queue: &mut EventQueue<Event>) -> Self {
        let work = scenario.calendar.is_work_time(0);
        Links {
            scenario,
            links: scenario
                .links
                .iter()
                .map(|l| Link {
                    fair: FairLink::new(l.capacity_at(work), l.per_vm_cap),
                    gen: 0,
                    down: 0,
                    percent: 100,
                    delivered_at_sample: 0,
                    offered_at_sample: 0,
                })
                .collect(),
            wake_lane: queue.lane(event::TRANSFER),
            finished: Vec::new(),
            slots: scenario
                .hosts
                .iter()
                .map(|h| Slots {
                    limit: h.parallel_transfers.max(1),
                    busy: 0,
                    waiting: VecDeque::new(),
                })
                .collect(),
            host_of: scenario.vms.iter().map(|v| v.host as u32).collect(),
            queued: vec![NOT_QUEUED; scenario.vms.len()],
        }
    }

    /// Whether the link is down (an outage in force).
    pub(super) fn is_down(&self, l: usize) -> bool {
        self.links[l].down > 0
    }

    /// How many links there are.
    pub(super) fn count(&self) -> usize {
        self.links.len()
    }

    /// What link `l` carries (read-only, for the invariant checker).
    pub(super) fn load(&self, l: usize) -> Load {
        self.links[l].fair.load()
    }

    /// Start sending `bytes` for `flow`, or queue it on its host until a slot frees.
    #[inline(always)]
    pub(super) fn start(
        &mut self,
        now: Time,
        l: usize,
        flow: FlowId,
        bytes: u64,
        queue: &mut EventQueue<Event>,
    ) {
        debug_assert_eq!(
            self.queued[flow as usize], NOT_QUEUED,
            "flow {flow} already waits"
        );
        let slots = &mut self.slots[self.host_of[flow as usize] as usize];
        if slots.busy >= slots.limit {
            slots.waiting.push_back((flow, l as u32, bytes));
            self.queued[flow as usize] = bytes;
            return;
        }
        slots.busy += 1;
        self.links[l].fair.start(now, flow, bytes);
        self.rearm(l, queue);
    }

    /// Stop `flow`'s transfer: the bytes it had left, if it was sending or waiting for a
    /// slot (then all of them). A slot it frees goes to the host's next waiting transfer.
    pub(super) fn stop(
        &mut self,
        now: Time,
        l: usize,
        flow: FlowId,
        queue: &mut EventQueue<Event>,
    ) -> Option<u64> {
        let host = self.host_of[flow as usize] as usize;
        if self.queued[flow as usize] != NOT_QUEUED {
            // Rare (a stop while waiting): a scan of this host's queue only.
            let waiting = &mut self.slots[host].waiting;
            let at = waiting.iter().position(|w| w.0 == flow);
            waiting.remove(at.expect("a queued flow is in its host's queue"));
            return Some(std::mem::replace(
                &mut self.queued[flow as usize],
                NOT_QUEUED,
            ));
        }
        let left = self.links[l].fair.stop(now, flow);
        if left.is_some() {
            if let Some(other) = self.slot_freed(now, host).filter(|&o| o != l) {
                self.rearm(other, queue);
            }
        }
        self.rearm(l, queue);
        left
    }

    /// A transfer of `host` ended: its slot goes to the first waiting transfer, which starts
    /// now. The caller rearms the links.
    #[inline(always)]
    fn slot_freed(&mut self, now: Time, host: usize) -> Option<usize> {
        let slots = &mut self.slots[host];
        match slots.waiting.pop_front() {
            Some((next, l, bytes)) => {
                self.queued[next as usize] = NOT_QUEUED;
                self.links[l as usize].fair.start(now, next, bytes);
                Some(l as usize)
            }
            None => {
                slots.busy -= 1;
                None
            }
        }
    }

    /// Bytes `flow` has left to send (all of them while it waits for a slot).
    pub(super) fn remaining(&self, l: usize, flow: FlowId) -> u64 {
        match self.queued[flow as usize] {
            NOT_QUEUED => self.links[l].fair.remaining_bytes(flow),
            bytes => bytes,
        }
    }

    /// The link's capacity now: zero in an outage, else the throttle schedule's, degraded.
    fn capacity(&self, l: usize, now: Time) -> ByteRate {
        let link = &self.links[l];
        if link.down > 0 {
            return ByteRate(0);
        }
        let work = self.scenario.calendar.is_work_time(now);
        let full = self.scenario.links[l].capacity_at(work);
        ByteRate((u128::from(full.0) * u128::from(link.percent) / 100) as u64)
    }

    /// The throttle schedule (or a degradation) changes the capacity now.
    pub(super) fn update_capacity(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        let capacity = self.capacity(l, now);
        self.links[l].fair.set_capacity(now, capacity);
        self.rearm(l, queue);
    }

    /// A degradation leaves `percent` of the capacity (100: it ends).
    pub(super) fn degrade(
        &mut self,
        now: Time,
        l: usize,
        percent: u8,
        queue: &mut EventQueue<Event>,
    ) {
        self.links[l].percent = percent;
        self.update_capacity(now, l, queue);
    }

    /// An outage starts: every transfer on the link fails; `failed` gets each flow and the
    /// bytes it had left.
    pub(super) fn outage_start(
        &mut self,
        now: Time,
        l: usize,
        failed: &mut Vec<(FlowId, u64)>,
        queue: &mut EventQueue<Event>,
    ) {
        self.links[l].down += 1;
        self.update_capacity(now, l, queue);
        let carried = failed.len();
        self.links[l].fair.fail_all(now, failed);
        for &(flow, _) in &failed[carried..] {
            self.slots[self.host_of[flow as usize] as usize].busy -= 1;
        }
        // Those waiting for a slot on it fail too, after those it carried, host by host (a
        // host's VMs all use its site's link, so its queue empties).
        for slots in &mut self.slots {
            let before = failed.len();
            slots.waiting.retain(|&(flow, on, bytes)| {
                let here = on as usize == l;
                if here {
                    failed.push((flow, bytes));
                }
                !here
            });
            for &(flow, _) in &failed[before..] {
                self.queued[flow as usize] = NOT_QUEUED;
            }
        }
        self.rearm(l, queue);
    }

    pub(super) fn outage_end(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        self.links[l].down -= 1;
        self.update_capacity(now, l, queue);
    }

    /// A wake-up of link `l`: the flows whose transfers completed now, or `None` when the
    /// wake-up is void. Hand the buffer back with [`Links::finished_done`].
    #[inline(always)]
    pub(super) fn wake(
        &mut self,
        now: Time,
        l: usize,
        gen: u64,
        queue: &mut EventQueue<Event>,
    ) -> Option<Vec<FlowId>> {
        if gen != self.links[l].gen {
            return None;
        }
        let mut finished = std::mem::take(&mut self.finished);
        self.links[l].fair.take_finished(now, &mut finished);
        for &flow in &finished {
            let host = self.host_of[flow as usize] as usize;
            if let Some(other) = self.slot_freed(now, host).filter(|&o| o != l) {
                self.rearm(other, queue);
            }
        }
        Some(finished)
    }

    /// The completions of [`Links::wake`] are handled: schedule the link's next one.
    #[inline(always)]
    pub(super) fn finished_done(
        &mut self,
        l: usize,
        mut finished: Vec<FlowId>,
        queue: &mut EventQueue<Event>,
    ) {
        finished.clear();
        self.finished = finished;
        self.rearm(l, queue);
    }

    /// Schedule the link's next completion; earlier wake-ups become stale.
    #[inline(always)]
    fn rearm(&mut self, l: usize, queue: &mut EventQueue<Event>) {
        let link = &mut self.links[l];
        link.gen += 1;
        if let Some(at) = link.fair.next_finish() {
            let ev = Event::LinkWake {
                link: l as u32,
                gen: link.gen,
            };
            queue.schedule_in_lane(self.wake_lane, at, ev);
        }
    }

    /// Each link's capacity now and its utilization since the last sample.
    pub(super) fn sample(&mut self, now: Time) -> Vec<LinkPoint> {
        self.links
            .iter_mut()
            .map(|link| {
                link.fair.advance(now);
                let delivered = link.fair.delivered_bytes() - link.delivered_at_sample;
                let offered = link.fair.offered_bytes() - link.offered_at_sample;
                link.delivered_at_sample = link.fair.delivered_bytes();
                link.offered_at_sample = link.fair.offered_bytes();
                LinkPoint {
                    capacity_bps: link.fair.capacity().0 * 8 / 1000,
                    utilization: (now > 0 && offered > 0)
                        .then(|| delivered as f64 / offered as f64),
                }
            })
            .collect()
    }

    /// The links' results of a run that ended at `end`.
    pub(super) fn results(&mut self, end: Time) -> Vec<LinkResult> {
        self.links
            .iter_mut()
            .zip(&self.scenario.links)
            .map(|(l, spec)| {
                l.fair.advance(end);
                let offered = l.fair.offered_bytes();
                LinkResult {
                    name: spec.name.clone(),
                    bytes_sent: l.fair.delivered_bytes(),
                    bytes_offered: offered,
                    utilization_mean: (offered > 0)
                        .then(|| l.fair.delivered_bytes() as f64 / offered as f64),
                    saturated_s: l.fair.saturated_ms() as f64 / 1000.0,
                }
            })
            .collect()
    }
}
