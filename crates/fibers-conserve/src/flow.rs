//! A numerical demonstration (never a decision): gradient flow `θ̇ = −∇L(θ)` of the squared
//! loss `L = ½ Σ_i |f_θ(x_i) − y_i|²`, integrated in `f64` with the classical Runge–Kutta
//! method (RK4) at a fixed step, recording conserved and non-conserved quantities.
//! [`integrate_adaptive`] chooses that step from the curvature of the loss and checks it
//! against the laws' drift ([`LAW_DRIFT_TOLERANCE`]).
//!
//! **Relative drift.** For a quantity `Q` with terms `c_m m(θ)`, the scale is
//! `S = Σ_m |c_m m(θ(0))|` (the size of its terms at the start; `S = 1` when that is below
//! `1e-12`, so that the drift is then absolute), and the relative drift at time `t` is
//! `|Q(θ(t)) − Q(θ(0))| / S`.
//!
//! **Integration error.** Along a stretch where the activation patterns of the data do not
//! change, `∇L` is a polynomial vector field and RK4 has global error `O(h⁴)`; a law `Q` stays
//! constant for the exact flow, so its numerical drift is `O(T h⁴)` and falls about 16-fold when
//! `h` is halved, while a non-conserved quantity changes by an amount independent of `h`.
//! [`FlowRecord::pattern_exits`] lists the data points that left the pattern set during the run
//! (after which local laws need not hold).

use crate::grad::loss_and_gradient;
use crate::model::Pattern;
use fibers_exact::Rational;
use fibers_net::Architecture;
use fibers_semialg::{Polynomial, Var};
use std::collections::HashMap;

/// A polynomial compiled for fast `f64` evaluation over a parameter vector.
#[derive(Clone, Debug)]
pub struct F64Poly {
    terms: Vec<(f64, Vec<(usize, i32)>)>,
}

impl F64Poly {
    /// Compiles `p` (in the variables `vars`, by position).
    pub fn new(p: &Polynomial, vars: &[Var]) -> F64Poly {
        let index: HashMap<&Var, usize> = vars.iter().zip(0..).collect();
        F64Poly {
            terms: p
                .terms()
                .map(|(m, c)| {
                    (
                        c.to_f64_lossy(),
                        m.powers()
                            .map(|(v, e)| (index[v], i32::try_from(e).unwrap_or(i32::MAX)))
                            .collect(),
                    )
                })
                .collect(),
        }
    }
    /// The value at `theta`.
    pub fn eval(&self, theta: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|(c, m)| c * m.iter().map(|(i, e)| theta[*i].powi(*e)).product::<f64>())
            .sum()
    }
    /// `Σ_m |c_m m(θ)|`, the scale for the relative drift; 1 when that is below `1e-12`
    /// (e.g. at `θ = 0`), so that the drift is then the absolute change.
    pub fn scale(&self, theta: &[f64]) -> f64 {
        let s = self
            .terms
            .iter()
            .map(|(c, m)| (c * m.iter().map(|(i, e)| theta[*i].powi(*e)).product::<f64>()).abs())
            .sum::<f64>();
        if s.is_finite() && s >= 1e-12 {
            s
        } else {
            1.0
        }
    }
}

/// A quantity recorded along the flow.
#[derive(Clone, Debug)]
pub struct Tracked {
    /// Name (for the CSV header and the legend).
    pub name: String,
    /// Whether it is a verified conservation law (else a non-conserved candidate).
    pub conserved: bool,
    /// The quantity.
    pub poly: F64Poly,
}

/// The largest relative drift of a law (before any data point leaves the pattern set) that
/// the integration error of a stable RK4 step explains; a larger drift means the step is too
/// large (or the quantity is not a law), and the report warns.
pub const LAW_DRIFT_TOLERANCE: f64 = 1e-6;

/// `h·|λ|` aimed at by the automatic step, where `|λ|` estimates the largest Hessian eigenvalue
/// of the loss at the start: well inside RK4's stability interval (`h|λ| < 2.78`) and small
/// enough that the per-step error `~(h|λ|)⁵/120` is far below [`LAW_DRIFT_TOLERANCE`].
pub const STEP_TIMES_CURVATURE: f64 = 1.0;

/// The most halvings of the automatic step when a law still drifts too much.
pub const MAX_HALVINGS: usize = 8;

/// Step size and length of the run.
#[derive(Clone, Copy, Debug)]
pub struct FlowOptions {
    /// Step size `h` (with [`FlowOptions::adapt`], the largest step allowed).
    pub dt: f64,
    /// Choose the step automatically ([`integrate_adaptive`]): `h = min(dt, c/|λ|)` from the
    /// curvature `|λ|` of the loss, halved until every law's drift is below
    /// [`LAW_DRIFT_TOLERANCE`]. [`integrate`] ignores it.
    pub adapt: bool,
    /// Number of steps.
    pub steps: usize,
    /// Record every this many steps (and the last).
    pub record_every: usize,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            dt: 1e-3,
            adapt: true,
            steps: 2000,
            record_every: 10,
        }
    }
}

/// The recorded run.
#[derive(Clone, Debug)]
pub struct FlowRecord {
    /// Names of the tracked quantities.
    pub names: Vec<String>,
    /// Whether each tracked quantity is a law.
    pub conserved: Vec<bool>,
    /// Scale `S` of each tracked quantity.
    pub scales: Vec<f64>,
    /// Times recorded.
    pub times: Vec<f64>,
    /// Loss at each recorded time.
    pub loss: Vec<f64>,
    /// `values[q][r]`: quantity `q` at recorded time `r`.
    pub values: Vec<Vec<f64>>,
    /// `(time, data point)`: the first time each data point was seen in a pattern outside the
    /// pattern set (checked after every step).
    pub pattern_exits: Vec<(f64, usize)>,
    /// The step size.
    pub dt: f64,
    /// How the step size was chosen (one sentence, for the report).
    pub step_reason: String,
}

impl FlowRecord {
    /// Relative drift of quantity `q` at recorded time `r` (see the [module docs](self)).
    pub fn drift(&self, q: usize, r: usize) -> f64 {
        (self.values[q][r] - self.values[q][0]).abs() / self.scales[q]
    }
    /// Whether the integration looks unstable: a non-finite value, or a loss that grew (the
    /// exact flow never increases the loss). Then the step is too large.
    pub fn unstable(&self) -> bool {
        let first = self.loss.first().copied().unwrap_or(0.0);
        self.loss
            .iter()
            .any(|l| !l.is_finite() || *l > first * (1.0 + 1e-9) + 1e-300)
            || self.values.iter().flatten().any(|v| !v.is_finite())
    }

    /// The largest relative drift of quantity `q` over the run.
    pub fn max_drift(&self, q: usize) -> f64 {
        (0..self.times.len())
            .map(|r| self.drift(q, r))
            .fold(0.0, f64::max)
    }

    /// The largest relative drift of quantity `q` while every data point stays in the pattern
    /// set (local laws need not hold after an exit). NaN drifts count as infinite.
    pub fn max_drift_in_patterns(&self, q: usize) -> f64 {
        let until = self.pattern_exits.first().map_or(f64::INFINITY, |e| e.0);
        (0..self.times.len())
            .filter(|&r| self.times[r] < until)
            .map(|r| {
                let d = self.drift(q, r);
                if d.is_nan() {
                    f64::INFINITY
                } else {
                    d
                }
            })
            .fold(0.0, f64::max)
    }

    /// The laws whose drift (within the pattern set) exceeds [`LAW_DRIFT_TOLERANCE`]: more
    /// than the integration error of a stable step allows.
    pub fn drifting_laws(&self) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&q| self.conserved[q] && self.max_drift_in_patterns(q) > LAW_DRIFT_TOLERANCE)
            .collect()
    }

    /// One warning line per law in [`FlowRecord::drifting_laws`] (empty when none).
    pub fn drift_warnings(&self) -> Vec<String> {
        self.drifting_laws()
            .into_iter()
            .map(|q| {
                format!(
                    "warning: law {} drifts {:.3e} (relative), more than the integration error \
                     allows ({LAW_DRIFT_TOLERANCE:e}) at h = {:e}: the step is too large; try --dt {:e}",
                    self.names[q],
                    self.max_drift_in_patterns(q),
                    self.dt,
                    self.dt / 10.0
                )
            })
            .collect()
    }
}

/// An estimate of the largest `|λ|` over the Hessian eigenvalues of the loss at `theta`: 30
/// power iterations on central differences of the gradient. Numerical, for the step only.
pub fn curvature(arch: &Architecture, theta: &[f64], xs: &[Vec<f64>], ys: &[Vec<f64>]) -> f64 {
    let n = theta.len();
    if n == 0 {
        return 0.0;
    }
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let eps = 1e-6 * (1.0 + norm(theta));
    // A fixed, non-degenerate start vector.
    let mut v: Vec<f64> = (0..n)
        .map(|i| 1.0 + 0.37 * ((i * 7 + 3) % 11) as f64)
        .collect();
    let nv = norm(&v);
    v.iter_mut().for_each(|x| *x /= nv);
    let mut lambda = 0.0;
    for _ in 0..30 {
        let plus: Vec<f64> = theta.iter().zip(&v).map(|(t, d)| t + eps * d).collect();
        let minus: Vec<f64> = theta.iter().zip(&v).map(|(t, d)| t - eps * d).collect();
        let (_, gp) = loss_and_gradient(arch, &plus, xs, ys);
        let (_, gm) = loss_and_gradient(arch, &minus, xs, ys);
        let hv: Vec<f64> = gp
            .iter()
            .zip(&gm)
            .map(|(a, b)| (a - b) / (2.0 * eps))
            .collect();
        let nh = norm(&hv);
        if !nh.is_finite() || nh == 0.0 {
            return if nh.is_finite() {
                lambda
            } else {
                f64::INFINITY
            };
        }
        lambda = nh;
        v = hv.into_iter().map(|x| x / nh).collect();
    }
    lambda
}

/// Integrates like [`integrate`], choosing the step when `opts.adapt` (else the fixed step
/// `opts.dt`, with its reason recorded): `h = min(dt, c/|λ|)` with `c =`
/// [`STEP_TIMES_CURVATURE`] and `|λ|` from [`curvature`] at the start, then halved (at most
/// [`MAX_HALVINGS`] times, keeping the number of steps) while the run is unstable or a law
/// drifts more than [`LAW_DRIFT_TOLERANCE`]. [`FlowRecord::step_reason`] says which.
pub fn integrate_adaptive(
    arch: &Architecture,
    theta0: &[Rational],
    xs: &[Vec<Rational>],
    ys: &[Vec<Rational>],
    tracked: &[Tracked],
    patterns: &[Pattern],
    opts: &FlowOptions,
) -> FlowRecord {
    if !opts.adapt {
        let mut rec = integrate(arch, theta0, xs, ys, tracked, patterns, opts);
        rec.step_reason = format!("h = {:e} fixed by --dt", opts.dt);
        return rec;
    }
    let f = |v: &[Rational]| v.iter().map(Rational::to_f64_lossy).collect::<Vec<f64>>();
    let xf: Vec<Vec<f64>> = xs.iter().map(|x| f(x)).collect();
    let yf: Vec<Vec<f64>> = ys.iter().map(|y| f(y)).collect();
    let lambda = curvature(arch, &f(theta0), &xf, &yf);
    let from_curvature = STEP_TIMES_CURVATURE / lambda;
    let mut h = if from_curvature.is_finite() && from_curvature > 0.0 {
        opts.dt.min(from_curvature)
    } else {
        opts.dt
    };
    let mut reason = if h < opts.dt {
        format!(
            "h = {h:.3e} chosen automatically: the loss's curvature at the start is about \
             {lambda:.3e} (largest Hessian eigenvalue), and h·curvature = {STEP_TIMES_CURVATURE}"
        )
    } else {
        format!(
            "h = {h:e} (the default): the loss's curvature at the start, about {lambda:.3e}, \
             allows it (h·curvature <= {STEP_TIMES_CURVATURE})"
        )
    };
    let mut halvings = 0;
    loop {
        let mut rec = integrate(
            arch,
            theta0,
            xs,
            ys,
            tracked,
            patterns,
            &FlowOptions { dt: h, ..*opts },
        );
        let bad = rec.unstable() || !rec.drifting_laws().is_empty();
        if !bad || halvings == MAX_HALVINGS {
            if halvings > 0 {
                reason = format!(
                    "{reason}; halved {halvings} time(s) to h = {h:.3e} {}",
                    if bad {
                        "and a law still drifts (see the warning)"
                    } else {
                        "until every law drifted less than the tolerance"
                    }
                );
            }
            rec.step_reason = reason;
            return rec;
        }
        h /= 2.0;
        halvings += 1;
    }
}

fn pattern_f64(arch: &Architecture, theta: &[f64], x: &[f64]) -> Pattern {
    let lay = crate::grad::Layout::new(*arch);
    let y: Vec<f64> = (0..arch.n1)
        .map(|j| {
            theta[lay.bias(1, j)]
                + (0..arch.n0)
                    .map(|i| theta[lay.weight(1, j, i)] * x[i])
                    .sum::<f64>()
        })
        .collect();
    let layer1: Vec<bool> = y.iter().map(|v| *v > 0.0).collect();
    let layer2 = (0..arch.n2)
        .map(|k| {
            theta[lay.bias(2, k)]
                + (0..arch.n1)
                    .map(|j| theta[lay.weight(2, k, j)] * y[j].max(0.0))
                    .sum::<f64>()
                > 0.0
        })
        .collect();
    Pattern { layer1, layer2 }
}

/// Integrates the flow from `theta0` on the data `(xs, ys)` (converted to `f64`), recording
/// the tracked quantities; `patterns` is the pattern set whose exits are reported.
pub fn integrate(
    arch: &Architecture,
    theta0: &[Rational],
    xs: &[Vec<Rational>],
    ys: &[Vec<Rational>],
    tracked: &[Tracked],
    patterns: &[Pattern],
    opts: &FlowOptions,
) -> FlowRecord {
    let f = |v: &[Rational]| v.iter().map(Rational::to_f64_lossy).collect::<Vec<f64>>();
    let xs: Vec<Vec<f64>> = xs.iter().map(|x| f(x)).collect();
    let ys: Vec<Vec<f64>> = ys.iter().map(|y| f(y)).collect();
    let mut theta = f(theta0);
    let grad = |t: &[f64]| loss_and_gradient(arch, t, &xs, &ys);
    let mut rec = FlowRecord {
        names: tracked.iter().map(|t| t.name.clone()).collect(),
        conserved: tracked.iter().map(|t| t.conserved).collect(),
        scales: tracked.iter().map(|t| t.poly.scale(&theta)).collect(),
        times: Vec::new(),
        loss: Vec::new(),
        values: vec![Vec::new(); tracked.len()],
        pattern_exits: Vec::new(),
        dt: opts.dt,
        step_reason: format!("h = {:e} fixed", opts.dt),
    };
    let mut exited = vec![false; xs.len()];
    let record = |rec: &mut FlowRecord, t: f64, theta: &[f64], loss: f64| {
        rec.times.push(t);
        rec.loss.push(loss);
        for (q, tr) in tracked.iter().enumerate() {
            rec.values[q].push(tr.poly.eval(theta));
        }
    };
    let (l0, _) = grad(&theta);
    record(&mut rec, 0.0, &theta, l0);
    let h = opts.dt;
    let axpy = |a: &[f64], s: f64, b: &[f64]| -> Vec<f64> {
        a.iter().zip(b).map(|(x, y)| x - s * y).collect()
    };
    for step in 1..=opts.steps {
        let (_, k1) = grad(&theta);
        let (_, k2) = grad(&axpy(&theta, h / 2.0, &k1));
        let (_, k3) = grad(&axpy(&theta, h / 2.0, &k2));
        let (_, k4) = grad(&axpy(&theta, h, &k3));
        for i in 0..theta.len() {
            theta[i] -= h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
        let t = step as f64 * h;
        for (p, x) in xs.iter().enumerate() {
            if !exited[p] && !patterns.contains(&pattern_f64(arch, &theta, x)) {
                exited[p] = true;
                rec.pattern_exits.push((t, p));
            }
        }
        if step % opts.record_every.max(1) == 0 || step == opts.steps {
            let (l, _) = grad(&theta);
            record(&mut rec, t, &theta, l);
        }
    }
    rec
}
