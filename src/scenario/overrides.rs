//! Overrides of a scenario file by parameter path (`links.wan.capacity=200 Mbps`). This module
//! owns the `PATH=VALUE` argument, the resolution of the path in the TOML document, the edit
//! itself (with toml_edit, so that everything an override does not touch stays the user's text
//! byte for byte), and the way back from a position in the edited text: to the override that
//! set the value there, or to the line and column of the original file.
//!
//! Paths: segments separated by `.` (a segment may be quoted, `vms."sql.01".count`, to hold a
//! dot). In a table a segment is a key; in an array of tables it selects the element whose
//! `name` is the segment, or else the element at that index. Only the last segment may be a
//! key that is not in the file yet.

use super::error::{ScenarioError, ScenarioErrors};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use toml_edit::{Array, ArrayOfTables, DocumentMut, ImDocument, Item, Table, TableLike, Value};

/// The shape of an override, for the errors that refuse a malformed one.
const FORM: &str = "PATH=VALUE, e.g. links.wan.capacity=200Mbps, vms.sql.count=8";

/// One override: set the key at `path` to `value`. `value` is read as a TOML value if it is
/// one (`8`, `true`, `"x"`, `[...]`, `{ ... }`) and as a string otherwise (`200 Mbps`, `30s`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub path: String,
    pub value: String,
}

impl FromStr for Override {
    type Err = String;

    /// Parse `PATH=VALUE`; the error reads like a scenario error without the file:
    /// `--set ARG: problem` and an `allowed:` line.
    fn from_str(arg: &str) -> Result<Self, String> {
        let refuse = |problem: String, allowed: &str| {
            format!("--set {arg}: {problem}\n  allowed: {allowed}")
        };
        let Some(eq) = equals_outside_quotes(arg) else {
            return Err(refuse(
                "no \"=\" between the path and the value".into(),
                FORM,
            ));
        };
        let (path, value) = (arg[..eq].trim(), arg[eq + 1..].trim());
        segments(path).map_err(|(problem, allowed)| refuse(problem, &allowed))?;
        Ok(Override {
            path: path.to_string(),
            value: value.to_string(),
        })
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

/// The first `=` that is not inside a quoted path segment.
fn equals_outside_quotes(arg: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in arg.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '=' if !quoted => return Some(i),
            _ => {}
        }
    }
    // An unclosed quote: the path is malformed, and segments() says so.
    if quoted {
        arg.find('=')
    } else {
        None
    }
}

/// Split a path into its segments; the error is (problem, allowed).
fn segments(path: &str) -> Result<Vec<String>, (String, String)> {
    let allowed = || format!("{FORM}; quote a segment that holds a dot: vms.\"sql.01\".count=8");
    if path.trim().is_empty() {
        return Err(("the path is empty".into(), allowed()));
    }
    let mut segs = Vec::new();
    let mut rest = path;
    loop {
        let n = segs.len() + 1;
        let r = rest.trim_start();
        let (seg, after) = if let Some(quoted) = r.strip_prefix('"') {
            let Some(end) = quoted.find('"') else {
                return Err((format!("segment {n} has no closing quote"), allowed()));
            };
            (quoted[..end].to_string(), quoted[end + 1..].trim_start())
        } else {
            let end = r.find('.').unwrap_or(r.len());
            let seg = r[..end].trim();
            if seg.is_empty() {
                return Err((format!("segment {n} of the path is empty"), allowed()));
            }
            (seg.to_string(), &r[end..])
        };
        segs.push(seg);
        if after.is_empty() {
            return Ok(segs);
        }
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None => {
                return Err((
                    format!("text after the closing quote of segment {n}"),
                    allowed(),
                ))
            }
        }
    }
}

/// The value an override sets: a TOML value if the text is one, else the text as a string.
/// Date-times stay strings: the scenario format writes them as strings.
fn value_of(text: &str) -> Value {
    match text.parse::<Value>() {
        Ok(Value::Datetime(_)) | Err(_) => Value::from(text),
        Ok(v) => v,
    }
}

/// One step of a resolved path: a key of a table or an element of an array.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where an applied override put its value.
struct Placed {
    /// Index of the override.
    which: usize,
    /// The resolved path; the last step is a key.
    steps: Vec<Step>,
    /// The key was not in the document: the key belongs to the override too.
    inserted: bool,
}

/// Why an override could not be applied: (field, problem, allowed).
type Refusal = (String, String, String);

pub(super) enum Failure {
    /// The original text is not TOML (the normal parse reports where).
    Syntax(String),
    /// Overrides that could not be applied, each naming itself.
    Errors(ScenarioErrors),
}

/// The text with every override applied, and the way back to the original.
pub(super) struct Edited<'a> {
    pub text: String,
    original: &'a str,
    file: PathBuf,
    overrides: &'a [Override],
    /// Where each applied override put its value, in override order.
    placed: Vec<Placed>,
}

/// Apply `overrides` in order to `original` (the text of `file`).
pub(super) fn apply<'a>(
    original: &'a str,
    file: &Path,
    overrides: &'a [Override],
) -> Result<Edited<'a>, Failure> {
    let mut doc: DocumentMut = original
        .parse()
        .map_err(|e: toml_edit::TomlError| Failure::Syntax(e.message().to_string()))?;
    let mut errors = Vec::new();
    let mut placed = Vec::new();
    for (which, o) in overrides.iter().enumerate() {
        match set(&mut doc, o) {
            Ok((steps, inserted)) => placed.push(Placed {
                which,
                steps,
                inserted,
            }),
            Err((field, problem, allowed)) => errors.push(ScenarioError {
                file: file.to_path_buf(),
                line: 0,
                column: 0,
                field,
                problem,
                allowed: Some(allowed),
                override_arg: Some(o.to_string()),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Errors(ScenarioErrors(errors)));
    }
    Ok(Edited {
        text: doc.to_string(),
        original,
        file: file.to_path_buf(),
        overrides,
        placed,
    })
}

impl Edited<'_> {
    /// Re-point errors found in the edited text: at the override whose value (or inserted
    /// key) each is in, else at its line and column in the original text. Only a rejected
    /// scenario pays for the second parse and the diff this takes.
    pub(super) fn locate(&self, errors: Vec<ScenarioError>) -> Vec<ScenarioError> {
        let spans = written_spans(&self.text, &self.placed);
        let was: Vec<&str> = self.original.split('\n').collect();
        let now: Vec<&str> = self.text.split('\n').collect();
        let lines = origins(&was, &now);
        let locate = |mut e: ScenarioError| {
            if e.file != self.file || e.line == 0 || e.override_arg.is_some() {
                return e; // another file (a trace), or not a position
            }
            let offset = offset_of(&self.text, e.line, e.column);
            // The last override wins: it wrote over what an earlier one set.
            if let Some(&(_, which)) = spans.iter().rev().find(|(r, _)| r.contains(&offset)) {
                e.override_arg = Some(self.overrides[which].to_string());
                e.line = 0;
                e.column = 0;
                return e;
            }
            if let Some(origin) = lines.get(e.line - 1) {
                let (line, column) = match *origin {
                    Origin::Same(l) => (l, e.column),
                    Origin::Changed(l) => (l, column_in(was[l], now[e.line - 1], e.column)),
                    Origin::Inserted(l) => (l, 1),
                };
                e.line = line + 1;
                e.column = column;
            }
            e
        };
        errors.into_iter().map(locate).collect()
    }
}

/// Resolve the override's path in `doc` and set its value; returns the resolved path and
/// whether the key was inserted.
fn set(doc: &mut DocumentMut, o: &Override) -> Result<(Vec<Step>, bool), Refusal> {
    let segs = segments(&o.path).map_err(|(problem, allowed)| (String::new(), problem, allowed))?;
    let steps = resolve(doc.as_table(), &segs)?;
    // resolve() ends on a key and walked the same steps; failing here would be a bug.
    let not_followed = || {
        (
            o.path.clone(),
            "the resolved path could not be followed".to_string(),
            "a path to a key of a table".to_string(),
        )
    };
    let Some((Step::Key(key), parent)) = steps.split_last() else {
        return Err(not_followed());
    };
    let Some((table, inline)) = walk_mut(doc.as_table_mut(), parent) else {
        return Err(not_followed());
    };
    let mut value = value_of(&o.value);
    let inserted = match table.get_mut(key) {
        Some(Item::Value(old)) => {
            // Keep the spacing and trailing comment of the line.
            *value.decor_mut() = old.decor().clone();
            *old = value;
            false
        }
        Some(item) => {
            *item = Item::Value(value);
            false
        }
        None => {
            if inline {
                // The space before `}` moves to the new last pair: `{ a = 1, b = 2 }`.
                if let Some((_, Item::Value(last))) = table.iter_mut().last() {
                    let blank = last.decor().suffix().and_then(|s| s.as_str());
                    if blank.is_some_and(|s| s.trim().is_empty()) {
                        last.decor_mut().set_suffix("");
                    }
                }
            }
            table.insert(key, Item::Value(value));
            true
        }
    };
    Ok((steps, inserted))
}

/// A place in the document, seen through what a path can do there.
enum Node<'a> {
    Table(&'a dyn TableLike),
    Tables(&'a ArrayOfTables),
    Array(&'a Array),
    /// A scalar: its kind, for the error.
    Leaf(&'static str),
}

fn item_node(item: &Item) -> Node<'_> {
    match item {
        Item::Table(t) => Node::Table(t),
        Item::ArrayOfTables(a) => Node::Tables(a),
        Item::Value(v) => value_node(v),
        Item::None => Node::Leaf("empty"),
    }
}

fn value_node(v: &Value) -> Node<'_> {
    match v {
        Value::InlineTable(t) => Node::Table(t),
        Value::Array(a) => Node::Array(a),
        Value::String(_) => Node::Leaf("a string"),
        Value::Integer(_) => Node::Leaf("an integer"),
        Value::Float(_) => Node::Leaf("a float"),
        Value::Boolean(_) => Node::Leaf("a boolean"),
        Value::Datetime(_) => Node::Leaf("a date-time"),
    }
}

/// The elements of an array (of tables or of values) with their names.
fn elements<'a>(node: &Node<'a>) -> Vec<(Node<'a>, Option<&'a str>)> {
    match node {
        Node::Tables(a) => a
            .iter()
            .map(|t| (Node::Table(t), t.get("name").and_then(Item::as_str)))
            .collect(),
        Node::Array(a) => a
            .iter()
            .map(|v| {
                let name = v
                    .as_inline_table()
                    .and_then(|t| t.get("name"))
                    .and_then(Value::as_str);
                (value_node(v), name)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The element a segment selects: by name first, then by index.
fn select(elements: &[(Node, Option<&str>)], seg: &str) -> Option<usize> {
    elements
        .iter()
        .position(|(_, name)| *name == Some(seg))
        .or_else(|| index(seg).filter(|&i| i < elements.len()))
}

/// A segment of digits only, as an index.
fn index(seg: &str) -> Option<usize> {
    if seg.bytes().all(|b| b.is_ascii_digit()) {
        seg.parse().ok()
    } else {
        None
    }
}

fn child<'a>(node: &Node<'a>, step: &Step) -> Option<Node<'a>> {
    match (node, step) {
        (Node::Table(t), Step::Key(k)) => t.get(k).map(item_node),
        (Node::Tables(_) | Node::Array(_), Step::Index(i)) => {
            elements(node).into_iter().nth(*i).map(|(n, _)| n)
        }
        _ => None,
    }
}

/// How the errors name a place: the path so far, or the file for the root.
fn place(path: &str) -> String {
    if path.is_empty() {
        "the file".into()
    } else {
        path.to_string()
    }
}

/// The keys of a table a path can go on through (tables and arrays of tables).
fn tables_in(t: &dyn TableLike, path: &str) -> String {
    let keys: Vec<&str> = t
        .iter()
        .filter(|(_, item)| match item_node(item) {
            Node::Table(_) | Node::Tables(_) => true,
            n @ Node::Array(_) => elements(&n)
                .iter()
                .any(|(e, _)| matches!(e, Node::Table(_))),
            Node::Leaf(_) => false,
        })
        .map(|(k, _)| k)
        .collect();
    if keys.is_empty() {
        format!("none: {} holds no tables", place(path))
    } else {
        keys.join(", ")
    }
}

/// Follow the segments from the root; every step but the last must exist.
fn resolve(root: &Table, segs: &[String]) -> Result<Vec<Step>, Refusal> {
    let mut node = Node::Table(root);
    let mut steps = Vec::with_capacity(segs.len());
    for (i, seg) in segs.iter().enumerate() {
        let here = segs[..i].join(".");
        let field = segs[..=i].join(".");
        let last = i + 1 == segs.len();
        let step = match &node {
            Node::Table(t) => {
                if !last && t.get(seg).is_none() {
                    return Err((
                        field.clone(),
                        format!("\"{seg}\" is not in {}", place(&here)),
                        format!(
                            "{} (only the last segment may be new: set a missing table whole, e.g. {field}={{ ... }})",
                            tables_in(*t, &here)
                        ),
                    ));
                }
                Step::Key(seg.clone())
            }
            Node::Tables(_) | Node::Array(_) => {
                let elements = elements(&node);
                let Some(index) = select(&elements, seg) else {
                    let problem = if index(seg).is_some() {
                        format!("{here} has no element {seg}")
                    } else {
                        format!("{here} has no element named \"{seg}\"")
                    };
                    let names: Vec<&str> = elements.iter().filter_map(|(_, n)| *n).collect();
                    let allowed = match (elements.len(), names.is_empty()) {
                        (0, _) => format!("none: {here} is empty"),
                        (n, true) => {
                            format!(
                                "an index 0 to {} (the elements of {here} have no name)",
                                n - 1
                            )
                        }
                        (n, false) => {
                            format!(
                                "{here} named {}, or an index 0 to {}",
                                names.join(", "),
                                n - 1
                            )
                        }
                    };
                    return Err((field, problem, allowed));
                };
                if last {
                    let allowed = match &elements[index].0 {
                        Node::Table(t) => {
                            let keys: Vec<&str> = t.iter().map(|(k, _)| k).collect();
                            format!("a key of {field}: {}", keys.join(", "))
                        }
                        _ => format!("the whole array: {here}=[ ... ]"),
                    };
                    return Err((
                        field,
                        format!("\"{seg}\" selects an element of {here}; an override sets a key"),
                        allowed,
                    ));
                }
                Step::Index(index)
            }
            Node::Leaf(kind) => {
                return Err((
                    here.clone(),
                    format!("{here} is {kind}, not a table: the path cannot go on to \"{seg}\""),
                    format!("a path that ends at {here}"),
                ));
            }
        };
        if !last {
            node = child(&node, &step).unwrap_or(Node::Leaf("empty"));
        }
        steps.push(step);
    }
    Ok(steps)
}

/// A place in the document, mutable.
enum NodeMut<'a> {
    /// A table, and whether it is an inline one.
    Table(&'a mut dyn TableLike, bool),
    Tables(&'a mut ArrayOfTables),
    Array(&'a mut Array),
    Leaf,
}

fn item_node_mut(item: &mut Item) -> NodeMut<'_> {
    match item {
        Item::Table(t) => NodeMut::Table(t, false),
        Item::ArrayOfTables(a) => NodeMut::Tables(a),
        Item::Value(v) => value_node_mut(v),
        Item::None => NodeMut::Leaf,
    }
}

fn value_node_mut(v: &mut Value) -> NodeMut<'_> {
    match v {
        Value::InlineTable(t) => NodeMut::Table(t, true),
        Value::Array(a) => NodeMut::Array(a),
        _ => NodeMut::Leaf,
    }
}

/// The table at the end of resolved `steps`, and whether it is an inline one.
fn walk_mut<'a>(root: &'a mut Table, steps: &[Step]) -> Option<(&'a mut dyn TableLike, bool)> {
    let mut node = NodeMut::Table(root, false);
    for step in steps {
        node = match (node, step) {
            (NodeMut::Table(t, _), Step::Key(k)) => item_node_mut(t.get_mut(k)?),
            (NodeMut::Tables(a), Step::Index(i)) => NodeMut::Table(a.get_mut(*i)?, false),
            (NodeMut::Array(a), Step::Index(i)) => value_node_mut(a.get_mut(*i)?),
            _ => return None,
        };
    }
    match node {
        NodeMut::Table(t, inline) => Some((t, inline)),
        _ => None,
    }
}

/// The byte ranges of the edited text each override wrote: its value, and its key when it
/// inserted one. Found by parsing the edited text again (only a parse records positions).
fn written_spans(text: &str, placed: &[Placed]) -> Vec<(Range<usize>, usize)> {
    let Ok(doc) = ImDocument::parse(text) else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    for p in placed {
        let Some((Step::Key(key), parent)) = p.steps.split_last() else {
            continue;
        };
        let mut node = Node::Table(doc.as_table());
        for step in parent {
            match child(&node, step) {
                Some(n) => node = n,
                None => break,
            }
        }
        let Node::Table(t) = node else { continue };
        let Some(value) = t.get(key).and_then(Item::span) else {
            continue; // overwritten since by a later override of a table above it
        };
        let start = if p.inserted {
            t.key(key)
                .and_then(|k| k.span())
                .map_or(value.start, |k| k.start)
        } else {
            value.start
        };
        spans.push((start..value.end, p.which));
    }
    spans
}

/// Byte offset of 1-based `line` and `column` (in characters) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = text[start..].split('\n').next().unwrap_or("");
    line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(start + line_text.len(), |(i, _)| start + i)
}

/// Where a line of the edited text comes from (0-based lines of the original).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The same text.
    Same(usize),
    /// This original line, edited in place.
    Changed(usize),
    /// New: inserted after this original line.
    Inserted(usize),
}

/// The most line edits the diff looks for; beyond it (an override that replaced a long array
/// of tables) the differing middle is mapped as one changed block.
const MAX_EDITS: usize = 1000;

/// For each line of `edited`, its origin in `original`.
fn origins(original: &[&str], edited: &[&str]) -> Vec<Origin> {
    // An override touches a few lines; the common head and tail are most of the file.
    let head = original
        .iter()
        .zip(edited)
        .take_while(|(a, b)| a == b)
        .count();
    let tail = original[head..]
        .iter()
        .rev()
        .zip(edited[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &original[head..original.len() - tail];
    let b = &edited[head..edited.len() - tail];
    let matched = myers(a, b).unwrap_or_default();

    let mut out: Vec<Origin> = (0..head).map(Origin::Same).collect();
    let (mut ai, mut bj) = (0, 0);
    for &(i, j) in matched.iter().chain(std::iter::once(&(a.len(), b.len()))) {
        // Between matches, b[bj..j] replaced a[ai..i]: pair them line by line.
        for k in 0..j - bj {
            out.push(if ai + k < i {
                Origin::Changed(head + ai + k)
            } else {
                Origin::Inserted((head + i).saturating_sub(1))
            });
        }
        if i < a.len() {
            out.push(Origin::Same(head + i));
        }
        (ai, bj) = (i + 1, j + 1);
    }
    out.extend((original.len() - tail..original.len()).map(Origin::Same));
    out
}

/// The lines `a` and `b` have in common, as (index in a, index in b), ascending: a shortest
/// edit script (Myers, 1986). `None` past `MAX_EDITS` edits.
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<(usize, usize)>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (a.len() + b.len()).min(MAX_EDITS) as isize;
    let off = max + 1;
    // v[k + off]: the furthest x reached on diagonal k = x - y.
    let mut v = vec![0isize; (2 * max + 3) as usize];
    // Before each round d, the diagonals -d-1..=d+1 of v, for the way back.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max {
        trace.push(v[(off - d - 1) as usize..=(off + d + 1) as usize].to_vec());
        for k in (-d..=d).step_by(2) {
            let at = (k + off) as usize;
            let mut x = if k == -d || (k != d && v[at - 1] < v[at + 1]) {
                v[at + 1]
            } else {
                v[at - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at] = x;
            if x >= n && y >= m {
                return Some(back(&trace, n, m));
            }
        }
    }
    None
}

/// Walk the rounds of `myers` back from the end, collecting the diagonal (common) lines.
fn back(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<(usize, usize)> {
    let mut common = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, snap) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let at = |k: isize| snap[(k + d + 1) as usize];
        let k = x - y;
        let (px, py) = if d == 0 {
            (0, 0)
        } else {
            let pk = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
                k + 1
            } else {
                k - 1
            };
            (at(pk), at(pk) - pk)
        };
        while x > px && y > py {
            x -= 1;
            y -= 1;
            common.push((x as usize, y as usize));
        }
        (x, y) = (px, py);
    }
    common.reverse();
    common
}

/// The column in `was` of 1-based `column` of `now`, an edit of it: kept in the common head
/// or tail of the two, else the start of what changed.
fn column_in(was: &str, now: &str, column: usize) -> usize {
    let was: Vec<char> = was.chars().collect();
    let now: Vec<char> = now.chars().collect();
    let head = was.iter().zip(&now).take_while(|(a, b)| a == b).count();
    let room = was.len().min(now.len()) - head;
    let tail = was
        .iter()
        .rev()
        .zip(now.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let c = column.saturating_sub(1);
    if c < head {
        column
    } else if c <= now.len() && now.len() - c <= tail {
        was.len() - (now.len() - c) + 1
    } else {
        head + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(arg: &str) -> Override {
        arg.parse().unwrap()
    }

    fn edit(text: &str, args: &[&str]) -> Result<String, String> {
        let overrides: Vec<Override> = args.iter().map(|a| o(a)).collect();
        match apply(text, Path::new("t.toml"), &overrides) {
            Ok(e) => Ok(e.text),
            Err(Failure::Errors(e)) => Err(e.to_string()),
            Err(Failure::Syntax(m)) => Err(m),
        }
    }

    const DOC: &str = "\
[scenario]
seed = 1

[[links]]
name = \"wan\"
capacity = \"100 Mbps\"    # 12.5 MB/s
random_outages = { mtbf = \"2d\", mttr = \"1h\" }

[[links]]
name = \"dr-link\"
capacity = \"1 Gbps\"

[[vms]]
name = \"sql\"
disks = [{ size = \"1 TiB\" }, { size = \"2 TiB\" }]
";

    #[test]
    fn arguments_split_at_the_first_equals_outside_quotes() {
        let a = o(" links.wan.capacity = 200 Mbps ");
        assert_eq!(
            (a.path.as_str(), a.value.as_str()),
            ("links.wan.capacity", "200 Mbps")
        );
        assert_eq!(a.to_string(), "links.wan.capacity=200 Mbps");
        let a = o("sites.branch.network_mappings={ a = \"b\" }");
        assert_eq!(a.value, "{ a = \"b\" }");
        let a = o("vms.\"a=b\".count=2");
        assert_eq!(
            (a.path.as_str(), a.value.as_str()),
            ("vms.\"a=b\".count", "2")
        );
    }

    #[test]
    fn malformed_arguments_are_refused_with_the_form() {
        let e = "links.wan".parse::<Override>().unwrap_err();
        assert_eq!(
            e,
            "--set links.wan: no \"=\" between the path and the value\n  allowed: PATH=VALUE, e.g. links.wan.capacity=200Mbps, vms.sql.count=8"
        );
        let e = "=5".parse::<Override>().unwrap_err();
        assert!(
            e.starts_with("--set =5: the path is empty\n  allowed: PATH=VALUE"),
            "{e}"
        );
        let e = "links..capacity=5".parse::<Override>().unwrap_err();
        assert!(
            e.starts_with("--set links..capacity=5: segment 2 of the path is empty\n"),
            "{e}"
        );
        let e = "vms.\"sql.count=5".parse::<Override>().unwrap_err();
        assert!(e.contains(": segment 2 has no closing quote\n"), "{e}");
    }

    #[test]
    fn segments_may_be_quoted_to_hold_a_dot() {
        assert_eq!(
            segments("vms.\"sql.01\".count").unwrap(),
            ["vms", "sql.01", "count"]
        );
        assert_eq!(
            segments("links.0.capacity").unwrap(),
            ["links", "0", "capacity"]
        );
        assert!(segments("vms.\"sql\"x.count").is_err());
        assert!(segments("links.").is_err());
    }

    #[test]
    fn values_are_toml_when_they_parse_and_strings_otherwise() {
        assert_eq!(value_of("8").as_integer(), Some(8));
        assert_eq!(value_of("0.5").as_float(), Some(0.5));
        assert_eq!(value_of("true").as_bool(), Some(true));
        assert_eq!(value_of("\"8\"").as_str(), Some("8"));
        assert_eq!(value_of("200 Mbps").as_str(), Some("200 Mbps"));
        assert_eq!(value_of("30s").as_str(), Some("30s"));
        assert_eq!(
            value_of("2026-11-23T08:00").as_str(),
            Some("2026-11-23T08:00")
        );
        assert_eq!(
            value_of("2026-11-23T08:00:00").as_str(),
            Some("2026-11-23T08:00:00")
        );
        assert_eq!(
            value_of("[\"mon\", \"tue\"]").as_array().map(Array::len),
            Some(2)
        );
        assert!(value_of("{ mtbf = \"3d\" }").is_inline_table());
    }

    #[test]
    fn a_replaced_value_keeps_its_line_and_comment() {
        let text = edit(DOC, &["links.wan.capacity=200 Mbps"]).unwrap();
        assert_eq!(
            text,
            DOC.replace(
                "capacity = \"100 Mbps\"    # 12.5 MB/s",
                "capacity = \"200 Mbps\"    # 12.5 MB/s"
            )
        );
    }

    #[test]
    fn paths_select_elements_by_name_or_index_and_go_into_inline_tables() {
        let text = edit(
            DOC,
            &[
                "links.1.capacity=2 Gbps",
                "links.wan.random_outages.mtbf=3d",
                "vms.sql.disks.1.used=1 TiB",
                "scenario.duration=3d",
            ],
        )
        .unwrap();
        assert!(
            text.contains("name = \"dr-link\"\ncapacity = \"2 Gbps\"\n"),
            "{text}"
        );
        assert!(
            text.contains("random_outages = { mtbf = \"3d\", mttr = \"1h\" }"),
            "{text}"
        );
        assert!(
            text.contains(
                "disks = [{ size = \"1 TiB\" }, { size = \"2 TiB\", used = \"1 TiB\" }]\n"
            ),
            "{text}"
        );
        assert!(
            text.starts_with("[scenario]\nseed = 1\nduration = \"3d\"\n"),
            "{text}"
        );
    }

    #[test]
    fn dotted_keys_are_tables_too() {
        let doc = "[[links]]\nname = \"wan\"\nrandom_outages.mtbf = \"2d\"\n";
        let text = edit(
            doc,
            &[
                "links.wan.random_outages.mtbf=3d",
                "links.wan.random_outages.mttr=1h",
            ],
        );
        assert_eq!(
            text.unwrap(),
            "[[links]]\nname = \"wan\"\nrandom_outages.mtbf = \"3d\"\nrandom_outages.mttr = \"1h\"\n"
        );
    }

    #[test]
    fn a_new_top_level_key_goes_above_every_table() {
        let text = edit(DOC, &["calendar={ work_hours = \"09:00-17:00\" }"]).unwrap();
        assert_eq!(
            text,
            format!("calendar = {{ work_hours = \"09:00-17:00\" }}\n{DOC}")
        );
    }

    #[test]
    fn unknown_places_are_refused_with_what_is_there() {
        let e = edit(DOC, &["links.lan.capacity=1"]).unwrap_err();
        assert_eq!(
            e,
            "error: t.toml: --set links.lan.capacity=1: links.lan: links has no element named \"lan\"\n  allowed: links named wan, dr-link, or an index 0 to 1"
        );
        let e = edit(DOC, &["links.7.capacity=1"]).unwrap_err();
        assert!(e.contains(": links.7: links has no element 7\n"), "{e}");
        let e = edit(DOC, &["link.wan.capacity=1"]).unwrap_err();
        assert_eq!(
            e,
            "error: t.toml: --set link.wan.capacity=1: link: \"link\" is not in the file\n  allowed: scenario, links, vms (only the last segment may be new: set a missing table whole, e.g. link={ ... })"
        );
        let e = edit(DOC, &["links.wan.capacity.x=1"]).unwrap_err();
        assert_eq!(
            e,
            "error: t.toml: --set links.wan.capacity.x=1: links.wan.capacity: links.wan.capacity is a string, not a table: the path cannot go on to \"x\"\n  allowed: a path that ends at links.wan.capacity"
        );
        let e = edit(DOC, &["links.wan=1"]).unwrap_err();
        assert!(
            e.ends_with(": links.wan: \"wan\" selects an element of links; an override sets a key\n  allowed: a key of links.wan: name, capacity, random_outages"),
            "{e}"
        );
        let e = edit(DOC, &["vms.sql.disks.0.x.y=1"]).unwrap_err();
        assert!(
            e.contains(
                "\"x\" is not in vms.sql.disks.0\n  allowed: none: vms.sql.disks.0 holds no tables"
            ),
            "{e}"
        );
    }

    #[test]
    fn every_refused_override_is_reported() {
        let e = edit(
            DOC,
            &["links.lan.capacity=1", "scenario.seed=2", "nope.x=1"],
        )
        .unwrap_err();
        assert_eq!(
            e.lines().filter(|l| l.starts_with("error: ")).count(),
            2,
            "{e}"
        );
    }

    #[test]
    fn lines_of_the_edited_text_map_back_to_the_original() {
        let a = ["a", "b", "c", "d", "e"];
        let b = ["a", "new", "b", "C!", "d", "e"];
        assert_eq!(
            origins(&a, &b),
            [
                Origin::Same(0),
                Origin::Inserted(0),
                Origin::Same(1),
                Origin::Changed(2),
                Origin::Same(3),
                Origin::Same(4)
            ]
        );
        // Lines removed (a table replaced by an inline value): the rest still maps.
        let b = ["a", "x = 1", "e"];
        assert_eq!(
            origins(&a, &b),
            [Origin::Same(0), Origin::Changed(1), Origin::Same(4)]
        );
        // Repeated lines do not confuse it.
        let a = ["[[vms]]", "x", "[[vms]]", "x", "[[vms]]", "x"];
        let b = ["[[vms]]", "x", "[[vms]]", "y", "z", "[[vms]]", "x"];
        let o = origins(&a, &b);
        assert_eq!(o.len(), b.len());
        assert_eq!(o[5], Origin::Same(4));
        assert_eq!(o[6], Origin::Same(5));
    }

    #[test]
    fn columns_of_an_edited_line_map_through_its_unchanged_head_and_tail() {
        let was = "d = [{ size = \"1\" }, { used = \"x\" }]";
        let now = "d = [{ size = \"100\" }, { used = \"x\" }]";
        assert_eq!(column_in(was, now, 3), 3);
        let used = now.find("used").unwrap() + 1;
        assert_eq!(column_in(was, now, used), was.find("used").unwrap() + 1);
        assert_eq!(column_in(was, now, 15), 15);
    }

    #[test]
    fn offsets_and_positions_agree() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 3, 1), text.len() - 1);
        assert_eq!(offset_of(text, 1, 9), 2, "past the end of a line: its end");
        assert_eq!(super::super::error::line_col(text, 5), (2, 3));
    }
}
