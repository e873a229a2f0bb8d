//! Where a VM's bytes go: a link shared with other VMs, or (azure-to-azure) the VM's own pipe
//! to a cache storage account. One enum, so that every place that sends, stops or measures a
//! transfer says what it does for each.

use super::cache::CachePipe;
use super::event::Event;
use super::links::Links;
use crate::engine::{EventQueue, Time};
use crate::model::link::FlowId;

#[derive(Debug)]
pub(super) enum DataPath {
    /// The VM is a flow on this link.
    Link(u32),
    /// Boxed: the hot per-VM state stays small for the estates that use links.
    Cache(Box<CachePipe>),
}

impl DataPath {
    /// The VM's link, if it has one.
    #[inline(always)]
    pub(super) fn link(&self) -> Option<usize> {
        match self {
            DataPath::Link(l) => Some(*l as usize),
            DataPath::Cache(_) => None,
        }
    }

    /// The cache pipe, if the VM has one.
    #[inline(always)]
    pub(super) fn cache(&mut self) -> Option<&mut CachePipe> {
        match self {
            DataPath::Link(_) => None,
            DataPath::Cache(pipe) => Some(pipe),
        }
    }

    /// A log was closed (or tracking restarted) now: the cache pipe uploads the next log's
    /// writes as they come. Nothing for a link: a log goes on it when it is closed.
    #[inline(always)]
    pub(super) fn log_closed(&mut self, now: Time) {
        if let DataPath::Cache(pipe) = self {
            pipe.log_closed(now);
        }
    }

    /// Stop the transfer of `flow` in progress: the bytes it had left, if one was running.
    pub(super) fn stop(
        &mut self,
        now: Time,
        flow: FlowId,
        links: &mut Links,
        queue: &mut EventQueue<Event>,
    ) -> Option<u64> {
        match self {
            DataPath::Link(l) => links.stop(now, *l as usize, flow, queue),
            DataPath::Cache(pipe) => pipe.stop(now),
        }
    }

    /// Bytes the transfer of `flow` in progress has left.
    pub(super) fn remaining(&self, now: Time, flow: FlowId, links: &Links) -> u64 {
        match self {
            DataPath::Link(l) => links.remaining(*l as usize, flow),
            DataPath::Cache(pipe) => pipe.remaining(now),
        }
    }
}
