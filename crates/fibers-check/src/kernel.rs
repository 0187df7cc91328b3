//! The checker: recomputes every claim of a certificate from the two networks.
//!
//! Nothing the producer computed is trusted. For a branch tree the checker rebuilds, along each
//! root-to-node path, the constraint `a·x ≤ b` contributed by every neuron decided on the path
//! (from the network parameters and the phases fixed before it), checks each multiplier vector
//! against those rows with exact arithmetic, checks that the nodes form one tree whose leaves
//! cover `R^{n0}` (both halves of every split present, fixes and empty nodes justified), and
//! recomputes the affine map `h = f_a − f_b` at every leaf.

use crate::format::{
    BranchTree, Certificate, Leaf, NeuronId, Node, Phase, Side, Sparse, StepBody, Verdict,
};
use crate::network_hash;
use fibers_exact::Rational;
use fibers_net::Network;

/// Why a certificate does not prove its verdict (one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection(pub String);

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Rejection {}

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

/// Options of [`check`].
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    /// Compare the content hashes in the certificate with the networks (a friendly early
    /// error; soundness does not depend on it). Tests turn it off to exercise the kernel.
    pub check_hashes: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { check_hashes: true }
    }
}

/// Checks that `cert` proves its verdict for exactly the networks `a` and `b`.
///
/// `Ok(verdict)` iff it does. The networks must have the same input and output widths (callers
/// report a mismatch as bad input before calling; here it is a rejection).
pub fn check(
    cert: &Certificate,
    a: &Network,
    b: &Network,
    opts: CheckOptions,
) -> Result<Verdict, Rejection> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return reject(format!(
            "networks A {aa} and B {ab} differ in input or output width"
        ));
    }
    if opts.check_hashes {
        for (name, info, net) in [("A", &cert.a, a), ("B", &cert.b, b)] {
            let h = network_hash(net);
            if info.sha256 != h {
                return reject(format!(
                    "the certificate was made for another network {name} (sha256 {} in the \
                     certificate, {h} for the file)",
                    short(&info.sha256)
                ));
            }
        }
    }
    match cert.verdict {
        Verdict::NotEquivalent => {
            if cert.proof.is_some() {
                return reject("a not-equivalent certificate carries a proof of equivalence");
            }
            let Some(w) = &cert.witness else {
                return reject("a not-equivalent certificate needs a witness");
            };
            if w.x.len() != aa.n0 {
                return reject(format!(
                    "witness.x has {} entries, the input dimension is {}",
                    w.x.len(),
                    aa.n0
                ));
            }
            let fa = a.eval(&w.x);
            let fb = b.eval(&w.x);
            if fa == fb {
                return reject("the witness does not separate the networks: f_A(x) = f_B(x)");
            }
            if w.output_a.as_ref().is_some_and(|o| *o != fa) {
                return reject("witness.output_a is not f_A(x)");
            }
            if w.output_b.as_ref().is_some_and(|o| *o != fb) {
                return reject("witness.output_b is not f_B(x)");
            }
            Ok(Verdict::NotEquivalent)
        }
        Verdict::Equivalent => {
            if cert.witness.is_some() {
                return reject("an equivalent certificate carries a witness");
            }
            let Some(proof) = &cert.proof else {
                return reject("an equivalent certificate needs a proof");
            };
            if proof.steps.is_empty() {
                return reject("the proof has no steps");
            }
            let last = proof.steps.len() - 1;
            let mut current = a;
            for (i, step) in proof.steps.iter().enumerate() {
                let target = match (&step.network, i == last) {
                    (None, true) => b,
                    (Some(n), false) => n,
                    (Some(_), true) => {
                        return reject(format!(
                            "proof.steps[{i}]: the last step must not carry a network (its \
                             target is B)"
                        ))
                    }
                    (None, false) => {
                        return reject(format!(
                            "proof.steps[{i}]: an intermediate step must carry its target network"
                        ))
                    }
                };
                let (ca, ta) = (current.arch(), target.arch());
                if ca.n0 != ta.n0 || ca.n3 != ta.n3 {
                    return reject(format!(
                        "proof.steps[{i}]: networks {ca} and {ta} differ in input or output width"
                    ));
                }
                match &step.body {
                    StepBody::BranchTree(t) => check_branch_tree(t, current, target)
                        .map_err(|r| Rejection(format!("proof.steps[{i}]: {}", r.0)))?,
                    StepBody::Bottleneck(s) => crate::bottleneck::check_step(s, current, target)
                        .map_err(|r| Rejection(format!("proof.steps[{i}]: {}", r.0)))?,
                }
                current = target;
            }
            Ok(Verdict::Equivalent)
        }
    }
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

/// An affine form `g·x + e` on `R^{n0}`: `coef` has `n0` entries, then the constant.
type Affine = Vec<Rational>;

/// One constraint row `a·x ≤ b`, stored as the affine form `a·x − b` (`≤ 0`).
pub(crate) struct Path {
    pub(crate) n0: usize,
    /// Rows `r` with meaning `r[..n0]·x + r[n0] ≤ 0`.
    rows: Vec<Affine>,
    /// Neurons decided on the path, with their phase, aligned with `rows`.
    decided: Vec<(NeuronId, Phase)>,
}

impl Path {
    pub(crate) fn phase_of(&self, id: NeuronId) -> Option<Phase> {
        self.decided.iter().find(|(n, _)| *n == id).map(|(_, p)| *p)
    }
    fn truncate(&mut self, len: usize) {
        self.rows.truncate(len);
        self.decided.truncate(len);
    }
    /// `Σ y_i · row_i` as an affine form, after checking the multipliers (indices in range,
    /// distinct, values ≥ 0).
    fn combine(&self, y: &Sparse) -> Result<Affine, Rejection> {
        let mut acc = vec![Rational::zero(); self.n0 + 1];
        let mut seen = vec![false; self.rows.len()];
        for (i, v) in y {
            if *i >= self.rows.len() {
                return reject(format!(
                    "multiplier index {i} out of range (the path has {} constraints)",
                    self.rows.len()
                ));
            }
            if std::mem::replace(&mut seen[*i], true) {
                return reject(format!("multiplier index {i} repeated"));
            }
            if v.is_negative() {
                return reject(format!("negative multiplier {v} at index {i}"));
            }
            if v.is_zero() {
                continue;
            }
            for (a, r) in acc.iter_mut().zip(&self.rows[*i]) {
                if !r.is_zero() {
                    *a += v * r;
                }
            }
        }
        Ok(acc)
    }
    /// Checks that `y` proves `form(x) ≤ 0` for every `x` of the polyhedron: with
    /// `s = Σ y_i row_i` (so `s(x) ≤ 0` on P), the coefficients of `s` equal those of `form`
    /// and `form`'s constant is at most `s`'s.
    fn check_upper(&self, y: &Sparse, form: &Affine) -> Result<(), Rejection> {
        let s = self.combine(y)?;
        let n = self.n0;
        if s[..n] != form[..n] {
            return reject("multipliers do not reproduce the bounded linear form");
        }
        if form[n] > s[n] {
            return reject("multipliers give a bound that is too weak");
        }
        Ok(())
    }
    /// Checks Farkas multipliers: `Σ y_i row_i` has zero coefficients and a positive constant,
    /// so `0 < s(x) ≤ 0` is impossible and the polyhedron is empty.
    fn check_farkas(&self, y: &Sparse) -> Result<(), Rejection> {
        let s = self.combine(y)?;
        if s[..self.n0].iter().any(|c| !c.is_zero()) || !s[self.n0].is_positive() {
            return reject("Farkas multipliers do not prove emptiness");
        }
        Ok(())
    }
}

fn neg(f: &Affine) -> Affine {
    f.iter().map(|v| -v).collect()
}

/// The network of a side.
fn net<'n>(side: Side, a: &'n Network, b: &'n Network) -> &'n Network {
    match side {
        Side::A => a,
        Side::B => b,
    }
}

/// Layer-1 neuron `j`'s pre-activation as an affine form.
fn layer1_form(n: &Network, j: usize) -> Affine {
    let mut f = n.w1()[j].clone();
    f.push(n.b1()[j].clone());
    f
}

/// Layer-1 output `u_j` on the path: its pre-activation if active, 0 if inactive.
/// `None` if the neuron is undecided.
fn layer1_output(path: &Path, side: Side, n: &Network, j: usize) -> Option<Affine> {
    let id = NeuronId {
        side,
        layer: 1,
        index: j,
    };
    match path.phase_of(id)? {
        Phase::Active => Some(layer1_form(n, j)),
        Phase::Inactive => Some(vec![Rational::zero(); path.n0 + 1]),
    }
}

/// Layer-2 neuron `k`'s pre-activation as an affine form on the path's polyhedron; needs every
/// layer-1 neuron with a nonzero weight into `k` decided.
fn layer2_form(path: &Path, side: Side, n: &Network, k: usize) -> Result<Affine, Rejection> {
    let mut f = vec![Rational::zero(); path.n0 + 1];
    f[path.n0] = n.b2()[k].clone();
    for (j, w) in n.w2()[k].iter().enumerate() {
        if w.is_zero() {
            continue;
        }
        let Some(u) = layer1_output(path, side, n, j) else {
            return reject(format!(
                "{} is used before its input neuron {} has a phase",
                NeuronId {
                    side,
                    layer: 2,
                    index: k
                },
                NeuronId {
                    side,
                    layer: 1,
                    index: j
                }
            ));
        };
        for (a, c) in f.iter_mut().zip(&u) {
            if !c.is_zero() {
                *a += w * c;
            }
        }
    }
    Ok(f)
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

/// The output of one network as affine forms (one per output) on the path's polyhedron; needs
/// every layer-2 neuron with a nonzero outgoing column decided.
fn output_forms(path: &Path, side: Side, n: &Network) -> Result<Vec<Affine>, Rejection> {
    let n3 = n.arch().n3;
    let mut out: Vec<Affine> = (0..n3)
        .map(|o| {
            let mut f = vec![Rational::zero(); path.n0 + 1];
            f[path.n0] = n.b3()[o].clone();
            f
        })
        .collect();
    for k in 0..n.arch().n2 {
        if (0..n3).all(|o| n.w3()[o][k].is_zero()) {
            continue;
        }
        let id = NeuronId {
            side,
            layer: 2,
            index: k,
        };
        match path.phase_of(id) {
            None => return reject(format!("leaf: neuron {id} has no phase")),
            Some(Phase::Inactive) => continue,
            Some(Phase::Active) => {
                let z = layer2_form(path, side, n, k)?;
                for (o, f) in out.iter_mut().enumerate() {
                    let v = &n.w3()[o][k];
                    if v.is_zero() {
                        continue;
                    }
                    for (a, c) in f.iter_mut().zip(&z) {
                        if !c.is_zero() {
                            *a += v * c;
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The constraint row (`row(x) ≤ 0`) for a neuron with pre-activation `p` in `phase`.
fn phase_row(p: &Affine, phase: Phase) -> Affine {
    match phase {
        Phase::Active => neg(p),      // p ≥ 0  ⇔  −p ≤ 0
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
    let n0 = a.arch().n0;
    let mut path = Path {
        n0,
        rows: Vec::new(),
        decided: Vec::new(),
    };
    // Depth-first traversal; each stack entry is (node, path length at that node, and the
    // decision its parent adds on the way in).
    let mut stack: Vec<(usize, usize, Option<Decision>)> = vec![(0, 0, None)];
    let mut canonical = crate::canonical_leaf::Cache::new(a, b);
    while let Some((i, depth, entry)) = stack.pop() {
        path.truncate(depth);
        if let Some((id, phase)) = entry {
            let p = preactivation(&path, id, a, b).map_err(|r| at(i, r))?;
            path.rows.push(phase_row(&p, phase));
            path.decided.push((id, phase));
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
            Node::Leaf(leaf) => check_leaf(&path, leaf, a, b).map_err(|r| at(i, r))?,
        }
    }
    Ok(())
}

/// A neuron with the phase a child adds on the way in.
type Decision = (NeuronId, Phase);

fn at(i: usize, r: Rejection) -> Rejection {
    Rejection(format!("node {i}: {}", r.0))
}

fn check_leaf(path: &Path, leaf: &Leaf, a: &Network, b: &Network) -> Result<(), Rejection> {
    let fa = output_forms(path, Side::A, a)?;
    let fb = output_forms(path, Side::B, b)?;
    let h: Vec<Affine> = fa
        .iter()
        .zip(&fb)
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p - q).collect())
        .collect();
    let nonzero: Vec<usize> = (0..h.len())
        .filter(|&o| h[o].iter().any(|c| !c.is_zero()))
        .collect();
    match leaf {
        Leaf::Canonical => return reject("a \"canonical\" leaf is checked by its own rule"),
        Leaf::Zero => {
            if let Some(o) = nonzero.first() {
                return reject(format!(
                    "leaf \"zero\": f_a − f_b is not identically zero here (output {o})"
                ));
            }
        }
        Leaf::Bounds(bounds) => {
            for o in nonzero {
                let Some(bd) = bounds.iter().find(|bd| bd.output == o) else {
                    return reject(format!("leaf: no bounds for output {o}"));
                };
                path.check_upper(&bd.upper, &h[o])
                    .map_err(|r| Rejection(format!("output {o} upper bound: {}", r.0)))?;
                path.check_upper(&bd.lower, &neg(&h[o]))
                    .map_err(|r| Rejection(format!("output {o} lower bound: {}", r.0)))?;
            }
        }
    }
    Ok(())
}
