//! Scenario files: TOML read into a raw layer that mirrors the file ([`raw`]), then validated
//! into the typed [`crate::model::Scenario`]. Every error names the file, line and column, the
//! field path, what was wrong and what is allowed. Overrides (`links.wan.capacity=200Mbps`,
//! [`Override`]) edit the TOML document before it is read.

mod batches;
mod crash;
mod error;
mod failovers;
mod import;
mod limits;
mod overrides;
mod plausibility;
pub mod raw;
mod select;
mod slots;
mod sums;
mod trace;
mod validate;

pub use error::{ScenarioError, ScenarioErrors};
pub use overrides::Override;
pub use validate::parse_datetime;

use crate::engine::stable_hash;
use crate::model::Scenario;
use std::path::Path;

/// Read and validate the scenario file at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    load_with(path, &[])
}

/// Read the scenario file at `path`, apply `overrides` in order, and validate the result.
pub fn load_with(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioErrors> {
    let bytes = std::fs::read(path).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            field: String::new(),
            problem: format!("cannot read the scenario file: {e}"),
            allowed: None,
            override_arg: None,
        }])
    })?;
    let text = utf8(&bytes, path)?;
    from_text_with(text, path, overrides)
}

/// Validate scenario `bytes` as if read from `path`: text that is not UTF-8 is an error at
/// the line and column of its first bad byte.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Scenario, ScenarioErrors> {
    from_text(utf8(bytes, path)?, path)
}

/// `bytes` as text, or an error at the first byte that is not UTF-8.
fn utf8<'b>(bytes: &'b [u8], path: &Path) -> Result<&'b str, ScenarioErrors> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = e.valid_up_to();
        // The valid prefix is text: count lines and characters in it.
        let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let (line, column) = error::line_col(prefix, good);
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line,
            column,
            field: String::new(),
            problem: format!("byte 0x{:02x} is not UTF-8 text", bytes[good]),
            allowed: Some("a UTF-8 text file (save it as UTF-8)".into()),
            override_arg: None,
        }])
    })
}

/// Validate scenario `text` as if read from `path` (relative trace files resolve against it).
pub fn from_text(text: &str, path: &Path) -> Result<Scenario, ScenarioErrors> {
    from_text_with(text, path, &[])
}

/// Apply `overrides` in order to scenario `text` and validate the result as if read from
/// `path`. Errors about a value an override set name the override; all others keep their
/// line and column in `text`.
pub fn from_text_with(
    text: &str,
    path: &Path,
    overrides: &[Override],
) -> Result<Scenario, ScenarioErrors> {
    if overrides.is_empty() {
        // The file as written: the hash covers exactly its bytes, as before overrides existed.
        return validate_text(text, path);
    }
    let edited = match overrides::apply(text, path, overrides) {
        Ok(edited) => edited,
        Err(overrides::Failure::Errors(errors)) => return Err(errors),
        Err(overrides::Failure::Syntax(message)) => {
            // The file is not TOML: report that as without overrides, at its own position.
            validate_text(text, path)?;
            return Err(ScenarioErrors(vec![ScenarioError {
                file: path.to_path_buf(),
                line: 0,
                column: 0,
                field: String::new(),
                problem: format!("cannot apply the overrides: {message}"),
                allowed: None,
                override_arg: None,
            }]));
        }
    };
    match validate_text(&edited.text, path) {
        Ok(mut s) => {
            s.overrides = overrides.iter().map(Override::to_string).collect();
            Ok(s)
        }
        Err(ScenarioErrors(errors)) => Err(ScenarioErrors(edited.locate(errors))),
    }
}

/// Parse and validate `text`; the hash covers `text` and the files it includes.
fn validate_text(text: &str, path: &Path) -> Result<Scenario, ScenarioErrors> {
    let (raw, unknown) = parse(text, path)?;
    let mut ctx = validate::Ctx {
        file: path,
        text,
        errors: unknown,
        included: Vec::new(),
        warnings: Vec::new(),
    };
    let scenario = validate::validate(&mut ctx, &raw, &validate::base_dir(path));
    match scenario {
        Some(mut s) if ctx.errors.is_empty() => {
            let over = limits::check(&s, &raw, text, path);
            if !over.is_empty() {
                return Err(ScenarioErrors(over));
            }
            let mut material = text.as_bytes().to_vec();
            material.extend_from_slice(&ctx.included);
            s.hash = stable_hash(&material);
            s.warnings = ctx.warnings;
            Ok(s)
        }
        _ => Err(ScenarioErrors(ctx.errors)),
    }
}

/// TOML syntax and shape. Unknown fields and values of the wrong type do not stop the
/// reading: each is reported and its `key = value` blanked out (its bytes become spaces, so
/// every position stays where it was) and the file is read again, so they all come out
/// together with the value errors validation finds. A blanked field takes its default; a
/// required one ends the reading (its "missing field" is the wrong type already reported), as
/// do syntax errors and missing fields. Field paths come from serde_path_to_error, positions
/// from the TOML parser, and the words are the user's rather than serde's.
fn parse(
    text: &str,
    path: &Path,
) -> Result<(raw::RawScenario, Vec<ScenarioError>), ScenarioErrors> {
    /// More shape errors than this are not worth listing one by one.
    const MAX_UNKNOWN: usize = 100;
    let mut blanked: Vec<u8> = text.as_bytes().to_vec();
    let mut unknown = Vec::new();
    // Fields blanked for a wrong type, by path (`vms[0].disks[1].size`).
    let mut wrong_types: Vec<String> = Vec::new();
    loop {
        // Blanking only ever turns whole characters into ASCII spaces.
        let current = std::str::from_utf8(&blanked).unwrap_or(text);
        let de = toml::Deserializer::new(current);
        let e = match serde_path_to_error::deserialize::<_, raw::RawScenario>(de) {
            Ok(raw) => return Ok((raw, unknown)),
            Err(e) => e,
        };
        let field = e
            .path()
            .to_string()
            .replace(".$__serde_spanned_private_value", "");
        let inner = e.into_inner();
        let span = inner.span();
        let message = inner.message().trim().to_string();
        let (line, column) = span
            .clone()
            .map_or((1, 1), |s| error::line_col(text, s.start));
        let at = |problem: String, allowed: Option<String>| ScenarioError {
            file: path.to_path_buf(),
            line,
            column,
            field: if field == "." {
                String::new()
            } else {
                field.clone()
            },
            problem,
            allowed,
            override_arg: None,
        };
        if message.starts_with("unknown field") {
            let (problem, allowed) = split_expected(&message);
            unknown.push(at(problem, allowed));
            let range = span.and_then(|s| key_value_range(current, s.start, Find::Key));
            match range {
                Some(r) if unknown.len() < MAX_UNKNOWN => {
                    blank(&mut blanked[r]);
                    continue;
                }
                _ => return Err(ScenarioErrors(unknown)),
            }
        }
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'));
        if let Some(name) = missing {
            let path = if field == "." || field.is_empty() {
                name.to_string()
            } else {
                format!("{field}.{name}")
            };
            if wrong_types.contains(&path) {
                // Missing because its wrong-typed value was blanked: said already.
                return Err(ScenarioErrors(unknown));
            }
        }
        let source = span.clone().map_or("", |s| text.get(s).unwrap_or(""));
        let (problem, allowed) = shape_words(&message, &field, source);
        let error = at(problem, allowed);
        if unknown.contains(&error) {
            // Blanking did not remove its cause: reading on would only repeat it.
            return Err(ScenarioErrors(unknown));
        }
        unknown.push(error);
        let range = match (missing, span) {
            (None, Some(s)) => key_value_range(current, s.start, Find::Value),
            _ => None,
        };
        match range {
            Some(r) if unknown.len() < MAX_UNKNOWN => {
                blank(&mut blanked[r]);
                wrong_types.push(field);
            }
            _ => return Err(ScenarioErrors(unknown)),
        }
    }
}

/// Turn `bytes` into spaces, keeping line ends so that every line and column stays put.
fn blank(bytes: &mut [u8]) {
    for b in bytes {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

/// What an error's offset points at: an unknown key, or (inside) a value of the wrong type.
#[derive(Clone, Copy)]
enum Find {
    Key,
    Value,
}

/// The bytes to blank for the `key = value` whose key starts at `offset` ([`Find::Key`]) or
/// whose value holds `offset` (the innermost such, [`Find::Value`]): the key, its value and,
/// in an inline table, one comma beside it. `None` for a table header (`[x]`, `[[x]]`) or a
/// file that is not TOML.
fn key_value_range(text: &str, offset: usize, find: Find) -> Option<std::ops::Range<usize>> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let (range, inline) = find_in_table(doc.as_table(), offset, find)?;
    let bytes = text.as_bytes();
    if !inline {
        return Some(range);
    }
    let before = bytes[..range.start]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())?;
    if bytes[before] == b',' {
        return Some(before..range.end);
    }
    let after = range.end
        + bytes[range.end..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())?;
    if bytes[after] == b',' {
        return Some(range.start..after + 1);
    }
    Some(range)
}

type Found = Option<(std::ops::Range<usize>, bool)>;

/// Whether the pair `key` = `value` (spans) is the one sought.
fn is_sought(
    key: std::ops::Range<usize>,
    value: &std::ops::Range<usize>,
    offset: usize,
    find: Find,
) -> bool {
    match find {
        Find::Key => key.start == offset,
        Find::Value => value.contains(&offset),
    }
}

fn find_in_table(t: &toml_edit::Table, offset: usize, find: Find) -> Found {
    for (k, _) in t.iter() {
        let (key, item) = t.get_key_value(k)?;
        // The innermost pair first: a wrong value inside an inline table or array.
        if let Some(found) = find_in_item(item, offset, find) {
            return Some(found);
        }
        if let (Some(ks), toml_edit::Item::Value(v)) = (key.span(), item) {
            if v.span()
                .is_some_and(|vs| is_sought(ks.clone(), &vs, offset, find))
            {
                return Some((ks.start..v.span()?.end, false));
            }
        }
    }
    None
}

fn find_in_item(item: &toml_edit::Item, offset: usize, find: Find) -> Found {
    match item {
        toml_edit::Item::Table(t) => find_in_table(t, offset, find),
        toml_edit::Item::ArrayOfTables(a) => a.iter().find_map(|t| find_in_table(t, offset, find)),
        toml_edit::Item::Value(v) => find_in_value(v, offset, find),
        toml_edit::Item::None => None,
    }
}

fn find_in_value(v: &toml_edit::Value, offset: usize, find: Find) -> Found {
    match v {
        toml_edit::Value::InlineTable(t) => {
            for (k, _) in t.iter() {
                let (key, item) = t.get_key_value(k)?;
                let value = item.as_value()?;
                if let Some(found) = find_in_value(value, offset, find) {
                    return Some(found);
                }
                if let (Some(ks), Some(vs)) = (key.span(), value.span()) {
                    if is_sought(ks.clone(), &vs, offset, find) {
                        return Some((ks.start..vs.end, true));
                    }
                }
            }
            None
        }
        toml_edit::Value::Array(a) => a.iter().find_map(|v| find_in_value(v, offset, find)),
        _ => None,
    }
}

/// Fields whose values are points in time (a TOML date-time must be quoted).
const TIME_FIELDS: &[&str] = &[
    "start",
    "at",
    "protect_at",
    "down_at",
    "up_at",
    "first_tick",
    "initial_replication_start",
];

/// serde's and toml's shape errors (`invalid type: integer `5`, expected a string`) in the
/// user's words: what was found, and what the field takes.
fn shape_words(message: &str, field: &str, source: &str) -> (String, Option<String>) {
    let last = field.rsplit('.').next().unwrap_or(field);
    let last = last.split('[').next().unwrap_or(last);
    let quoted_units =
        "a quoted string: values with units are strings, e.g. \"5m\", \"100 Mbps\", \"500 GiB\"";
    let (found, expected) = if let Some(rest) = message.strip_prefix("invalid type: ") {
        match rest.split_once(", expected ") {
            Some((f, e)) => (describe_found(f, source), e.to_string()),
            None => (rest.to_string(), String::new()),
        }
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        match rest.split_once(", expected ") {
            Some((f, e)) => {
                let f = describe_found(f, source);
                (format!("{f} is out of range"), e.to_string())
            }
            None => (rest.to_string(), String::new()),
        }
    } else if message.is_empty() {
        // toml gives no words for a character it refuses (a control character, say).
        let ch = source.chars().next();
        return match ch {
            Some(c) => (
                format!("character U+{:04X} is not allowed here", c as u32),
                Some(
                    "TOML text: no control characters other than tab, in comments and strings too"
                        .into(),
                ),
            ),
            None => (
                "the file is not valid TOML here".into(),
                Some("TOML text: key = value lines under [table] headers".into()),
            ),
        };
    } else if message.starts_with("number too large") {
        return (
            "a number too large for a TOML integer".into(),
            Some("a whole number up to 9,223,372,036,854,775,807; sizes and rates are quoted strings with a unit, e.g. \"500 GiB\", \"100 Mbps\"".into()),
        );
    } else if message.starts_with("invalid basic string") {
        return (
            "a quoted text that does not end on its line".into(),
            Some("text between double quotes on one line, e.g. \"tour\", or between \"\"\" for several lines".into()),
        );
    } else if message.starts_with("invalid unicode") {
        return (
            "an escape \\u or \\U that is not a Unicode character".into(),
            Some("\\u with 4 or \\U with 8 hex digits of a Unicode code point, or the character itself".into()),
        );
    } else if message.starts_with("invalid date-time") || message.starts_with("invalid time offset")
    {
        return (
            "an unquoted date-time (TOML's own date-times need seconds, and drsim reads them as text anyway)".into(),
            Some("a date-time in quotes such as \"2026-11-23T08:00\"".into()),
        );
    } else {
        // toml sometimes gives two lines ("invalid time offset" / "value is out of range").
        let (p, a) = split_expected(&message.lines().collect::<Vec<_>>().join(": "));
        return (p, a);
    };
    let out_of_range = message.starts_with("invalid value: ");
    let problem = |what: &str| {
        if out_of_range {
            found.clone()
        } else {
            format!("{found} is not {what}")
        }
    };
    let whole = |default: &str| -> String {
        match last {
            "count" => "a whole number from 1 to 1,000,000".into(),
            "generation" => "a whole number: 1 or 2".into(),
            "seed" => "a whole number from 0 to 9,223,372,036,854,775,807".into(),
            _ => format!("a whole number from 0 to {default}"),
        }
    };
    match expected.as_str() {
        "a string" if field == "scenario.start" => (
            problem("a quoted date-time"),
            Some("a date-time in quotes such as \"2026-11-23T08:00\"".into()),
        ),
        "a string" if TIME_FIELDS.contains(&last) => (
            problem("a quoted date-time or offset"),
            Some("a date-time in quotes such as \"2026-11-23T08:00\", or an offset such as \"6h\"".into()),
        ),
        "a string" => (problem("a quoted string"), Some(quoted_units.into())),
        "u8" => (problem("a whole number"), Some(whole("255"))),
        "u32" => (problem("a whole number"), Some(whole("4,294,967,295"))),
        "u64" | "usize" => (
            problem("a whole number"),
            Some(whole("9,223,372,036,854,775,807")),
        ),
        "f64" | "f32" => (
            problem("a number"),
            Some(match last {
                "probability" => "a number from 0 to 1, e.g. 0.05".into(),
                _ => "a number such as 0.5 or 2.0".into(),
            }),
        ),
        "a boolean" => (problem("true or false"), Some("true or false, unquoted".into())),
        "a sequence" => (
            problem("a list"),
            Some(match last {
                "disks" => "a list of inline tables in brackets, e.g. [{ size = \"127 GiB\", used = \"30 GiB\" }]".into(),
                "work_days" => "a list of day names in brackets, e.g. [\"mon\", \"tue\"]".into(),
                "vms" if field.contains("groups") => "a list of VM names in brackets, e.g. [\"dc01\", \"app01\"]".into(),
                _ => "a list in brackets, e.g. [\"a\", \"b\"], or [[table]] entries".into(),
            }),
        ),
        e if e.starts_with("struct ") || e == "a map" => (
            problem("a table"),
            Some(format!(
                "a table: [{0}] (or [[{0}]]) with its key = value lines below it, or an inline table {{ key = value }}",
                if last.is_empty() { "name" } else { last }
            )),
        ),
        other => (problem(other), None),
    }
}

/// serde's "integer `5`", "floating point `1.5`", "map", ... as the user wrote it.
fn describe_found(serde: &str, source: &str) -> String {
    let value = serde
        .split_once('`')
        .map(|(_, v)| v.trim_end_matches('`').to_string());
    let kind = serde.split(' ').next().unwrap_or(serde);
    match (kind, value) {
        ("integer", Some(v)) | ("floating", Some(v)) => format!("the number {v}"),
        ("boolean", Some(v)) => format!("the yes/no value {v}"),
        ("string", _) => {
            // A message names the value; it need not repeat a whole misplaced section.
            const SHOWN: usize = 40;
            let v = serde.trim_start_matches("string ").trim_matches('"');
            if v.chars().count() > SHOWN + 20 {
                let head: String = v.chars().take(SHOWN).collect();
                format!("a long text (\"{head}...\")")
            } else {
                format!("the text \"{v}\"")
            }
        }
        ("map", _)
            if source
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit()) =>
        {
            format!("the unquoted date-time {}", source.trim())
        }
        ("map", _) => "a table".into(),
        ("sequence", _) => "a list".into(),
        _ => serde.replace('`', ""),
    }
}
/// serde says "unknown field `x`, expected one of `a`, `b`": keep the allowed list apart.
fn split_expected(message: &str) -> (String, Option<String>) {
    for marker in [", expected one of ", ", expected "] {
        if let Some((problem, expected)) = message.split_once(marker) {
            return (problem.to_string(), Some(expected.replace('`', "")));
        }
    }
    (message.to_string(), None)
}
