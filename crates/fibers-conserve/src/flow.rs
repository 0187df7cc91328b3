//! A numerical demonstration (never a decision): gradient flow `θ̇ = −∇L(θ)` of the squared
//! loss `L = ½ Σ_i |f_θ(x_i) − y_i|²`, integrated in `f64` with the classical Runge–Kutta
//! method (RK4) at a fixed step, recording conserved and non-conserved quantities.
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

/// Step size and length of the run.
#[derive(Clone, Debug)]
pub struct FlowOptions {
    /// Step size `h`.
    pub dt: f64,
    /// Number of steps.
    pub steps: usize,
    /// Record every this many steps (and the last).
    pub record_every: usize,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            dt: 1e-3,
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
