//! The branch-tree search of docs/theory.md §2, producing a [`BranchTree`] certificate or a witness.
//!
//! Neurons of both networks are decided in the order: layer 1 of A, layer 1 of B, layer 2 of
//! A, layer 2 of B (a layer-2 neuron becomes available once the layer-1 neurons feeding it have
//! phases). Neurons whose outgoing weights are all zero never matter and are skipped. At every
//! node, before any linear program, the search fixes for free every available neuron whose
//! pre-activation is constant or parallel to a constraint already on the path (this merges
//! identical and proportional neurons, across the two networks too: a permuted and rescaled
//! copy costs no branching). The next neuron is then bounded by two exact LPs: fixed if its
//! sign is constant on the polyhedron (the LP dual is the certificate), split otherwise. Every
//! LP point is also evaluated on both networks, which finds witnesses early.
//!
//! The polyhedra stay full-dimensional (a split is only made when the pre-activation takes
//! both signs), so a leaf closes iff the affine difference `h` is identically zero, and
//! otherwise the LP optimum of some output of `h` is a witness.

use fibers_check::{BranchTree, Leaf, NeuronId, Node, OutputBound, Phase, Side, Sparse};
use fibers_exact::lp::{solve, LinearProgram, LpOutcome};
use fibers_exact::{Matrix, Rational};
use fibers_net::Network;
use std::collections::HashMap;
use std::rc::Rc;

/// At most this many known points of the current polyhedron are kept.
const MAX_SAMPLES: usize = 24;

/// Counters of one search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tree nodes created.
    pub nodes: u64,
    /// Leaves closed (affine difference checked).
    pub leaves: u64,
    /// Split nodes.
    pub splits: u64,
    /// Phases fixed without an LP (constant or parallel pre-activation).
    pub cheap_fixes: u64,
    /// Phases fixed by an LP bound.
    pub lp_fixes: u64,
    /// Linear programs solved.
    pub lps: u64,
    /// Points at which both networks were evaluated looking for a witness.
    pub probes: u64,
    /// Whether the search stopped because its dense affine forms would have outgrown the
    /// memory limit ([`crate::max_memory`]); the outcome is then undecided.
    pub out_of_memory: bool,
}

/// Why the search stopped early.
pub(crate) enum Stop {
    /// A checked witness: `f_A(x) ≠ f_B(x)`.
    Witness(Vec<Rational>),
    /// The node budget ran out.
    Budget,
    /// The dense forms would outgrow the memory limit ([`crate::max_memory`]).
    Memory,
    /// An internal inconsistency (a bug), never a verdict.
    Internal(String),
}

/// The bytes one dense entry (an exact rational) is counted for by the memory guard: the
/// value itself plus the heap of its numerator and denominator.
pub const BYTES_PER_ENTRY: u64 = 96;

/// The bytes one entry of an LP tableau (an exact integer) is counted for.
pub const LP_BYTES_PER_ENTRY: u64 = 32;

type Affine = Vec<Rational>;

/// Where a new node's id must be written: the root, or the active or inactive child of the
/// split node with the given id.
#[derive(Clone, Copy)]
pub enum Slot {
    /// The tree's root (id 0).
    Root,
    /// The active child of this split node.
    Active(usize),
    /// The inactive child of this split node.
    Inactive(usize),
}

/// The nodes that close a cell by its canonical data, in order: one fix node per LP-fixed
/// neuron, each pointing at the next, then the canonical leaf. `first` is the id the first of
/// them gets (they are appended one after another).
pub fn canonical_chain(
    fixes: Vec<(NeuronId, Phase, Sparse)>,
    first: usize,
) -> impl Iterator<Item = Node> {
    let fixes = fixes
        .into_iter()
        .enumerate()
        .map(move |(k, (neuron, phase, bound))| Node::Fix {
            neuron,
            phase,
            bound,
            next: first + k + 1,
        });
    fixes.chain(std::iter::once(Node::Leaf(Leaf::Canonical)))
}

/// Appends `node` to the node list and writes its id into `slot`; returns the id.
pub fn attach(nodes: &mut Vec<Node>, node: Node, slot: Slot) -> usize {
    let id = nodes.len();
    nodes.push(node);
    match slot {
        Slot::Root => {}
        Slot::Active(p) => {
            if let Node::Split { active, .. } = &mut nodes[p] {
                *active = id;
            }
        }
        Slot::Inactive(p) => {
            if let Node::Split { inactive, .. } = &mut nodes[p] {
                *inactive = id;
            }
        }
    }
    id
}

/// A pending node: where its id goes, the path length at its parent, the decision (neuron
/// ordinal, phase) it adds on the way in, and known points of its polyhedron.
type Frame = (Slot, usize, Option<(usize, Phase)>, Vec<Vec<Rational>>);

/// What a layer-1 cell closer sees (see [`layer1_cells`]): the polyhedron of a cell of the
/// joint layer-1 arrangement, with every layer-1 neuron that matters decided.
pub struct Cell<'c> {
    /// The input dimension.
    pub n0: usize,
    /// The path rows `r(x) ≤ 0` (coefficients, then the constant), in the order the checker
    /// numbers them.
    pub rows: &'c [Vec<Rational>],
    /// Whether each row comes from a split; the cell is the intersection of these rows alone
    /// (the other rows are implied by them).
    pub split_row: &'c [bool],
    /// The layer-1 phase of every neuron of A (`[0]`) and B (`[1]`); `None` for a neuron that
    /// does not matter (it feeds no layer-2 neuron that matters).
    pub phases: [Vec<Option<Phase>>; 2],
    /// Known points of the cell.
    pub samples: &'c [Vec<Rational>],
}

/// How a cell closer ends a cell.
pub enum CellClose {
    /// `f_A = f_B` on the cell: these layer-2 phases hold on the cell (neuron, phase, LP-dual
    /// multipliers over the cell's rows), and then a [`Leaf::Canonical`] leaf closes it.
    Canonical(Vec<(NeuronId, Phase, Sparse)>),
    /// A checked witness `f_A(x) ≠ f_B(x)`.
    Witness(Vec<Rational>),
    /// An internal inconsistency (a bug).
    Internal(String),
}

/// The closer of a layer-1 cell search.
pub type CellCloser<'a> = dyn FnMut(&Cell) -> CellClose + 'a;

/// Why [`layer1_cells`] stopped before closing every cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellStop {
    /// A checked witness: `f_A(x) ≠ f_B(x)`.
    Witness(Vec<Rational>),
    /// The node budget ran out.
    Budget,
    /// An internal inconsistency (a bug), never a verdict.
    Internal(String),
}

/// The branch tree of docs/theory.md §2 restricted to the layer-1 neurons of A and B (same
/// Farkas-pruned splitting, cheap and LP fixes, identical hyperplanes decided once), with every
/// cell handed to `closer` instead of branching on layer-2 phases. `points` are known points of
/// `R^{n0}` (they seed the sample points). Returns the tree and the counters.
pub fn layer1_cells(
    a: &Network,
    b: &Network,
    max_nodes: Option<u64>,
    points: Vec<Vec<Rational>>,
    closer: &mut CellCloser<'_>,
    progress: &mut dyn FnMut(&Stats),
) -> (Result<BranchTree, CellStop>, Stats) {
    let mut search = Search::new(a, b, max_nodes);
    search.layer1_only();
    search.seed_samples(points);
    let r = search.run_with(progress, Some(closer));
    let stats = search.stats.clone();
    let r = r.map_err(|e| match e {
        Stop::Witness(x) => CellStop::Witness(x),
        Stop::Budget | Stop::Memory => CellStop::Budget,
        Stop::Internal(m) => CellStop::Internal(m),
    });
    (r, stats)
}

/// A direction key (see [`direction_key`]), interned: its number and the one dense copy of it
/// (shared by every parallel pre-activation, its path row and the direction index, which is
/// keyed by the number, so a lookup costs no pass over the `n0` coordinates).
type Key = (u64, Rc<Vec<Rational>>);

/// The direction key of a pre-activation (`None` if constant); `p` and `−p` share it.
type DirKeys = Option<Key>;

/// A neuron the search may decide.
#[derive(Clone, Copy, Debug)]
struct Neuron {
    id: NeuronId,
}

pub(crate) struct Search<'a> {
    nets: [&'a Network; 2],
    /// Exact evaluation of both networks, in machine integers when the numbers fit.
    pair: crate::probe::PairEval<'a>,
    n0: usize,
    order: Vec<Neuron>,
    /// Per ordinal in `order`: its phase on the current path.
    phase: Vec<Option<Phase>>,
    /// Ordinal of each (side, layer, index), `usize::MAX` if irrelevant.
    ordinal: [[Vec<usize>; 2]; 2],
    /// Constraint rows `row(x) ≤ 0` of the current path.
    rows: Vec<Affine>,
    /// Ordinal decided by each row.
    decided: Vec<usize>,
    /// Whether each row comes from a split. Rows from fixes are implied by the earlier rows,
    /// so the polyhedron is the intersection of the split rows alone (the LPs use only those).
    split_row: Vec<bool>,
    /// Normalised linear part of each row (`None` for a constant row), for finding parallel
    /// pre-activations without LPs.
    row_keys: Vec<Option<Key>>,
    /// Rows by normalised linear part.
    dir_index: HashMap<u64, Vec<usize>>,
    /// The direction keys in use, by content (entries no longer referenced are dropped now
    /// and then).
    interner: HashMap<Rc<Vec<Rational>>, u64>,
    /// The number of the next new direction key.
    next_key: u64,
    /// Known points of the current polyhedron (LP optima and probe points).
    samples: Vec<Vec<Rational>>,
    /// Pre-activation of each ordinal on the current path, when computed (layer-2 entries
    /// are cleared whenever a layer-1 phase changes).
    cache: Vec<Option<Rc<Affine>>>,
    /// Path row of each decided ordinal.
    row_of: Vec<usize>,
    /// Per ordinal, when computed: the direction key of its pre-activation (layer-2 entries
    /// are cleared with `cache`).
    keys: Vec<Option<DirKeys>>,
    nodes: Vec<Node>,
    pub(crate) stats: Stats,
    max_nodes: Option<u64>,
    /// Whether LP points are evaluated on both networks (off in [`layer1_cells`], whose
    /// closer finds witnesses exactly).
    probe_lps: bool,
    /// Sample points held by the pending frames of the work list.
    stacked_samples: usize,
    /// The memory limit in bytes ([`crate::max_memory`] when the search starts).
    max_memory: u64,
}

fn side_index(s: Side) -> usize {
    match s {
        Side::A => 0,
        Side::B => 1,
    }
}

fn neg(f: &Affine) -> Affine {
    f.iter().map(|v| -v).collect()
}

fn is_zero_form(f: &[Rational]) -> bool {
    f.iter().all(Rational::is_zero)
}

/// Solves `max form(x)` (`form` affine, `n` input coordinates then the constant) over the
/// polyhedron `{x : row·(x, 1) ≤ 0}` of the rows marked in `split_row`. Returns the outcome and
/// the indices of the rows used (the LP's constraint `i` is row `used[i]`). Shared by the branch
/// tree and the region-wise decision.
pub fn lp_max_over_split_rows(
    rows: &[Vec<Rational>],
    split_row: &[bool],
    n: usize,
    form: &[Rational],
) -> Result<(LpOutcome, Vec<usize>), String> {
    let used: Vec<usize> = (0..rows.len()).filter(|&i| split_row[i]).collect();
    if used.is_empty() {
        // P = R^{n0}: no LP needed.
        let x = vec![Rational::zero(); n];
        let outcome = if is_zero_form(&form[..n]) {
            LpOutcome::Optimal {
                x,
                dual: Vec::new(),
                value: Rational::zero(),
            }
        } else {
            LpOutcome::Unbounded {
                x,
                ray: form[..n].to_vec(),
            }
        };
        return Ok((outcome, used));
    }
    let a = Matrix::from_fn(used.len(), n, |i, j| rows[used[i]][j].clone());
    let b: Vec<Rational> = used.iter().map(|&i| -&rows[i][n]).collect();
    let lp = LinearProgram {
        a,
        b,
        c: form[..n].to_vec(),
    };
    // A panic in the solver is a bug there; report it as an internal error, never crash.
    match std::panic::catch_unwind(|| solve(&lp)) {
        Ok(outcome) => Ok((outcome, used)),
        Err(_) => Err(format!(
            "the LP solver failed on maximize c·x subject to A x ≤ b with A = {:?}, b = {:?}, \
             c = {:?}",
            lp.a.to_rows(),
            lp.b,
            lp.c
        )),
    }
}

impl<'a> Search<'a> {
    pub(crate) fn new(a: &'a Network, b: &'a Network, max_nodes: Option<u64>) -> Self {
        let nets = [a, b];
        let mut order = Vec::new();
        let mut ordinal: [[Vec<usize>; 2]; 2] = Default::default();
        // Relevance: a layer-2 neuron matters iff its outgoing column is nonzero; a layer-1
        // neuron matters iff it feeds a layer-2 neuron that matters.
        let mut rel2 = [Vec::new(), Vec::new()];
        let mut rel1 = [Vec::new(), Vec::new()];
        for (s, n) in nets.iter().enumerate() {
            let arch = n.arch();
            rel2[s] = (0..arch.n2)
                .map(|k| (0..arch.n3).any(|o| !n.w3()[o][k].is_zero()))
                .collect();
            rel1[s] = (0..arch.n1)
                .map(|j| (0..arch.n2).any(|k| rel2[s][k] && !n.w2()[k][j].is_zero()))
                .collect();
        }
        for layer in [1u8, 2] {
            for (s, side) in [Side::A, Side::B].into_iter().enumerate() {
                let rel = if layer == 1 { &rel1[s] } else { &rel2[s] };
                let mut ords = vec![usize::MAX; rel.len()];
                for (index, &r) in rel.iter().enumerate() {
                    if r {
                        ords[index] = order.len();
                        order.push(Neuron {
                            id: NeuronId { side, layer, index },
                        });
                    }
                }
                ordinal[layer as usize - 1][s] = ords;
            }
        }
        let count = order.len();
        Search {
            nets,
            pair: crate::probe::PairEval::new(a, b),
            n0: a.arch().n0,
            order,
            phase: vec![None; count],
            ordinal,
            rows: Vec::new(),
            decided: Vec::new(),
            split_row: Vec::new(),
            row_keys: Vec::new(),
            dir_index: HashMap::new(),
            interner: HashMap::new(),
            next_key: 0,
            samples: Vec::new(),
            cache: vec![None; count],
            row_of: vec![usize::MAX; count],
            keys: vec![None; count],
            nodes: Vec::new(),
            stats: Stats::default(),
            max_nodes,
            probe_lps: true,
            stacked_samples: 0,
            max_memory: crate::max_memory(),
        }
    }

    /// The dense vectors of `n0 + 1` entries the search holds now (cached pre-activations,
    /// interned direction keys, path rows, samples, pending samples), plus `extra` more.
    fn dense_vectors(&self, extra: usize) -> u64 {
        let cached = self.cache.iter().filter(|c| c.is_some()).count();
        let keyed = self.interner.len();
        (cached + keyed + self.rows.len() + self.samples.len() + self.stacked_samples + extra)
            as u64
    }

    /// The memory guard: stops (undecided, never a verdict) when the dense forms, with
    /// `extra` more vectors, would need more than the memory limit.
    fn check_memory(&mut self, extra: usize) -> Result<(), Stop> {
        self.check_memory_with(extra, 0)
    }

    /// [`Search::check_memory`] with `extra_bytes` more (an LP's tableau).
    fn check_memory_with(&mut self, extra: usize, extra_bytes: u64) -> Result<(), Stop> {
        let bytes = self
            .dense_vectors(extra)
            .saturating_mul(self.n0 as u64 + 1)
            .saturating_mul(BYTES_PER_ENTRY)
            .saturating_add(extra_bytes);
        if bytes > self.max_memory {
            self.stats.out_of_memory = true;
            return Err(Stop::Memory);
        }
        Ok(())
    }

    fn phase_of(&self, id: NeuronId) -> Option<Phase> {
        let o = self.ordinal[id.layer as usize - 1][side_index(id.side)][id.index];
        if o == usize::MAX {
            None
        } else {
            self.phase[o]
        }
    }

    /// The pre-activation of a neuron as an affine form on the current polyhedron, or `None`
    /// if a layer-1 neuron feeding it has no phase yet.
    fn preactivation(&self, id: NeuronId) -> Option<Affine> {
        let n = self.nets[side_index(id.side)];
        if id.layer == 1 {
            let mut f = n.w1()[id.index].clone();
            f.push(n.b1()[id.index].clone());
            return Some(f);
        }
        let mut f = vec![Rational::zero(); self.n0 + 1];
        f[self.n0] = n.b2()[id.index].clone();
        for (j, w) in n.w2()[id.index].iter().enumerate() {
            if w.is_zero() {
                continue;
            }
            let jid = NeuronId {
                side: id.side,
                layer: 1,
                index: j,
            };
            match self.phase_of(jid)? {
                Phase::Inactive => {}
                Phase::Active => {
                    for (acc, c) in f.iter_mut().zip(n.w1()[j].iter()) {
                        if !c.is_zero() {
                            *acc += w * c;
                        }
                    }
                    f[self.n0] += w * &n.b1()[j];
                }
            }
        }
        Some(f)
    }

    fn clear_layer2_cache(&mut self) {
        for (o, (c, k)) in self.cache.iter_mut().zip(self.keys.iter_mut()).enumerate() {
            if self.order[o].id.layer == 2 {
                *c = None;
                *k = None;
            }
        }
    }

    /// [`Search::preactivation`] of an ordinal, cached along the path (shared, not copied).
    fn pre(&mut self, o: usize) -> Option<Rc<Affine>> {
        if let Some(f) = &self.cache[o] {
            return Some(Rc::clone(f));
        }
        let f = Rc::new(self.preactivation(self.order[o].id)?);
        self.cache[o] = Some(Rc::clone(&f));
        Some(f)
    }

    /// The direction key of an ordinal's pre-activation `p`, cached with it.
    fn key_of(&mut self, o: usize, p: &Affine) -> DirKeys {
        if self.keys[o].is_none() {
            let k = direction_key(&p[..self.n0]).map(|k| self.intern(k));
            self.keys[o] = Some(k);
        }
        self.keys[o].clone().flatten()
    }

    /// The interned copy of a direction key.
    fn intern(&mut self, key: Vec<Rational>) -> Key {
        if let Some((k, &id)) = self.interner.get_key_value(&key) {
            return (id, Rc::clone(k));
        }
        if self.interner.len() >= 2 * (self.order.len() + self.rows.len()) + 64 {
            // Keep the keys still referenced by a cached form or a path row.
            self.interner.retain(|k, _| Rc::strong_count(k) > 1);
        }
        let id = self.next_key;
        self.next_key += 1;
        let k = Rc::new(key);
        self.interner.insert(Rc::clone(&k), id);
        (id, k)
    }

    /// Whether every layer-1 neuron feeding ordinal `o` has a phase (so its pre-activation is
    /// affine here), without building the form.
    fn available(&self, o: usize) -> bool {
        let id = self.order[o].id;
        if id.layer == 1 {
            return true;
        }
        let n = self.nets[side_index(id.side)];
        n.w2()[id.index].iter().enumerate().all(|(j, w)| {
            w.is_zero()
                || self
                    .phase_of(NeuronId {
                        side: id.side,
                        layer: 1,
                        index: j,
                    })
                    .is_some()
        })
    }

    /// A free certificate for a layer-2 neuron from the signs of its weights: on the path,
    /// `z = Σ_{j active} w_j y_j + β` with every `y_j ≥ 0` a path row; if all those `w_j` and
    /// `β` are `≤ 0` the neuron is inactive, if all are `≥ 0` it is active.
    fn orthant_phase(&self, o: usize) -> Option<(Phase, Sparse)> {
        let id = self.order[o].id;
        if id.layer != 2 {
            return None;
        }
        let s = side_index(id.side);
        let n = self.nets[s];
        let beta = &n.b2()[id.index];
        let mut terms = Vec::new();
        for (j, w) in n.w2()[id.index].iter().enumerate() {
            if w.is_zero() {
                continue;
            }
            let oj = self.ordinal[0][s][j];
            if oj == usize::MAX {
                return None;
            }
            match self.phase[oj]? {
                Phase::Inactive => {}
                Phase::Active => terms.push((self.row_of[oj], w)),
            }
        }
        if !beta.is_positive() && terms.iter().all(|(_, w)| !w.is_positive()) {
            // z = Σ w_j y_j + β with the rows −y_j ≤ 0: multipliers −w_j.
            return Some((
                Phase::Inactive,
                terms.iter().map(|(r, w)| (*r, -*w)).collect(),
            ));
        }
        if !beta.is_negative() && terms.iter().all(|(_, w)| !w.is_negative()) {
            return Some((
                Phase::Active,
                terms.iter().map(|(r, w)| (*r, (*w).clone())).collect(),
            ));
        }
        None
    }

    /// The output forms of network `s` on the current path. Each is first summed in layer-1
    /// coordinates (`b3 + Σ_k w3_k (b2_k + Σ_j w2_kj y_j)` over the active neurons, sparse:
    /// at most `n2 · n1` products), then expanded once per layer-1 neuron it involves (one
    /// pass over `n0` per such neuron, not one per active layer-2 neuron).
    fn output_forms(&self, s: usize) -> Vec<Affine> {
        let n = self.nets[s];
        let arch = n.arch();
        let side = if s == 0 { Side::A } else { Side::B };
        let active2: Vec<usize> = (0..arch.n2)
            .filter(|&k| {
                self.phase_of(NeuronId {
                    side,
                    layer: 2,
                    index: k,
                }) == Some(Phase::Active)
            })
            .collect();
        let active1: Vec<bool> = (0..arch.n1)
            .map(|j| {
                self.phase_of(NeuronId {
                    side,
                    layer: 1,
                    index: j,
                }) == Some(Phase::Active)
            })
            .collect();
        (0..arch.n3)
            .map(|o| {
                let mut constant = n.b3()[o].clone();
                let mut coef = vec![Rational::zero(); arch.n1];
                for &k in &active2 {
                    let v = &n.w3()[o][k];
                    if v.is_zero() {
                        continue;
                    }
                    constant += v * &n.b2()[k];
                    for (j, w) in n.w2()[k].iter().enumerate() {
                        if active1[j] && !w.is_zero() {
                            coef[j] += v * w;
                        }
                    }
                }
                let mut f = vec![Rational::zero(); self.n0 + 1];
                for (j, c) in coef.iter().enumerate() {
                    if c.is_zero() {
                        continue;
                    }
                    for (acc, w) in f.iter_mut().zip(n.w1()[j].iter()) {
                        if !w.is_zero() {
                            *acc += c * w;
                        }
                    }
                    constant += c * &n.b1()[j];
                }
                f[self.n0] = constant;
                f
            })
            .collect()
    }

    fn truncate(&mut self, len: usize) {
        while self.rows.len() > len {
            self.rows.pop();
            let o = self.decided.pop().expect("aligned");
            self.phase[o] = None;
            self.row_of[o] = usize::MAX;
            if self.order[o].id.layer == 1 {
                self.clear_layer2_cache();
            }
            self.split_row.pop();
            if let Some((key, _)) = self.row_keys.pop().expect("aligned") {
                if let Some(v) = self.dir_index.get_mut(&key) {
                    v.pop();
                    if v.is_empty() {
                        self.dir_index.remove(&key);
                    }
                }
            }
        }
    }

    fn push_decision(&mut self, ordinal: usize, p: &Affine, phase: Phase, split: bool) {
        let row = match phase {
            Phase::Active => neg(p),
            Phase::Inactive => p.clone(),
        };
        // The key of `row = ±p` is that of `p` (signed normalisation).
        let key = self.key_of(ordinal, p);
        if let Some((k, _)) = &key {
            self.dir_index.entry(*k).or_default().push(self.rows.len());
        }
        self.row_keys.push(key);
        self.row_of[ordinal] = self.rows.len();
        self.rows.push(row);
        if self.order[ordinal].id.layer == 1 {
            self.clear_layer2_cache();
        }
        self.split_row.push(split);
        self.decided.push(ordinal);
        self.phase[ordinal] = Some(phase);
    }

    fn new_node(&mut self, node: Node, slot: Slot) -> Result<usize, Stop> {
        let id = attach(&mut self.nodes, node, slot);
        self.stats.nodes += 1;
        if self.max_nodes.is_some_and(|m| self.stats.nodes > m) {
            return Err(Stop::Budget);
        }
        Ok(id)
    }

    /// Appends a fix node (whose `next` is the node created right after it).
    fn fix(
        &mut self,
        ordinal: usize,
        p: &Affine,
        phase: Phase,
        bound: Sparse,
        slot: Slot,
    ) -> Result<Slot, Stop> {
        let id = self.nodes.len();
        self.new_node(
            Node::Fix {
                neuron: self.order[ordinal].id,
                phase,
                bound,
                next: id + 1,
            },
            slot,
        )?;
        self.push_decision(ordinal, p, phase, false);
        Ok(Slot::Root) // the next node's id is id + 1, already written
    }

    /// [`Search::cheap_phase`] with the direction keys of `p` known (`None`: `p` constant).
    fn cheap_phase_keyed(&self, p: &Affine, key: Option<u64>) -> Option<(Phase, Sparse)> {
        let Some(key) = key else {
            return self.cheap_phase(p);
        };
        self.parallel_phase(p, self.dir_index.get(&key).into_iter().flatten())
    }

    /// Free certificates: a constant pre-activation, or one parallel to a path row.
    fn cheap_phase(&self, p: &Affine) -> Option<(Phase, Sparse)> {
        let n = self.n0;
        if is_zero_form(&p[..n]) {
            // p ≡ e: inactive needs e ≤ 0, active needs −e ≤ 0; empty multipliers.
            return Some((
                if p[n].is_positive() {
                    Phase::Active
                } else {
                    Phase::Inactive
                },
                Vec::new(),
            ));
        }
        let key = self.interner.get(&direction_key(&p[..n])?)?;
        self.parallel_phase(p, self.dir_index.get(key).into_iter().flatten())
    }

    /// A free certificate from a path row parallel to `p` among `candidates`: rows whose
    /// direction key is that of `p` or of `−p`, so their linear part is `r = p / λ` with
    /// `λ ≠ 0`, read off at the first nonzero coordinate of `p` (one division per candidate,
    /// not one per input coordinate: with `n1 = 1` every layer-2 pre-activation is parallel to
    /// every path row, and the full comparison made this `O(n0)` times slower).
    fn parallel_phase<'r>(
        &self,
        p: &Affine,
        candidates: impl Iterator<Item = &'r usize>,
    ) -> Option<(Phase, Sparse)> {
        let n = self.n0;
        let f = p[..n].iter().position(|x| !x.is_zero())?;
        for &i in candidates {
            let r = &self.rows[i];
            if r[f].is_zero() {
                continue; // not parallel (never for a row of the direction index)
            }
            let l = &p[f] / &r[f];
            if l.is_positive() {
                // p = l·r + (p_c − l·r_c) ≤ 0 when p_c ≤ l·r_c.
                if p[n] <= &l * &r[n] {
                    return Some((Phase::Inactive, vec![(i, l)]));
                }
            } else {
                // −p = (−l)·r + ..., ≤ 0 when −p_c ≤ (−l)·r_c.
                let m = -l;
                if -&p[n] <= &m * &r[n] {
                    return Some((Phase::Active, vec![(i, m)]));
                }
            }
        }
        None
    }

    /// Solves `max form(x)` over the current polyhedron (`form` affine), using the split rows
    /// only; multipliers in the outcome are mapped back to path row indices (as sparse
    /// vectors by [`Search::mapped`]). Returns the outcome and the row indices used.
    fn lp_max(&mut self, form: &Affine) -> Result<(LpOutcome, Vec<usize>), Stop> {
        // The LP copies its rows into a matrix (and its answer), and the simplex of
        // `fibers_exact::lp` works on the dual: a tableau of `n0` rows of `rows + n0 + 1`
        // integers (quadratic in `n0`: the one cost here that the forms do not bound).
        let used = self.split_row.iter().filter(|&&s| s).count();
        let n0 = self.n0 as u64;
        let tableau = n0
            .saturating_mul(n0 + used as u64 + 2)
            .saturating_mul(LP_BYTES_PER_ENTRY);
        self.check_memory_with(used + 4, tableau)?;
        self.stats.lps += 1;
        lp_max_over_split_rows(&self.rows, &self.split_row, self.n0, form).map_err(Stop::Internal)
    }

    /// Points of `R^{n0}` known before the search (the root polyhedron is all of `R^{n0}`).
    pub(crate) fn seed_samples(&mut self, points: Vec<Vec<Rational>>) {
        for x in points {
            self.add_sample(x);
        }
    }

    /// Remembers a point of the current polyhedron.
    fn add_sample(&mut self, x: Vec<Rational>) {
        if self.samples.len() >= MAX_SAMPLES {
            self.samples.remove(0);
        }
        self.samples.push(x);
    }

    /// Probes an LP point: all of the first few hundred, then one in sixteen (evaluating at
    /// LP vertices, whose coordinates grow, is not free).
    fn probe_lp_point(&mut self, x: &[Rational]) -> Result<(), Stop> {
        if self.probe_lps && (self.stats.probes < 256 || self.stats.lps.is_multiple_of(16)) {
            self.probe(x)?;
        }
        Ok(())
    }

    /// Evaluates both networks at `x`; a difference is a witness.
    pub(crate) fn probe(&mut self, x: &[Rational]) -> Result<(), Stop> {
        self.stats.probes += 1;
        if self.pair.differs(x) {
            return Err(Stop::Witness(x.to_vec()));
        }
        Ok(())
    }

    /// What an LP says about `max form` in the sign sense: `Ok(Some(cert))` if `max form ≤ 0`
    /// (multipliers proving it), `Ok(None)` if not, `Err(Farkas)` if the polyhedron is empty.
    fn upper_certificate(&mut self, form: &Affine) -> Result<Result<Option<Sparse>, Sparse>, Stop> {
        let n = self.n0;
        let (outcome, used) = self.lp_max(form)?;
        match outcome {
            LpOutcome::Optimal { x, dual, value } => {
                self.probe_lp_point(&x)?;
                if &value + &form[n] <= Rational::zero() {
                    Ok(Ok(Some(mapped(&dual, &used))))
                } else {
                    self.add_sample(x);
                    Ok(Ok(None))
                }
            }
            LpOutcome::Unbounded { x, ray } => {
                self.probe_lp_point(&x)?;
                // A point further along the ray, where the form is larger.
                let far: Vec<Rational> = x.iter().zip(&ray).map(|(a, d)| a + d).collect();
                self.add_sample(x);
                self.add_sample(far);
                Ok(Ok(None))
            }
            LpOutcome::Infeasible { farkas } => Ok(Err(mapped(&farkas, &used))),
        }
    }

    /// Drops the layer-2 neurons from the order: the search ends at layer-1 cells.
    fn layer1_only(&mut self) {
        let keep: Vec<usize> = (0..self.order.len())
            .filter(|&o| self.order[o].id.layer == 1)
            .collect();
        for layer in &mut self.ordinal[1] {
            layer.iter_mut().for_each(|o| *o = usize::MAX);
        }
        debug_assert!(keep.iter().enumerate().all(|(i, &o)| i == o));
        let count = keep.len();
        self.probe_lps = false;
        self.order.truncate(count);
        self.phase.truncate(count);
        self.cache.truncate(count);
        self.row_of.truncate(count);
        self.keys.truncate(count);
    }

    /// Runs the search from the root; the tree, or why it stopped.
    pub(crate) fn run(&mut self, progress: &mut dyn FnMut(&Stats)) -> Result<BranchTree, Stop> {
        self.run_with(progress, None)
    }

    /// [`Search::run`], closing every leaf with `closer` when given.
    fn run_with(
        &mut self,
        progress: &mut dyn FnMut(&Stats),
        mut closer: Option<&mut CellCloser<'_>>,
    ) -> Result<BranchTree, Stop> {
        // Work list of (slot for the node, path length, decision to add on entry).
        let mut stack: Vec<Frame> = vec![(Slot::Root, 0, None, std::mem::take(&mut self.samples))];
        self.stacked_samples = stack[0].3.len();
        let mut last_report = 0u64;
        while let Some((slot, depth, entry, samples)) = stack.pop() {
            self.stacked_samples -= samples.len();
            self.truncate(depth);
            self.samples = samples;
            self.check_memory(1)?;
            if let Some((o, phase)) = entry {
                let p = self
                    .pre(o)
                    .ok_or_else(|| Stop::Internal("split neuron lost its inputs".into()))?;
                self.push_decision(o, &p, phase, true);
            }
            if self.stats.nodes >= last_report + 64 {
                last_report = self.stats.nodes;
                progress(&self.stats);
            }
            self.expand(slot, &mut stack, closer.as_deref_mut())?;
        }
        progress(&self.stats);
        Ok(BranchTree {
            nodes: std::mem::take(&mut self.nodes),
        })
    }

    /// Creates the nodes at the current polyhedron: fixes, then a split (pushing its children
    /// on the stack), a leaf, or an empty node.
    fn expand(
        &mut self,
        mut slot: Slot,
        stack: &mut Vec<Frame>,
        closer: Option<&mut CellCloser<'_>>,
    ) -> Result<(), Stop> {
        loop {
            // Free fixes first, over all available neurons.
            let mut progressed = true;
            while progressed {
                progressed = false;
                for o in 0..self.order.len() {
                    if self.phase[o].is_some() {
                        continue;
                    }
                    self.check_memory(2)?;
                    let Some(p) = self.pre(o) else {
                        continue;
                    };
                    let keys = self.key_of(o, &p);
                    if let Some((phase, cert)) = self
                        .cheap_phase_keyed(&p, keys.map(|k| k.0))
                        .or_else(|| self.orthant_phase(o))
                    {
                        slot = self.fix(o, &p, phase, cert, slot)?;
                        self.stats.cheap_fixes += 1;
                        progressed = true;
                    }
                }
            }
            // The next neuron in order whose pre-activation is affine here.
            let next =
                (0..self.order.len()).find(|&o| self.phase[o].is_none() && self.available(o));
            let Some(o) = next else {
                if let Some(u) = self.phase.iter().position(Option::is_none) {
                    return Err(Stop::Internal(format!(
                        "neuron {} never became available",
                        self.order[u].id
                    )));
                }
                return match closer {
                    Some(c) => self.close_cell(slot, c),
                    None => self.leaf(slot),
                };
            };
            let p = self.pre(o).expect("available");
            if !self.split_row.contains(&true) {
                // P = R^{n0}: a non-constant p takes both signs.
                return self.split(o, &p, slot, stack);
            }
            // Known points of P where p is positive / negative: both means a split, no LP.
            let (mut pos, mut negative) = (false, false);
            for x in &self.samples {
                match eval_affine(&p, x).signum() {
                    1 => pos = true,
                    -1 => negative = true,
                    _ => {}
                }
            }
            if pos && negative {
                return self.split(o, &p, slot, stack);
            }
            if !pos {
                match self.upper_certificate(&p)? {
                    Err(farkas) => {
                        self.new_node(Node::Empty { farkas }, slot)?;
                        return Ok(());
                    }
                    Ok(Some(cert)) => {
                        slot = self.fix(o, &p, Phase::Inactive, cert, slot)?;
                        self.stats.lp_fixes += 1;
                        continue;
                    }
                    Ok(None) => {}
                }
            }
            if negative && !pos {
                // p < 0 somewhere and (checked above) not ≤ 0 everywhere: both signs.
                return self.split(o, &p, slot, stack);
            }
            match self.upper_certificate(&neg(&p))? {
                Err(farkas) => {
                    self.new_node(Node::Empty { farkas }, slot)?;
                    return Ok(());
                }
                Ok(Some(cert)) => {
                    slot = self.fix(o, &p, Phase::Active, cert, slot)?;
                    self.stats.lp_fixes += 1;
                    continue;
                }
                Ok(None) => return self.split(o, &p, slot, stack),
            }
        }
    }

    fn split(
        &mut self,
        o: usize,
        p: &Affine,
        slot: Slot,
        stack: &mut Vec<Frame>,
    ) -> Result<(), Stop> {
        let id = self.new_node(
            Node::Split {
                neuron: self.order[o].id,
                active: 0,
                inactive: 0,
            },
            slot,
        )?;
        self.stats.splits += 1;
        let depth = self.rows.len();
        let (mut act, mut inact) = (Vec::new(), Vec::new());
        for x in std::mem::take(&mut self.samples) {
            let s = eval_affine(p, &x).signum();
            if s <= 0 {
                inact.push(x.clone());
            }
            if s >= 0 {
                act.push(x);
            }
        }
        self.stacked_samples += act.len() + inact.len();
        stack.push((Slot::Inactive(id), depth, Some((o, Phase::Inactive)), inact));
        stack.push((Slot::Active(id), depth, Some((o, Phase::Active)), act));
        Ok(())
    }

    /// Hands the current cell to `closer` and writes its fixes and canonical leaf.
    fn close_cell(&mut self, mut slot: Slot, closer: &mut CellCloser<'_>) -> Result<(), Stop> {
        self.stats.leaves += 1;
        let mut phases = [Vec::new(), Vec::new()];
        for (s, ph) in phases.iter_mut().enumerate() {
            *ph = self.ordinal[0][s]
                .iter()
                .map(|&o| if o == usize::MAX { None } else { self.phase[o] })
                .collect();
        }
        let cell = Cell {
            n0: self.n0,
            rows: &self.rows,
            split_row: &self.split_row,
            phases,
            samples: &self.samples,
        };
        match closer(&cell) {
            CellClose::Canonical(fixes) => {
                for node in canonical_chain(fixes, self.nodes.len()) {
                    self.new_node(node, slot)?;
                    slot = Slot::Root;
                }
                Ok(())
            }
            CellClose::Witness(x) => Err(Stop::Witness(x)),
            CellClose::Internal(m) => Err(Stop::Internal(m)),
        }
    }

    fn leaf(&mut self, slot: Slot) -> Result<(), Stop> {
        self.stats.leaves += 1;
        let fa = self.output_forms(0);
        let fb = self.output_forms(1);
        let h: Vec<Affine> = fa
            .iter()
            .zip(&fb)
            .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p - q).collect())
            .collect();
        if h.iter().all(|f| is_zero_form(f)) {
            self.new_node(Node::Leaf(Leaf::Zero), slot)?;
            return Ok(());
        }
        let mut bounds = Vec::new();
        for (o, f) in h.iter().enumerate() {
            if is_zero_form(f) {
                continue;
            }
            let upper = self.leaf_bound(f)?;
            let lower = self.leaf_bound(&neg(f))?;
            let (Some(upper), Some(lower)) = (upper, lower) else {
                return Err(Stop::Internal("an empty polyhedron reached a leaf".into()));
            };
            bounds.push(OutputBound {
                output: o,
                upper,
                lower,
            });
        }
        self.new_node(Node::Leaf(Leaf::Bounds(bounds)), slot)?;
        Ok(())
    }

    /// Multipliers proving `form ≤ 0` on the polyhedron, or a witness where `form > 0`
    /// (`form` is an output of `h`, so `h(x) ≠ 0` there). `None` if the polyhedron is empty.
    fn leaf_bound(&mut self, form: &Affine) -> Result<Option<Sparse>, Stop> {
        let n = self.n0;
        let eval = |x: &[Rational]| -> Rational {
            let mut s = form[n].clone();
            for (c, xi) in form[..n].iter().zip(x) {
                s += c * xi;
            }
            s
        };
        let (outcome, used) = self.lp_max(form)?;
        let point = match outcome {
            LpOutcome::Optimal { x, dual, value } => {
                if &value + &form[n] <= Rational::zero() {
                    return Ok(Some(mapped(&dual, &used)));
                }
                x
            }
            LpOutcome::Unbounded { x, ray } => {
                // form(x + t·ray) = form(x) + t·(c·ray) with c·ray > 0.
                let slope: Rational = form[..n].iter().zip(&ray).map(|(c, d)| c * d).sum();
                let fx = eval(&x);
                let t = if fx.is_positive() {
                    Rational::zero()
                } else {
                    -&fx / &slope + Rational::one()
                };
                x.iter().zip(&ray).map(|(xi, d)| xi + &(&t * d)).collect()
            }
            LpOutcome::Infeasible { .. } => return Ok(None),
        };
        if !eval(&point).is_positive() {
            return Err(Stop::Internal("LP point does not exceed the bound".into()));
        }
        self.probe(&point)?;
        Err(Stop::Internal(
            "the affine difference is nonzero at a point where the networks agree".into(),
        ))
    }
}

/// The nonzero entries of `v` as a sparse vector, entry `i` renamed `used[i]`.
fn mapped(v: &[Rational], used: &[usize]) -> Sparse {
    v.iter()
        .enumerate()
        .filter(|(_, x)| !x.is_zero())
        .map(|(i, x)| (used[i], x.clone()))
        .collect()
}

/// `form(x)` for an affine form (coefficients, then the constant).
fn eval_affine(form: &[Rational], x: &[Rational]) -> Rational {
    let n = x.len();
    let mut s = form[n].clone();
    for (c, xi) in form[..n].iter().zip(x) {
        if !c.is_zero() && !xi.is_zero() {
            s += c * xi;
        }
    }
    s
}

/// The linear part divided by its first nonzero entry (so parallel forms get the same key,
/// whatever their orientation: one dense copy per form, one lookup); `None` if it is zero.
fn direction_key(coef: &[Rational]) -> Option<Vec<Rational>> {
    let first = coef.iter().find(|c| !c.is_zero())?.clone();
    Some(coef.iter().map(|c| c / &first).collect())
}
