//! The search for a point of the box where `‖f_A − f_B‖_∞` is large (the lower bound). Points
//! are dyadic rationals of the box; floating point ranks them, and the best few are evaluated
//! exactly: only exact values are reported.

use fibers_check::within::{difference_at, InputBox};
use fibers_exact::{Integer, Rational};
use fibers_net::random::Lcg;
use fibers_net::Network;

/// A network in `f64`, for ranking candidate points.
struct Net64 {
    layers: Vec<(Vec<Vec<f64>>, Vec<f64>)>,
}

impl Net64 {
    fn new(n: &Network) -> Self {
        Net64 {
            layers: n
                .layers()
                .iter()
                .map(|l| {
                    (
                        l.weight
                            .iter()
                            .map(|r| r.iter().map(Rational::to_f64_lossy).collect())
                            .collect(),
                        l.bias.iter().map(Rational::to_f64_lossy).collect(),
                    )
                })
                .collect(),
        }
    }
    fn eval(&self, x: &[f64]) -> Vec<f64> {
        let mut v = x.to_vec();
        for (k, (w, b)) in self.layers.iter().enumerate() {
            v = w
                .iter()
                .zip(b)
                .map(|(r, c)| {
                    let s = c + r.iter().zip(&v).map(|(p, q)| p * q).sum::<f64>();
                    if k < 2 {
                        s.max(0.0)
                    } else {
                        s
                    }
                })
                .collect();
        }
        v
    }
}

impl Net64 {
    /// The gradient of output `o` at `x` (in the linear region of `x`).
    fn grad(&self, x: &[f64], o: usize) -> Vec<f64> {
        let mut acts = vec![x.to_vec()];
        for (w, b) in &self.layers[..2] {
            let v = acts.last().expect("input");
            let next = w
                .iter()
                .zip(b)
                .map(|(r, c)| (c + r.iter().zip(v).map(|(p, q)| p * q).sum::<f64>()).max(0.0))
                .collect();
            acts.push(next);
        }
        let mut g = self.layers[2].0[o].clone();
        for l in (0..2).rev() {
            let (w, _) = &self.layers[l];
            let mut prev = vec![0.0; w[0].len()];
            for (j, row) in w.iter().enumerate() {
                if acts[l + 1][j] <= 0.0 || g[j] == 0.0 {
                    continue;
                }
                for (p, q) in prev.iter_mut().zip(row) {
                    *p += g[j] * q;
                }
            }
            g = prev;
        }
        g
    }
}

/// The output and sign where `f_A − f_B` is largest in absolute value at `x`.
fn worst_output(a: &Net64, b: &Net64, x: &[f64]) -> (usize, f64, f64) {
    a.eval(x)
        .iter()
        .zip(b.eval(x))
        .enumerate()
        .map(|(o, (p, q))| (o, (p - q).signum(), (p - q).abs()))
        .fold((0, 1.0, -1.0), |m, v| if v.2 > m.2 { v } else { m })
}

/// Gradient-sign ascent of `|f_A − f_B|` over the box from `ks`: move every coordinate by a
/// fraction of its width in the direction of the gradient of the worst output's difference,
/// keeping the best of a few step lengths, while that helps.
fn ascend(a: &Net64, b: &Net64, bx: &Box64, mut ks: Vec<i64>, iters: usize) -> (f64, Vec<i64>) {
    let xf = point64(bx, &ks);
    let mut best = diff64(a, b, &xf);
    for _ in 0..iters {
        let xf = point64(bx, &ks);
        let (o, sign, _) = worst_output(a, b, &xf);
        let (ga, gb) = (a.grad(&xf, o), b.grad(&xf, o));
        let g: Vec<f64> = ga.iter().zip(&gb).map(|(p, q)| sign * (p - q)).collect();
        let mut step: Option<(f64, Vec<i64>)> = None;
        for frac in [STEPS, STEPS / 4, STEPS / 16, STEPS / 64] {
            let cand: Vec<i64> = ks
                .iter()
                .zip(&g)
                .map(|(&k, &gi)| {
                    if gi > 0.0 {
                        (k + frac).min(STEPS)
                    } else if gi < 0.0 {
                        (k - frac).max(0)
                    } else {
                        k
                    }
                })
                .collect();
            let cf = point64(bx, &cand);
            let d = diff64(a, b, &cf);
            if d > best && step.as_ref().is_none_or(|s| d > s.0) {
                step = Some((d, cand));
            }
        }
        match step {
            Some((d, c)) => {
                best = d;
                ks = c;
            }
            None => break,
        }
    }
    (best, ks)
}

fn diff64(a: &Net64, b: &Net64, x: &[f64]) -> f64 {
    a.eval(x)
        .iter()
        .zip(b.eval(x))
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

/// The best point found and its exact difference.
#[derive(Clone, Debug)]
pub struct Witness {
    /// A point of the box.
    pub x: Vec<Rational>,
    /// `‖f_A(x) − f_B(x)‖_∞`, exactly.
    pub difference: Rational,
}

const STEPS: i64 = 1 << 20;

/// The box in `f64` (for ranking only).
struct Box64 {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl Box64 {
    fn new(bx: &InputBox) -> Box64 {
        Box64 {
            lo: bx.lo.iter().map(Rational::to_f64_lossy).collect(),
            hi: bx.hi.iter().map(Rational::to_f64_lossy).collect(),
        }
    }
}

/// The point `lo + (hi − lo)·k/2^20` in `f64` (for ranking).
fn point64(bx: &Box64, ks: &[i64]) -> Vec<f64> {
    ks.iter()
        .zip(bx.lo.iter().zip(&bx.hi))
        .map(|(&k, (l, h))| l + (h - l) * (k as f64) / (STEPS as f64))
        .collect()
}

/// A point `lo + (hi − lo)·k/2^20` per coordinate, exact and in `f64`.
fn point(bx: &InputBox, ks: &[i64]) -> (Vec<Rational>, Vec<f64>) {
    let den = Rational::from_integer(Integer::from(STEPS));
    let x: Vec<Rational> = ks
        .iter()
        .enumerate()
        .map(|(i, &k)| &bx.lo[i] + &(&(&bx.hi[i] - &bx.lo[i]) * &Rational::from(k)) / &den)
        .collect();
    let xf = x.iter().map(Rational::to_f64_lossy).collect();
    (x, xf)
}

/// Searches `samples` seeded points of the box (uniform points and corners), improves the best
/// by a coordinate-wise pass over the faces of the box, and evaluates the best `exact` points
/// exactly.
pub fn search(
    a: &Network,
    b: &Network,
    bx: &InputBox,
    samples: usize,
    exact: usize,
    seed: u64,
) -> Witness {
    let (na, nb) = (Net64::new(a), Net64::new(b));
    let b64 = Box64::new(bx);
    let n = bx.lo.len();
    let mut rng = Lcg::new(seed);
    let mut cands: Vec<(f64, Vec<i64>)> = Vec::new();
    let mut push = |ks: Vec<i64>| {
        let xf = point64(&b64, &ks);
        cands.push((diff64(&na, &nb, &xf), ks));
    };
    push(vec![STEPS / 2; n]);
    push(vec![0; n]);
    push(vec![STEPS; n]);
    for s in 0..samples {
        let ks = if s % 2 == 0 {
            (0..n)
                .map(|_| (rng.next_u32() as i64) % (STEPS + 1))
                .collect()
        } else {
            (0..n)
                .map(|_| {
                    if rng.next_u32().is_multiple_of(2) {
                        0
                    } else {
                        STEPS
                    }
                })
                .collect()
        };
        push(ks);
    }
    cands.sort_by(|p, q| q.0.total_cmp(&p.0));
    cands.truncate(exact.max(8));
    // Local search from the best candidates: move one coordinate at a time to one of five
    // levels (faces, quarter points, middle) while that helps; the number of starts and passes
    // is limited so the total work stays near `FLOPS` multiply-adds.
    const FLOPS: usize = 400_000_000;
    let size = a.arch().param_count() + b.arch().param_count();
    let local_evals = (FLOPS / size.max(1)).min(40_000);
    const LEVELS: [i64; 5] = [0, STEPS / 4, STEPS / 2, 3 * STEPS / 4, STEPS];
    let per_pass = (n * LEVELS.len()).max(1);
    let mut budget = local_evals;
    let starts = (local_evals / (per_pass * 2)).clamp(1, cands.len());
    let mut improved = Vec::new();
    for (d0, ks0) in cands.iter().take(starts) {
        let (mut best, mut ks) = (*d0, ks0.clone());
        while budget >= per_pass {
            budget -= per_pass;
            let before = best;
            for i in 0..n {
                let mut cur = ks[i];
                for v in LEVELS {
                    if v == cur {
                        continue;
                    }
                    ks[i] = v;
                    let xf = point64(&b64, &ks);
                    let d = diff64(&na, &nb, &xf);
                    if d > best {
                        best = d;
                        cur = v;
                    }
                    ks[i] = cur;
                }
            }
            if best <= before {
                break;
            }
        }
        improved.push((best, ks));
    }
    // Gradient-sign ascent from the best points found.
    let ascended: Vec<(f64, Vec<i64>)> = cands
        .iter()
        .chain(&improved)
        .take(8)
        .map(|(_, ks)| ascend(&na, &nb, &b64, ks.clone(), 40))
        .collect();
    cands.extend(improved);
    cands.extend(ascended);
    cands.sort_by(|p, q| q.0.total_cmp(&p.0));
    let mut out: Option<Witness> = None;
    for (_, ks) in cands.iter().take(exact.max(1)) {
        let (x, _) = point(bx, ks);
        let d = difference_at(a, b, &x);
        if out.as_ref().is_none_or(|w| d > w.difference) {
            out = Some(Witness { x, difference: d });
        }
    }
    out.expect("at least one candidate")
}
