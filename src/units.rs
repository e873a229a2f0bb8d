//! Human units: sizes, rates and durations as DR engineers write them, parsed to exact integers.
//!
//! Conventions:
//!
//! - Sizes follow their suffix: `KB` (also `kB`) = 10^3 B, `MB` = 10^6 B, `GB` = 10^9 B,
//!   `TB` = 10^12 B, `PB` = 10^15 B; `KiB` = 2^10 B, `MiB` = 2^20 B, `GiB` = 2^30 B,
//!   `TiB` = 2^40 B, `PiB` = 2^50 B.
//! - Network rates are decimal bits: 1 Mbps = 10^6 bit/s = 125,000 B/s. Byte rates are a
//!   size unit per second, hour or day (`MB/s`, `GB/h`, `GB/day`).
//! - Durations are `ms`, `s`, `m` (or `min`), `h`, `d`, `w`, combinable as in `1h30m`.
//!
//! Numbers may be decimal (`1.5 TB`) and are parsed exactly, as an integer mantissa and a
//! count of decimals, never through floating point. Sizes and durations must come out as a
//! whole number of bytes or milliseconds; rates round to the nearest milli-byte per second.
//!
//! Every error message starts with the offending input quoted and ends with the list of
//! what is allowed, so that callers can embed it after `"<field>: "`.

use std::fmt;

/// An exact byte count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bytes(pub u64);

/// A data rate in milli-bytes per second (1 B/s = 1000). Integer so that every
/// rate a user can write in kbps, Mbps, MB/s is exact; GB/day rounds to the nearest mB/s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteRate(pub u64);

/// A span of time in integer milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millis(pub u64);

/// `1234567` as `1,234,567`: counts in messages, as people write them.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// [ours] The smallest disk drsim models: 1 MiB. Hyper-V's smallest VHDX is 3 MB; a disk
/// of 0 or a few bytes reaches the 50% rule's threshold with its first write, so its resync
/// would restart without end.
pub const MIN_DISK_SIZE: Bytes = Bytes(1 << 20);
/// [src] The largest disk: 64 TiB, the VHDX format's limit.
pub const MAX_DISK_SIZE: Bytes = Bytes(64 << 40);
/// [ours] The fastest a disk's workload may write (in the scenario or a trace): 10 GB/s,
/// beyond any disk Hyper-V hosts; a year of it is 3.2e17 bytes, well inside the 64-bit
/// byte counts.
pub const MAX_CHURN: ByteRate = ByteRate::from_bytes_per_s(10_000_000_000);

/// Why `size` is outside [`MIN_DISK_SIZE`, `MAX_DISK_SIZE`].
pub fn disk_size_problem(size: Bytes) -> Option<String> {
    (size < MIN_DISK_SIZE || size > MAX_DISK_SIZE).then(|| {
        format!(
            "{size} is outside the disk sizes drsim models, {MIN_DISK_SIZE} to {MAX_DISK_SIZE} (a smaller disk reaches the 50% rule's threshold with its first write and resyncs without end)"
        )
    })
}

/// Why a workload's highest rate `rate` is over [`MAX_CHURN`].
pub fn churn_problem(rate: ByteRate) -> Option<String> {
    (rate > MAX_CHURN).then(|| {
        format!("writes at up to {rate}, over the fastest churn drsim models, {MAX_CHURN} per disk")
    })
}

impl Bytes {
    /// The byte count as a plain integer.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl ByteRate {
    /// A rate of `b` whole bytes per second (saturating at `u64::MAX` mB/s).
    pub const fn from_bytes_per_s(b: u64) -> Self {
        ByteRate(b.saturating_mul(1000))
    }

    /// The rate in bytes per second, as a float (for statistics and plots only).
    pub fn as_bytes_per_s_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// The rate in milli-bytes per second.
    pub fn millibytes_per_s(self) -> u64 {
        self.0
    }

    /// Bytes moved in `ms` milliseconds at this rate, rounded down (exact integer math, u128 inside).
    ///
    /// Saturates at `u64::MAX`.
    pub fn bytes_in(self, ms: u64) -> u64 {
        // mB/s * ms = 10^-6 B. Most products fit in a u64, whose division is far cheaper.
        match self.0.checked_mul(ms) {
            Some(p) => p / 1_000_000,
            None => {
                let b = u128::from(self.0) * u128::from(ms) / 1_000_000;
                u64::try_from(b).unwrap_or(u64::MAX)
            }
        }
    }

    /// Smallest number of milliseconds in which at least `bytes` are moved at this rate
    /// (rounded up, so a transfer never finishes early); None if the rate is zero.
    ///
    /// Also None if that time does not fit in a `u64` of milliseconds (over 584 million
    /// years), which callers can treat the same way: the transfer never completes.
    pub fn millis_for(self, bytes: u64) -> Option<u64> {
        if self.0 == 0 {
            return None;
        }
        let need = u128::from(bytes) * 1_000_000;
        let ms = need.div_ceil(u128::from(self.0));
        u64::try_from(ms).ok()
    }
}

impl Millis {
    /// `s` seconds (saturating at `u64::MAX` ms).
    pub const fn from_secs(s: u64) -> Self {
        Millis(s.saturating_mul(MS_PER_S))
    }

    /// `m` minutes (saturating at `u64::MAX` ms).
    pub const fn from_mins(m: u64) -> Self {
        Millis(m.saturating_mul(MS_PER_MIN))
    }

    /// `h` hours (saturating at `u64::MAX` ms).
    pub const fn from_hours(h: u64) -> Self {
        Millis(h.saturating_mul(MS_PER_H))
    }

    /// `d` days (saturating at `u64::MAX` ms).
    pub const fn from_days(d: u64) -> Self {
        Millis(d.saturating_mul(MS_PER_D))
    }

    /// The span in seconds, as a float (for statistics and plots only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

const MS_PER_S: u64 = 1000;
const MS_PER_MIN: u64 = 60 * MS_PER_S;
const MS_PER_H: u64 = 60 * MS_PER_MIN;
const MS_PER_D: u64 = 24 * MS_PER_H;
const MS_PER_W: u64 = 7 * MS_PER_D;

// ---------------------------------------------------------------------------------------
// Error messages
// ---------------------------------------------------------------------------------------

const SIZE_ALLOWED: &str =
    "allowed: B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB (e.g. \"500 GiB\", \"1.5 TB\")";
const RATE_ALLOWED: &str = "allowed: bps, kbps, Mbps, Gbps, Tbps, or a size per time such as \
     MB/s, GB/h, GB/day (e.g. \"100 Mbps\", \"6 MB/s\")";
const DURATION_ALLOWED: &str = "allowed: ms, s, m, h, d, w, combinable as in \"1h30m\" \
     (e.g. \"30s\", \"5m\", \"2h\", \"3d\")";

/// What is being parsed, for error messages.
#[derive(Clone, Copy)]
enum Kind {
    Size,
    Rate,
    Duration,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Size => "size",
            Kind::Rate => "rate",
            Kind::Duration => "duration",
        }
    }

    fn allowed(self) -> &'static str {
        match self {
            Kind::Size => SIZE_ALLOWED,
            Kind::Rate => RATE_ALLOWED,
            Kind::Duration => DURATION_ALLOWED,
        }
    }

    /// `"<input>": <problem>; allowed: ...`
    fn err(self, input: &str, problem: impl fmt::Display) -> String {
        format!(
            "\"{}\": {}; {}",
            input.escape_debug(),
            problem,
            self.allowed()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Exact decimal numbers
// ---------------------------------------------------------------------------------------

/// A non-negative decimal number `mantissa / 10^decimals`, trailing fractional zeros removed.
#[derive(Debug, Clone, Copy)]
struct Decimal {
    mantissa: u128,
    decimals: u32,
}

enum NumError {
    Malformed,
    TooManyDigits,
}

/// Splits `s` into its leading run of digits and dots, and the rest.
fn split_number(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    s.split_at(end)
}

/// Parses `digits ( '.' digits )?` exactly.
fn parse_decimal(text: &str) -> Result<Decimal, NumError> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    let well_formed = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (frac.is_empty() != text.contains('.'));
    if !well_formed {
        return Err(NumError::Malformed);
    }
    let frac = frac.trim_end_matches('0');
    let mut mantissa: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(u128::from(b - b'0')))
            .ok_or(NumError::TooManyDigits)?;
    }
    let decimals = u32::try_from(frac.len()).map_err(|_| NumError::TooManyDigits)?;
    Ok(Decimal { mantissa, decimals })
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The exact rational `d * mul / div` in lowest terms, as `(numerator factors, denominator)`:
/// the value is `n1 * n2 / den`. None if the denominator does not fit in a u128.
fn scaled(d: Decimal, mul: u128, div: u128) -> Option<(u128, u128, u128)> {
    let den = 10u128.checked_pow(d.decimals)?.checked_mul(div)?;
    let g = gcd(mul, den);
    let (mul, den) = (mul / g, den / g);
    let g = gcd(d.mantissa, den).max(1);
    Some((d.mantissa / g, mul, den / g))
}

enum ScaleError {
    /// The value is not a whole number; carries the nearest whole value if computable.
    NotWhole(Option<u128>),
    TooLarge,
    TooPrecise,
}

/// `d * mul / div` exactly, which must be a whole number.
fn scale_exact(d: Decimal, mul: u128, div: u128) -> Result<u128, ScaleError> {
    let (n1, n2, den) = scaled(d, mul, div).ok_or(ScaleError::TooPrecise)?;
    if den != 1 {
        return Err(ScaleError::NotWhole(round_div(n1, n2, den)));
    }
    n1.checked_mul(n2).ok_or(ScaleError::TooLarge)
}

/// `d * mul / div` rounded to the nearest integer (halves round up).
fn scale_rounded(d: Decimal, mul: u128, div: u128) -> Result<u128, ScaleError> {
    let (n1, n2, den) = scaled(d, mul, div).ok_or(ScaleError::TooPrecise)?;
    if den == 1 {
        return n1.checked_mul(n2).ok_or(ScaleError::TooLarge);
    }
    let q = n1 / den;
    let r = n1 % den;
    let whole = q.checked_mul(n2).ok_or(ScaleError::TooLarge)?;
    let frac = round_div(r, n2, den).ok_or(ScaleError::TooPrecise)?;
    whole.checked_add(frac).ok_or(ScaleError::TooLarge)
}

/// `round(a * b / den)`, halves up; None on u128 overflow.
fn round_div(a: u128, b: u128, den: u128) -> Option<u128> {
    let (q, r) = (a / den, a % den);
    let whole = q.checked_mul(b)?;
    let t = r.checked_mul(b)?;
    let (tq, tr) = (t / den, t % den);
    let up = u128::from(tr >= den - tr);
    whole.checked_add(tq)?.checked_add(up)
}

/// Common front of the single-value parsers: returns (number, number as written, unit).
fn split_value(kind: Kind, s: &str) -> Result<(Decimal, &str, &str), String> {
    let t = s.trim();
    check_start(kind, t)?;
    let (num, rest) = split_number(t);
    let unit = rest.trim_start();
    if num.is_empty() {
        return Err(kind.err(
            t,
            format_args!(
                "expected a number before the unit \"{}\"",
                unit.escape_debug()
            ),
        ));
    }
    let d = number(kind, t, num)?;
    check_exponent(kind, t, unit)?;
    Ok((d, num, unit))
}

fn check_start(kind: Kind, t: &str) -> Result<(), String> {
    if t.is_empty() {
        return Err(kind.err(t, format_args!("an empty value is not a {}", kind.noun())));
    }
    if t.starts_with('-') {
        return Err(kind.err(t, format_args!("a {} cannot be negative", kind.noun())));
    }
    if t.starts_with('+') {
        return Err(kind.err(t, "a sign is not allowed, write just the number"));
    }
    Ok(())
}

fn number(kind: Kind, t: &str, num: &str) -> Result<Decimal, String> {
    parse_decimal(num).map_err(|e| match e {
        NumError::Malformed => kind.err(
            t,
            format_args!(
                "malformed number \"{num}\" (write digits with an optional decimal point, \
                 such as 5 or 1.5)"
            ),
        ),
        NumError::TooManyDigits => kind.err(t, format_args!("the number \"{num}\" is too long")),
    })
}

fn check_exponent(kind: Kind, t: &str, unit: &str) -> Result<(), String> {
    let mut chars = unit.chars();
    if matches!(chars.next(), Some('e' | 'E'))
        && matches!(chars.next(), Some(c) if c.is_ascii_digit() || c == '-' || c == '+')
    {
        return Err(kind.err(
            t,
            "exponent notation is not supported, write the number out in full",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------

fn size_multiplier(unit: &str) -> Option<u64> {
    Some(match unit {
        "B" => 1,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        "PB" => 1_000_000_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "PiB" => 1 << 50,
        _ => return None,
    })
}

/// Parses a size such as `"500 GiB"`, `"1.5 TB"` or `"512B"` into an exact byte count.
pub fn parse_bytes(s: &str) -> Result<Bytes, String> {
    let kind = Kind::Size;
    let t = s.trim();
    let (d, num, unit) = split_value(kind, s)?;
    if unit.is_empty() {
        return Err(kind.err(t, "a size needs a unit"));
    }
    let mult = size_multiplier(unit).ok_or_else(|| {
        kind.err(
            t,
            format_args!("unknown size unit \"{}\"", unit.escape_debug()),
        )
    })?;
    let v = scale_exact(d, u128::from(mult), 1).map_err(|e| match e {
        ScaleError::NotWhole(nearest) => {
            let hint = nearest
                .and_then(|n| u64::try_from(n).ok())
                .map(|n| format!(" (nearest: {n} B)"))
                .unwrap_or_default();
            kind.err(
                t,
                format_args!("{num} {unit} is not a whole number of bytes{hint}"),
            )
        }
        ScaleError::TooLarge => too_large_size(t),
        ScaleError::TooPrecise => {
            kind.err(t, format_args!("{num} {unit} has too many decimal places"))
        }
    })?;
    u64::try_from(v).map(Bytes).map_err(|_| too_large_size(t))
}

fn too_large_size(t: &str) -> String {
    Kind::Size.err(
        t,
        format_args!("too large (the limit is {} B, about 16 EiB)", u64::MAX),
    )
}

impl Bytes {
    /// The exact size in the largest unit that divides it, with no space, as a command-line
    /// argument takes it (`20GiB`, `100kB`, `1234B`): a suggested `--max-output-size` must be
    /// one the parser accepts.
    pub fn exact_arg(self) -> String {
        const UNITS: [(&str, u64); 10] = [
            ("PiB", 1 << 50),
            ("PB", 1_000_000_000_000_000),
            ("TiB", 1 << 40),
            ("TB", 1_000_000_000_000),
            ("GiB", 1 << 30),
            ("GB", 1_000_000_000),
            ("MiB", 1 << 20),
            ("MB", 1_000_000),
            ("KiB", 1 << 10),
            ("kB", 1_000),
        ];
        let b = self.0;
        UNITS
            .iter()
            .filter(|&&(_, unit)| b >= unit && b % unit == 0)
            .min_by_key(|&&(_, unit)| b / unit)
            .map_or_else(
                || format!("{b}B"),
                |&(name, unit)| format!("{}{name}", b / unit),
            )
    }
}

impl fmt::Display for Bytes {
    /// Binary units with two decimals ("1.50 GiB"); exact below 1 KiB ("512 B").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        let b = u128::from(self.0);
        if b < 1024 {
            return write!(f, "{b} B");
        }
        // Largest unit not above the value, then round to hundredths (halves up); rounding
        // may reach 1024.00 of a unit, in which case the next unit up is used.
        let mut k = UNITS.len();
        while b < 1u128 << (10 * k) {
            k -= 1;
        }
        let hundredths = |k: usize| {
            let unit = 1u128 << (10 * k);
            (b * 100 + unit / 2) / unit
        };
        let mut h = hundredths(k);
        if h >= 1024 * 100 && k < UNITS.len() {
            k += 1;
            h = hundredths(k);
        }
        write!(f, "{}.{:02} {}", h / 100, h % 100, UNITS[k - 1])
    }
}

// ---------------------------------------------------------------------------------------
// Rates
// ---------------------------------------------------------------------------------------

const BIT_UNITS: [&str; 5] = ["bps", "kbps", "Mbps", "Gbps", "Tbps"];

/// Power of 1000 of a bit-rate unit.
fn bit_unit_power(unit: &str) -> Option<u32> {
    match unit {
        "Kbps" => Some(1),
        _ => BIT_UNITS
            .iter()
            .position(|u| *u == unit)
            .and_then(|p| u32::try_from(p).ok()),
    }
}

fn period_secs(unit: &str) -> Option<u64> {
    match unit {
        "s" => Some(1),
        "h" => Some(3600),
        "day" | "d" => Some(86_400),
        _ => None,
    }
}

/// A hint for the classic bits/bytes confusions ("Mb/s", "MBps").
fn rate_unit_hint(unit: &str) -> &'static str {
    let compact: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
    let bits_per_s = ["b/s", "kb/s", "Kb/s", "Mb/s", "Gb/s", "Tb/s"];
    if bits_per_s.contains(&compact.as_str()) || compact.ends_with("bit/s") {
        " (for bits per second write e.g. \"Mbps\"; for bytes per second write e.g. \"MB/s\")"
    } else if compact.ends_with("Bps") || compact.ends_with("B/sec") {
        " (for bytes per second write e.g. \"MB/s\"; for bits per second write e.g. \"Mbps\")"
    } else {
        ""
    }
}

/// Parses a rate such as `"100 Mbps"`, `"6 MB/s"` or `"10 GB/day"` into milli-bytes per second.
///
/// Bit rates and per-second byte rates written with at most three decimals are exact;
/// anything finer (and per-hour or per-day rates) rounds to the nearest mB/s, halves up.
/// A non-zero rate that would round to zero is an error rather than a silent stall.
pub fn parse_rate(s: &str) -> Result<ByteRate, String> {
    let kind = Kind::Rate;
    let t = s.trim();
    let (d, num, unit) = split_value(kind, s)?;
    if unit.is_empty() {
        return Err(kind.err(t, "a rate needs a unit"));
    }
    let unknown = || {
        kind.err(
            t,
            format_args!(
                "unknown rate unit \"{}\"{}",
                unit.escape_debug(),
                rate_unit_hint(unit)
            ),
        )
    };
    // Result in mB/s = d * mul / div.
    let (mul, div) = match unit.split_once('/') {
        Some((size, per)) => {
            let size = size_multiplier(size.trim()).ok_or_else(unknown)?;
            let per = period_secs(per.trim()).ok_or_else(unknown)?;
            (u128::from(size) * 1000, u128::from(per))
        }
        None => {
            let p = bit_unit_power(unit).ok_or_else(unknown)?;
            // 1 bit/s = 125 mB/s.
            (125 * 1000u128.pow(p), 1)
        }
    };
    let too_large = || {
        kind.err(
            t,
            format_args!(
                "too large (the limit is {} B/s, about 147 Ebps)",
                u64::MAX / 1000
            ),
        )
    };
    let v = scale_rounded(d, mul, div).map_err(|e| match e {
        ScaleError::TooLarge => too_large(),
        ScaleError::TooPrecise | ScaleError::NotWhole(_) => {
            kind.err(t, format_args!("{num} {unit} has too many decimal places"))
        }
    })?;
    let v = u64::try_from(v).map_err(|_| too_large())?;
    if v == 0 && d.mantissa != 0 {
        return Err(kind.err(
            t,
            "too small: the smallest non-zero rate is 0.001 B/s (0.008 bps)",
        ));
    }
    Ok(ByteRate(v))
}

impl fmt::Display for ByteRate {
    /// Bits for readability: "100 Mbps", "1.5 Gbps", "512 kbps", "0.008 bps"; up to three
    /// decimals, trailing zeros trimmed, halves rounded up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Milli-bits per second: 1 mB/s = 8 mbit/s.
        let mbits = u128::from(self.0) * 8;
        let top = BIT_UNITS.len() - 1;
        let mut k = 0;
        while k < top && mbits >= 1000 * 1000u128.pow(k as u32 + 1) {
            k += 1;
        }
        // Thousandths of the unit, rounded; may round up to 1000 units, then go one up.
        let thousandths = |k: usize| {
            let unit = 1000u128.pow(k as u32);
            (mbits + unit / 2) / unit
        };
        let mut th = thousandths(k);
        if th >= 1_000_000 && k < top {
            k += 1;
            th = thousandths(k);
        }
        let (int, frac) = (th / 1000, th % 1000);
        if frac == 0 {
            write!(f, "{int} {}", BIT_UNITS[k])
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{int}.{} {}", digits.trim_end_matches('0'), BIT_UNITS[k])
        }
    }
}

// ---------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------

/// Canonical duration units, in the order used for duplicate detection.
const DURATION_UNITS: [(&str, u64); 6] = [
    ("w", MS_PER_W),
    ("d", MS_PER_D),
    ("h", MS_PER_H),
    ("m", MS_PER_MIN),
    ("s", MS_PER_S),
    ("ms", 1),
];

fn duration_unit(unit: &str) -> Option<usize> {
    let canonical = if unit == "min" { "m" } else { unit };
    DURATION_UNITS.iter().position(|(u, _)| *u == canonical)
}

/// Parses a duration such as `"30s"`, `"1.5h"`, `"1h30m"` or `"2d 3h"` into milliseconds.
///
/// Each component is a number and a unit; components may be separated by whitespace, may
/// come in any order, and each unit may appear at most once (`m` and `min` are the same
/// unit). Each component must be a whole number of milliseconds.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    let kind = Kind::Duration;
    let t = s.trim();
    check_start(kind, t)?;
    let too_long = || {
        kind.err(
            t,
            format_args!(
                "too long (the limit is {} ms, about 584 million years)",
                u64::MAX
            ),
        )
    };
    let mut rest = t;
    let mut seen = [false; DURATION_UNITS.len()];
    let mut total: u64 = 0;
    let mut first = true;
    while !rest.is_empty() {
        let (num, after) = split_number(rest);
        if num.is_empty() {
            let problem = if first {
                format!("expected a number before \"{}\"", rest.escape_debug())
            } else {
                format!("expected a number but found \"{}\"", rest.escape_debug())
            };
            return Err(kind.err(t, problem));
        }
        let d = number(kind, t, num)?;
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            let problem = if after.is_empty() && first {
                "a duration needs a unit".to_string()
            } else if after.is_empty() {
                format!("the last number \"{num}\" has no unit")
            } else {
                format!(
                    "expected a unit after \"{num}\" but found \"{}\"",
                    after.escape_debug()
                )
            };
            return Err(kind.err(t, problem));
        }
        let idx = duration_unit(unit).ok_or_else(|| {
            kind.err(
                t,
                format_args!("unknown duration unit \"{}\"", unit.escape_debug()),
            )
        })?;
        if std::mem::replace(&mut seen[idx], true) {
            return Err(kind.err(
                t,
                format_args!(
                    "the unit \"{}\" appears more than once",
                    DURATION_UNITS[idx].0
                ),
            ));
        }
        let ms = scale_exact(d, u128::from(DURATION_UNITS[idx].1), 1).map_err(|e| match e {
            ScaleError::NotWhole(_) | ScaleError::TooPrecise => kind.err(
                t,
                format_args!("{num}{unit} is not a whole number of milliseconds"),
            ),
            ScaleError::TooLarge => too_long(),
        })?;
        total = u64::try_from(ms)
            .ok()
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(too_long)?;
        rest = after.trim_start();
        first = false;
    }
    Ok(Millis(total))
}

impl fmt::Display for Millis {
    /// Compact, in the syntax `parse_duration` accepts: "0s", "500ms", "1h30m", "2d3h".
    /// Largest units first (days at most), zero parts omitted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        // Weeks are accepted on input but days read better in reports ("14d").
        for &(unit, ms) in &DURATION_UNITS[1..] {
            let n = rest / ms;
            if n > 0 {
                write!(f, "{n}{unit}")?;
                rest %= ms;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_arg_is_exact_and_parses_back() {
        for (b, arg) in [
            (0, "0B"),
            (1234, "1234B"),
            (100_000, "100kB"),
            (10_240, "10KiB"),
            (20 << 30, "20GiB"),
            (3_000_000_000_000, "3TB"),
            (u64::MAX, "18446744073709551615B"),
        ] {
            assert_eq!(Bytes(b).exact_arg(), arg);
            assert_eq!(parse_bytes(arg).map(|x| x.0), Ok(b), "{arg}");
        }
    }

    #[test]
    fn thousands_groups_by_three_from_the_right() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(3824), "3,824");
        assert_eq!(thousands(264_384_000_102), "264,384,000,102");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    fn b(s: &str) -> u64 {
        parse_bytes(s).unwrap_or_else(|e| panic!("{e}")).0
    }
    fn r(s: &str) -> u64 {
        parse_rate(s).unwrap_or_else(|e| panic!("{e}")).0
    }
    fn d(s: &str) -> u64 {
        parse_duration(s).unwrap_or_else(|e| panic!("{e}")).0
    }

    #[test]
    fn every_size_unit() {
        assert_eq!(b("7 B"), 7);
        assert_eq!(b("1 KB"), 1_000);
        assert_eq!(b("1 kB"), 1_000);
        assert_eq!(b("1 MB"), 1_000_000);
        assert_eq!(b("1 GB"), 1_000_000_000);
        assert_eq!(b("1 TB"), 1_000_000_000_000);
        assert_eq!(b("1 PB"), 1_000_000_000_000_000);
        assert_eq!(b("1 KiB"), 1 << 10);
        assert_eq!(b("1 MiB"), 1 << 20);
        assert_eq!(b("1 GiB"), 1 << 30);
        assert_eq!(b("1 TiB"), 1 << 40);
        assert_eq!(b("1 PiB"), 1 << 50);
        assert_eq!(b("0 GB"), 0);
    }

    #[test]
    fn size_spacing_and_decimals() {
        assert_eq!(b("500GiB"), 500 << 30);
        assert_eq!(b("  500   GiB \n"), 500 << 30);
        assert_eq!(b("1.5 TB"), 1_500_000_000_000);
        assert_eq!(b("0.5 GiB"), 536_870_912);
        assert_eq!(b("1.50000000000000000000000000000000000000000000 KB"), 1500);
        assert_eq!(b("0001.25 KiB"), 1280);
        assert_eq!(b("0.001 KB"), 1);
    }

    #[test]
    fn size_errors() {
        let e = parse_bytes("500 GiBs").unwrap_err();
        assert_eq!(
            e,
            "\"500 GiBs\": unknown size unit \"GiBs\"; allowed: B, KB, MB, GB, TB, PB, KiB, \
             MiB, GiB, TiB, PiB (e.g. \"500 GiB\", \"1.5 TB\")"
        );
        let e = parse_bytes("1.5 B").unwrap_err();
        assert!(e.starts_with("\"1.5 B\": "), "{e}");
        assert!(e.contains("1.5 B is not a whole number of bytes"), "{e}");
        assert!(e.contains("nearest: 2 B"), "{e}");
        for bad in [
            "", "  ", "100", "-5 GB", "+5 GB", "GB", "1.2.3 GB", ".5 GB", "5. GB", "1e3 B", "5 gb",
            "5 G B", "1 KIB",
        ] {
            let e = parse_bytes(bad).unwrap_err();
            assert!(e.starts_with(&format!("\"{}\": ", bad.trim())), "{e}");
            assert!(e.ends_with(SIZE_ALLOWED), "{e}");
        }
        assert!(parse_bytes("100").unwrap_err().contains("needs a unit"));
        assert!(parse_bytes("-5 GB").unwrap_err().contains("negative"));
        assert!(parse_bytes("").unwrap_err().contains("empty"));
        assert!(parse_bytes("1e3 B").unwrap_err().contains("exponent"));
    }

    #[test]
    fn size_overflow() {
        assert_eq!(b("18446744073709551615 B"), u64::MAX);
        assert!(parse_bytes("18446744073709551616 B")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_bytes("20000 PB").unwrap_err().contains("too large"));
        assert!(parse_bytes("16384 PiB").unwrap_err().contains("too large"));
        assert!(parse_bytes(&format!("{} PiB", "9".repeat(60)))
            .unwrap_err()
            .contains("too long"));
        assert!(parse_bytes(&format!("1.{}1 PB", "0".repeat(60)))
            .unwrap_err()
            .starts_with("\"1."));
    }

    #[test]
    fn bytes_display() {
        assert_eq!(Bytes(0).to_string(), "0 B");
        assert_eq!(Bytes(512).to_string(), "512 B");
        assert_eq!(Bytes(1023).to_string(), "1023 B");
        assert_eq!(Bytes(1024).to_string(), "1.00 KiB");
        assert_eq!(Bytes(3 << 29).to_string(), "1.50 GiB");
        assert_eq!(Bytes(2 << 40).to_string(), "2.00 TiB");
        assert_eq!(Bytes((1 << 20) - 1).to_string(), "1.00 MiB");
        assert_eq!(Bytes(1_500_000_000_000).to_string(), "1.36 TiB");
        assert_eq!(Bytes(u64::MAX).to_string(), "16.00 EiB");
    }

    #[test]
    fn every_rate_unit() {
        assert_eq!(r("1 bps"), 125);
        assert_eq!(r("1 kbps"), 125_000);
        assert_eq!(r("1 Kbps"), 125_000);
        assert_eq!(r("100 Mbps"), 12_500_000_000);
        assert_eq!(r("1 Gbps"), 125_000_000_000);
        assert_eq!(r("1 Tbps"), 125_000_000_000_000);
        assert_eq!(r("0 Mbps"), 0);
        assert_eq!(r("6 MB/s"), 6_000_000_000);
        assert_eq!(r("6MB/s"), 6_000_000_000);
        assert_eq!(r("6 MB / s"), 6_000_000_000);
        assert_eq!(r("500 MiB/s"), 500 * (1 << 20) * 1000);
        assert_eq!(r("1 B/s"), 1000);
        assert_eq!(r("2 GB/h"), 555_555_556); // 2e9 / 3600 = 555_555.5556 B/s
        assert_eq!(r("36 GB/h"), 10_000_000_000);
        // 10e9 / 86400 = 115_740.7407 B/s
        assert_eq!(r("10 GB/day"), 115_740_741);
        assert_eq!(r("10 GB/d"), 115_740_741);
        assert_eq!(r("86.4 GB/day"), 1_000_000_000);
        assert_eq!(r("1.5 Gbps"), 187_500_000_000);
    }

    #[test]
    fn rate_rounding_and_limits() {
        // 1.5 bps = 187.5 mB/s, halves round up.
        assert_eq!(r("1.5 bps"), 188);
        // 1 B/day = 0.0116 mB/s: non-zero but rounds to zero, which would stall transfers.
        let e = parse_rate("1 B/day").unwrap_err();
        assert!(e.contains("too small") && e.ends_with(RATE_ALLOWED), "{e}");
        assert!(parse_rate("0.001 bps").unwrap_err().contains("too small"));
        assert_eq!(r("0.004 bps"), 1); // 0.5 mB/s
        assert!(parse_rate("0 B/day").is_ok());
        assert_eq!(
            r(&format!("{} B/s", u64::MAX / 1000)),
            u64::MAX / 1000 * 1000
        );
        assert!(parse_rate("1000 PB/s").unwrap_err().contains("too large"));
        assert!(parse_rate("200000 Tbps").unwrap_err().contains("too large"));
    }

    #[test]
    fn rate_errors() {
        assert_eq!(
            parse_rate("100").unwrap_err(),
            "\"100\": a rate needs a unit; allowed: bps, kbps, Mbps, Gbps, Tbps, or a size \
             per time such as MB/s, GB/h, GB/day (e.g. \"100 Mbps\", \"6 MB/s\")"
        );
        for bad in [
            "",
            "-1 Mbps",
            "Mbps",
            "1 mbps",
            "1 MB/min",
            "1 Mb/s",
            "1 MBps",
            "5 GiBs/s",
            "1 /s",
            "1.2.3 Mbps",
        ] {
            let e = parse_rate(bad).unwrap_err();
            assert!(e.starts_with(&format!("\"{bad}\": ")), "{e}");
            assert!(e.ends_with(RATE_ALLOWED), "{e}");
        }
        assert!(parse_rate("1 Mb/s").unwrap_err().contains("\"Mbps\""));
        assert!(parse_rate("1 MBps").unwrap_err().contains("\"MB/s\""));
    }

    #[test]
    fn rate_display() {
        assert_eq!(ByteRate(0).to_string(), "0 bps");
        assert_eq!(ByteRate(1).to_string(), "0.008 bps");
        assert_eq!(ByteRate(125).to_string(), "1 bps");
        assert_eq!(parse_rate("100 Mbps").unwrap().to_string(), "100 Mbps");
        assert_eq!(parse_rate("1.5 Gbps").unwrap().to_string(), "1.5 Gbps");
        assert_eq!(parse_rate("512 kbps").unwrap().to_string(), "512 kbps");
        assert_eq!(parse_rate("1500 kbps").unwrap().to_string(), "1.5 Mbps");
        assert_eq!(parse_rate("999.9999 Mbps").unwrap().to_string(), "1 Gbps");
        assert_eq!(parse_rate("6 MB/s").unwrap().to_string(), "48 Mbps");
        assert_eq!(parse_rate("2500 Tbps").unwrap().to_string(), "2500 Tbps");
        assert_eq!(parse_rate("1.2345 Mbps").unwrap().to_string(), "1.235 Mbps");
        assert_eq!(ByteRate(u64::MAX).to_string(), "147573.953 Tbps");
    }

    #[test]
    fn rate_helpers() {
        assert_eq!(ByteRate::from_bytes_per_s(5), ByteRate(5000));
        assert_eq!(ByteRate(1500).as_bytes_per_s_f64(), 1.5);
        assert_eq!(ByteRate(1500).millibytes_per_s(), 1500);
        let r100 = parse_rate("100 Mbps").unwrap();
        assert_eq!(r100.bytes_in(1000), 12_500_000);
        assert_eq!(r100.bytes_in(0), 0);
        assert_eq!(r100.millis_for(12_500_000), Some(1000));
        assert_eq!(r100.millis_for(12_500_001), Some(1001));
        assert_eq!(r100.millis_for(0), Some(0));
        assert_eq!(ByteRate(0).millis_for(1), None);
        assert_eq!(ByteRate(0).millis_for(0), None);
        assert_eq!(ByteRate(0).bytes_in(u64::MAX), 0);
        assert_eq!(ByteRate(u64::MAX).bytes_in(u64::MAX), u64::MAX);
        assert_eq!(ByteRate(1).millis_for(u64::MAX), None);
        // 1.5 B/s: 1 byte needs 667 ms (666 ms moves only 0.999 B).
        assert_eq!(ByteRate(1500).millis_for(1), Some(667));
    }

    #[test]
    fn millis_for_is_tight() {
        let rates = [
            "1 bps",
            "100 Mbps",
            "1.5 Gbps",
            "10 GB/day",
            "2 GB/h",
            "7 B/s",
            "0.001 B/s",
            "3.333 kbps",
            "500 MiB/s",
        ];
        let sizes = [
            1u64,
            2,
            3,
            999,
            1_000_000,
            123_456_789,
            1 << 30,
            1_500_000_000_000,
        ];
        for rs in rates {
            let rate = parse_rate(rs).unwrap();
            for &size in &sizes {
                let Some(ms) = rate.millis_for(size) else {
                    continue;
                };
                assert!(rate.bytes_in(ms) >= size, "{rs} {size}");
                assert!(rate.bytes_in(ms - 1) < size, "{rs} {size}");
            }
        }
    }

    #[test]
    fn every_duration_unit() {
        assert_eq!(d("250ms"), 250);
        assert_eq!(d("30s"), 30_000);
        assert_eq!(d("5m"), 300_000);
        assert_eq!(d("5min"), 300_000);
        assert_eq!(d("2h"), 7_200_000);
        assert_eq!(d("3d"), 3 * 86_400_000);
        assert_eq!(d("1w"), 7 * 86_400_000);
        assert_eq!(d("0s"), 0);
        assert_eq!(d(" 5 m "), 300_000);
    }

    #[test]
    fn compound_and_decimal_durations() {
        assert_eq!(d("1h30m"), 5_400_000);
        assert_eq!(d("2d 3h"), 2 * 86_400_000 + 3 * 3_600_000);
        assert_eq!(d("2d3h4m5s6ms"), 183_845_006);
        assert_eq!(d("30m1h"), 5_400_000);
        assert_eq!(d("1 h 30 min"), 5_400_000);
        assert_eq!(d("1.5h"), 5_400_000);
        assert_eq!(d("0.001s"), 1);
        assert_eq!(d("1w1d"), 8 * 86_400_000);
        assert_eq!(
            Millis::from_days(1).0 + Millis::from_hours(1).0 + Millis::from_mins(1).0,
            d("1d1h1m")
        );
        assert_eq!(Millis::from_secs(2), Millis(2000));
        assert_eq!(Millis::from_days(u64::MAX), Millis(u64::MAX));
        assert_eq!(Millis(1500).as_secs_f64(), 1.5);
    }

    #[test]
    fn duration_errors() {
        assert_eq!(
            parse_duration("10x").unwrap_err(),
            "\"10x\": unknown duration unit \"x\"; allowed: ms, s, m, h, d, w, combinable as \
             in \"1h30m\" (e.g. \"30s\", \"5m\", \"2h\", \"3d\")"
        );
        let cases = [
            ("", "empty"),
            ("100", "needs a unit"),
            ("-5s", "negative"),
            ("0.0005s", "0.0005s is not a whole number of milliseconds"),
            ("1h30", "the last number \"30\" has no unit"),
            ("1h2h", "more than once"),
            ("5m 5min", "more than once"),
            ("1h-5m", "expected a number"),
            ("h", "expected a number"),
            ("5/s", "expected a unit"),
            ("1..5h", "malformed"),
            ("99999999999999999999999d", "too long"),
            ("213503982334602d", "too long"),
        ];
        for (bad, what) in cases {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.starts_with(&format!("\"{bad}\": ")), "{e}");
            assert!(e.contains(what), "{bad}: {e}");
            assert!(e.ends_with(DURATION_ALLOWED), "{e}");
        }
        assert_eq!(d(&format!("{}ms", u64::MAX)), u64::MAX);
        assert!(parse_duration(&format!("{}ms 1s", u64::MAX))
            .unwrap_err()
            .contains("too long"));
    }

    #[test]
    fn duration_display() {
        let cases = [
            (0, "0s"),
            (500, "500ms"),
            (30_000, "30s"),
            (300_000, "5m"),
            (7_200_000, "2h"),
            (3 * 86_400_000, "3d"),
            (5_400_000, "1h30m"),
            (2 * 86_400_000 + 3 * 3_600_000, "2d3h"),
            (14 * 86_400_000, "14d"),
            (183_845_006, "2d3h4m5s6ms"),
            (1_500, "1s500ms"),
        ];
        for (ms, s) in cases {
            assert_eq!(Millis(ms).to_string(), s);
            assert_eq!(d(s), ms);
        }
    }

    proptest! {
        #[test]
        fn duration_round_trip(ms in any::<u64>()) {
            prop_assert_eq!(parse_duration(&Millis(ms).to_string()), Ok(Millis(ms)));
        }

        #[test]
        fn small_duration_round_trip(ms in 0u64..10_000_000_000) {
            prop_assert_eq!(parse_duration(&Millis(ms).to_string()), Ok(Millis(ms)));
        }

        #[test]
        fn bit_rate_round_trip(int in 1u64..1000, frac in 0u64..1000, k in 0usize..5) {
            let written = format!("{int}.{frac:03} {}", BIT_UNITS[k]);
            let rate = parse_rate(&written).unwrap();
            let shown = rate.to_string();
            prop_assert_eq!(parse_rate(&shown), Ok(rate), "{} -> {}", written, shown);
        }

        #[test]
        fn rate_display_is_idempotent(x in 0u64..u64::MAX / 2) {
            // (Near u64::MAX the rounded display can exceed the largest representable rate.)
            let shown = ByteRate(x).to_string();
            let again = parse_rate(&shown).unwrap();
            prop_assert_eq!(again.to_string(), shown);
        }

        #[test]
        fn millis_for_consistent(rate in 1u64..u64::MAX / 2, bytes in 1u64..1u64 << 50) {
            let rate = ByteRate(rate);
            if let Some(ms) = rate.millis_for(bytes) {
                prop_assert!(rate.bytes_in(ms) >= bytes);
                prop_assert!(rate.bytes_in(ms - 1) < bytes);
            }
        }

        #[test]
        fn bytes_decimal_exact(int in 0u64..1_000_000, frac in 0u64..1000) {
            // x.yyy MB is always a whole number of bytes.
            let v = parse_bytes(&format!("{int}.{frac:03} MB")).unwrap();
            prop_assert_eq!(v.0, int * 1_000_000 + frac * 1000);
        }
    }
}
