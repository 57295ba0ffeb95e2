//! Poisson / quasi-Poisson log-link GLM fitted by IRLS exactly as R's `glm.fit`
//! iterates (start `mu = y + 0.1`, relative deviance change `< 1e-8`, at most 25
//! iterations), over a sparse design: every row has at most three non-zero
//! columns. The Farrington designs (intercept, trend, one seasonal indicator)
//! make the normal equations O(N) to accumulate instead of O(N·P²).

/// Maximum number of coefficients supported.
pub const MAX_P: usize = 16;

/// One design row: up to three non-zero entries `(column, value)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Row {
    pub idx: [u8; 3],
    pub val: [f64; 3],
    pub nnz: u8,
}

impl Row {
    pub fn push(&mut self, col: usize, v: f64) {
        let n = self.nnz as usize;
        if n < 3 && col < MAX_P {
            self.idx[n] = col as u8;
            self.val[n] = v;
            self.nnz += 1;
        }
    }
    #[inline]
    pub fn dot(&self, beta: &[f64]) -> f64 {
        let mut s = 0.0;
        for j in 0..self.nnz as usize {
            s += self.val[j] * beta[self.idx[j] as usize];
        }
        s
    }
    /// `x' C x` for a symmetric `p × p` matrix `c` (row-major).
    #[inline]
    pub fn quad(&self, c: &[f64], p: usize) -> f64 {
        let mut s = 0.0;
        for a in 0..self.nnz as usize {
            let ia = self.idx[a] as usize;
            for b in 0..self.nnz as usize {
                let ib = self.idx[b] as usize;
                s += self.val[a] * self.val[b] * c[ia * p + ib];
            }
        }
        s
    }
}

/// Result of an IRLS fit.
#[derive(Clone, Debug)]
pub struct GlmFit {
    pub p: usize,
    pub beta: Vec<f64>,
    /// Final linear predictor (offset included), `log mu`.
    pub eta: Vec<f64>,
    pub mu: Vec<f64>,
    /// Working weights `prior·mu` from the start of the last iteration (what R
    /// keeps in `fit$weights` and the QR).
    pub w: Vec<f64>,
    /// `(XᵀWX)⁻¹` with the `w` above, row-major `p × p`.
    pub cov_unscaled: Vec<f64>,
    pub converged: bool,
    pub iter: usize,
}

/// Reusable buffers for [`fit_poisson`].
#[derive(Default)]
pub struct Scratch {
    eta: Vec<f64>,
    ylny: Vec<f64>,
}

/// Poisson deviance `2 Σ w [y log(y/μ) - (y - μ)]`, with `y log y`
/// precomputed and `log μ = η`, so no logarithm per iteration.
fn deviance(y: &[f64], ylny: &[f64], eta: &[f64], mu: &[f64], prior: Option<&[f64]>) -> f64 {
    let mut d = 0.0;
    for i in 0..y.len() {
        let w = prior.map_or(1.0, |p| p[i]);
        let yi = y[i];
        let r = if yi > 0.0 {
            ylny[i] - yi * eta[i] - (yi - mu[i])
        } else {
            mu[i]
        };
        d += 2.0 * w * r;
    }
    d
}

/// Cholesky factorisation in place (lower triangle); false if not positive definite.
fn cholesky(a: &mut [f64], p: usize) -> bool {
    for j in 0..p {
        let mut s = a[j * p + j];
        for k in 0..j {
            s -= a[j * p + k] * a[j * p + k];
        }
        if s <= 0.0 || !s.is_finite() {
            return false;
        }
        let d = s.sqrt();
        a[j * p + j] = d;
        for i in (j + 1)..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = s / d;
        }
    }
    true
}

fn chol_solve(l: &[f64], p: usize, b: &mut [f64]) {
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * p + k] * b[k];
        }
        b[i] = s / l[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = b[i];
        for k in (i + 1)..p {
            s -= l[k * p + i] * b[k];
        }
        b[i] = s / l[i * p + i];
    }
}

fn chol_inverse(l: &[f64], p: usize) -> Vec<f64> {
    // M = L⁻¹ (lower triangular), then (LLᵀ)⁻¹ = MᵀM.
    let mut m = [0.0; MAX_P * MAX_P];
    for j in 0..p {
        m[j * p + j] = 1.0 / l[j * p + j];
        for i in (j + 1)..p {
            let mut s = 0.0;
            for k in j..i {
                s -= l[i * p + k] * m[k * p + j];
            }
            m[i * p + j] = s / l[i * p + i];
        }
    }
    let mut inv = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = 0.0;
            for k in i..p {
                s += m[k * p + i] * m[k * p + j];
            }
            inv[i * p + j] = s;
            inv[j * p + i] = s;
        }
    }
    inv
}

/// Fit `log mu = offset + X beta` with prior weights. Returns `None` when the
/// normal equations are singular.
pub fn fit_poisson(
    rows: &[Row],
    y: &[f64],
    offset: Option<&[f64]>,
    prior: Option<&[f64]>,
    p: usize,
    scratch: &mut Scratch,
) -> Option<GlmFit> {
    let n = y.len();
    if p == 0 || p > MAX_P || rows.len() != n {
        return None;
    }
    let off = |i: usize| offset.map_or(0.0, |o| o[i]);
    let pw = |i: usize| prior.map_or(1.0, |w| w[i]);
    let mut mu: Vec<f64> = y.iter().map(|&v| v + 0.1).collect();
    scratch.eta.clear();
    scratch.eta.extend(mu.iter().map(|m| m.ln()));
    scratch.ylny.clear();
    scratch
        .ylny
        .extend(y.iter().map(|&v| if v > 0.0 { v * v.ln() } else { 0.0 }));
    let mut w = vec![0.0; n];
    let mut devold = deviance(y, &scratch.ylny, &scratch.eta, &mu, prior);
    let mut beta = vec![0.0; p];
    let mut beta_old = vec![0.0; p];
    let mut a = [0.0; MAX_P * MAX_P];
    let mut converged = false;
    let mut iter = 0;
    for it in 1..=25 {
        iter = it;
        a[..p * p].iter_mut().for_each(|v| *v = 0.0);
        let mut rhs = [0.0; MAX_P];
        for i in 0..n {
            let m = mu[i];
            let wi = pw(i) * m;
            w[i] = wi;
            // R drops observations whose weight or mu.eta is 0 from the solve.
            if wi.is_nan() || wi <= 0.0 {
                continue;
            }
            let zi = scratch.eta[i] - off(i) + (y[i] - m) / m;
            let r = &rows[i];
            for s in 0..r.nnz as usize {
                let cs = r.idx[s] as usize;
                let xs = r.val[s] * wi;
                rhs[cs] += xs * zi;
                for t in 0..=s {
                    let ct = r.idx[t] as usize;
                    let (hi, lo) = if cs >= ct { (cs, ct) } else { (ct, cs) };
                    a[hi * p + lo] += xs * r.val[t];
                }
            }
        }
        // Note: diagonal entries received each product once, off-diagonal once.
        if !cholesky(&mut a[..p * p], p) {
            return None;
        }
        chol_solve(&a[..p * p], p, &mut rhs[..p]);
        beta.copy_from_slice(&rhs[..p]);
        for i in 0..n {
            let e = rows[i].dot(&beta) + off(i);
            scratch.eta[i] = e;
            mu[i] = e.exp();
        }
        let mut dev = deviance(y, &scratch.ylny, &scratch.eta, &mu, prior);
        if !dev.is_finite() {
            // R's glm.fit: halve the step towards the previous coefficients.
            if it == 1 {
                return None;
            }
            let mut tries = 0;
            while !dev.is_finite() {
                tries += 1;
                if tries > 25 {
                    return None;
                }
                for j in 0..p {
                    beta[j] = (beta[j] + beta_old[j]) / 2.0;
                }
                for i in 0..n {
                    let e = rows[i].dot(&beta) + off(i);
                    scratch.eta[i] = e;
                    mu[i] = e.exp();
                }
                dev = deviance(y, &scratch.ylny, &scratch.eta, &mu, prior);
            }
        }
        beta_old.copy_from_slice(&beta);
        if (dev - devold).abs() / (dev.abs() + 0.1) < 1e-8 {
            converged = true;
            break;
        }
        devold = dev;
    }
    let cov_unscaled = chol_inverse(&a[..p * p], p);
    Some(GlmFit {
        p,
        beta,
        eta: scratch.eta.clone(),
        mu,
        w,
        cov_unscaled,
        converged,
        iter,
    })
}

impl GlmFit {
    /// Leverages `h_i = w_i x_iᵀ (XᵀWX)⁻¹ x_i`.
    pub fn leverage(&self, rows: &[Row], i: usize) -> f64 {
        self.w[i] * rows[i].quad(&self.cov_unscaled, self.p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn harmonic_rows(n: usize) -> Vec<Row> {
        (1..=n)
            .map(|t| {
                let w = 2.0 * std::f64::consts::PI * t as f64 / 52.0;
                let mut r = Row::default();
                r.push(0, 1.0);
                r.push(1, w.cos());
                r.push(2, w.sin());
                r
            })
            .collect()
    }

    #[test]
    fn degenerate_counts_do_not_break_the_fit() {
        // A single count in 160 weeks drives mu to 0 elsewhere (R drops those
        // rows from the solve and halves divergent steps).
        let mut y = vec![0.0; 160];
        y[20] = 1.0;
        let f = fit_poisson(
            &harmonic_rows(160),
            &y,
            None,
            None,
            3,
            &mut Scratch::default(),
        );
        assert!(f.is_some_and(|f| f.beta.iter().all(|b| b.is_finite())));
        // All zeros: intercept runs off to -inf slowly, the fit stays finite.
        let y = vec![0.0; 160];
        let f = fit_poisson(
            &harmonic_rows(160),
            &y,
            None,
            None,
            3,
            &mut Scratch::default(),
        );
        assert!(f.is_some_and(|f| f.mu.iter().all(|m| *m < 1e-6)));
    }

    #[test]
    fn intercept_only_is_log_mean() {
        let y = [3.0, 5.0, 4.0, 8.0];
        let rows: Vec<Row> = y
            .iter()
            .map(|_| {
                let mut r = Row::default();
                r.push(0, 1.0);
                r
            })
            .collect();
        let mut s = Scratch::default();
        let f = fit_poisson(&rows, &y, None, None, 1, &mut s);
        assert!(f.is_some());
        if let Some(f) = f {
            assert!(f.converged);
            assert!((f.beta[0] - 5.0f64.ln()).abs() < 1e-9);
        }
    }
}
