//! Churn traces: a CSV file of measured write rates, replayed by a `trace` profile.
//!
//! Two header forms are accepted: `at,rate` with human units (`0s,2 MB/s`, `1h30m,500 kB/s`)
//! or `at_s,bytes_per_s` with plain numbers (as monitoring tools export them). Each row's rate
//! holds until the next row's time; times must increase.

use super::error::ScenarioError;
use super::raw::Text;
use super::validate::Ctx;
use crate::engine::Time;
use crate::units::{parse_duration, parse_rate, ByteRate};
use std::path::Path;

const FORMS: &str =
    "a header `at,rate` (e.g. `1h30m,2 MB/s`) or `at_s,bytes_per_s` (e.g. `5400,2000000`)";
/// The most rows a trace may hold [ours: a limit on everything that can grow].
const MAX_ROWS: usize = 10_000_000;

/// Read a file a scenario refers to (`file`, relative to the scenario file's folder) and add
/// its bytes to the scenario hash. A missing file says "file not found" with the resolved
/// path.
pub(super) fn read_included(
    ctx: &mut Ctx,
    file: &Text,
    field: &str,
    base_dir: &Path,
    what: &str,
) -> Option<(std::path::PathBuf, Vec<u8>)> {
    let path = base_dir.join(file.get_ref());
    match std::fs::read(&path) {
        Ok(bytes) => {
            ctx.included.extend_from_slice(&bytes);
            Some((path, bytes))
        }
        Err(e) => {
            let problem = if e.kind() == std::io::ErrorKind::NotFound {
                format!("{what} file not found: {}", path.display())
            } else {
                format!("cannot read {what} file {}: {e}", path.display())
            };
            ctx.error(
                file.span(),
                field,
                problem,
                Some("a CSV file path, relative to the scenario file".into()),
            );
            None
        }
    }
}

pub(super) fn load(
    ctx: &mut Ctx,
    file: &Text,
    field: &str,
    base_dir: &Path,
) -> Option<Vec<(Time, ByteRate)>> {
    let (path, bytes) = read_included(ctx, file, field, base_dir, "trace")?;
    let mut fail = |line: usize, column: usize, col_name: &str, problem: String, allowed: &str| {
        ctx.errors.push(ScenarioError {
            file: path.clone(),
            line,
            column,
            field: col_name.to_string(),
            problem,
            allowed: Some(allowed.to_string()),
            override_arg: None,
        });
        None
    };
    if let Some((line, column)) = stray_quote(&bytes) {
        return fail(
            line,
            column,
            "row",
            "a stray quote: a quote may only wrap a whole field".into(),
            "fields without quotes, e.g. `1h30m,2 MB/s`, or each wrapped whole: `\"1h30m\",\"2 MB/s\"`",
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return fail(1, 1, "header", format!("unreadable CSV: {e}"), FORMS),
    };
    let human = match header
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["at", "rate"] => true,
        ["at_s", "bytes_per_s"] => false,
        _ => {
            return fail(
                1,
                1,
                "header",
                format!("unexpected header \"{}\"", header.join(",")),
                FORMS,
            )
        }
    };
    let mut points: Vec<(Time, ByteRate)> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return fail(line, 1, "row", format!("unreadable CSV row: {e}"), FORMS);
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != 2 {
            return fail(
                line,
                1,
                "row",
                format!("{} fields", record.len()),
                "2 fields per row",
            );
        }
        let (at, rate) = if human {
            let at = match parse_duration(&record[0]) {
                Ok(m) => m.0,
                Err(e) => {
                    return fail(
                        line,
                        1,
                        "at",
                        e,
                        "an offset from the start such as \"1h30m\"",
                    )
                }
            };
            let rate = match parse_rate(&record[1]) {
                Ok(r) => r,
                Err(e) => return fail(line, 2, "rate", e, "a rate such as \"2 MB/s\""),
            };
            (at, rate)
        } else {
            let at = match record[0].parse::<f64>() {
                Ok(s) if s.is_finite() && s >= 0.0 => (s * 1000.0).round() as Time,
                _ => {
                    return fail(
                        line,
                        1,
                        "at_s",
                        format!("\"{}\" is not a number of seconds", &record[0]),
                        "a number >= 0",
                    )
                }
            };
            let rate = match record[1].parse::<f64>() {
                Ok(b) if b.is_finite() && b >= 0.0 => ByteRate((b * 1000.0).round() as u64),
                _ => {
                    return fail(
                        line,
                        2,
                        "bytes_per_s",
                        format!("\"{}\" is not a rate in bytes per second", &record[1]),
                        "a number >= 0",
                    )
                }
            };
            (at, rate)
        };
        if let Some(&(prev, _)) = points.last() {
            if at <= prev {
                return fail(
                    line,
                    1,
                    &header[0],
                    format!(
                        "time {} is not after the previous row's {}",
                        crate::units::Millis(at),
                        crate::units::Millis(prev)
                    ),
                    "times in increasing order",
                );
            }
        }
        if points.len() == MAX_ROWS {
            return fail(
                line,
                1,
                "row",
                "too many rows".into(),
                "at most 10,000,000 rows",
            );
        }
        points.push((at, rate));
    }
    if points.is_empty() {
        return fail(
            2,
            1,
            "row",
            "the trace has no rows".into(),
            "at least one row after the header",
        );
    }
    Some(points)
}

/// The 1-based line and column (in characters) of the first quote in `bytes` that does not
/// wrap a whole field on one line. A trace's values hold no commas, so fields split at every
/// comma; a quote left open would otherwise swallow the rows below it.
fn stray_quote(bytes: &[u8]) -> Option<(usize, usize)> {
    let text = String::from_utf8_lossy(bytes);
    for (ln, line) in text.lines().enumerate() {
        let mut column = 1;
        for field in line.split(',') {
            let chars: Vec<char> = field.chars().collect();
            let first = chars.iter().position(|c| !c.is_whitespace());
            let last = chars.iter().rposition(|c| !c.is_whitespace());
            let quotes: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] == '"').collect();
            let wrapped = quotes.len() == 2
                && Some(quotes[0]) == first
                && Some(quotes[1]) == last
                && quotes[0] < quotes[1];
            if !quotes.is_empty() && !wrapped {
                let bad = match (quotes.first(), first) {
                    (Some(&q), Some(f)) if q == f && quotes.len() > 1 => quotes[1],
                    (Some(&q), _) => q,
                    _ => 0,
                };
                return Some((ln + 1, column + bad));
            }
            column += chars.len() + 1;
        }
    }
    None
}
