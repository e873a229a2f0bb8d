//! Selecting VMs in the fields that name them: the `vm` of `[[faults]]`, `[[actions]]` and
//! `[[failovers]]`, and each entry of a recovery plan group's `vms`. A selector is
//!
//! - a VM's name after stamping (`app-07`),
//! - a `[[vms]]` table's name (`app`): every VM the tables of that name stamp out,
//! - a glob over VM names, `*` for any run of characters and `?` for one (`app-*`),
//! - `tag:NAME`: every VM whose `[[vms]]` table lists NAME in its `tags`.
//!
//! The VMs come in file order, each once. A selector that finds no VM is an error that says
//! what exists.

use super::raw::{RawVm, Text};
use super::validate::{stamped_names_by_table, Ctx};
use std::collections::BTreeMap;

/// How many VM names an error lists.
const VM_NAMES_SHOWN: usize = 10;
/// The prefix of a tag selector.
pub(super) const TAG: &str = "tag:";

/// The VMs a selector may name, with their tables and tags, from the file (so that a VM with
/// an error of its own does not also make every selector naming it an error).
pub(super) struct VmIndex {
    names: Vec<String>,
    index: BTreeMap<String, usize>,
    /// Table name -> its VMs, over every table of that name, in file order.
    tables: BTreeMap<String, Vec<usize>>,
    /// Table names with `count`, in file order, each once (for the errors).
    table_names: Vec<String>,
    /// Tag -> its VMs in file order.
    tags: BTreeMap<String, Vec<usize>>,
}

impl VmIndex {
    pub(super) fn new(raw: &[RawVm]) -> VmIndex {
        let mut out = VmIndex {
            names: Vec::new(),
            index: BTreeMap::new(),
            tables: BTreeMap::new(),
            table_names: Vec::new(),
            tags: BTreeMap::new(),
        };
        for (v, names) in raw.iter().zip(stamped_names_by_table(raw)) {
            let table = v.name.get_ref();
            for name in names {
                let i = out.names.len();
                out.index.entry(name.clone()).or_insert(i);
                out.names.push(name);
                out.tables.entry(table.clone()).or_default().push(i);
                for tag in v.tags.iter().flat_map(|t| t.get_ref()) {
                    out.tags.entry(tag.get_ref().clone()).or_default().push(i);
                }
            }
            if v.count.is_some() && !out.table_names.contains(table) {
                out.table_names.push(table.clone());
            }
        }
        out
    }

    /// The name of VM `vm`.
    pub(super) fn name(&self, vm: usize) -> &str {
        &self.names[vm]
    }

    /// The VM names, the first few, as the errors list them.
    fn some_names(&self) -> String {
        let shown: Vec<&str> = self
            .names
            .iter()
            .take(VM_NAMES_SHOWN)
            .map(String::as_str)
            .collect();
        match self.names.len() {
            n if n <= VM_NAMES_SHOWN => shown.join(", "),
            n => format!("{}, ... ({n} VMs in all)", shown.join(", ")),
        }
    }

    /// Every way to select, with what exists.
    fn ways(&self) -> String {
        if self.names.is_empty() {
            return "none: add a [[vms]] table first".to_string();
        }
        let mut out = format!("{}; or", self.some_names());
        if !self.table_names.is_empty() {
            out += &format!(" a [[vms]] table: {};", self.table_names.join(", "));
        }
        let tags = if self.tags.is_empty() {
            format!("{TAG}NAME (no VM has tags)")
        } else {
            self.tag_list()
        };
        out + &format!(" a glob with * and ?; {tags}")
    }

    /// The tags VMs have, as selectors.
    fn tag_list(&self) -> String {
        if self.tags.is_empty() {
            return "none: no [[vms]] table sets tags, such as tags = [\"tier1\"]".into();
        }
        let tags: Vec<String> = self.tags.keys().map(|t| format!("{TAG}{t}")).collect();
        tags.join(", ")
    }
}

/// Check a `[[vms]]` table's `tags`: each a non-empty word without spaces or glob
/// characters, listed once.
pub(super) fn tags(ctx: &mut Ctx, v: &RawVm, field: &str) {
    let Some(tags) = &v.tags else { return };
    const ALLOWED: &str = "tags such as [\"tier1\", \"sql\"]: words without spaces, * or ?";
    for (k, t) in tags.get_ref().iter().enumerate() {
        let tag = t.get_ref();
        let bad = tag.is_empty() || tag.contains(char::is_whitespace) || is_glob(tag);
        if bad {
            ctx.error(
                t.span(),
                &format!("{field}[{k}]"),
                format!("\"{tag}\" is not a tag"),
                Some(ALLOWED.into()),
            );
        } else if let Some(first) = tags.get_ref()[..k].iter().position(|o| o.get_ref() == tag) {
            ctx.error(
                t.span(),
                &format!("{field}[{k}]"),
                format!("\"{tag}\" is already tags[{first}]"),
                Some(ALLOWED.into()),
            );
        }
    }
}

/// Whether `pattern` has glob characters.
pub(super) fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// `*` matches any run of characters (also none), `?` exactly one.
fn glob_match(pattern: &[char], name: &[char]) -> bool {
    // Iterative with one backtrack point: the last `*` seen.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// The VMs `text` selects, in file order; empty after reporting an error at `field` when it
/// selects none.
pub(super) fn select_vms(ctx: &mut Ctx, vms: &VmIndex, text: &Text, field: &str) -> Vec<usize> {
    let s = text.get_ref().as_str();
    if let Some(tag) = s.strip_prefix(TAG) {
        if let Some(found) = vms.tags.get(tag) {
            return found.clone();
        }
        ctx.error(
            text.span(),
            field,
            format!("no VM has the tag \"{tag}\""),
            Some(vms.tag_list()),
        );
        return Vec::new();
    }
    if is_glob(s) {
        let pattern: Vec<char> = s.chars().collect();
        let found: Vec<usize> = (0..vms.names.len())
            .filter(|&i| {
                let name: Vec<char> = vms.names[i].chars().collect();
                glob_match(&pattern, &name)
            })
            .collect();
        if found.is_empty() {
            ctx.error(
                text.span(),
                field,
                format!("the glob \"{s}\" matches no VM name"),
                Some(if vms.names.is_empty() {
                    "none: add a [[vms]] table first".to_string()
                } else {
                    vms.some_names()
                }),
            );
        }
        return found;
    }
    if let Some(&i) = vms.index.get(s) {
        return vec![i];
    }
    if let Some(found) = vms.tables.get(s) {
        return found.clone();
    }
    ctx.error(
        text.span(),
        field,
        format!("no vm is named \"{s}\""),
        Some(vms.ways()),
    );
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, n: &str) -> bool {
        let (p, n): (Vec<char>, Vec<char>) = (p.chars().collect(), n.chars().collect());
        glob_match(&p, &n)
    }

    #[test]
    fn globs_match_as_a_shell_does() {
        assert!(m("app-*", "app-01"));
        assert!(m("app-*", "app-"));
        assert!(!m("app-*", "app"));
        assert!(m("*-0?", "web-07"));
        assert!(!m("*-0?", "web-17"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("*", ""));
        assert!(m("sql-??", "sql-12"));
        assert!(!m("sql-??", "sql-1"));
    }
}
