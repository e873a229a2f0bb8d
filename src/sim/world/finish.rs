//! Observation at the run's sample step (the time series and host peaks) and the results at
//! its end.

use super::*;

impl World<'_> {
    /// What the VM holds on its host volume now: [`Books::volume`].
    #[inline(always)]
    pub(super) fn volume_bytes(&mut self, vm: usize, now: Time) -> (u64, u64) {
        let sc = self.scenario;
        self.books(vm).volume(now, &sc.vms[vm])
    }

    /// Used bytes of the disks initial replication has not copied yet.
    pub(super) fn initial_copy_left(&self, vm: usize, now: Time) -> u64 {
        let v = &self.vms[vm];
        match v.machine.state() {
            State::InitialReplication { disk } => {
                let later: u64 = self.scenario.vms[vm].disks[disk as usize + 1..]
                    .iter()
                    .map(|d| d.used.0)
                    .sum();
                later + v.path.remaining(now, vm as FlowId, &self.links)
            }
            State::Unprotected | State::EnablingProtection | State::InitialReplicationPending => {
                self.scenario.vms[vm].used_size()
            }
            _ => 0,
        }
    }

    /// Read host volume peaks exactly from now on ([`crate::run::RunSpec::exact_host_peaks`]).
    pub(in crate::sim) fn exact_host_peaks(&mut self) {
        self.exact_host_peaks = true;
    }

    /// The use of `vm`'s host volume is about to drop: in exact mode, its peak is now (the
    /// use only grows between drops).
    #[inline(always)]
    pub(super) fn before_volume_drop(&mut self, now: Time, vm: usize) {
        if self.exact_host_peaks {
            let h = self.scenario.vms[vm].host;
            let used = self.host_volume_used(now, h);
            self.host_peak_volume[h] = self.host_peak_volume[h].max(used);
        }
    }

    /// Snapshot and log space a host's VMs hold now; updates each VM's peak. A VM running
    /// at the secondary side keeps its logs there, not on its host's volume.
    pub(super) fn host_volume_used(&mut self, now: Time, host: usize) -> u64 {
        let mut used = 0;
        for i in 0..self.hosts[host].vms.len() {
            let vm = self.hosts[host].vms[i] as usize;
            if self.cold[vm].at_secondary() {
                continue;
            }
            let (pending, snapshot) = self.volume_bytes(vm, now);
            let mine = pending + snapshot;
            self.vms[vm].watch.saw_volume(mine);
            used += mine;
        }
        used
    }

    pub(super) fn sample(&mut self, now: Time) {
        let link_points = self.links.sample(now);
        let mut series = self.series.take();
        if let Some(s) = series.as_mut() {
            s.begin_sample(now);
        }
        let mut host_used = vec![0u64; self.host_peak_volume.len()];
        for vm in 0..self.vms.len() {
            let (pending, snapshot) = self.volume_bytes(vm, now);
            let copy_left = self.initial_copy_left(vm, now);
            let v = &mut self.vms[vm];
            v.watch.saw_volume(pending + snapshot);
            let spec = &self.scenario.vms[vm];
            if !self.cold[vm].at_secondary() {
                host_used[spec.host] += snapshot + pending;
            }
            if let Some(s) = series.as_mut() {
                let point = VmPoint {
                    state: v.machine.state().kind(),
                    health: self.cold[vm].health.current,
                    rpo_ms: v.watch.rpo_now(now),
                    backlog_bytes: pending,
                    initial_copy_left_bytes: copy_left,
                };
                s.push_vm(point, v.watch.target_rpo_ms());
            }
        }
        if let Some(s) = series.as_mut() {
            for point in link_points {
                s.push_link(point);
            }
            for &used in &host_used {
                s.push_host(used);
            }
            s.end_sample();
        }
        self.series = series;
        for (peak, used) in self.host_peak_volume.iter_mut().zip(host_used) {
            *peak = (*peak).max(used);
        }
    }

    /// The results, the event log and the time series of a run that ended with `counts`.
    pub(in crate::sim) fn finish(mut self, counts: RunCounts) -> (RunResult, EventLog, Series) {
        let end = counts.end;
        let sc = self.scenario;
        if self.exact_host_peaks {
            for h in 0..sc.hosts.len() {
                let used = self.host_volume_used(end, h);
                self.host_peak_volume[h] = self.host_peak_volume[h].max(used);
            }
        }
        // What the disk cursors say at the end, read first: the cursors go before the
        // results are built, so a large estate never holds both.
        let at_end: Vec<((u64, u64), u64)> = (0..self.vms.len())
            .map(|vm| self.books(vm).settle(end, &sc.vms[vm]))
            .collect();
        self.disks.release();
        let mut vms = Vec::with_capacity(self.vms.len());
        for (vm, &((pending, snapshot), w)) in at_end.iter().enumerate() {
            self.close_open_records(end, vm);
            let records = self.cold[vm].records.result();
            let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
            v.watch.saw(pending, snapshot);
            v.watch.end(end);
            let bytes = books::totals(&v.books, &c.books, w);
            let spec = &sc.vms[vm];
            let host = &sc.hosts[spec.host];
            let site = &sc.sites[host.site];
            vms.push(VmResult {
                name: spec.name.clone(),
                state: v.machine.state().kind().name(),
                disks: spec.disks.len(),
                virtual_size_bytes: spec.virtual_size(),
                used_size_bytes: spec.used_size(),
                protection_enabled_at: records.enabled_at,
                initial_replication_started_at: records.ir_started_at,
                protected_at: records.protected_at,
                initial_replication_ms: records.ir_ms,
                enable_failure: records.enable_failure,
                target_rpo_ms: sc.policies[site.policy].target_rpo,
                rpo: v.watch.rpo_summary(),
                bytes_written: bytes.written,
                bytes_replicated: bytes.replicated,
                bytes_pending: pending,
                bytes_initial_copy: bytes.initial_copy,
                cycles_done: v.watch.cycles_done(),
                cycles_missed: v.watch.cycles_missed(),
                peak_log_bytes: v.watch.peak_log_bytes(),
                arrivals: v.watch.arrivals(),
                transfer_failures: c.transfer_failures,
                retries: c.retries,
                resyncs: records.resyncs,
                bytes_discarded: bytes.discarded,
                bytes_resync_sent: bytes.resync_sent,
                bytes_lost: bytes.lost,
                health: c.health.current.name(),
                time_warning_ms: c.health.time_in(Health::Warning, end),
                time_critical_ms: c.health.time_in(Health::Critical, end),
                last_sync_at: v.watch.last_sync(),
                average_latency_ms: v.watch.average_latency_ms(),
                peak_volume_used_bytes: v.watch.peak_volume_used(),
                point_alerts: c.alert.raised,
                first_point_alert_at: c.alert.first_raised_at,
            });
        }
        let links = self.links.results(end);
        let hosts = sc
            .hosts
            .iter()
            .zip(&self.host_peak_volume)
            .zip(&self.hosts)
            .map(|((h, &peak), state)| HostResult {
                name: h.name.clone(),
                volume_free_bytes: h.volume_free.map(|b| b.0),
                peak_volume_used_bytes: peak,
                volume_full_events: state.volume_full_events,
                start_waits: state.start_waits,
            })
            .collect();
        let failovers = self.failover_records();
        let result = RunResult {
            failovers,
            seed: self.seed,
            horizon: end,
            events_processed: counts.events_processed,
            vms,
            links,
            hosts,
        };
        let series = self.series.take().unwrap_or_default();
        (result, std::mem::take(&mut self.log), series)
    }

    /// At the end of the run: jobs still running, the open health span and resync.
    pub(super) fn close_open_records(&mut self, end: Time, vm: usize) {
        let (v, c) = (&mut self.vms[vm], &mut self.cold[vm]);
        let in_ir = matches!(v.machine.state(), State::InitialReplication { .. });
        let download = c.failover.as_ref().and_then(|f| f.download_started);
        c.records.close_open(vm, in_ir, download, &mut self.log);
        self.log.health(HealthSpan {
            vm,
            from: c.health.since,
            to: end,
            health: c.health.current,
            reason: c.health.reason,
        });
    }
}
