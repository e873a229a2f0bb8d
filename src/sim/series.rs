//! Time series in memory, columnar, at the scenario's sample step: per VM (state, health,
//! RPO, backlog, initial copy left), per link (capacity, utilization), per host (volume
//! used) and estate aggregates. Sample `s` of VM `v` is at index `s * vms + v` of each VM
//! column (likewise for links and hosts), so a sample is one contiguous run per column.
//!
//! Memory: [`Series::BYTES_PER_VM_SAMPLE`] (26) bytes per VM per sample, 16 per link and 8
//! per host per sample, 40 per sample for the instant and the estate; [`Series::bytes_for`]
//! gives the total before a run starts, so a caller can refuse a run whose series would not
//! fit.

use super::health::Health;
use crate::engine::Time;
use crate::replication::StateKind;

/// `vm_rpo_ms` of a VM without a recovery point.
const NO_RPO: u64 = u64::MAX;

/// One VM at one sample instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmPoint {
    pub state: StateKind,
    pub health: Health,
    /// `None` before the VM has a recovery point.
    pub rpo_ms: Option<Time>,
    /// Bytes written and not yet applied at the target (open log + log in flight).
    pub backlog_bytes: u64,
    /// Used bytes initial replication still has to copy.
    pub initial_copy_left_bytes: u64,
}

/// One link at one sample instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkPoint {
    pub capacity_bps: u64,
    /// Share of the link's capacity used over the step that ends here (0..=1); `None` at the
    /// first sample and while the link offered nothing.
    pub utilization: Option<f64>,
}

/// The estate at one sample instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EstatePoint {
    /// VMs in delta replication (protected).
    pub protected: u32,
    /// VMs with a recovery point whose RPO is within their policy's target.
    pub within_target: u32,
    /// Largest RPO of any VM with a recovery point.
    pub rpo_max_ms: Option<Time>,
    /// Backlog of all VMs together.
    pub backlog_bytes: u64,
}

/// Columnar time series of a run (empty when the scenario has no sample step, or the run was
/// asked not to keep them).
#[derive(Debug, Clone, Default)]
pub struct Series {
    vms: usize,
    links: usize,
    hosts: usize,
    times: Vec<Time>,
    vm_state: Vec<StateKind>,
    vm_health: Vec<Health>,
    vm_rpo_ms: Vec<u64>,
    vm_backlog_bytes: Vec<u64>,
    vm_copy_left_bytes: Vec<u64>,
    link_capacity_bps: Vec<u64>,
    link_utilization: Vec<Option<f64>>,
    host_volume_used_bytes: Vec<u64>,
    estate: Vec<EstatePoint>,
}

impl Series {
    /// Bytes one VM adds to one sample.
    pub const BYTES_PER_VM_SAMPLE: u64 = 26;

    pub fn new(vms: usize, links: usize, hosts: usize, samples: usize) -> Series {
        Series {
            vms,
            links,
            hosts,
            times: Vec::with_capacity(samples),
            vm_state: Vec::with_capacity(samples * vms),
            vm_health: Vec::with_capacity(samples * vms),
            vm_rpo_ms: Vec::with_capacity(samples * vms),
            vm_backlog_bytes: Vec::with_capacity(samples * vms),
            vm_copy_left_bytes: Vec::with_capacity(samples * vms),
            link_capacity_bps: Vec::with_capacity(samples * links),
            link_utilization: Vec::with_capacity(samples * links),
            host_volume_used_bytes: Vec::with_capacity(samples * hosts),
            estate: Vec::with_capacity(samples),
        }
    }

    /// What `samples` samples of an estate of this size take in memory.
    pub fn bytes_for(vms: usize, links: usize, hosts: usize, samples: u64) -> u64 {
        samples.saturating_mul(
            Self::BYTES_PER_VM_SAMPLE * vms as u64 + 16 * links as u64 + 8 * hosts as u64 + 40,
        )
    }

    /// Sample instants, in order.
    pub fn times(&self) -> &[Time] {
        &self.times
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    pub fn vm(&self, sample: usize, vm: usize) -> VmPoint {
        let i = sample * self.vms + vm;
        VmPoint {
            state: self.vm_state[i],
            health: self.vm_health[i],
            rpo_ms: Some(self.vm_rpo_ms[i]).filter(|&r| r != NO_RPO),
            backlog_bytes: self.vm_backlog_bytes[i],
            initial_copy_left_bytes: self.vm_copy_left_bytes[i],
        }
    }

    pub fn link(&self, sample: usize, link: usize) -> LinkPoint {
        let i = sample * self.links + link;
        LinkPoint {
            capacity_bps: self.link_capacity_bps[i],
            utilization: self.link_utilization[i],
        }
    }

    pub fn host_volume_used_bytes(&self, sample: usize, host: usize) -> u64 {
        self.host_volume_used_bytes[sample * self.hosts + host]
    }

    pub fn estate(&self, sample: usize) -> EstatePoint {
        self.estate[sample]
    }

    /// Start a sample at `at`: push its VMs with [`Series::push_vm`] in VM order, then its
    /// links and hosts, then [`Series::end_sample`].
    pub(crate) fn begin_sample(&mut self, at: Time) {
        self.times.push(at);
        self.estate.push(EstatePoint::default());
    }

    pub(crate) fn push_vm(&mut self, point: VmPoint, target_rpo_ms: Time) {
        let estate = self.estate.last_mut().expect("begin_sample first");
        if point.state == StateKind::Protected {
            estate.protected += 1;
        }
        if let Some(rpo) = point.rpo_ms {
            estate.within_target += u32::from(rpo <= target_rpo_ms);
            estate.rpo_max_ms = Some(estate.rpo_max_ms.map_or(rpo, |m| m.max(rpo)));
        }
        estate.backlog_bytes += point.backlog_bytes;
        self.vm_state.push(point.state);
        self.vm_health.push(point.health);
        self.vm_rpo_ms.push(point.rpo_ms.unwrap_or(NO_RPO));
        self.vm_backlog_bytes.push(point.backlog_bytes);
        self.vm_copy_left_bytes.push(point.initial_copy_left_bytes);
    }

    pub(crate) fn push_link(&mut self, point: LinkPoint) {
        self.link_capacity_bps.push(point.capacity_bps);
        self.link_utilization.push(point.utilization);
    }

    pub(crate) fn push_host(&mut self, volume_used_bytes: u64) {
        self.host_volume_used_bytes.push(volume_used_bytes);
    }

    /// Every column holds whole samples.
    pub(crate) fn end_sample(&self) {
        let n = self.times.len();
        debug_assert_eq!(self.vm_state.len(), n * self.vms);
        debug_assert_eq!(self.link_capacity_bps.len(), n * self.links);
        debug_assert_eq!(self.host_volume_used_bytes.len(), n * self.hosts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_hold_samples_vm_by_vm_and_the_estate_adds_them_up() {
        let mut s = Series::new(2, 1, 1, 2);
        let point = |state, rpo_ms, backlog_bytes| VmPoint {
            state,
            health: Health::Normal,
            rpo_ms,
            backlog_bytes,
            initial_copy_left_bytes: 0,
        };
        for (at, rpo) in [(0, None), (60_000, Some(90_000))] {
            s.begin_sample(at);
            s.push_vm(point(StateKind::Protected, Some(30_000), 5), 60_000);
            s.push_vm(point(StateKind::InitialReplication, rpo, 7), 60_000);
            s.push_link(LinkPoint {
                capacity_bps: 100,
                utilization: None,
            });
            s.push_host(12);
            s.end_sample();
        }
        assert_eq!(s.times(), &[0, 60_000]);
        assert_eq!(s.vm(1, 1).rpo_ms, Some(90_000));
        assert_eq!(s.vm(0, 1).rpo_ms, None);
        assert_eq!(s.vm(1, 0).state, StateKind::Protected);
        let e = s.estate(1);
        assert_eq!(
            (e.protected, e.within_target, e.rpo_max_ms, e.backlog_bytes),
            (1, 1, Some(90_000), 12)
        );
        assert_eq!(s.estate(0).within_target, 1);
        assert_eq!(Series::bytes_for(2, 1, 1, 2), 2 * (52 + 16 + 8 + 40));
    }
}
