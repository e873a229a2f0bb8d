//! Sweep axes: `--set PATH=SPEC`, where SPEC is one value (`200Mbps`), a list (`30s,5m`,
//! also keywords: `off-peak,immediate`) or a range `a..b:step` of numbers, percentages,
//! durations, sizes or rates (`100Mbps..400Mbps:50Mbps`, `1h..4h:30m`, `100GiB..1TiB:100GiB`,
//! `2..8:2`, `10%..50%:10%`). Each value becomes the text one override (`PATH=VALUE`) sets,
//! so every value the scenario file accepts works, and validation judges it.
//!
//! Ranges are computed on exact integers from the parsers of [`crate::units`] (bytes,
//! milli-bytes per second, milliseconds; numbers as scaled decimals), never in floating
//! point; each value is written back in a unit of the range's own text when it is exact
//! there (`150Mbps`), else in the base unit, and checked to parse back to the same integer.

use crate::scenario::Override;
use crate::units::{parse_bytes, parse_duration, parse_rate};

/// The most values one axis may have.
pub const MAX_AXIS_VALUES: usize = 10_000;

const FORMS: &str = "PATH=VALUE, PATH=x,y,z (a list) or PATH=a..b:step (a range of numbers, percentages, durations, sizes or rates), e.g. links.wan.capacity=100Mbps..400Mbps:50Mbps, policies.default.copy_interval=30s,5m";

/// One swept parameter: a path and the values it takes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// The argument as given (`links.wan.capacity=100Mbps..400Mbps:50Mbps`).
    pub arg: String,
    pub path: String,
    /// The value each point sets, as override text.
    pub values: Vec<String>,
}

impl Axis {
    /// Parse `PATH=SPEC`. The error reads like an override's: `--set ARG: problem` and an
    /// `allowed:` line.
    pub fn parse(arg: &str) -> Result<Axis, String> {
        let refuse = |problem: String, allowed: &str| {
            format!("--set {arg}: {problem}\n  allowed: {allowed}")
        };
        // The path's syntax is the override's.
        let o: Override = arg.parse()?;
        let values = values_of(&o.value).map_err(|(p, a)| refuse(p, &a))?;
        Ok(Axis {
            arg: arg.trim().to_string(),
            path: o.path,
            values,
        })
    }

    /// The override this axis makes at value `k`.
    pub fn override_at(&self, k: usize) -> Override {
        Override {
            path: self.path.clone(),
            value: self.values[k].clone(),
        }
    }
}

/// The values of a SPEC: a range, a list, or one value. Error: (problem, allowed).
fn values_of(spec: &str) -> Result<Vec<String>, (String, String)> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(("the value is empty".into(), FORMS.into()));
    }
    let items = split_top_level(spec, ',');
    if items.len() > 1 {
        let mut out = Vec::with_capacity(items.len());
        for (k, item) in items.iter().enumerate() {
            let item = item.trim();
            if item.is_empty() {
                return Err((
                    format!("item {} of the list is empty", k + 1),
                    "a list of values separated by commas: 30s,5m".into(),
                ));
            }
            if find_top_level(item, "..").is_some() {
                return Err((
                    format!("item {} of the list is a range ({item})", k + 1),
                    "either a list x,y,z or one range a..b:step".into(),
                ));
            }
            out.push(item.to_string());
        }
        if out.len() > MAX_AXIS_VALUES {
            return Err((
                format!("{} values", out.len()),
                format!("at most {MAX_AXIS_VALUES} values per axis"),
            ));
        }
        return Ok(out);
    }
    match find_top_level(spec, "..") {
        Some(at) => range(&spec[..at], &spec[at + 2..]),
        None => Ok(vec![spec.to_string()]),
    }
}

/// Split at `sep` outside quotes, brackets and braces (a TOML array or inline table is one
/// value).
fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            c if c == sep && !quoted && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The first `pat` outside quotes, brackets and braces.
fn find_top_level(s: &str, pat: &str) -> Option<usize> {
    let (mut depth, mut quoted) = (0i32, false);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            _ if !quoted && depth == 0 && s[i..].starts_with(pat) => return Some(i),
            _ => {}
        }
    }
    None
}

/// What a range is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Percent,
    Duration,
    Size,
    Rate,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Number => "a number",
            Kind::Percent => "a percentage",
            Kind::Duration => "a duration",
            Kind::Size => "a size",
            Kind::Rate => "a rate",
        }
    }

    /// The value in base units (bytes, mB/s, ms; numbers and percentages are handled apart).
    fn parse(self, s: &str) -> Result<u128, String> {
        match self {
            Kind::Duration => parse_duration(s).map(|m| u128::from(m.0)),
            Kind::Size => parse_bytes(s).map(|b| u128::from(b.0)),
            Kind::Rate => parse_rate(s).map(|r| u128::from(r.0)),
            Kind::Number | Kind::Percent => Err(String::new()),
        }
    }

    /// The kind of `s`: the first unit parser that accepts it.
    fn of(s: &str) -> Option<Kind> {
        let s = s.trim();
        if let Some(n) = s.strip_suffix('%') {
            return decimal(n).map(|_| Kind::Percent);
        }
        if decimal(s).is_some() {
            return Some(Kind::Number);
        }
        [Kind::Duration, Kind::Size, Kind::Rate]
            .into_iter()
            .find(|k| k.parse(s).is_ok())
    }
}

/// A plain decimal number as (mantissa, decimals): `-1.25` is (-125, 2). At most 9 decimals.
fn decimal(s: &str) -> Option<(i128, u32)> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) || frac.len() > 9 {
        return None;
    }
    if digits.contains('.') && frac.is_empty() {
        return None;
    }
    let m: i128 = format!("{int}{frac}").parse().ok()?;
    if m > i128::from(i64::MAX) {
        return None;
    }
    Some((if neg { -m } else { m }, frac.len() as u32))
}

fn range_allowed() -> String {
    "a..b:step with a <= b and step > 0, all three of one kind: numbers (2..8:2, 0.1..0.5:0.1), percentages (10%..50%:10%), durations (30s..5m:30s), sizes (100GiB..1TiB:100GiB) or rates (100Mbps..400Mbps:50Mbps); for keywords and other values use a list: off-peak,immediate".into()
}

/// The values of the range `from..rest` where rest is `to:step`.
fn range(from: &str, rest: &str) -> Result<Vec<String>, (String, String)> {
    let Some((to, step)) = rest.rsplit_once(':') else {
        return Err(("a range needs a step".into(), range_allowed()));
    };
    let parts = [from.trim(), to.trim(), step.trim()];
    let names = ["start", "end", "step"];
    for (p, n) in parts.iter().zip(names) {
        if p.is_empty() {
            return Err((format!("the range's {n} is empty"), range_allowed()));
        }
    }
    let kinds: Vec<Option<Kind>> = parts.iter().map(|p| Kind::of(p)).collect();
    for (k, (p, n)) in kinds.iter().zip(parts.iter().zip(names)) {
        if k.is_none() {
            return Err((
                format!(
                    "the range's {n} \"{p}\" is not a number, percentage, duration, size or rate"
                ),
                range_allowed(),
            ));
        }
    }
    let kind = kinds[0].unwrap_or(Kind::Number);
    if let Some((i, k)) = kinds.iter().enumerate().find(|(_, k)| **k != Some(kind)) {
        return Err((
            format!(
                "the range's start \"{}\" is {} but its {} \"{}\" is {}",
                parts[0],
                kind.name(),
                names[i],
                parts[i],
                k.map_or("unknown", Kind::name)
            ),
            range_allowed(),
        ));
    }
    match kind {
        Kind::Number | Kind::Percent => decimal_range(kind, parts),
        _ => unit_range(kind, parts),
    }
}

/// How many values `a..=b` in steps of `step` holds, refused past the limit.
fn count(a: i128, b: i128, step: i128) -> Result<usize, (String, String)> {
    if step <= 0 {
        return Err(("the range's step is not above zero".into(), range_allowed()));
    }
    if a > b {
        return Err(("the range's start is above its end".into(), range_allowed()));
    }
    let n = (b - a) / step + 1;
    if n > MAX_AXIS_VALUES as i128 {
        return Err((
            format!("the range has {n} values"),
            format!("at most {MAX_AXIS_VALUES} values per axis"),
        ));
    }
    Ok(n as usize)
}

fn decimal_range(kind: Kind, parts: [&str; 3]) -> Result<Vec<String>, (String, String)> {
    let strip = |p: &str| p.trim_end_matches('%').to_string();
    let ds: Vec<(i128, u32)> = parts
        .iter()
        .map(|p| decimal(&strip(p)).unwrap_or((0, 0)))
        .collect();
    let places = ds.iter().map(|d| d.1).max().unwrap_or(0);
    let scaled: Vec<i128> = ds
        .iter()
        .map(|&(m, d)| m * 10i128.pow(places - d))
        .collect();
    let n = count(scaled[0], scaled[1], scaled[2])?;
    let suffix = if kind == Kind::Percent { "%" } else { "" };
    Ok((0..n)
        .map(|k| {
            let v = scaled[0] + k as i128 * scaled[2];
            format!("{}{suffix}", fixed(v, places))
        })
        .collect())
}

/// `v` / 10^places with exactly `places` decimals.
fn fixed(v: i128, places: u32) -> String {
    if places == 0 {
        return v.to_string();
    }
    let unit = 10i128.pow(places);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    format!(
        "{sign}{}.{:0width$}",
        a / unit,
        a % unit,
        width = places as usize
    )
}

/// The unit text at the end of a quantity (`Mbps` of `100 Mbps`; `h30m` of `1h30m` is not
/// one unit, and yields nothing useful: the fallback writes the base unit).
fn unit_of(s: &str) -> &str {
    let s = s.trim();
    let start = s
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_digit() || *c == '.' || c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    &s[start..]
}

fn unit_range(kind: Kind, parts: [&str; 3]) -> Result<Vec<String>, (String, String)> {
    let mut vals = [0u128; 3];
    for (v, p) in vals.iter_mut().zip(parts) {
        // Kind::of accepted it: the parse succeeds.
        *v = kind.parse(p).map_err(|e| (e, range_allowed()))?;
    }
    let to_i = |v: u128| i128::try_from(v).unwrap_or(i128::MAX);
    let n = count(to_i(vals[0]), to_i(vals[1]), to_i(vals[2]))?;
    let mut units: Vec<&str> = Vec::new();
    for p in parts {
        let u = unit_of(p);
        if !u.is_empty() && !units.contains(&u) {
            units.push(u);
        }
    }
    // Larger units first: 1.5GiB rather than 1536MiB.
    units.sort_by_key(|u| std::cmp::Reverse(kind.parse(&format!("1{u}")).unwrap_or(0)));
    Ok((0..n)
        .map(|k| write_in(kind, vals[0] + k as u128 * vals[2], &units))
        .collect())
}

/// `v` (base units) as text in the first of `units` that holds it exactly with at most three
/// decimals, else in the base unit; always text that parses back to `v`. Durations take the
/// largest unit that holds them whole.
fn write_in(kind: Kind, v: u128, units: &[&str]) -> String {
    if kind == Kind::Duration {
        // Whole units read best: 90s, not 1.5m.
        return duration_text(v);
    }
    for u in units {
        let Ok(per) = kind.parse(&format!("1{u}")) else {
            continue;
        };
        if per == 0 || (v * 1000) % per != 0 {
            continue;
        }
        let th = (v * 1000) / per;
        let text = if th % 1000 == 0 {
            format!("{}{u}", th / 1000)
        } else {
            let frac = format!("{:03}", th % 1000);
            format!("{}.{}{u}", th / 1000, frac.trim_end_matches('0'))
        };
        if kind.parse(&text) == Ok(v) {
            return text;
        }
    }
    match kind {
        Kind::Size => format!("{v}B"),
        // mB/s: whole B/s with three decimals.
        _ => {
            let frac = format!("{:03}", v % 1000);
            if v % 1000 == 0 {
                format!("{}B/s", v / 1000)
            } else {
                format!("{}.{}B/s", v / 1000, frac.trim_end_matches('0'))
            }
        }
    }
}

/// Milliseconds in the largest unit that holds them exactly: `90m`, `30s`, `1500ms`.
fn duration_text(ms: u128) -> String {
    const UNITS: [(&str, u128); 5] = [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ];
    for (u, per) in UNITS {
        if ms % per == 0 && (ms > 0 || per == 1000) {
            return format!("{}{u}", ms / per);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(arg: &str) -> Vec<String> {
        Axis::parse(arg).unwrap().values
    }

    #[test]
    fn units_are_found_at_the_end() {
        assert_eq!(unit_of("100 Mbps"), "Mbps");
        assert_eq!(unit_of("1.5TiB"), "TiB");
        assert_eq!(unit_of("10 GB/day"), "GB/day");
        assert_eq!(unit_of("42"), "");
    }

    #[test]
    fn durations_take_their_largest_exact_unit() {
        assert_eq!(duration_text(0), "0s");
        assert_eq!(duration_text(90_000), "90s");
        assert_eq!(duration_text(5_400_000), "90m");
        assert_eq!(duration_text(1500), "1500ms");
        assert_eq!(vals("a=1h..2h:30m"), ["1h", "90m", "2h"]);
    }

    #[test]
    fn fixed_point_numbers() {
        assert_eq!(fixed(125, 2), "1.25");
        assert_eq!(fixed(-5, 1), "-0.5");
        assert_eq!(fixed(7, 0), "7");
    }
}
