//! The `"canonical"` leaf of a branch tree (docs/theory.md §11).
//!
//! At the leaf every layer-1 neuron that feeds a layer-2 neuron with a nonzero outgoing column
//! has a phase on the path, so on the leaf's polyhedron P each network is a one-hidden-layer
//! network in x: `g(x) = Σ_k v_k σ(z_k(x)) + b3` with `z_k` affine. Layer-2 neurons with a phase
//! on the path (fixed by an LP-dual bound or split earlier) contribute `v_k z_k` (active) or
//! nothing (inactive) to the affine part. Every other `z_k` is written canonically: a constant
//! `z_k = e` contributes `v_k max(e, 0)`; otherwise, with `c` the first nonzero linear
//! coefficient, `σ(z_k) = |c| σ(z_k / c)` when `c > 0` and `= |c| σ(z_k / c) + z_k` when `c < 0`
//! (because `σ(−y) = σ(y) − y`). Summing the jumps `|c| v_k` per hyperplane `z_k / c` gives the
//! canonical data: an affine map plus a jump vector per normalised hyperplane. The checker
//! recomputes this data for both networks from the parameters and the path and requires it to
//! be equal (zero jumps dropped). Then both restricted networks are the same function on all of
//! `R^{n0}`, hence `f_A = f_B` on P. No multiplier is involved: the LP-fixed phases are ordinary
//! `fix` nodes above the leaf, checked there.

use crate::format::{NeuronId, Phase, Side};
use crate::kernel::{Path, Rejection};
use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::HashMap;

type Affine = Vec<Rational>;

/// The affine part (one form per output) and the jump vector of every normalised hyperplane.
type Data = (Vec<Affine>, HashMap<Affine, Vec<Rational>>);

fn id(side: Side, layer: u8, index: usize) -> NeuronId {
    NeuronId { side, layer, index }
}

/// `acc += v ⊗ z` (each output `o` gets `v_o · z`).
fn add_outer(acc: &mut [Affine], v: &[Rational], z: &[Rational]) {
    for (f, vo) in acc.iter_mut().zip(v) {
        if vo.is_zero() {
            continue;
        }
        for (a, c) in f.iter_mut().zip(z) {
            if !c.is_zero() {
                *a += vo * c;
            }
        }
    }
}

/// The canonical data of one network restricted to the path's polyhedron.
fn data(path: &Path, side: Side, n: &Network) -> Result<Data, Rejection> {
    let (n0, arch) = (path.n0, n.arch());
    let phase1: Vec<Option<Phase>> = (0..arch.n1)
        .map(|j| path.phase_of(id(side, 1, j)))
        .collect();
    let mut affine: Vec<Affine> = (0..arch.n3)
        .map(|o| {
            let mut f = vec![Rational::zero(); n0 + 1];
            f[n0] = n.b3()[o].clone();
            f
        })
        .collect();
    let mut jumps: HashMap<Affine, Vec<Rational>> = HashMap::new();
    for k in 0..arch.n2 {
        let v: Vec<Rational> = (0..arch.n3).map(|o| n.w3()[o][k].clone()).collect();
        if v.iter().all(Rational::is_zero) {
            continue;
        }
        let mut z = vec![Rational::zero(); n0 + 1];
        z[n0] = n.b2()[k].clone();
        for (j, w) in n.w2()[k].iter().enumerate() {
            if w.is_zero() {
                continue;
            }
            match phase1[j] {
                None => {
                    return Err(Rejection(format!(
                        "leaf \"canonical\": {} feeds {} but has no phase",
                        id(side, 1, j),
                        id(side, 2, k)
                    )))
                }
                Some(Phase::Inactive) => {}
                Some(Phase::Active) => {
                    for (a, c) in z[..n0].iter_mut().zip(&n.w1()[j]) {
                        if !c.is_zero() {
                            *a += w * c;
                        }
                    }
                    z[n0] += w * &n.b1()[j];
                }
            }
        }
        match path.phase_of(id(side, 2, k)) {
            Some(Phase::Inactive) => continue,
            Some(Phase::Active) => {
                add_outer(&mut affine, &v, &z);
                continue;
            }
            None => {}
        }
        let Some(c) = z[..n0].iter().find(|c| !c.is_zero()).cloned() else {
            if z[n0].is_positive() {
                add_outer(&mut affine, &v, &z);
            }
            continue;
        };
        if c.is_negative() {
            add_outer(&mut affine, &v, &z);
        }
        let key: Affine = z.iter().map(|x| x / &c).collect();
        let abs = c.abs();
        let jump = jumps
            .entry(key)
            .or_insert_with(|| vec![Rational::zero(); arch.n3]);
        for (j, vo) in jump.iter_mut().zip(&v) {
            *j += vo * &abs;
        }
    }
    jumps.retain(|_, j| j.iter().any(|x| !x.is_zero()));
    Ok((affine, jumps))
}

/// Checks a `"canonical"` leaf: equal canonical data of A and B restricted to the path.
pub(crate) fn check(path: &Path, a: &Network, b: &Network) -> Result<(), Rejection> {
    let (fa, ja) = data(path, Side::A, a)?;
    let (fb, jb) = data(path, Side::B, b)?;
    if let Some(o) = (0..fa.len()).find(|&o| fa[o] != fb[o]) {
        return Err(Rejection(format!(
            "leaf \"canonical\": the affine parts of f_a and f_b differ (output {o})"
        )));
    }
    if ja != jb {
        return Err(Rejection(
            "leaf \"canonical\": f_a and f_b have different hyperplanes or jumps".into(),
        ));
    }
    Ok(())
}
