//! Teaching: text that explains a run to a reader learning DR replication. `drsim explain`
//! narrates one VM's path through the replication state machine ([`explain`]); the state
//! diagrams (`drsim states --format ...`) live beside the table, in [`crate::replication`].

mod explain;

pub use explain::{explain, find_vm, Explain, UnknownVm};
