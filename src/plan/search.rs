//! The search for the smallest value that passes a criterion: bracket, then bisection.
//!
//! From a first guess the bracket doubles up (the guess fails) or halves down (it passes)
//! until one value fails and another passes; bisection then halves the bracket until its
//! width is at most the step ([`step_for`]). The answer is the upper end (it passed), the
//! lower end failed, and every evaluation is kept as a [`Step`], in order. The search
//! assumes the criterion is monotone in the value (more bandwidth never hurts); replications
//! share their seeds across candidates (common random numbers), which keeps it so in
//! practice, and a pass below a failure would show in the steps.

use serde::Serialize;

/// [ours] The bisection stops when the bracket is at most 1% of its upper end wide...
pub const STEP_PERCENT: u64 = 1;
/// [ours] ... and never narrower than 1 kbps.
pub const MIN_STEP_BPS: u64 = 1_000;
/// [src] The smallest value searched: the ASR agent's throttle goes down to 512 kbps.
pub const FLOOR_BPS: u64 = 512_000;
/// [ours] The largest value searched: 100 Gbps. A criterion not met there is reported as
/// not reachable by bandwidth (outages longer than the target, resyncs, a cache limit).
pub const CEILING_BPS: u64 = 100_000_000_000;

/// The bisection's resolution for a bracket whose upper end is `hi`.
pub fn step_for(hi: u64) -> u64 {
    (hi * STEP_PERCENT / 100).max(MIN_STEP_BPS)
}

/// Which part of the search a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Bracket,
    Bisect,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Bracket => "bracket",
            Phase::Bisect => "bisect",
        }
    }
}

/// One evaluation, and the bracket after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step<E> {
    pub phase: Phase,
    pub value_bps: u64,
    pub pass: bool,
    /// The highest value known to fail, and the lowest known to pass, after this step.
    pub fail_bps: Option<u64>,
    pub pass_bps: Option<u64>,
    /// What the evaluation found (the caller's).
    pub detail: E,
}

/// The result of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<E> {
    /// The smallest value found to pass; `None` if even [`CEILING_BPS`] fails.
    pub answer_bps: Option<u64>,
    /// The largest value found to fail; `None` if even [`FLOOR_BPS`] passes.
    pub fail_bps: Option<u64>,
    /// The bracket's final width limit.
    pub step_bps: u64,
    pub steps: Vec<Step<E>>,
}

/// Search `[FLOOR_BPS, CEILING_BPS]` from `guess` for the smallest value at which `eval`
/// passes (`eval` returns whether it passed and what it found).
pub fn search<E>(guess: u64, mut eval: impl FnMut(u64) -> (bool, E)) -> Found<E> {
    let mut steps: Vec<Step<E>> = Vec::new();
    let (mut fail, mut pass): (Option<u64>, Option<u64>) = (None, None);
    let mut probe = |x: u64, phase: Phase, fail: &mut Option<u64>, pass: &mut Option<u64>| {
        let (ok, detail) = eval(x);
        if ok {
            *pass = Some(pass.map_or(x, |p: u64| p.min(x)));
        } else {
            *fail = Some(fail.map_or(x, |f: u64| f.max(x)));
        }
        steps.push(Step {
            phase,
            value_bps: x,
            pass: ok,
            fail_bps: *fail,
            pass_bps: *pass,
            detail,
        });
        ok
    };
    let mut x = guess.clamp(FLOOR_BPS, CEILING_BPS);
    if probe(x, Phase::Bracket, &mut fail, &mut pass) {
        while x > FLOOR_BPS {
            x = (x / 2).max(FLOOR_BPS);
            if !probe(x, Phase::Bracket, &mut fail, &mut pass) {
                break;
            }
        }
    } else {
        while x < CEILING_BPS {
            x = x.saturating_mul(2).min(CEILING_BPS);
            if probe(x, Phase::Bracket, &mut fail, &mut pass) {
                break;
            }
        }
    }
    if let (Some(_), Some(_)) = (fail, pass) {
        loop {
            let (lo, hi) = (fail.unwrap_or(0), pass.unwrap_or(0));
            if hi - lo <= step_for(hi) {
                break;
            }
            // The middle, on a whole kbps when the bracket is wide enough for it.
            let mut mid = lo + (hi - lo) / 2;
            if hi - lo > 2 * MIN_STEP_BPS {
                mid = mid / MIN_STEP_BPS * MIN_STEP_BPS;
            }
            if mid <= lo || mid >= hi {
                break;
            }
            probe(mid, Phase::Bisect, &mut fail, &mut pass);
        }
    }
    Found {
        answer_bps: pass,
        fail_bps: fail,
        step_bps: step_for(pass.unwrap_or(CEILING_BPS)),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_is_found_within_one_step_from_either_side() {
        for threshold in [600_000u64, 3_333_333, 87_654_321, 2_000_000_000] {
            for guess in [1_000_000u64, 50_000_000, 10_000_000_000] {
                let f = search(guess, |x| (x >= threshold, ()));
                let a = f.answer_bps.unwrap();
                assert!(a >= threshold, "{a} {threshold}");
                assert!(a - f.fail_bps.unwrap() <= f.step_bps.max(step_for(a)));
                assert!(f.fail_bps.unwrap() < threshold);
            }
        }
    }

    #[test]
    fn out_of_range_criteria_say_so() {
        let never = search(1_000_000, |_| (false, ()));
        assert_eq!(never.answer_bps, None);
        assert_eq!(never.fail_bps, Some(CEILING_BPS));
        let always = search(1_000_000, |_| (true, ()));
        assert_eq!(always.answer_bps, Some(FLOOR_BPS));
        assert_eq!(always.fail_bps, None);
    }
}
