//! Keywords: the words a scenario file writes for a choice (`topology = "vmm-to-vmm"`,
//! `resync_start = "off-peak"`) and reports print.
//!
//! Each keyword enum has one table, [`Keyword::ALL`], pairing every value with its word.
//! Parsing, the name in reports ([`Keyword::keyword`]) and the "allowed" text of errors
//! ([`Keyword::one_of`], [`Keyword::listed`]) all read it, so adding a variant is one edit to
//! the table (plus, for a keyword that explains itself in errors, its [`Keyword::note`], a
//! `match` the compiler keeps complete).

/// An enum whose values a scenario file names by keyword.
pub trait Keyword: Copy + PartialEq + 'static {
    /// Every value with its keyword, in the order errors list them. An enum whose other
    /// variants carry data ([`crate::model::recovery_points::PointChoice`]) lists only the
    /// variants that have a word.
    const ALL: &'static [(Self, &'static str)];

    /// The value a scenario file gets when it leaves the field out, if there is one: the
    /// "allowed" text marks it "the default". Set from [`crate::model::defaults`].
    const DEFAULT: Option<Self> = None;

    /// What the keyword means, after it in "allowed" texts: `"vm" (the VM's pending ...)`.
    fn note(self) -> Option<&'static str> {
        None
    }

    /// Whether a scenario file may write it; `false` for a value the topology fixes, which
    /// has a word only for reports.
    fn in_files(self) -> bool {
        true
    }

    /// The keyword of `self`. Panics for a value that has none (a variant with data).
    fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|&&(v, _)| v == self)
            .map(|&(_, word)| word)
            .expect("a value without a keyword")
    }

    /// The value a scenario file names by `word` (exactly: keywords are lower case).
    fn parse(word: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|&&(v, w)| w == word && v.in_files())
            .map(|&(v, _)| v)
    }

    /// Each keyword a file may write, quoted, with what it means: `"vm" (the default: ...)`.
    fn choices() -> Vec<String> {
        Self::ALL
            .iter()
            .filter(|(v, _)| v.in_files())
            .map(|&(v, word)| {
                let default = Self::DEFAULT == Some(v);
                match (default, v.note()) {
                    (true, Some(note)) => format!("\"{word}\" (the default: {note})"),
                    (true, None) => format!("\"{word}\" (the default)"),
                    (false, Some(note)) => format!("\"{word}\" ({note})"),
                    (false, None) => format!("\"{word}\""),
                }
            })
            .collect()
    }

    /// The "allowed" text of a keyword field: `"a" (note), "b" or "c"`.
    fn one_of() -> String {
        one_of(&Self::choices())
    }

    /// The keywords a file may write as a plain list: `a, b, c`.
    fn listed() -> String {
        Self::words().collect::<Vec<_>>().join(", ")
    }

    /// The keywords a file may write, in table order.
    fn words() -> impl Iterator<Item = &'static str> {
        Self::ALL
            .iter()
            .filter(|(v, _)| v.in_files())
            .map(|&(_, word)| word)
    }
}

/// `a, b or c`.
pub fn one_of(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

impl Keyword for crate::replication::RetryReading {
    // The enum lives with the retry schedule in `replication`; its keywords live here.
    const ALL: &'static [(Self, &'static str)] =
        &[(Self::Waits, "waits"), (Self::Offsets, "offsets")];
    const DEFAULT: Option<Self> = Some(super::defaults::RETRY_READING);

    fn note(self) -> Option<&'static str> {
        Some(match self {
            Self::Waits => "retries 1, 3, 7, 15, 25, 55, 85, ... min after the first failure",
            Self::Offsets => "1, 2, 4, 8, 10, 40, 70, ... min",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::failover::{FailbackMode, FailoverKind, OrderKind};
    use crate::model::faults::{AdminAction, HostFaultType, NonRecoverableError, RepairKind};
    use crate::model::recovery_points::PointChoice;
    use crate::model::workload::WorkloadKind;
    use crate::model::*;
    use crate::replication::RetryReading;

    /// Every word parses back to its value, and no word is used twice.
    fn round_trips<K: Keyword + std::fmt::Debug>() {
        let mut seen = std::collections::BTreeSet::new();
        for &(v, word) in K::ALL {
            assert!(seen.insert(word), "{word} twice");
            assert_eq!(v.keyword(), word);
            if v.in_files() {
                assert_eq!(K::parse(word), Some(v), "{word}");
            } else {
                assert_eq!(K::parse(word), None, "{word} is not for files");
            }
            assert_eq!(word, word.to_ascii_lowercase());
        }
        if let Some(d) = K::DEFAULT {
            assert!(d.in_files(), "the default {d:?} cannot be written");
        }
    }

    #[test]
    fn every_table_round_trips() {
        round_trips::<Topology>();
        round_trips::<Orchestration>();
        round_trips::<ResyncBasis>();
        round_trips::<ResyncStart>();
        round_trips::<ResyncWindow>();
        round_trips::<RetryReading>();
        round_trips::<WorkloadKind>();
        round_trips::<RepairKind>();
        round_trips::<NonRecoverableError>();
        round_trips::<HostFaultType>();
        round_trips::<AdminAction>();
        round_trips::<OrderKind>();
        round_trips::<FailoverKind>();
        round_trips::<FailbackMode>();
        round_trips::<PointChoice>();
    }

    #[test]
    fn allowed_texts_come_from_the_tables() {
        assert_eq!(
            Topology::listed(),
            "hyperv-to-azure, vmm-to-vmm, azure-to-azure"
        );
        // The Mobility service is the topology's, not a file's choice.
        assert_eq!(Orchestration::parse("mobility-service"), None);
        assert_eq!(Orchestration::MobilityService.keyword(), "mobility-service");
        assert_eq!(
            ResyncStart::one_of(),
            "\"off-peak\" (the default: at the next opening of resync_window), \"immediate\" or \"manual\" (only on a scheduled resynchronize action)"
        );
        assert_eq!(
            RepairKind::one_of(),
            "\"exponential\" (the default) or \"lognormal\" (with sigma)"
        );
        assert_eq!(one_of(&[]), "");
        assert_eq!(one_of(&["a".into()]), "a");
    }
}
