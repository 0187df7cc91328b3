//! The identity test of a cell's canonical data (docs/theory.md §11) in machine integers.
//!
//! When every quantity of a network fits in 64 bits, the layer-2 pre-activations on a cell are
//! kept as `i128` numerators over one denominator per neuron, and the canonical data (affine
//! part and jump per normalised hyperplane) over one common denominator `D` per network:
//! `v_k σ(z_k) = (V_k / D) σ(num_k)` with `V_k = D v_k / d_k` integral. Hyperplanes are keyed
//! by the primitive integer vector of `num_k` with a positive leading coefficient, the jump is
//! `Σ V_k |lead(num_k)|`, and A and B are compared by cross-multiplication. Every operation is
//! checked: an overflow gives `None` and the caller falls back to the rational path. This test
//! can only answer "the data are identical" (the checker recomputes them); a difference is left
//! to the rational path, which builds the fixes or the witness.

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

    /// The canonical data times `D`: affine part (`n3 × (n0 + 1)`, row-major) and the sorted
    /// (primitive key, jump) pairs with zero jumps dropped. `None` on overflow.
    fn data(&self) -> Option<(Vec<i128>, Vec<Jump>)> {
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
        for (z, v) in self.cur.iter().zip(&self.v) {
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

/// Whether the canonical data of the two restricted networks are identical; `None` when the
/// integers overflow (then nothing is known).
pub(crate) fn identical(a: &SmallNet, b: &SmallNet) -> Option<bool> {
    let (fa, ja) = a.data()?;
    let (fb, jb) = b.data()?;
    if !same(&fa, a.dd, &fb, b.dd)? || ja.len() != jb.len() {
        return Some(false);
    }
    for ((ka, va), (kb, vb)) in ja.iter().zip(&jb) {
        if ka != kb || !same(va, a.dd, vb, b.dd)? {
            return Some(false);
        }
    }
    Some(true)
}
