//! The cells of the joint layer-1 arrangement of A and B, as a branch tree (docs/theory.md §2
//! and §11), with every cell handed to a closer.
//!
//! The layer-1 neurons that matter are grouped by hyperplane once: a neuron's pre-activation
//! is `σ s H` with `H` a primitive integer vector (first nonzero linear coefficient positive),
//! `σ = ±1` and `s > 0`, so identical and proportional neurons of A and B share one `H`, are
//! decided together, and only one of them is ever split on (the others are fixed by one path
//! row). Constant neurons are fixed at the root with no multiplier.
//!
//! At every node the search first fixes every undecided hyperplane that misses the interior of
//! the node's polyhedron P, so that a fix is written once, as high in the tree as it holds:
//! a hyperplane with known points of P strictly on both sides crosses P (no LP); one parallel
//! to a path row that bounds it is fixed by that row (no LP); the others are bounded by exact
//! LPs over the split rows (fixed by the LP dual, or the LP optimum becomes a known point).
//! Then it splits on the first crossing hyperplane, or, when none is left, P is a cell and
//! the closer writes its fixes and leaf. Known points are evaluated in machine integers when
//! they fit (exactly; rationals otherwise).
//!
//! Compared with deciding the neurons in one fixed order, a hyperplane is decided where it
//! stops crossing the polyhedron, so the tree has about one fix per (split, hyperplane missed
//! by one side) instead of one per (cell, hyperplane decided after the cell's last split).

use fibers_check::{BranchTree, NeuronId, Node, Phase, Side, Sparse};
use fibers_exact::lp::{solve_i128_exact, IntVector, LpOutcome, LpOutcomeI128};
use fibers_exact::{Integer, Rational};
use fibers_net::Network;
use fibers_tree::tree::{
    attach, canonical_chain, lp_max_over_split_rows, Cell, CellClose, CellCloser, CellStop, Slot,
    Stats,
};
use std::collections::HashMap;

/// At most this many known points of the current polyhedron are kept.
const MAX_SAMPLES: usize = 32;

/// A hyperplane of the arrangement and the neurons on it.
struct Hyp {
    /// `H` as rationals (coefficients, then the constant).
    q: Vec<Rational>,
    /// `H` in machine integers, when it fits.
    small: Option<Vec<i128>>,
    /// Neurons with pre-activation `σ s H`: (neuron, `σ = +1`?, `s`).
    members: Vec<(NeuronId, bool, Rational)>,
    /// Direction class (primitive linear part) and `H = α (u + γ)` with `u` the class's
    /// linear form: `α > 0`, and `−γ` (the bound on `u` that `H` gives).
    class: usize,
    alpha: Rational,
    neg_gamma: Rational,
    /// Per member: its path rows `s·H` (side `H ≤ 0`) and `−s·H` (side `H ≥ 0`).
    rows: Vec<[Vec<Rational>; 2]>,
    /// Per member: `s·α`, the factor of its rows against the class's linear form.
    factor: Vec<Rational>,
}

/// A known point of the current polyhedron: its coordinates over a common denominator in
/// machine integers when they fit, else (or also) as rationals.
#[derive(Clone)]
struct Sample {
    x: Option<Vec<Rational>>,
    small: Option<(Vec<i128>, i128)>,
}

/// Entries of a sample's machine-integer form stay below `2^SAMPLE_BITS`.
const SAMPLE_BITS: u32 = 60;

fn fits_sample(v: i128) -> bool {
    v.unsigned_abs() < 1u128 << SAMPLE_BITS
}

/// The gcd of `|a|` and `|b|`; callers pass at least one value in `(0, 2^127)`, so it fits.
fn gcd_i128(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    i128::try_from(a).unwrap_or(i128::MAX)
}

impl Sample {
    fn new(x: Vec<Rational>) -> Self {
        let small = (|| {
            let mut parts = Vec::with_capacity(x.len());
            let mut den: i128 = 1;
            for c in &x {
                let (p, q) = (
                    i128::from(c.numer().to_i64()?),
                    i128::from(c.denom().to_i64()?),
                );
                den = den.checked_mul(q / gcd_i128(den, q))?;
                if !fits_sample(den) {
                    return None;
                }
                parts.push((p, q));
            }
            let num = parts
                .into_iter()
                .map(|(p, q)| p.checked_mul(den / q).filter(|v| fits_sample(*v)))
                .collect::<Option<Vec<_>>>()?;
            Some((num, den))
        })();
        Sample { x: Some(x), small }
    }

    /// The point `v.num / v.den` (`v.den > 0`), reduced, with no rationals when it fits.
    fn from_int(v: IntVector) -> Self {
        let g = v.num.iter().fold(v.den, |g, x| gcd_i128(g, *x));
        let (num, den): (Vec<i128>, i128) = if g > 1 {
            (v.num.iter().map(|x| x / g).collect(), v.den / g)
        } else {
            (v.num, v.den)
        };
        if fits_sample(den) && num.iter().all(|x| fits_sample(*x)) {
            Sample {
                x: None,
                small: Some((num, den)),
            }
        } else {
            Sample::new(IntVector { num, den }.to_rational())
        }
    }

    /// The coordinates as rationals.
    fn rational(&self) -> Vec<Rational> {
        match (&self.x, &self.small) {
            (Some(x), _) => x.clone(),
            (None, Some((num, den))) => IntVector {
                num: num.clone(),
                den: *den,
            }
            .to_rational(),
            (None, None) => unreachable!("a sample has one of its forms"),
        }
    }
}

/// The sign of `H` at a sample.
fn sign_at(h: &Hyp, s: &Sample) -> i32 {
    if let (Some(hs), Some((num, den))) = (&h.small, &s.small) {
        let n = num.len();
        let mut acc = Some(hs[n] * den);
        for (c, x) in hs[..n].iter().zip(num) {
            acc = acc.and_then(|a| a.checked_add(c.checked_mul(*x)?));
        }
        if let Some(a) = acc {
            return a.signum() as i32;
        }
    }
    eval_affine(&h.q, &s.rational()).signum()
}

fn eval_affine(f: &[Rational], x: &[Rational]) -> Rational {
    let n = x.len();
    let mut s = f[n].clone();
    for (c, xi) in f[..n].iter().zip(x) {
        if !c.is_zero() && !xi.is_zero() {
            s += c * xi;
        }
    }
    s
}

fn lcm(a: &Integer, b: &Integer) -> Integer {
    (a * b).abs().div_exact(&a.gcd(b))
}

/// `v` scaled to a primitive integer vector with its first nonzero entry among the first `n`
/// positive, and the positive factor `f` with `v = f · primitive`; `None` if those `n` entries
/// are zero.
fn primitive(v: &[Rational], n: usize) -> Option<(Vec<Integer>, Rational)> {
    let lead = v[..n].iter().find(|c| !c.is_zero())?;
    let mut l = Integer::one();
    for c in v {
        l = lcm(&l, &c.denom());
    }
    let lq = Rational::from(l);
    let ints: Vec<Integer> = v.iter().map(|c| (c * &lq).numer()).collect();
    let mut g = Integer::zero();
    for c in &ints {
        g = g.gcd(c);
    }
    if lead.is_negative() {
        g = -g;
    }
    let prim: Vec<Integer> = ints.iter().map(|c| c.div_exact(&g)).collect();
    let f = Rational::from(g) / lq;
    Some((prim, f))
}

/// A bound on a direction class from a path row: `u ≤ value` (upper) or `u ≥ value`, with
/// the row equal to `factor · (u − value)` (upper) or `factor · (value − u)` (lower), where
/// `value` is `−γ` of hyperplane `hyp` and `factor` the factor of its member `member`.
struct ClassBound {
    row: usize,
    hyp: usize,
    member: usize,
}

/// Per direction class: the path's upper and lower bounds, each entry also holding the index
/// of the tightest bound so far (so a truncation keeps the answer).
#[derive(Default)]
struct ClassBounds {
    upper: Vec<(ClassBound, usize)>,
    lower: Vec<(ClassBound, usize)>,
}

/// A pending node: its slot, the path length at its parent, the hyperplane split on and the
/// side it adds (`true`: `H ≥ 0`), the undecided hyperplanes, known points.
type Frame = (Slot, usize, Option<(usize, bool)>, Vec<usize>, Vec<Sample>);

struct Search {
    n0: usize,
    hyps: Vec<Hyp>,
    /// Constant neurons that matter: (neuron, phase, constant pre-activation).
    constants: Vec<(NeuronId, Phase, Rational)>,
    rows: Vec<Vec<Rational>>,
    split_row: Vec<bool>,
    /// Per row: the hyperplane, member and side (`true`: `H ≥ 0`) it comes from (`None` for
    /// the rows of constant neurons).
    row_src: Vec<Option<(usize, usize, bool)>>,
    /// Per row: its direction class and whether it is an upper bound (for truncation).
    row_class: Vec<(usize, bool)>,
    classes: Vec<ClassBounds>,
    /// Layer-1 phases of A and B on the path (`None`: undecided or does not matter).
    phases: [Vec<Option<Phase>>; 2],
    /// Neuron decided by each row.
    decided: Vec<NeuronId>,
    nodes: Vec<Node>,
    stats: Stats,
    max_nodes: Option<u64>,
}

fn side_index(s: Side) -> usize {
    match s {
        Side::A => 0,
        Side::B => 1,
    }
}

impl Search {
    fn new(a: &Network, b: &Network, max_nodes: Option<u64>) -> Self {
        let n0 = a.arch().n0;
        let mut hyps: Vec<Hyp> = Vec::new();
        let mut by_h: HashMap<Vec<Integer>, usize> = HashMap::new();
        let mut by_class: HashMap<Vec<Integer>, usize> = HashMap::new();
        let mut constants = Vec::new();
        for (net, side) in [(a, Side::A), (b, Side::B)] {
            let arch = net.arch();
            let rel2: Vec<bool> = (0..arch.n2)
                .map(|k| (0..arch.n3).any(|o| !net.w3()[o][k].is_zero()))
                .collect();
            for j in 0..arch.n1 {
                if !(0..arch.n2).any(|k| rel2[k] && !net.w2()[k][j].is_zero()) {
                    continue;
                }
                let id = NeuronId {
                    side,
                    layer: 1,
                    index: j,
                };
                let mut p = net.w1()[j].clone();
                p.push(net.b1()[j].clone());
                let Some((h, f)) = primitive(&p, n0) else {
                    let phase = if p[n0].is_positive() {
                        Phase::Active
                    } else {
                        Phase::Inactive
                    };
                    constants.push((id, phase, p[n0].clone()));
                    continue;
                };
                let (sigma, s) = (f.is_positive(), f.abs());
                let i = *by_h.entry(h.clone()).or_insert_with(|| {
                    let (lin, alpha) = primitive(
                        &h[..n0]
                            .iter()
                            .cloned()
                            .map(Rational::from)
                            .collect::<Vec<_>>(),
                        n0,
                    )
                    .expect("nonzero linear part");
                    let next = by_class.len();
                    let class = *by_class.entry(lin).or_insert(next);
                    let q: Vec<Rational> = h.iter().cloned().map(Rational::from).collect();
                    let gamma = &q[n0] / &alpha;
                    let small = h
                        .iter()
                        .map(|c| (c.bits() <= 60).then(|| c.to_i64().map(i128::from))?)
                        .collect();
                    hyps.push(Hyp {
                        q,
                        small,
                        members: Vec::new(),
                        class,
                        alpha,
                        neg_gamma: -&gamma,
                        rows: Vec::new(),
                        factor: Vec::new(),
                    });
                    hyps.len() - 1
                });
                hyps[i].members.push((id, sigma, s));
            }
        }
        for hyp in &mut hyps {
            for (_, _, s) in &hyp.members {
                let down: Vec<Rational> = hyp.q.iter().map(|c| c * s).collect();
                let up: Vec<Rational> = down.iter().map(|c| -c).collect();
                hyp.rows.push([down, up]);
                hyp.factor.push(s * &hyp.alpha);
            }
        }
        let classes = (0..by_class.len())
            .map(|_| ClassBounds::default())
            .collect();
        Search {
            n0,
            hyps,
            constants,
            rows: Vec::new(),
            split_row: Vec::new(),
            row_src: Vec::new(),
            row_class: Vec::new(),
            classes,
            phases: [vec![None; a.arch().n1], vec![None; b.arch().n1]],
            decided: Vec::new(),
            nodes: Vec::new(),
            stats: Stats::default(),
            max_nodes,
        }
    }

    fn new_node(&mut self, node: Node, slot: Slot) -> Result<usize, CellStop> {
        let id = attach(&mut self.nodes, node, slot);
        self.stats.nodes += 1;
        if self.max_nodes.is_some_and(|m| self.stats.nodes > m) {
            return Err(CellStop::Budget);
        }
        Ok(id)
    }

    /// Pushes the row of member `m` of hyperplane `h` on the side `H ≥ 0` (`up`) or `H ≤ 0`.
    fn push_row(&mut self, h: usize, m: usize, up: bool, split: bool) -> Phase {
        let hyp = &self.hyps[h];
        let (id, sigma, _) = &hyp.members[m];
        // Pre-activation p = σ s H; active iff p ≥ 0 iff (σ = +1) == up.
        let phase = if *sigma == up {
            Phase::Active
        } else {
            Phase::Inactive
        };
        // The row is t·H with t = s when H ≤ 0 and t = −s when H ≥ 0: t α (u + γ), an upper
        // bound u ≤ −γ when t > 0, a lower bound u ≥ −γ otherwise.
        let row = hyp.rows[m][usize::from(up)].clone();
        let upper = !up;
        let bound = ClassBound {
            row: self.rows.len(),
            hyp: h,
            member: m,
        };
        let class = hyp.class;
        let hyps = &self.hyps;
        let cb = &mut self.classes[class];
        let list = if upper { &mut cb.upper } else { &mut cb.lower };
        let best = match list.last() {
            Some((_, b)) => {
                let cur = &hyps[list[*b].0.hyp].neg_gamma;
                let value = &hyps[h].neg_gamma;
                let better = if upper { value < cur } else { value > cur };
                if better {
                    list.len()
                } else {
                    *b
                }
            }
            None => 0,
        };
        list.push((bound, best));
        self.row_class.push((class, upper));
        self.rows.push(row);
        self.split_row.push(split);
        self.row_src.push(Some((h, m, up)));
        self.decided.push(*id);
        self.phases[side_index(id.side)][id.index] = Some(phase);
        phase
    }

    fn truncate(&mut self, len: usize) {
        while self.rows.len() > len {
            self.rows.pop();
            self.split_row.pop();
            self.row_src.pop();
            let (class, upper) = self.row_class.pop().expect("aligned");
            let cb = &mut self.classes[class];
            if upper {
                cb.upper.pop();
            } else {
                cb.lower.pop();
            }
            let id = self.decided.pop().expect("aligned");
            self.phases[side_index(id.side)][id.index] = None;
        }
    }

    /// A bound proving `H ≤ 0` (`up = false`) or `H ≥ 0` (`up = true`) on the path from a
    /// parallel path row, as multipliers for the row `∓H ≤ 0`.
    fn parallel(&self, h: usize, up: bool) -> Option<Sparse> {
        let hyp = &self.hyps[h];
        let cb = &self.classes[hyp.class];
        let neg_gamma = &hyp.neg_gamma;
        // H = α (u + γ) ≤ 0 iff u ≤ −γ: from an upper bound u ≤ U with U ≤ −γ, since
        // H = (α / factor) · row + α (U + γ). Symmetrically for H ≥ 0.
        let (b, ok) = if up {
            let (_, i) = cb.lower.last()?;
            let b = &cb.lower[*i].0;
            (b, self.hyps[b.hyp].neg_gamma >= *neg_gamma)
        } else {
            let (_, i) = cb.upper.last()?;
            let b = &cb.upper[*i].0;
            (b, self.hyps[b.hyp].neg_gamma <= *neg_gamma)
        };
        let factor = &self.hyps[b.hyp].factor[b.member];
        ok.then(|| vec![(b.row, &hyp.alpha / factor)])
    }

    /// Multipliers proving `H ≤ 0` (`neg = false`) or `−H ≤ 0` (`neg = true`) for hyperplane
    /// `h` on the polyhedron (`Ok(Ok(Some))`), or a point where that form is positive
    /// (`Ok(Ok(None))` after adding it to `samples`), or Farkas multipliers of an empty
    /// polyhedron (`Ok(Err)`).
    fn upper(
        &mut self,
        h: usize,
        neg: bool,
        samples: &mut Vec<Sample>,
    ) -> Result<Result<Option<Sparse>, Sparse>, CellStop> {
        self.stats.lps += 1;
        if let Some(r) = self.upper_small(h, neg, samples) {
            return Ok(r);
        }
        let n = self.n0;
        let form: Vec<Rational> = if neg {
            self.hyps[h].q.iter().map(|c| -c).collect()
        } else {
            self.hyps[h].q.clone()
        };
        let (outcome, used) = lp_max_over_split_rows(&self.rows, &self.split_row, n, &form)
            .map_err(CellStop::Internal)?;
        let mapped = |v: &[Rational]| -> Sparse {
            v.iter()
                .enumerate()
                .filter(|(_, y)| !y.is_zero())
                .map(|(i, y)| (used[i], y.clone()))
                .collect()
        };
        Ok(match outcome {
            LpOutcome::Optimal { x, dual, value } => {
                if &value + &form[n] <= Rational::zero() {
                    Ok(Some(mapped(&dual)))
                } else {
                    add_sample(samples, x);
                    Ok(None)
                }
            }
            LpOutcome::Unbounded { x, ray } => {
                let far: Vec<Rational> = x.iter().zip(&ray).map(|(a, d)| a + d).collect();
                add_sample(samples, x);
                add_sample(samples, far);
                Ok(None)
            }
            LpOutcome::Infeasible { farkas } => Err(mapped(&farkas)),
        })
    }

    /// [`Search::upper`] in machine integers: the LP over the split rows written as `±H ≤ 0`
    /// with the primitive integer `H` of each (the multipliers of a row `±s·H` are those of
    /// `±H` divided by `s`), with a known point of the polyhedron offered for the unbounded
    /// case. `None` when something does not fit (the caller then takes the rational path).
    fn upper_small(
        &self,
        h: usize,
        neg: bool,
        samples: &mut Vec<Sample>,
    ) -> Option<Result<Option<Sparse>, Sparse>> {
        let n = self.n0;
        let form = self.hyps[h].small.as_ref()?;
        let sign: i128 = if neg { -1 } else { 1 };
        let (mut a, mut b, mut used) = (Vec::new(), Vec::new(), Vec::new());
        for (i, src) in self.row_src.iter().enumerate() {
            if !self.split_row[i] {
                continue;
            }
            let (hi, mi, up) = (*src)?;
            let q = self.hyps[hi].small.as_ref()?;
            let sg: i128 = if up { -1 } else { 1 };
            a.extend(q[..n].iter().map(|x| sg * x));
            b.push(-sg * q[n]);
            used.push((i, hi, mi));
        }
        let c: Vec<i128> = form[..n].iter().map(|x| sign * x).collect();
        let point = samples
            .iter()
            .find_map(|s| s.small.as_ref())
            .map(|(num, den)| (num.as_slice(), *den));
        let outcome = solve_i128_exact(used.len(), n, &a, &b, &c, point)?;
        let mapped = |v: &IntVector| -> Sparse {
            v.num
                .iter()
                .zip(&used)
                .filter(|(y, _)| **y != 0)
                .map(|(y, &(i, hi, mi))| {
                    let y = Rational::new(int(*y), int(v.den)).expect("positive denominator");
                    (i, y / &self.hyps[hi].members[mi].2)
                })
                .collect()
        };
        Some(match outcome {
            LpOutcomeI128::Optimal { x, dual, value } => {
                // max form = value.0 / value.1; the form's constant is sign·form[n].
                let top = value
                    .0
                    .checked_add((sign * form[n]).checked_mul(value.1)?)?;
                if top <= 0 {
                    Ok(Some(mapped(&dual)))
                } else {
                    add(samples, Sample::from_int(x));
                    Ok(None)
                }
            }
            LpOutcomeI128::Unbounded { x, ray } => {
                let far = IntVector {
                    num: x
                        .num
                        .iter()
                        .zip(&ray)
                        .map(|(a, d)| a.checked_add(d.checked_mul(x.den)?))
                        .collect::<Option<Vec<_>>>()?,
                    den: x.den,
                };
                let known = point.is_some_and(|(num, den)| num == x.num.as_slice() && den == x.den);
                if !known {
                    add(samples, Sample::from_int(x));
                }
                add(samples, Sample::from_int(far));
                Ok(None)
            }
            LpOutcomeI128::Infeasible { farkas } => Err(mapped(&farkas)),
        })
    }

    /// Writes fix nodes for every member of `h` on the side `up`, the first with `bound`
    /// (for the row `∓H ≤ 0`), each member's bound scaled by its `s`.
    fn fix_all(
        &mut self,
        h: usize,
        up: bool,
        bound: &Sparse,
        mut slot: Slot,
    ) -> Result<Slot, CellStop> {
        for m in 0..self.hyps[h].members.len() {
            let s = self.hyps[h].members[m].2.clone();
            let b: Sparse = bound.iter().map(|(i, y)| (*i, y * &s)).collect();
            let id = self.nodes.len();
            let neuron = self.hyps[h].members[m].0;
            let phase = self.push_row(h, m, up, false);
            self.new_node(
                Node::Fix {
                    neuron,
                    phase,
                    bound: b,
                    next: id + 1,
                },
                slot,
            )?;
            slot = Slot::Root;
        }
        Ok(slot)
    }

    fn run(
        &mut self,
        points: Vec<Vec<Rational>>,
        closer: &mut CellCloser<'_>,
        progress: &mut dyn FnMut(&Stats),
    ) -> Result<BranchTree, CellStop> {
        let mut slot = Slot::Root;
        for (id, phase, value) in self.constants.clone() {
            let nid = self.nodes.len();
            self.new_node(
                Node::Fix {
                    neuron: id,
                    phase,
                    bound: Vec::new(),
                    next: nid + 1,
                },
                slot,
            )?;
            slot = Slot::Root;
            self.stats.cheap_fixes += 1;
            // A constant row (no direction class; never popped, see `truncate_keep`).
            let mut row = vec![Rational::zero(); self.n0 + 1];
            row[self.n0] = if phase == Phase::Active {
                -value
            } else {
                value
            };
            self.rows.push(row);
            self.split_row.push(false);
            self.row_src.push(None);
            self.row_class.push((usize::MAX, true));
            self.decided.push(id);
            self.phases[side_index(id.side)][id.index] = Some(phase);
        }
        let base = self.rows.len();
        let all: Vec<usize> = (0..self.hyps.len()).collect();
        let samples: Vec<Sample> = points.into_iter().map(Sample::new).collect();
        let mut stack: Vec<Frame> = vec![(slot, base, None, all, samples)];
        let mut last_report = 0u64;
        while let Some((slot, depth, entry, undecided, samples)) = stack.pop() {
            self.truncate_keep(depth, base);
            if self.stats.nodes >= last_report + 64 {
                last_report = self.stats.nodes;
                progress(&self.stats);
            }
            self.expand(slot, entry, undecided, samples, &mut stack, closer)?;
        }
        progress(&self.stats);
        Ok(BranchTree {
            nodes: std::mem::take(&mut self.nodes),
        })
    }

    /// [`Search::truncate`] that never pops the constant rows below `base`.
    fn truncate_keep(&mut self, len: usize, base: usize) {
        self.truncate(len.max(base));
    }

    fn expand(
        &mut self,
        mut slot: Slot,
        entry: Option<(usize, bool)>,
        undecided: Vec<usize>,
        mut samples: Vec<Sample>,
        stack: &mut Vec<Frame>,
        closer: &mut CellCloser<'_>,
    ) -> Result<(), CellStop> {
        if let Some((h, up)) = entry {
            // The split neuron's row, then the other members of its hyperplane fixed by it.
            let split_at = self.rows.len();
            self.push_row(h, 0, up, true);
            let t0 = self.hyps[h].members[0].2.clone();
            for m in 1..self.hyps[h].members.len() {
                let s = self.hyps[h].members[m].2.clone();
                let id = self.nodes.len();
                let neuron = self.hyps[h].members[m].0;
                let phase = self.push_row(h, m, up, false);
                self.new_node(
                    Node::Fix {
                        neuron,
                        phase,
                        bound: vec![(split_at, &s / &t0)],
                        next: id + 1,
                    },
                    slot,
                )?;
                slot = Slot::Root;
                self.stats.cheap_fixes += 1;
            }
        }
        let whole_space = !self.split_row.contains(&true);
        let mut crossing = Vec::new();
        for h in undecided {
            let (mut pos, mut neg) = (false, false);
            for s in &samples {
                match sign_at(&self.hyps[h], s) {
                    1 => pos = true,
                    -1 => neg = true,
                    _ => {}
                }
                if pos && neg {
                    break;
                }
            }
            if pos && neg {
                crossing.push(h);
                continue;
            }
            if let Some(bound) = self.parallel(h, false) {
                slot = self.fix_all(h, false, &bound, slot)?;
                self.stats.cheap_fixes += self.hyps[h].members.len() as u64;
                continue;
            }
            if let Some(bound) = self.parallel(h, true) {
                slot = self.fix_all(h, true, &bound, slot)?;
                self.stats.cheap_fixes += self.hyps[h].members.len() as u64;
                continue;
            }
            if whole_space {
                // P = R^{n0}: a hyperplane takes both signs.
                crossing.push(h);
                continue;
            }
            if !pos {
                match self.upper(h, false, &mut samples)? {
                    Err(farkas) => {
                        self.new_node(Node::Empty { farkas }, slot)?;
                        return Ok(());
                    }
                    Ok(Some(bound)) => {
                        slot = self.fix_all(h, false, &bound, slot)?;
                        self.stats.lp_fixes += self.hyps[h].members.len() as u64;
                        continue;
                    }
                    Ok(None) => {}
                }
            }
            if neg {
                crossing.push(h);
                continue;
            }
            match self.upper(h, true, &mut samples)? {
                Err(farkas) => {
                    self.new_node(Node::Empty { farkas }, slot)?;
                    return Ok(());
                }
                Ok(Some(bound)) => {
                    slot = self.fix_all(h, true, &bound, slot)?;
                    self.stats.lp_fixes += self.hyps[h].members.len() as u64;
                }
                Ok(None) => crossing.push(h),
            }
        }
        if crossing.is_empty() {
            return self.close_cell(slot, closer);
        }
        let h = crossing.remove(0);
        let id = self.new_node(
            Node::Split {
                neuron: self.hyps[h].members[0].0,
                active: 0,
                inactive: 0,
            },
            slot,
        )?;
        self.stats.splits += 1;
        // The member split on is active on the side `H ≥ 0` iff σ = +1.
        let sigma = self.hyps[h].members[0].1;
        let depth = self.rows.len();
        let (mut up, mut down) = (Vec::new(), Vec::new());
        for s in samples {
            let sg = sign_at(&self.hyps[h], &s);
            if sg <= 0 {
                down.push(s.clone());
            }
            if sg >= 0 {
                up.push(s);
            }
        }
        let (act, inact) = if sigma {
            ((true, up), (false, down))
        } else {
            ((false, down), (true, up))
        };
        stack.push((
            Slot::Inactive(id),
            depth,
            Some((h, inact.0)),
            crossing.clone(),
            inact.1,
        ));
        stack.push((Slot::Active(id), depth, Some((h, act.0)), crossing, act.1));
        Ok(())
    }

    fn close_cell(&mut self, mut slot: Slot, closer: &mut CellCloser<'_>) -> Result<(), CellStop> {
        self.stats.leaves += 1;
        let cell = Cell {
            n0: self.n0,
            rows: &self.rows,
            split_row: &self.split_row,
            phases: self.phases.clone(),
            samples: &[],
        };
        match closer(&cell) {
            CellClose::Canonical(fixes) => {
                for node in canonical_chain(fixes, self.nodes.len()) {
                    self.new_node(node, slot)?;
                    slot = Slot::Root;
                }
                Ok(())
            }
            CellClose::Witness(x) => Err(CellStop::Witness(x)),
            CellClose::Internal(m) => Err(CellStop::Internal(m)),
        }
    }
}

fn add_sample(samples: &mut Vec<Sample>, x: Vec<Rational>) {
    add(samples, Sample::new(x));
}

fn add(samples: &mut Vec<Sample>, s: Sample) {
    if samples.len() >= MAX_SAMPLES {
        samples.remove(0);
    }
    samples.push(s);
}

fn int(v: i128) -> Integer {
    match i64::try_from(v) {
        Ok(s) => Integer::from(s),
        Err(_) => v.to_string().parse().expect("an i128 is an integer"),
    }
}

/// The cells of the joint layer-1 arrangement of `a` and `b` as a branch tree whose leaves
/// `closer` writes (the contract of [`fibers_tree::tree::layer1_cells`], with the search
/// described in this module): the tree, or why it stopped, and the counters. `points` are
/// known points of `R^{n0}`; `max_nodes` bounds the tree; `progress` is called now and then.
pub fn layer1_cells(
    a: &Network,
    b: &Network,
    max_nodes: Option<u64>,
    points: Vec<Vec<Rational>>,
    closer: &mut CellCloser<'_>,
    progress: &mut dyn FnMut(&Stats),
) -> (Result<BranchTree, CellStop>, Stats) {
    let mut search = Search::new(a, b, max_nodes);
    let r = search.run(points, closer, progress);
    (r, search.stats.clone())
}
