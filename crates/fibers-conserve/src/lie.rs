//! The exact count of independent local conservation laws: `D − dim Lie(G)(θ)`, where `G` are
//! the gradient coefficient fields of [`crate::model::gradient_generators`] (Marcotte,
//! Gribonval, Peyré, "Abide by the law and follow the flow", 2023).
//!
//! # Method
//!
//! Let `W_0 = span_Q G` and `W_{k+1} = W_k + [G, W_k]`; `Lie(G) = ∪ W_k` (every bracket of
//! generators is a combination of left-normed brackets `[g1, [g2, … [g_{n-1}, g_n]]]`). The code
//! keeps
//!
//! - a Q-basis of the fields computed so far, as polynomial vector fields ([`FieldSpan`]): a
//!   bracket that is a constant-coefficient combination of earlier fields brings nothing new,
//!   now or at any later level, and is dropped;
//! - the exact span of their values at `θ` ([`VectorSpan`]), whose dimension `r` only grows.
//!
//! Level 1 is first evaluated cheaply from the Jacobians of the generators at `θ`
//! (`[X, Y](θ) = DY(θ) X(θ) − DX(θ) Y(θ)`); the symbolic brackets are computed only if that does
//! not reach the bound below.
//!
//! # Stopping rule
//!
//! - **bound reached** (proved): the caller passes `bound = D − m`, where `m` laws were verified
//!   exactly (`∇Q · g ≡ 0` for every generator `g`) and have independent gradients at `θ`. Every
//!   field of `Lie(G)` annihilates every law (if `X(Q) = Y(Q) = 0` then `[X, Y](Q) = 0`), so
//!   `dim Lie(G)(θ') ≤ D − m` near `θ`; once `r = D − m`, the rank is exactly `D − m` on a
//!   neighbourhood of `θ` (lower semicontinuity), the distribution has constant rank, and by
//!   Frobenius there are exactly `m` independent local laws: the laws found are all of them.
//! - **closed** (proved): a level adds no field outside the Q-span of the earlier ones. Then
//!   `[G, W_k] ⊆ W_k`, so `W_k = Lie(G)` and `r = dim Lie(G)(θ)` exactly. (The count
//!   `D − r` is then the number of laws if the rank is constant near `θ`, which holds at a
//!   generic `θ`; the report says so.)
//! - **stalled** (heuristic): `stall_levels` consecutive levels added fields but no rank at
//!   `θ`. Later levels could still add rank in principle; `r` is a lower bound only.
//! - **limit**: `max_level` levels or `max_fields` fields; `r` is a lower bound only.

use crate::span::{FieldSpan, VectorSpan};
use fibers_exact::Rational;
use fibers_semialg::{Point, Var, VectorField};
use std::collections::HashMap;

/// Limits of the Lie-algebra computation.
#[derive(Clone, Debug)]
pub struct LieOptions {
    /// The highest bracket level computed (level 1 = brackets of two generators).
    pub max_level: usize,
    /// The largest number of independent fields kept (over all levels).
    pub max_fields: usize,
    /// Stop after this many consecutive levels without rank growth at `θ` (heuristic).
    pub stall_levels: usize,
}

impl Default for LieOptions {
    fn default() -> Self {
        LieOptions {
            max_level: 8,
            max_fields: 20_000,
            stall_levels: 2,
        }
    }
}

/// Why the computation stopped (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The rank reached the proved upper bound `D − m`.
    BoundReached,
    /// The span of the fields is closed under brackets with the generators.
    Closed,
    /// Levels without rank growth (heuristic).
    Stalled,
    /// A limit was hit.
    Limit,
}

impl Stop {
    /// Whether the rank is proved to be `dim Lie(G)(θ)`.
    pub fn is_certified(self) -> bool {
        matches!(self, Stop::BoundReached | Stop::Closed)
    }
}

/// What one level contributed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Level {
    /// Level number (0 = generators).
    pub level: usize,
    /// Fields examined at this level (generators, or brackets).
    pub examined: usize,
    /// Fields independent over Q of all earlier ones (0 when only evaluated).
    pub new_fields: usize,
    /// Rank at `θ` after this level.
    pub rank: usize,
    /// Whether this level was only evaluated at `θ` (level-1 shortcut).
    pub evaluated_only: bool,
}

/// The result of [`lie_rank`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LieResult {
    /// The number of parameters `D`.
    pub ambient: usize,
    /// `dim` of the computed part of `Lie(G)` at `θ` (exact rank).
    pub rank: usize,
    /// `D − rank`: the Lie-algebra count of independent local laws.
    pub count: usize,
    /// The Q-dimension of the span of the generators.
    pub generators: usize,
    /// Per level.
    pub levels: Vec<Level>,
    /// Why it stopped.
    pub stop: Stop,
    /// Whether `rank = dim Lie(G)(θ)` is proved.
    pub certified: bool,
}

/// The value and the Jacobian (sparse `(row, col, value)`) of a field at a point.
fn value_and_jacobian(
    x: &VectorField,
    index: &HashMap<Var, usize>,
    vars: &[Var],
    point: &Point,
) -> (Vec<Rational>, Vec<(usize, usize, Rational)>) {
    let value = x
        .eval_vector(vars, point)
        .expect("point covers the parameters");
    let mut jac = Vec::new();
    for (v, f) in x.components() {
        let i = index[v];
        for w in f.variables() {
            let d = f.derivative(&w).eval(point).expect("point covers");
            if !d.is_zero() {
                jac.push((i, index[&w], d));
            }
        }
    }
    (value, jac)
}

fn jac_times(jac: &[(usize, usize, Rational)], v: &[Rational], out: &mut [Rational]) {
    for (i, j, a) in jac {
        if !v[*j].is_zero() {
            out[*i] += a * &v[*j];
        }
    }
}

/// Computes the rank at `point` of the Lie algebra generated by `generators` (vector fields in
/// the variables `vars`), with the stopping rule of the [module docs](self). `bound` is the
/// proved upper bound `D − m` (or `D` when no law is known).
pub fn lie_rank(
    generators: &[VectorField],
    vars: &[Var],
    point: &Point,
    bound: usize,
    opts: &LieOptions,
) -> LieResult {
    let d = vars.len();
    let index: HashMap<Var, usize> = vars.iter().cloned().zip(0..).collect();
    let mut fspan = FieldSpan::new();
    let mut espan = VectorSpan::new();
    let mut basis: Vec<VectorField> = Vec::new();
    for g in generators {
        if fspan.insert(g) {
            espan.insert(g.eval_vector(vars, point).expect("point covers"));
            basis.push(g.clone());
        }
    }
    let mut levels = vec![Level {
        level: 0,
        examined: generators.len(),
        new_fields: basis.len(),
        rank: espan.rank(),
        evaluated_only: false,
    }];
    let finish = |rank: usize, levels: Vec<Level>, stop: Stop, gens: usize| LieResult {
        ambient: d,
        rank,
        count: d - rank,
        generators: gens,
        levels,
        stop,
        certified: stop.is_certified(),
    };
    let gens = basis.len();
    if espan.rank() >= bound {
        return finish(espan.rank(), levels, Stop::BoundReached, gens);
    }
    if basis.is_empty() {
        return finish(0, levels, Stop::Closed, gens);
    }

    // Level 1, evaluated only: [X, Y](θ) = DY X − DX Y.
    let evals: Vec<_> = basis
        .iter()
        .map(|x| value_and_jacobian(x, &index, vars, point))
        .collect();
    let mut quick = espan.clone();
    let mut examined = 0;
    'quick: for a in 0..basis.len() {
        for b in a + 1..basis.len() {
            examined += 1;
            let mut v = vec![Rational::zero(); d];
            jac_times(&evals[b].1, &evals[a].0, &mut v);
            let mut w = vec![Rational::zero(); d];
            jac_times(&evals[a].1, &evals[b].0, &mut w);
            for (x, y) in v.iter_mut().zip(&w) {
                *x -= y;
            }
            if quick.insert(v) && quick.rank() >= bound {
                break 'quick;
            }
        }
    }
    if quick.rank() >= bound {
        levels.push(Level {
            level: 1,
            examined,
            new_fields: 0,
            rank: quick.rank(),
            evaluated_only: true,
        });
        return finish(quick.rank(), levels, Stop::BoundReached, gens);
    }

    // Symbolic levels.
    let mut frontier: Vec<VectorField> = basis.clone();
    let mut stalled = 0;
    for level in 1..=opts.max_level {
        let before = espan.rank();
        let mut next = Vec::new();
        let mut examined = 0;
        let mut stop = None;
        'level: for (a, g) in basis.iter().enumerate() {
            for (b, f) in frontier.iter().enumerate() {
                if level == 1 && b <= a {
                    continue;
                }
                examined += 1;
                let c = g.lie_bracket(f);
                if c.is_zero() || !fspan.insert(&c) {
                    continue;
                }
                espan.insert(c.eval_vector(vars, point).expect("point covers"));
                next.push(c);
                if espan.rank() >= bound {
                    stop = Some(Stop::BoundReached);
                    break 'level;
                }
                if fspan.dimension() >= opts.max_fields {
                    stop = Some(Stop::Limit);
                    break 'level;
                }
            }
        }
        levels.push(Level {
            level,
            examined,
            new_fields: next.len(),
            rank: espan.rank(),
            evaluated_only: false,
        });
        if let Some(s) = stop {
            return finish(espan.rank(), levels, s, gens);
        }
        if next.is_empty() {
            return finish(espan.rank(), levels, Stop::Closed, gens);
        }
        if espan.rank() == before {
            stalled += 1;
            if stalled >= opts.stall_levels {
                return finish(espan.rank(), levels, Stop::Stalled, gens);
            }
        } else {
            stalled = 0;
        }
        frontier = next;
    }
    finish(espan.rank(), levels, Stop::Limit, gens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_semialg::Polynomial;

    fn v(s: &str) -> Var {
        Var::new(s)
    }
    fn p(s: &str) -> Polynomial {
        Polynomial::var(v(s))
    }

    #[test]
    fn heisenberg_like_brackets_fill_space() {
        // X = d/dx, Y = x d/dz on R^3 (x, y, z) plus nothing in y: Lie = span{d/dx, x d/dz, d/dz}.
        let vars = vec![v("x"), v("y"), v("z")];
        let x = VectorField::new([(v("x"), Polynomial::one())]);
        let y = VectorField::new([(v("z"), p("x"))]);
        let pt: Point = vars
            .iter()
            .cloned()
            .map(|w| (w, Rational::zero()))
            .collect();
        // At x = 0, the generators have rank 1; the bracket [X, Y] = d/dz adds one.
        let r = lie_rank(
            &[x.clone(), y.clone()],
            &vars,
            &pt,
            3,
            &LieOptions::default(),
        );
        assert_eq!(r.rank, 2);
        assert_eq!(r.count, 1);
        assert_eq!(r.stop, Stop::Closed);
        // With the proved bound 2 (the law Q = y), it stops at once after the quick level 1.
        let r = lie_rank(&[x, y], &vars, &pt, 2, &LieOptions::default());
        assert_eq!((r.rank, r.stop), (2, Stop::BoundReached));
        assert!(r.levels[1].evaluated_only);
    }
}
