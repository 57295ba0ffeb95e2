//! Distribution functions needed by the detectors, with R's conventions
//! (`pnorm`, `qnorm`, `pt`, `ppois`, `qpois`, `pnbinom`, `qnbinom`).

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::checked_beta_reg;
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur};

/// Standard normal quantile `qnorm(p)`.
pub fn qnorm(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Standard normal upper tail `pnorm(x, lower.tail = FALSE)`.
pub fn pnorm_upper(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.sf(x),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn pt_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => 2.0 * d.cdf(-t.abs()),
        Err(_) => f64::NAN,
    }
}

/// Poisson CDF `P(Y <= x)`.
pub fn ppois(x: f64, lambda: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    checked_gamma_ur(x.floor() + 1.0, lambda).unwrap_or(f64::NAN)
}

/// Poisson upper tail `P(Y >= y)`.
pub fn ppois_ge(y: f64, lambda: f64) -> f64 {
    if y <= 0.0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    checked_gamma_lr(y.ceil(), lambda).unwrap_or(f64::NAN)
}

/// Negative binomial CDF `P(Y <= x)` with R's (size, prob) parameterisation.
pub fn pnbinom(x: f64, size: f64, prob: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    if prob >= 1.0 {
        return 1.0;
    }
    checked_beta_reg(size, x.floor() + 1.0, prob).unwrap_or(f64::NAN)
}

/// Negative binomial upper tail `P(Y >= y)`.
pub fn pnbinom_ge(y: f64, size: f64, prob: f64) -> f64 {
    if y <= 0.0 {
        return 1.0;
    }
    if prob >= 1.0 {
        return 0.0;
    }
    checked_beta_reg(y.ceil(), size, 1.0 - prob).unwrap_or(f64::NAN)
}

/// Smallest integer `u >= 0` with `cdf(u) >= p`, with R's left-continuity fuzz.
fn discrete_quantile(p: f64, mean: f64, sd: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    if !(mean.is_finite() && sd.is_finite()) || p.is_nan() {
        return f64::NAN;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let target = p * (1.0 - 64.0 * f64::EPSILON);
    // Cornish-Fisher-free start: normal approximation, then walk.
    let z = qnorm(p);
    let mut u = (mean + z * sd).floor().max(0.0);
    if cdf(u) >= target {
        while u > 0.0 && cdf(u - 1.0) >= target {
            u -= 1.0;
        }
    } else {
        // Grow geometrically then bisect to keep the walk short.
        let mut step = (sd * 0.1).max(1.0).floor();
        let mut lo = u;
        let mut hi = u + step;
        while cdf(hi) < target {
            lo = hi;
            step *= 2.0;
            hi += step;
            if !hi.is_finite() {
                return f64::NAN;
            }
        }
        // cdf(lo) < target <= cdf(hi)
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if cdf(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        u = hi;
    }
    u
}

/// `qpois(p, lambda)`.
pub fn qpois(p: f64, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 0.0;
    }
    discrete_quantile(p, lambda, lambda.sqrt(), |u| ppois(u, lambda))
}

/// `qnbinom(p, size, prob)`.
pub fn qnbinom(p: f64, size: f64, prob: f64) -> f64 {
    let mean = size * (1.0 - prob) / prob;
    let sd = (mean / prob).sqrt();
    discrete_quantile(p, mean, sd, |u| pnbinom(u, size, prob))
}

/// R's `max(a, b)`: NaN propagates (unlike `f64::max`).
pub fn rmax(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((qnorm(0.975) - 1.959963984540054).abs() < 1e-14);
        assert!((qnorm(0.999) - 3.090232306167813).abs() < 1e-13);
        // R: ppois(3, 2.5) = 0.7575761331330659
        assert!((ppois(3.0, 2.5) - 0.7575761331330659).abs() < 1e-14);
        // R: qpois(0.95, 10) = 15 ; qnbinom(0.95, size=5, prob=0.5) = 11
        assert_eq!(qpois(0.95, 10.0), 15.0);
        assert_eq!(qnbinom(0.95, 5.0, 0.5), 11.0);
        // R: pnbinom(10, 5, 0.5, lower.tail=FALSE) = 0.05923462
        assert!((pnbinom_ge(11.0, 5.0, 0.5) - 0.059234619140625).abs() < 1e-12);
        assert!((1.0 - pnbinom(10.0, 5.0, 0.5) - 0.059234619140625).abs() < 1e-12);
        assert!(rmax(f64::NAN, 0.0).is_nan());
    }
}
