//! The links of a run: each a [`FairLink`] shared by the transfers on it, with its outages,
//! degradations and throttle schedule applied to its capacity, and the wake-up event that
//! completes its next transfer. VMs are flows on a link; the world says which.

use super::event::{self, Event};
use crate::engine::{EventQueue, Lane, Time};
use crate::model::link::{FairLink, FlowId, Load};
use crate::model::Scenario;
use crate::sim::record::LinkResult;
use crate::sim::series::LinkPoint;
use crate::units::ByteRate;

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

pub(super) struct Links<'a> {
    scenario: &'a Scenario,
    links: Vec<Link>,
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

    /// Start sending `bytes` for `flow`.
    #[inline(always)]
    pub(super) fn start(
        &mut self,
        now: Time,
        l: usize,
        flow: FlowId,
        bytes: u64,
        queue: &mut EventQueue<Event>,
    ) {
        self.links[l].fair.start(now, flow, bytes);
        self.rearm(l, queue);
    }

    /// Stop `flow`'s transfer: the bytes it had left, if it was sending.
    pub(super) fn stop(
        &mut self,
        now: Time,
        l: usize,
        flow: FlowId,
        queue: &mut EventQueue<Event>,
    ) -> Option<u64> {
        let left = self.links[l].fair.stop(now, flow);
        self.rearm(l, queue);
        left
    }

    /// Bytes `flow` has left to send.
    pub(super) fn remaining(&self, l: usize, flow: FlowId) -> u64 {
        self.links[l].fair.remaining_bytes(flow)
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
        self.links[l].fair.fail_all(now, failed);
        self.rearm(l, queue);
    }

    pub(super) fn outage_end(&mut self, now: Time, l: usize, queue: &mut EventQueue<Event>) {
        self.links[l].down -= 1;
        self.update_capacity(now, l, queue);
    }

    /// A wake-up of link `l`: the flows whose transfers completed now, or `None` when the
    /// wake-up is void. Hand the buffer back with [`Links::finished_done`].
    #[inline(always)]
    pub(super) fn wake(&mut self, now: Time, l: usize, gen: u64) -> Option<Vec<FlowId>> {
        if gen != self.links[l].gen {
            return None;
        }
        let mut finished = std::mem::take(&mut self.finished);
        self.links[l].fair.take_finished(now, &mut finished);
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
