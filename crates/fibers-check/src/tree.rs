//! Checking a branch tree (docs/theory.md §2, `docs/certificates.md`).
//!
//! Nothing the producer computed is trusted. Along each root-to-node path the checker rebuilds
//! the constraint `p(x) ≥ 0` or `p(x) ≤ 0` of every neuron decided on the path (from the
//! network parameters and the phases fixed before it), checks each multiplier vector against
//! those rows with exact arithmetic, checks that the nodes form one tree whose leaves cover
//! `R^{n0}` (both halves of every split present, fixes and empty nodes justified), and
//! recomputes the affine map `h = f_a − f_b` at every leaf.
//!
//! Costs: affine forms are sparse (never sized by `n0`), phases are looked up in a hash map,
//! and `h = f_a − f_b` is kept up to date along the path (a layer-2 neuron's contribution is
//! added when it is decided active and removed on the way back up), so a leaf costs its
//! multipliers and the nonzero outputs of `h`, never a pass over the networks.

use crate::types::{BranchTree, Leaf, NeuronId, Node, Phase, Rejection, Side, Sparse};
use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

/// An affine form `g·x + e` on `R^{n0}`, sparse: only the nonzero coefficients of `g` are
/// stored, so its size never depends on `n0` (a width the files need not pay for).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Affine {
    /// Nonzero coefficients `g_i`, by input index.
    coef: BTreeMap<usize, Rational>,
    /// The constant `e`.
    constant: Rational,
}

impl Affine {
    /// `self += factor · other`.
    fn add_scaled(&mut self, factor: &Rational, other: &Affine) {
        if factor.is_zero() {
            return;
        }
        for (i, c) in &other.coef {
            add_entry(&mut self.coef, *i, &(factor * c));
        }
        self.constant += factor * &other.constant;
    }
    fn neg(&self) -> Affine {
        Affine {
            coef: self.coef.iter().map(|(i, c)| (*i, -c)).collect(),
            constant: -&self.constant,
        }
    }
    fn is_zero(&self) -> bool {
        self.coef.is_empty() && self.constant.is_zero()
    }
}

/// `map[i] += v`, keeping only nonzero entries.
fn add_entry(map: &mut BTreeMap<usize, Rational>, i: usize, v: &Rational) {
    if v.is_zero() {
        return;
    }
    let e = map.entry(i).or_insert_with(Rational::zero);
    *e += v;
    if e.is_zero() {
        map.remove(&i);
    }
}

/// The constraints of a root-to-node path (row `r` means `r(x) ≤ 0`), and `h = f_a − f_b` as
/// far as the path decides it, both kept up to date as the traversal goes down and up.
pub(crate) struct Path<'n> {
    /// The two networks of the step.
    nets: [&'n Network; 2],
    /// Whether layer-2 neuron `k` of each network has a nonzero outgoing weight.
    relevant: [Vec<bool>; 2],
    /// How many relevant layer-2 neurons of each network the path has not decided.
    undecided: [usize; 2],
    /// The rows, in path order.
    rows: Vec<Affine>,
    /// Neurons decided on the path, with their phase, aligned with `rows`.
    decided: Vec<(NeuronId, Phase)>,
    /// The same phases, for constant-time lookup.
    phases: HashMap<NeuronId, Phase>,
    /// `h_o`: `b3_a − b3_b` plus `± Σ_k W3[o][k] z_k(x)` over the active layer-2 neurons on the
    /// path (`z_k` the pre-activation, affine on the path). At a leaf where every relevant
    /// neuron is decided, this is `f_a − f_b` on the polyhedron.
    h: Vec<Affine>,
    /// The outputs whose `h_o` is not identically zero.
    nonzero: BTreeSet<usize>,
}

fn side_index(side: Side) -> usize {
    match side {
        Side::A => 0,
        Side::B => 1,
    }
}

impl<'n> Path<'n> {
    fn new(a: &'n Network, b: &'n Network) -> Self {
        let relevant = [a, b].map(|n| {
            (0..n.arch().n2)
                .map(|k| n.w3().iter().any(|row| !row[k].is_zero()))
                .collect::<Vec<bool>>()
        });
        let undecided = [0, 1].map(|s| relevant[s].iter().filter(|r| **r).count());
        let h: Vec<Affine> = a
            .b3()
            .iter()
            .zip(b.b3())
            .map(|(x, y)| Affine {
                coef: BTreeMap::new(),
                constant: x - y,
            })
            .collect();
        let nonzero = (0..h.len()).filter(|&o| !h[o].is_zero()).collect();
        Path {
            nets: [a, b],
            relevant,
            undecided,
            rows: Vec::new(),
            decided: Vec::new(),
            phases: HashMap::new(),
            h,
            nonzero,
        }
    }
    pub(crate) fn phase_of(&self, id: NeuronId) -> Option<Phase> {
        self.phases.get(&id).copied()
    }
    /// The input width.
    pub(crate) fn n0(&self) -> usize {
        self.nets[0].arch().n0
    }
    /// Adds (`sign = 1`) or removes (`sign = −1`) the contribution of layer-2 neuron `id`,
    /// active with pre-activation `z`, to `h`.
    fn contribute(&mut self, id: NeuronId, z: &Affine, sign: &Rational) {
        let s = side_index(id.side);
        let n = self.nets[s];
        let sign = if s == 0 { sign.clone() } else { -sign };
        for o in 0..n.arch().n3 {
            let v = &n.w3()[o][id.index];
            if v.is_zero() {
                continue;
            }
            self.h[o].add_scaled(&(&sign * v), z);
            if self.h[o].is_zero() {
                self.nonzero.remove(&o);
            } else {
                self.nonzero.insert(o);
            }
        }
    }
    /// Decides `id` with `phase`; `row` is its constraint (`−p` if active, `p` if inactive).
    fn push(&mut self, row: Affine, id: NeuronId, phase: Phase) {
        if id.layer == 2 && self.relevant[side_index(id.side)][id.index] {
            self.undecided[side_index(id.side)] -= 1;
            if phase == Phase::Active {
                // row = −z.
                self.contribute(id, &row, &-Rational::one());
            }
        }
        self.rows.push(row);
        self.decided.push((id, phase));
        self.phases.insert(id, phase);
    }
    fn truncate(&mut self, len: usize) {
        while self.rows.len() > len {
            let row = self.rows.pop().expect("nonempty");
            let (id, phase) = self.decided.pop().expect("aligned with rows");
            self.phases.remove(&id);
            if id.layer == 2 && self.relevant[side_index(id.side)][id.index] {
                self.undecided[side_index(id.side)] += 1;
                if phase == Phase::Active {
                    self.contribute(id, &row, &Rational::one());
                }
            }
        }
    }
    /// `Σ y_i · row_i` as an affine form, after checking the multipliers (indices in range,
    /// distinct, values ≥ 0).
    fn combine(&self, y: &Sparse) -> Result<Affine, Rejection> {
        let mut acc = Affine::default();
        let mut seen = HashSet::with_capacity(y.len());
        for (i, v) in y {
            if *i >= self.rows.len() {
                return reject(format!(
                    "multiplier index {i} out of range (the path has {} constraints)",
                    self.rows.len()
                ));
            }
            if !seen.insert(*i) {
                return reject(format!("multiplier index {i} repeated"));
            }
            if v.is_negative() {
                return reject(format!("negative multiplier {v} at index {i}"));
            }
            acc.add_scaled(v, &self.rows[*i]);
        }
        Ok(acc)
    }
    /// Checks that `y` proves `form(x) ≤ 0` for every `x` of the polyhedron: with
    /// `s = Σ y_i row_i` (so `s(x) ≤ 0` on P), the coefficients of `s` equal those of `form`
    /// and `form`'s constant is at most `s`'s.
    fn check_upper(&self, y: &Sparse, form: &Affine) -> Result<(), Rejection> {
        let s = self.combine(y)?;
        if s.coef != form.coef {
            return reject("multipliers do not reproduce the bounded linear form");
        }
        if form.constant > s.constant {
            return reject("multipliers give a bound that is too weak");
        }
        Ok(())
    }
    /// Checks Farkas multipliers: `Σ y_i row_i` has zero coefficients and a positive constant,
    /// so `0 < s(x) ≤ 0` is impossible and the polyhedron is empty.
    fn check_farkas(&self, y: &Sparse) -> Result<(), Rejection> {
        let s = self.combine(y)?;
        if !s.coef.is_empty() || !s.constant.is_positive() {
            return reject("Farkas multipliers do not prove emptiness");
        }
        Ok(())
    }
}

/// The network of a side.
fn net<'n>(side: Side, a: &'n Network, b: &'n Network) -> &'n Network {
    match side {
        Side::A => a,
        Side::B => b,
    }
}

fn neuron(side: Side, layer: u8, index: usize) -> NeuronId {
    NeuronId { side, layer, index }
}

/// Layer-1 neuron `j`'s pre-activation as an affine form.
fn layer1_form(n: &Network, j: usize) -> Affine {
    Affine {
        coef: n.w1()[j]
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.is_zero())
            .map(|(i, w)| (i, w.clone()))
            .collect(),
        constant: n.b1()[j].clone(),
    }
}

/// `Σ_j c_j u_j(x) + constant` on the path's polyhedron, where `u_j` is layer-1 neuron `j`'s
/// output: its pre-activation if active, 0 if inactive. Every `j` with `c_j ≠ 0` must be
/// decided; `user` names the neuron that needs it (for the error).
fn through_layer1(
    path: &Path,
    side: Side,
    n: &Network,
    c: &BTreeMap<usize, Rational>,
    constant: Rational,
    user: impl Fn() -> String,
) -> Result<Affine, Rejection> {
    let mut f = Affine {
        coef: BTreeMap::new(),
        constant,
    };
    for (&j, w) in c {
        match path.phase_of(neuron(side, 1, j)) {
            None => {
                return reject(format!(
                    "{} is used before its input neuron {} has a phase",
                    user(),
                    neuron(side, 1, j)
                ))
            }
            Some(Phase::Inactive) => {}
            Some(Phase::Active) => f.add_scaled(w, &layer1_form(n, j)),
        }
    }
    Ok(f)
}

/// Layer-2 neuron `k`'s pre-activation as an affine form on the path's polyhedron; needs every
/// layer-1 neuron with a nonzero weight into `k` decided.
fn layer2_form(path: &Path, side: Side, n: &Network, k: usize) -> Result<Affine, Rejection> {
    let c: BTreeMap<usize, Rational> = n.w2()[k]
        .iter()
        .enumerate()
        .filter(|(_, w)| !w.is_zero())
        .map(|(j, w)| (j, w.clone()))
        .collect();
    through_layer1(path, side, n, &c, n.b2()[k].clone(), || {
        neuron(side, 2, k).to_string()
    })
}

/// The pre-activation of `id` as an affine form on the path's polyhedron.
fn preactivation(path: &Path, id: NeuronId, a: &Network, b: &Network) -> Result<Affine, Rejection> {
    let n = net(id.side, a, b);
    let width = if id.layer == 1 {
        n.arch().n1
    } else {
        n.arch().n2
    };
    if id.index >= width {
        return reject(format!("no neuron {id} (layer {} has {width})", id.layer));
    }
    if id.layer == 1 {
        Ok(layer1_form(n, id.index))
    } else {
        layer2_form(path, id.side, n, id.index)
    }
}

/// The constraint row (`row(x) ≤ 0`) for a neuron with pre-activation `p` in `phase`.
fn phase_row(p: &Affine, phase: Phase) -> Affine {
    match phase {
        Phase::Active => p.neg(),     // p ≥ 0  ⇔  −p ≤ 0
        Phase::Inactive => p.clone(), // p ≤ 0
    }
}

/// Checks one branch tree between `a` (the step's source) and `b` (its target).
pub fn check_branch_tree(t: &BranchTree, a: &Network, b: &Network) -> Result<(), Rejection> {
    let nodes = &t.nodes;
    if nodes.is_empty() {
        return reject("the branch tree has no nodes");
    }
    // Tree shape: every child index is larger than its parent's and in range, and every node
    // but the root is referenced exactly once. Then the nodes form one tree rooted at 0.
    let mut referenced = vec![false; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        let children: Vec<usize> = match n {
            Node::Split {
                active, inactive, ..
            } => vec![*active, *inactive],
            Node::Fix { next, .. } => vec![*next],
            Node::Empty { .. } | Node::Leaf(_) => vec![],
        };
        for c in children {
            if c <= i || c >= nodes.len() {
                return reject(format!(
                    "node {i}: child {c} must come after its parent and exist"
                ));
            }
            if std::mem::replace(&mut referenced[c], true) {
                return reject(format!("node {c} has two parents"));
            }
        }
    }
    if let Some(orphan) = (1..nodes.len()).find(|&i| !referenced[i]) {
        return reject(format!("node {orphan} is not reachable from the root"));
    }
    let mut path = Path::new(a, b);
    // Depth-first traversal; each stack entry is (node, path length at that node, and the
    // decision its parent adds on the way in).
    let mut stack: Vec<(usize, usize, Option<Decision>)> = vec![(0, 0, None)];
    let mut canonical = crate::canonical_leaf::Cache::new(a, b);
    while let Some((i, depth, entry)) = stack.pop() {
        path.truncate(depth);
        if let Some((id, phase)) = entry {
            let p = preactivation(&path, id, a, b).map_err(|r| at(i, r))?;
            path.push(phase_row(&p, phase), id, phase);
        }
        let depth = path.rows.len();
        match &nodes[i] {
            Node::Split {
                neuron,
                active,
                inactive,
            } => {
                if path.phase_of(*neuron).is_some() {
                    return reject(format!("node {i}: {neuron} already has a phase"));
                }
                // The pre-activation must be affine here (checked again when the child adds it).
                preactivation(&path, *neuron, a, b).map_err(|r| at(i, r))?;
                stack.push((*inactive, depth, Some((*neuron, Phase::Inactive))));
                stack.push((*active, depth, Some((*neuron, Phase::Active))));
            }
            Node::Fix {
                neuron,
                phase,
                bound,
                next,
            } => {
                if path.phase_of(*neuron).is_some() {
                    return reject(format!("node {i}: {neuron} already has a phase"));
                }
                let p = preactivation(&path, *neuron, a, b).map_err(|r| at(i, r))?;
                // The phase holds on all of P iff its constraint row is ≤ 0 on P.
                path.check_upper(bound, &phase_row(&p, *phase))
                    .map_err(|r| {
                        at(
                            i,
                            Rejection(format!("fix {neuron} {}: {}", phase.as_str(), r.0)),
                        )
                    })?;
                stack.push((*next, depth, Some((*neuron, *phase))));
            }
            Node::Empty { farkas } => path.check_farkas(farkas).map_err(|r| at(i, r))?,
            Node::Leaf(Leaf::Canonical) => canonical.check(&path).map_err(|r| at(i, r))?,
            Node::Leaf(leaf) => check_leaf(&path, leaf).map_err(|r| at(i, r))?,
        }
    }
    Ok(())
}

/// A neuron with the phase a child adds on the way in.
type Decision = (NeuronId, Phase);

fn at(i: usize, r: Rejection) -> Rejection {
    Rejection(format!("node {i}: {}", r.0))
}

fn check_leaf(path: &Path, leaf: &Leaf) -> Result<(), Rejection> {
    for (s, side) in [(0, Side::A), (1, Side::B)] {
        if path.undecided[s] > 0 {
            let k = (0..path.relevant[s].len())
                .find(|&k| path.relevant[s][k] && path.phase_of(neuron(side, 2, k)).is_none())
                .expect("counted");
            return reject(format!("leaf: neuron {} has no phase", neuron(side, 2, k)));
        }
    }
    match leaf {
        Leaf::Canonical => return reject("a \"canonical\" leaf is checked by its own rule"),
        Leaf::Zero => {
            if let Some(o) = path.nonzero.first() {
                return reject(format!(
                    "leaf \"zero\": f_a − f_b is not identically zero here (output {o})"
                ));
            }
        }
        Leaf::Bounds(bounds) => {
            let by_output: HashMap<usize, &crate::types::OutputBound> =
                bounds.iter().rev().map(|bd| (bd.output, bd)).collect();
            for &o in &path.nonzero {
                let h = &path.h[o];
                let Some(bd) = by_output.get(&o) else {
                    return reject(format!("leaf: no bounds for output {o}"));
                };
                path.check_upper(&bd.upper, h)
                    .map_err(|r| Rejection(format!("output {o} upper bound: {}", r.0)))?;
                path.check_upper(&bd.lower, &h.neg())
                    .map_err(|r| Rejection(format!("output {o} lower bound: {}", r.0)))?;
            }
        }
    }
    Ok(())
}
