//! Statistics of one metric over the replications of a point: mean, sample standard deviation,
//! a 95% Student t confidence interval of the mean (statrs), minimum and maximum.
//!
//! The interval is `mean ± t(0.975, n-1) · s / √n`: if the replications are independent draws
//! of the same distribution (they are: one seed each), intervals built this way contain the
//! true mean of the metric (its expectation over seeds, for this point's parameters) in 95% of
//! sweeps. It says how precisely n replications pin down the mean, not where 95% of runs fall
//! (that spread is the standard deviation, min and max). It assumes the mean is roughly normal,
//! which holds for sums and averages of many VMs' figures but less for rare events (resyncs,
//! bytes lost) with few replications. No interval for n < 2.

use statrs::distribution::{ContinuousCDF, StudentsT};
use statrs::statistics::Statistics;

/// The confidence level of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// One metric over the replications of one point; undefined values (a VM never protected,
/// no RPO observed) are left out of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    pub n: usize,
    pub mean: Option<f64>,
    /// Sample standard deviation (n - 1 in the denominator); none for n < 2.
    pub sd: Option<f64>,
    /// The 95% confidence interval of the mean; none for n < 2.
    pub ci: Option<(f64, f64)>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// The quantile `p` of Student's t distribution with `df` degrees of freedom; `None` for
/// `df` = 0 or `p` outside (0, 1).
pub fn t_quantile(p: f64, df: usize) -> Option<f64> {
    if df == 0 || !(p > 0.0 && p < 1.0) {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, df as f64).ok()?;
    Some(t.inverse_cdf(p))
}

/// Summarize `values` (in the order given: the same order gives the same bits).
pub fn summarize(values: &[f64]) -> Summary {
    let n = values.len();
    if n == 0 {
        return Summary::default();
    }
    let min = Statistics::min(values);
    let max = Statistics::max(values);
    // Replications that all agree (a deterministic metric) have exactly their value and no
    // spread; floating-point sums would report a mean off in the last digit and a deviation
    // of 1e-14.
    let agree = min == max;
    let mean = if agree { min } else { Statistics::mean(values) };
    let (sd, ci) = if n < 2 {
        (None, None)
    } else {
        let sd = if agree {
            0.0
        } else {
            Statistics::std_dev(values)
        };
        let ci = t_quantile(1.0 - (1.0 - CONFIDENCE) / 2.0, n - 1).map(|t| {
            let half = t * sd / (n as f64).sqrt();
            (mean - half, mean + half)
        });
        (Some(sd), ci)
    };
    Summary {
        n,
        mean: Some(mean),
        sd,
        ci,
        min: Some(min),
        max: Some(max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replications_that_agree_have_their_value_and_no_spread() {
        let x = 259.074_931_707_317_03;
        let s = summarize(&[x; 10]);
        assert_eq!(s.mean, Some(x));
        assert_eq!(s.sd, Some(0.0));
        assert_eq!(s.ci, Some((x, x)));
    }
}
