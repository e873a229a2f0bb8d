//! The DR model's events and their order among events at the same instant.
//!
//! Classes, lowest first:
//! 0. capacity changes (throttle schedule, outages start and end): a transfer finishing now
//!    sees the new capacity only from now on, so the link is brought up to date first;
//! 1. cycle ticks: a tick and a transfer completion at the same instant count the transfer as
//!    still in flight (the cycle is missed), the canonical workload's rule;
//! 2. transfer completions and failures;
//! 3. job completions and retry timers;
//! 4. scenario commands (enable protection, scheduled IR start);
//! 5. samplers, last, so a sample sees every change of its instant.

use crate::engine::Class;

pub const CAPACITY: Class = Class(0);
pub const TICK: Class = Class(1);
pub const TRANSFER: Class = Class(2);
pub const JOB: Class = Class(3);
pub const COMMAND: Class = Class(4);
pub const SAMPLE: Class = Class(5);

/// VM and link indices are `u32` to keep events small (the queue holds many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The throttle schedule of a link changes.
    CapacityChange {
        link: u32,
    },
    /// A VM's copy interval elapsed.
    CycleTick {
        vm: u32,
    },
    /// The link's earliest transfer may have finished; stale if `gen` is old.
    LinkWake {
        link: u32,
        gen: u64,
    },
    /// A VM's job ends; stale if `gen` is old.
    JobDone {
        vm: u32,
        gen: u32,
    },
    /// A link's scheduled outage `index` starts (or ends).
    OutageStart {
        link: u32,
        index: u32,
    },
    OutageEnd {
        link: u32,
        index: u32,
    },
    /// A VM's transfer could not start or run: the link is down.
    TransferFailed {
        vm: u32,
    },
    /// A VM's back-off wait has elapsed.
    RetryTimer {
        vm: u32,
    },
    /// Enable protection on a VM.
    EnableProtection {
        vm: u32,
    },
    /// Start a VM protected and in sync (at t = 0).
    AssumeProtected {
        vm: u32,
    },
    /// The scheduled start of a VM's initial replication.
    StartInitialReplication {
        vm: u32,
    },
    /// Take a time-series sample of every VM and link.
    Sample,
}

impl Event {
    pub fn class(&self) -> Class {
        match self {
            Event::CapacityChange { .. } | Event::OutageStart { .. } | Event::OutageEnd { .. } => {
                CAPACITY
            }
            Event::TransferFailed { .. } => TRANSFER,
            Event::RetryTimer { .. } => JOB,
            Event::CycleTick { .. } => TICK,
            Event::LinkWake { .. } => TRANSFER,
            Event::JobDone { .. } => JOB,
            Event::EnableProtection { .. }
            | Event::AssumeProtected { .. }
            | Event::StartInitialReplication { .. } => COMMAND,
            Event::Sample => SAMPLE,
        }
    }
}
