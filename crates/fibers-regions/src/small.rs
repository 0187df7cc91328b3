//! The identity test of a cell's canonical data (docs/theory.md §11) in machine integers.
//!
//! When every quantity of a network fits in 64 bits, the layer-2 pre-activations on a cell are
//! kept as `i128` numerators over one denominator per neuron, and the canonical data (affine
//! part and jump per normalised hyperplane) over one common denominator `D` per network:
//! `v_k σ(z_k) = (V_k / D) σ(num_k)` with `V_k = D v_k / d_k` integral. Hyperplanes are keyed
//! by the primitive integer vector of `num_k` with a positive leading coefficient, the jump is
//! `Σ V_k |lead(num_k)|`, and A and B are compared by cross-multiplication. Every operation is
//! checked: an overflow gives `None` and the caller falls back to the rational path. The
//! tests here answer "the data are identical" and, for the closer's second step, which
//! hyperplanes carry differing jumps ([`differing`]) and whether the data agree once given
//! neurons are folded into the affine part ([`identical_fixed`]); a cell they cannot close is
//! left to the rational path, which builds the witness (the checker recomputes everything).

use fibers_exact::{Integer, Rational};
use fibers_net::Network;

/// A primitive hyperplane key and its jump vector (times `D`).
type Jump = (Vec<i128>, Vec<i128>);

/// One network's integer tables.
pub(crate) struct SmallNet {
    n0: usize,
    n3: usize,
    /// The common denominator `D` of the canonical data.
    dd: i128,
    /// `V_k` per neuron that matters (one entry per output).
    v: Vec<Vec<i128>>,
    /// `D b3`.
    b3: Vec<i128>,
    /// `d_k w2_kj (w1_j, b1_j)` per neuron that matters and layer-1 neuron.
    tab: Vec<Vec<Option<Vec<i128>>>>,
    /// The numerators for the layer-1 phases in `active`.
    pub(crate) cur: Vec<Vec<i128>>,
    active: Vec<bool>,
}

/// Entries of the tables are kept below this bound, so that sums of up to `n1 + 1` of them
/// never overflow `i128`.
const ENTRY_BITS: u64 = 62;

fn small(x: &Integer) -> Option<i128> {
    if x.bits() > ENTRY_BITS {
        return None;
    }
    x.to_i64().map(i128::from)
}

fn lcm(a: &Integer, b: &Integer) -> Integer {
    (a * b).abs().div_exact(&a.gcd(b))
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl SmallNet {
    /// The tables of `n` for the neurons `neurons` (index, outgoing column) with denominators
    /// `den` and integer tables `tab`/`base` as in the rational closer; `None` if anything
    /// does not fit.
    pub(crate) fn new(
        n: &Network,
        neurons: &[(usize, Vec<Rational>)],
        den: &[Integer],
        tab: &[Vec<Option<Vec<Integer>>>],
        base: &[Vec<Integer>],
    ) -> Option<SmallNet> {
        let arch = n.arch();
        let mut dd = Integer::one();
        let mut ratios = Vec::new();
        for ((_, v), d) in neurons.iter().zip(den) {
            let d = Rational::from(d.clone());
            let r: Vec<Rational> = v.iter().map(|x| x / &d).collect();
            for x in &r {
                dd = lcm(&dd, &x.denom());
            }
            ratios.push(r);
        }
        for x in n.b3() {
            dd = lcm(&dd, &x.denom());
        }
        let ddq = Rational::from(dd.clone());
        let int = |x: &Rational| small(&(x * &ddq).numer());
        let v = ratios
            .iter()
            .map(|r| r.iter().map(int).collect::<Option<Vec<_>>>())
            .collect::<Option<Vec<_>>>()?;
        let b3 = n.b3().iter().map(int).collect::<Option<Vec<_>>>()?;
        let vec_small = |f: &Vec<Integer>| f.iter().map(small).collect::<Option<Vec<_>>>();
        let tab = tab
            .iter()
            .map(|row| {
                row.iter()
                    .map(|f| match f {
                        Some(f) => vec_small(f).map(Some),
                        None => Some(None),
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        let cur = base.iter().map(vec_small).collect::<Option<Vec<_>>>()?;
        Some(SmallNet {
            n0: arch.n0,
            n3: arch.n3,
            dd: small(&dd)?,
            v,
            b3,
            tab,
            cur,
            active: vec![false; arch.n1],
        })
    }

    /// Sets layer-1 neuron `j` active or inactive.
    pub(crate) fn set(&mut self, j: usize, on: bool) {
        if self.active[j] == on {
            return;
        }
        self.active[j] = on;
        for (t, z) in self.tab.iter().zip(self.cur.iter_mut()) {
            if let Some(f) = &t[j] {
                for (a, c) in z.iter_mut().zip(f) {
                    if on {
                        *a += c;
                    } else {
                        *a -= c;
                    }
                }
            }
        }
    }

    /// The number of layer-2 neurons that matter (the length of [`SmallNet::key`]'s range).
    pub(crate) fn len(&self) -> usize {
        self.cur.len()
    }

    /// The hyperplane of neuron `i` (in the order of the tables): the primitive integer key
    /// with a positive leading coefficient and the factor `g` with `numerator = g · key`;
    /// `None` for a constant pre-activation.
    pub(crate) fn key(&self, i: usize) -> Option<(Vec<i128>, i128)> {
        key_of(&self.cur[i], self.n0)
    }

    /// The canonical data times `D`: affine part (`n3 × (n0 + 1)`, row-major) and the sorted
    /// (primitive key, jump) pairs with zero jumps dropped, with the neurons in `fixed`
    /// (`Some(true)`: active on the cell, `Some(false)`: inactive; empty: none) folded into
    /// the affine part. `None` on overflow.
    fn data(&self, fixed: &[Option<bool>]) -> Option<(Vec<i128>, Vec<Jump>)> {
        let (n0, n3) = (self.n0, self.n3);
        let mut affine = vec![0i128; n3 * (n0 + 1)];
        for (o, b) in self.b3.iter().enumerate() {
            affine[o * (n0 + 1) + n0] = *b;
        }
        let add = |affine: &mut [i128], v: &[i128], z: &[i128]| -> Option<()> {
            for (o, vo) in v.iter().enumerate() {
                if *vo == 0 {
                    continue;
                }
                for (i, c) in z.iter().enumerate() {
                    let a = &mut affine[o * (n0 + 1) + i];
                    *a = a.checked_add(vo.checked_mul(*c)?)?;
                }
            }
            Some(())
        };
        let mut jumps: Vec<Jump> = Vec::new();
        for (i, (z, v)) in self.cur.iter().zip(&self.v).enumerate() {
            match fixed.get(i).copied().flatten() {
                Some(true) => {
                    add(&mut affine, v, z)?;
                    continue;
                }
                Some(false) => continue,
                None => {}
            }
            let Some(c) = z[..n0].iter().copied().find(|c| *c != 0) else {
                if z[n0] > 0 {
                    add(&mut affine, v, z)?;
                }
                continue;
            };
            if c < 0 {
                add(&mut affine, v, z)?;
            }
            let g = z.iter().fold(0u128, |g, x| gcd(g, x.unsigned_abs())) as i128;
            let g = if c < 0 { -g } else { g };
            let key: Vec<i128> = z.iter().map(|x| x / g).collect();
            let abs = c.abs();
            let jump = v
                .iter()
                .map(|vo| vo.checked_mul(abs))
                .collect::<Option<Vec<_>>>()?;
            jumps.push((key, jump));
        }
        jumps.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        let mut merged: Vec<Jump> = Vec::with_capacity(jumps.len());
        for (k, j) in jumps {
            match merged.last_mut() {
                Some((lk, lj)) if *lk == k => {
                    for (a, b) in lj.iter_mut().zip(&j) {
                        *a = a.checked_add(*b)?;
                    }
                }
                _ => merged.push((k, j)),
            }
        }
        merged.retain(|(_, j)| j.iter().any(|x| *x != 0));
        Some((affine, merged))
    }
}

/// Whether `a / da == b / db` entrywise (`da, db > 0`); `None` on overflow.
fn same(a: &[i128], da: i128, b: &[i128], db: i128) -> Option<bool> {
    for (x, y) in a.iter().zip(b) {
        if x.checked_mul(db)? != y.checked_mul(da)? {
            return Some(false);
        }
    }
    Some(true)
}

/// The primitive key of `z` (positive leading coefficient) and `g` with `z = g · key`.
fn key_of(z: &[i128], n0: usize) -> Option<(Vec<i128>, i128)> {
    let c = z[..n0].iter().copied().find(|c| *c != 0)?;
    let g = z.iter().fold(0u128, |g, x| gcd(g, x.unsigned_abs()));
    let g = i128::try_from(g).ok()?;
    let g = if c < 0 { -g } else { g };
    Some((z.iter().map(|x| x / g).collect(), g))
}

/// The keys of the hyperplanes whose jumps differ between the restricted networks (sorted),
/// and whether the affine parts agree; `None` on overflow.
pub(crate) fn differing(a: &SmallNet, b: &SmallNet) -> Option<(Vec<Vec<i128>>, bool)> {
    let (fa, ja) = a.data(&[])?;
    let (fb, jb) = b.data(&[])?;
    let affine_equal = same(&fa, a.dd, &fb, b.dd)?;
    let zero = vec![0i128; a.n3];
    let (mut i, mut j) = (0, 0);
    let mut keys = Vec::new();
    while i < ja.len() || j < jb.len() {
        let order = match (ja.get(i), jb.get(j)) {
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (key, va, vb) = match order {
            std::cmp::Ordering::Less => (&ja[i].0, &ja[i].1, &zero),
            std::cmp::Ordering::Greater => (&jb[j].0, &zero, &jb[j].1),
            std::cmp::Ordering::Equal => (&ja[i].0, &ja[i].1, &jb[j].1),
        };
        if !same(va, a.dd, vb, b.dd)? {
            keys.push(key.clone());
        }
        match order {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    Some((keys, affine_equal))
}

/// Whether the canonical data of the two restricted networks are identical once the neurons
/// in `fa` and `fb` are folded in (see [`SmallNet::data`]); `None` on overflow.
pub(crate) fn identical_fixed(
    a: &SmallNet,
    fa: &[Option<bool>],
    b: &SmallNet,
    fb: &[Option<bool>],
) -> Option<bool> {
    compare(a.data(fa)?, a.dd, b.data(fb)?, b.dd)
}

type Data = (Vec<i128>, Vec<Jump>);

fn compare(da: Data, dda: i128, db: Data, ddb: i128) -> Option<bool> {
    let ((fa, ja), (fb, jb)) = (da, db);
    if !same(&fa, dda, &fb, ddb)? || ja.len() != jb.len() {
        return Some(false);
    }
    for ((ka, va), (kb, vb)) in ja.iter().zip(&jb) {
        if ka != kb || !same(va, dda, vb, ddb)? {
            return Some(false);
        }
    }
    Some(true)
}
