//! The symmetry fast path: a normal form of a network under the permutations of each hidden
//! layer and the positive scalings of each hidden neuron (moves M1, M2 of docs/theory.md §5),
//! compared exactly; equal normal forms give one checkable `relabel` step from A to B.
//!
//! A hidden neuron `i` of layer 1 is scaled by `c_i = 1 / |first nonzero entry of (W1_i, b1_i)|`
//! (its outgoing column of `W2` divided by `c_i`), so its incoming key `(W1_i, b1_i) c_i` has a
//! first nonzero entry `±1`. A layer-2 neuron `k` is scaled by `d_k = 1 / max |r_{k,i}|` over
//! the entries of its (layer-1-normalised) row `r_k` on the first class of equal nonzero
//! layer-1 keys where the row is nonzero (else `1 / |b2_k|`, else `max |W3 column|`, else 1),
//! its `W3` column divided by `d_k`. A layer-1 neuron with zero incoming weights and bias
//! (always 0) is scaled last, so that its outgoing column has largest `|entry|` 1. Every choice
//! depends only on the neuron's data and on the layer-1 keys, not on the labelling.
//!
//! The neurons are then ordered by a colour refinement on the two layers: layer-1 neurons are
//! coloured by their keys, layer-2 neurons by `(b2_k d_k, W3 column / d_k)`, and each colour
//! class is split by the sorted pairs (colour of the other layer's neuron, weight between the
//! two) until nothing splits; a class that stays is split by taking its lowest-indexed member
//! first. The last choice is not canonical in general (two neurons the refinement cannot tell
//! apart but that are not interchangeable), so the normal forms of two related networks can
//! differ; then this procedure gives up and the next one decides. Equal normal forms always
//! prove equivalence (the step is checked by `fibers_check` like any other): this procedure
//! never answers `not-equivalent`.
//!
//! When the normal forms differ and one network has removable neurons (silent, feeding
//! nothing, zero `W3` column, dead) or neurons with equal keys, both are [`reduce`]d first and
//! the reduced networks compared: a chain of `reduce`, `relabel`, `reduce` steps.
//!
//! Cost: `O(n1 n0 + n2 n1 + n3 n2)` operations to normalise, on machine-word fractions when
//! every entry and product fits (exact; any overflow redoes the work in rationals), and
//! sorting; no LP, no evaluation.

use fibers_check::bottleneck::{BottleneckStep, ReduceMap, Relabeling};
use fibers_check::{network_info, Certificate, Proof, Step, StepBody, Verdict};
use fibers_exact::Rational;
use fibers_net::{Architecture, Layer, Network};
use std::cmp::Ordering;

/// The name and version written into symmetry certificates.
pub const PRODUCER: &str = concat!("fibers-decide symmetry ", env!("CARGO_PKG_VERSION"));

/// The numbers the normal form is computed with: exact rationals ([`Rational`]), or the small
/// fractions of [`Small`] when every entry fits (a hundred times faster; any overflow falls
/// back to [`Rational`]). Operations return `None` on overflow.
trait Num: Clone + Ord + Eq + Sized {
    fn of(r: &Rational) -> Option<Self>;
    fn to_rational(&self) -> Rational;
    fn one() -> Self;
    fn is_zero(&self) -> bool;
    fn is_one(&self) -> bool;
    fn abs(&self) -> Self;
    fn zero() -> Self;
    fn add(&self, o: &Self) -> Option<Self>;
    fn mul(&self, o: &Self) -> Option<Self>;
    /// `self / o` for `o ≠ 0`.
    fn div(&self, o: &Self) -> Option<Self>;
}

impl Num for Rational {
    fn of(r: &Rational) -> Option<Self> {
        Some(r.clone())
    }
    fn to_rational(&self) -> Rational {
        self.clone()
    }
    fn one() -> Self {
        Rational::one()
    }
    fn is_zero(&self) -> bool {
        Rational::is_zero(self)
    }
    fn is_one(&self) -> bool {
        *self == 1
    }
    fn abs(&self) -> Self {
        Rational::abs(self)
    }
    fn zero() -> Self {
        Rational::zero()
    }
    fn add(&self, o: &Self) -> Option<Self> {
        Some(self + o)
    }
    fn mul(&self, o: &Self) -> Option<Self> {
        Some(self * o)
    }
    fn div(&self, o: &Self) -> Option<Self> {
        Some(self / o)
    }
}

/// A fraction `n / d` in lowest terms with `d > 0` and `|n|, d < 2^62` (so cross products fit
/// an `i128` and negation never overflows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Small {
    n: i64,
    d: i64,
}

const SMALL_LIMIT: i64 = 1 << 62;

fn gcd(mut a: i64, mut b: i64) -> i64 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Small {
    fn new(n: i64, d: i64) -> Option<Small> {
        (n.abs() < SMALL_LIMIT && d > 0 && d < SMALL_LIMIT).then_some(Small { n, d })
    }
}

impl Ord for Small {
    fn cmp(&self, o: &Self) -> Ordering {
        (i128::from(self.n) * i128::from(o.d)).cmp(&(i128::from(o.n) * i128::from(self.d)))
    }
}

impl PartialOrd for Small {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Num for Small {
    fn of(r: &Rational) -> Option<Self> {
        let (n, d) = r.to_i64_parts()?;
        Small::new(n, d)
    }
    fn to_rational(&self) -> Rational {
        Rational::ratio(self.n, self.d)
    }
    fn one() -> Self {
        Small { n: 1, d: 1 }
    }
    fn is_zero(&self) -> bool {
        self.n == 0
    }
    fn is_one(&self) -> bool {
        self.n == 1 && self.d == 1
    }
    fn abs(&self) -> Self {
        Small {
            n: self.n.abs(),
            d: self.d,
        }
    }
    fn zero() -> Self {
        Small { n: 0, d: 1 }
    }
    fn add(&self, o: &Self) -> Option<Self> {
        let g = gcd(self.d, o.d);
        let (da, db) = (self.d / g, o.d / g);
        let n = self.n.checked_mul(db)?.checked_add(o.n.checked_mul(da)?)?;
        let d = da.checked_mul(o.d)?;
        let h = gcd(n, d).max(1);
        Small::new(n / h, d / h)
    }
    fn mul(&self, o: &Self) -> Option<Self> {
        if self.n == 0 || o.n == 0 {
            return Some(Small { n: 0, d: 1 });
        }
        let (g1, g2) = (gcd(self.n, o.d), gcd(o.n, self.d));
        let n = (self.n / g1).checked_mul(o.n / g2)?;
        let d = (self.d / g2).checked_mul(o.d / g1)?;
        Small::new(n, d)
    }
    fn div(&self, o: &Self) -> Option<Self> {
        let (n, d) = if o.n < 0 { (-o.d, -o.n) } else { (o.d, o.n) };
        self.mul(&Small { n, d })
    }
}

/// A network's data normalised neuron by neuron (in its own labelling), with the canonical
/// order of each layer.
struct Form<N> {
    /// `c_i` of each layer-1 neuron (the factor applied to its incoming weights).
    c1: Vec<N>,
    /// `(W1_i, b1_i) c_i`.
    in1: Vec<Vec<N>>,
    /// `d_k` of each layer-2 neuron.
    d2: Vec<N>,
    /// `W2[k][i] d_k / c_i`.
    w2: Vec<Vec<N>>,
    /// `b2_k d_k`.
    b2: Vec<N>,
    /// `W3[q][k] / d_k`, by `k` then `q`.
    out2: Vec<Vec<N>>,
    /// Canonical position `p` → neuron.
    order1: Vec<usize>,
    order2: Vec<usize>,
    /// Whether two layer-1 neurons have the same key, or two layer-2 neurons the same
    /// normalised row and bias (candidates for merging, see [`reduce`]).
    dup: bool,
}

/// Dense ranks of `keys` (equal keys, equal ranks; ranks ordered like the keys).
fn ranks<T: Ord>(keys: &[T]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    idx.sort_by(|&i, &j| keys[i].cmp(&keys[j]));
    let mut out = vec![0; keys.len()];
    let mut r = 0;
    for (p, &i) in idx.iter().enumerate() {
        if p > 0 && keys[idx[p - 1]] != keys[i] {
            r += 1;
        }
        out[i] = r;
    }
    out
}

fn classes(col: &[usize]) -> usize {
    col.iter().max().map_or(0, |m| m + 1)
}

/// One refinement of the colours `col` of one layer by the colours `other` of the other layer
/// and the weights `entry(i, k)` between them. Only neurons in classes of size > 1 compute a
/// signature.
fn refine<'a, N: Ord + 'a>(
    col: &[usize],
    other: &[usize],
    entry: impl Fn(usize, usize) -> &'a N,
) -> Vec<usize> {
    let mut size = vec![0usize; classes(col)];
    for &c in col {
        size[c] += 1;
    }
    if size.iter().all(|&s| s <= 1) {
        return col.to_vec();
    }
    let keys: Vec<(usize, Vec<(usize, &N)>)> = col
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let sig = if size[c] > 1 {
                let mut v: Vec<(usize, &N)> = other
                    .iter()
                    .enumerate()
                    .map(|(k, &o)| (o, entry(i, k)))
                    .collect();
                v.sort();
                v
            } else {
                Vec::new()
            };
            (c, sig)
        })
        .collect();
    ranks(&keys)
}

/// Splits the first class of size > 1 of `col` (if any): its lowest-indexed member comes
/// first. Returns whether a class was split.
fn individualise(col: &mut [usize]) -> bool {
    let mut size = vec![0usize; classes(col)];
    for &c in col.iter() {
        size[c] += 1;
    }
    let Some(c) = size.iter().position(|&s| s > 1) else {
        return false;
    };
    let first = col.iter().position(|&x| x == c).expect("class is nonempty");
    let keys: Vec<(usize, bool)> = col
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, x == c && i != first))
        .collect();
    let r = ranks(&keys);
    col.copy_from_slice(&r);
    true
}

/// The largest absolute value, `None` when all are zero.
fn max_abs<'a, N: Num + 'a>(v: impl IntoIterator<Item = &'a N>) -> Option<N> {
    v.into_iter().filter(|x| !x.is_zero()).map(N::abs).max()
}

/// `x · f`, skipping the product when `f = 1`.
fn times<N: Num>(x: &N, f: &N) -> Option<N> {
    if f.is_one() {
        Some(x.clone())
    } else {
        x.mul(f)
    }
}

/// `x / f`, skipping the quotient when `f = 1`.
fn over<N: Num>(x: &N, f: &N) -> Option<N> {
    if f.is_one() {
        Some(x.clone())
    } else {
        x.div(f)
    }
}

impl<N: Num> Form<N> {
    /// The normal form, `None` on overflow of `N`.
    fn new(net: &Network) -> Option<Self> {
        let a = net.arch();
        let conv = |v: &[Rational]| v.iter().map(N::of).collect::<Option<Vec<N>>>();
        let one = N::one();
        // Layer 1: c_i = 1 / |first nonzero of (W1_i, b1_i)|.
        let mut c1 = Vec::with_capacity(a.n1);
        let mut inv1 = Vec::with_capacity(a.n1);
        let mut in1 = Vec::with_capacity(a.n1);
        for i in 0..a.n1 {
            let mut row = conv(&net.w1()[i])?;
            row.push(N::of(&net.b1()[i])?);
            let s = row
                .iter()
                .find(|x| !x.is_zero())
                .map_or_else(|| one.clone(), N::abs);
            let key = row
                .iter()
                .map(|x| over(x, &s))
                .collect::<Option<Vec<N>>>()?;
            in1.push(key);
            c1.push(one.div(&s)?);
            inv1.push(s);
        }
        let col1 = ranks(&in1);
        // Neurons with a zero key (always 0) get their factor from the outgoing column below.
        let zero_key: Vec<bool> = in1.iter().map(|k| k.iter().all(N::is_zero)).collect();
        // Layer 2: rows r_k = W2_k / c (entrywise), then d_k = 1 / m_k with m_k the largest
        // |r_k| on the first layer-1 class (by key, zero key left out) where r_k is nonzero;
        // else |b2_k|; else 1 / max |W3 column|; else 1.
        let mut d2 = Vec::with_capacity(a.n2);
        let mut w2 = Vec::with_capacity(a.n2);
        let mut b2 = Vec::with_capacity(a.n2);
        let mut out2 = Vec::with_capacity(a.n2);
        for k in 0..a.n2 {
            let r = net.w2()[k]
                .iter()
                .zip(&inv1)
                .map(|(w, s)| times(&N::of(w)?, s))
                .collect::<Option<Vec<N>>>()?;
            let bias = N::of(&net.b2()[k])?;
            let out = (0..a.n3)
                .map(|q| N::of(&net.w3()[q][k]))
                .collect::<Option<Vec<N>>>()?;
            let mut best: Option<(usize, N)> = None;
            for (i, x) in r.iter().enumerate() {
                if x.is_zero() || zero_key[i] {
                    continue;
                }
                let ax = x.abs();
                best = match best {
                    None => Some((col1[i], ax)),
                    Some((c, m)) => match col1[i].cmp(&c) {
                        Ordering::Less => Some((col1[i], ax)),
                        Ordering::Equal if ax > m => Some((c, ax)),
                        _ => Some((c, m)),
                    },
                };
            }
            let m = match best {
                Some((_, m)) => m,
                None if !bias.is_zero() => bias.abs(),
                None => match max_abs(&out) {
                    Some(x) => one.div(&x)?,
                    None => one.clone(),
                },
            };
            w2.push(r.iter().map(|x| over(x, &m)).collect::<Option<Vec<N>>>()?);
            b2.push(over(&bias, &m)?);
            out2.push(
                out.iter()
                    .map(|v| times(v, &m))
                    .collect::<Option<Vec<N>>>()?,
            );
            d2.push(one.div(&m)?);
        }
        // Zero-key layer-1 neurons: the largest |entry| of the outgoing column becomes 1.
        for i in (0..a.n1).filter(|&i| zero_key[i]) {
            if let Some(t) = max_abs(w2.iter().map(|row: &Vec<N>| &row[i])) {
                if !t.is_one() {
                    for row in w2.iter_mut() {
                        row[i] = row[i].div(&t)?;
                    }
                    c1[i] = t;
                }
            }
        }
        let mut form = Form {
            c1,
            in1,
            d2,
            w2,
            b2,
            out2,
            order1: Vec::new(),
            order2: Vec::new(),
            dup: false,
        };
        let rows2: Vec<(&Vec<N>, &N)> = form.w2.iter().zip(&form.b2).collect();
        form.dup = classes(&col1) < a.n1 || classes(&ranks(&rows2)) < a.n2;
        form.order(col1);
        Some(form)
    }

    /// Colour refinement and individualisation down to one neuron per colour; sets the orders.
    fn order(&mut self, mut col1: Vec<usize>) {
        let keys2: Vec<(&N, &Vec<N>)> = self.b2.iter().zip(&self.out2).collect();
        let mut col2 = ranks(&keys2);
        let w2 = &self.w2;
        loop {
            // Refine to a fixed point.
            loop {
                let (n1, n2) = (classes(&col1), classes(&col2));
                col2 = refine(&col2, &col1, |k, i| &w2[k][i]);
                col1 = refine(&col1, &col2, |i, k| &w2[k][i]);
                if classes(&col1) == n1 && classes(&col2) == n2 {
                    break;
                }
            }
            if !individualise(&mut col1) && !individualise(&mut col2) {
                break;
            }
        }
        let mut order1 = vec![0; col1.len()];
        for (i, &c) in col1.iter().enumerate() {
            order1[c] = i;
        }
        let mut order2 = vec![0; col2.len()];
        for (k, &c) in col2.iter().enumerate() {
            order2[c] = k;
        }
        self.order1 = order1;
        self.order2 = order2;
    }

    /// Whether the two normal forms are the same (output biases compared by the caller).
    fn same_as(&self, o: &Form<N>) -> bool {
        let (p1, q1, p2, q2) = (&self.order1, &o.order1, &self.order2, &o.order2);
        p1.iter().zip(q1).all(|(&i, &j)| self.in1[i] == o.in1[j])
            && p2.iter().zip(q2).all(|(&k, &l)| {
                self.b2[k] == o.b2[l]
                    && self.out2[k] == o.out2[l]
                    && p1
                        .iter()
                        .zip(q1)
                        .all(|(&i, &j)| self.w2[k][i] == o.w2[l][j])
            })
    }
}

/// Why two normal forms do not give a relabelling: the reason, and whether one of the networks
/// has neurons to merge.
type Miss = (String, bool);

/// The relabelling from A to B when their normal forms in `N` agree; `Ok(None)` on overflow.
fn relabeling_in<N: Num>(
    a: &Network,
    b: &Network,
) -> Result<Option<(Relabeling, Relabeling)>, Miss> {
    let (Some(fa), Some(fb)) = (Form::<N>::new(a), Form::<N>::new(b)) else {
        return Ok(None);
    };
    if !fa.same_as(&fb) {
        return Err((
            "symmetry: the normal forms under hidden permutations and positive scalings differ"
                .into(),
            fa.dup || fb.dup,
        ));
    }
    // N = M_A(A) = M_B(B), so B = M_B⁻¹ M_A (A): B's neuron j (at canonical position p) is A's
    // neuron at position p, scaled by c^A / c^B.
    let compose = |pa: &[usize], pb: &[usize], sa: &[N], sb: &[N]| {
        let mut order = vec![0; pa.len()];
        let mut scale = vec![Rational::zero(); pa.len()];
        for (&i, &j) in pa.iter().zip(pb) {
            order[j] = i;
            scale[j] = match sa[i].div(&sb[j]) {
                Some(x) => x.to_rational(),
                None => &sa[i].to_rational() / &sb[j].to_rational(),
            };
        }
        Relabeling { order, scale }
    };
    let r1 = compose(&fa.order1, &fb.order1, &fa.c1, &fb.c1);
    let r2 = compose(&fa.order2, &fb.order2, &fa.d2, &fb.d2);
    Ok(Some((r1, r2)))
}

fn relabeling_or_miss(a: &Network, b: &Network) -> Result<(Relabeling, Relabeling), Miss> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa != ab {
        return Err((
            format!("symmetry: architectures {aa} and {ab} differ (no relabelling)"),
            true,
        ));
    }
    if a.b3() != b.b3() {
        return Err(("symmetry: the output biases differ".into(), false));
    }
    if let Some(r) = relabeling_in::<Small>(a, b)? {
        return Ok(r);
    }
    Ok(relabeling_in::<Rational>(a, b)?.expect("rationals do not overflow"))
}

/// The relabelling from `a` to `b` when `a` and `b` have the same normal form under hidden
/// permutations and positive scalings (layer 1, layer 2); `Err(reason)` otherwise, or when the
/// normal form cannot tell some neurons apart in the same way for both networks.
pub fn relabeling(a: &Network, b: &Network) -> Result<(Relabeling, Relabeling), String> {
    relabeling_or_miss(a, b).map_err(|(why, _)| why)
}

/// Which neurons a reduction removes: `(silent layer-1, kept layer-1, kept layer-2)`, from
/// signs and zeros only (no arithmetic). Silent: `W1_i = 0`, `b1_i ≤ 0`. A layer-2 neuron is
/// removed when its `W3` column is 0 or it is dead (`b2 ≤ 0`, `W2[k][i] ≤ 0` at every
/// non-silent `i`); a layer-1 neuron when it is silent or feeds no kept layer-2 neuron.
fn removals(net: &Network) -> (Vec<bool>, Vec<bool>, Vec<bool>) {
    let a = net.arch();
    let silent: Vec<bool> = (0..a.n1)
        .map(|i| net.w1()[i].iter().all(Rational::is_zero) && !net.b1()[i].is_positive())
        .collect();
    let keep2: Vec<bool> = (0..a.n2)
        .map(|k| {
            let no_out = (0..a.n3).all(|q| net.w3()[q][k].is_zero());
            let dead = !net.b2()[k].is_positive()
                && (0..a.n1).all(|i| silent[i] || !net.w2()[k][i].is_positive());
            !no_out && !dead
        })
        .collect();
    let keep1: Vec<bool> = (0..a.n1)
        .map(|i| !silent[i] && (0..a.n2).any(|k| keep2[k] && !net.w2()[k][i].is_zero()))
        .collect();
    (silent, keep1, keep2)
}

/// `v / |first nonzero of v|` and that factor (1 when `v = 0`); `None` on overflow.
fn normalised<N: Num>(v: &[N]) -> Option<(Vec<N>, N)> {
    let s = v.iter().find(|x| !x.is_zero()).map_or_else(N::one, N::abs);
    Some((v.iter().map(|x| over(x, &s)).collect::<Option<_>>()?, s))
}

/// A reduced network's data in `N` before it becomes a [`Network`].
struct Reduced<N> {
    rows1: Vec<Vec<N>>,
    rows2: Vec<Vec<N>>,
    outs: Vec<Vec<N>>,
    map1: Vec<Option<(usize, N)>>,
    map2: Vec<Option<(usize, N)>>,
}

/// [`reduce`] in `N`: `None` on overflow.
fn reduce_in<N: Num>(net: &Network, keep1: &[bool], keep2: &[bool]) -> Option<Reduced<N>> {
    let a = net.arch();
    let mut keys1: std::collections::BTreeMap<Vec<N>, usize> = Default::default();
    let mut rows1: Vec<Vec<N>> = Vec::new();
    let mut map1: Vec<Option<(usize, N)>> = vec![None; a.n1];
    for i in (0..a.n1).filter(|&i| keep1[i]) {
        let mut inc = net.w1()[i].iter().map(N::of).collect::<Option<Vec<N>>>()?;
        inc.push(N::of(&net.b1()[i])?);
        let (key, f) = normalised(&inc)?;
        let j = match keys1.get(&key) {
            Some(&j) => j,
            None => {
                keys1.insert(key.clone(), rows1.len());
                rows1.push(key);
                rows1.len() - 1
            }
        };
        map1[i] = Some((j, f));
    }
    let mut keys2: std::collections::BTreeMap<Vec<N>, usize> = Default::default();
    let mut rows2: Vec<Vec<N>> = Vec::new();
    let mut outs: Vec<Vec<N>> = Vec::new();
    let mut map2: Vec<Option<(usize, N)>> = vec![None; a.n2];
    for k in (0..a.n2).filter(|&k| keep2[k]) {
        let mut row: Vec<Option<N>> = vec![None; rows1.len()];
        for (i, e) in map1.iter().enumerate() {
            if let Some((j, f)) = e {
                let x = times(&N::of(&net.w2()[k][i])?, f)?;
                row[*j] = Some(match &row[*j] {
                    None => x,
                    Some(y) => y.add(&x)?,
                });
            }
        }
        let mut row: Vec<N> = row.into_iter().map(|x| x.unwrap_or_else(N::zero)).collect();
        row.push(N::of(&net.b2()[k])?);
        // Scaled by the largest |entry| (not the first nonzero one, whose place depends on the
        // order of the layer-1 rows), so the reduced data do not depend on the labelling.
        let mu = max_abs(&row).unwrap_or_else(N::one);
        let key = row
            .iter()
            .map(|x| over(x, &mu))
            .collect::<Option<Vec<N>>>()?;
        let l = match keys2.get(&key) {
            Some(&l) => l,
            None => {
                keys2.insert(key.clone(), rows2.len());
                rows2.push(key);
                outs.push(vec![N::zero(); a.n3]);
                rows2.len() - 1
            }
        };
        for (q, o) in outs[l].iter_mut().enumerate() {
            *o = o.add(&times(&N::of(&net.w3()[q][k])?, &mu)?)?;
        }
        map2[k] = Some((l, mu));
    }
    Some(Reduced {
        rows1,
        rows2,
        outs,
        map1,
        map2,
    })
}

/// The reduction of `net` checked by the `reduce` step kind: removable neurons removed (see
/// [`removals`]), then layer-1 neurons with equal keys `(W1_i, b1_i) / |first nonzero|` merged
/// (their outgoing columns added with the factors), then layer-2 neurons whose rows through
/// that merge, with the bias, are positive multiples of one another (rows scaled to largest
/// `|entry|` 1). The reduced network and
/// the two maps (a hidden layer may end with no neurons); `None` when nothing is removed or
/// merged.
pub fn reduce(net: &Network) -> Option<(Network, ReduceMap, ReduceMap)> {
    let (_, keep1, keep2) = removals(net);
    match reduce_in::<Small>(net, &keep1, &keep2) {
        Some(r) => finish(net, r),
        None => finish(
            net,
            reduce_in::<Rational>(net, &keep1, &keep2).expect("rationals do not overflow"),
        ),
    }
}

impl<N: Num> Reduced<N> {
    /// Data of the reduced network that a relabelling keeps (the reduced network is the same
    /// up to permutations for networks related by hidden permutations and positive
    /// scalings): the sorted layer-1 rows, and the sorted layer-2 rows each with its weights
    /// sorted, its bias and its `W3` column.
    fn invariant(&self) -> (Vec<Vec<N>>, Vec<Vec<N>>) {
        let mut r1 = self.rows1.clone();
        r1.sort();
        let mut r2: Vec<Vec<N>> = self
            .rows2
            .iter()
            .zip(&self.outs)
            .map(|(row, out)| {
                let (bias, w) = row.split_last().expect("bias");
                let mut v = w.to_vec();
                v.sort();
                v.push(bias.clone());
                v.extend(out.iter().cloned());
                v
            })
            .collect();
        r2.sort();
        (r1, r2)
    }
}

/// The reductions of `a` and `b` for [`run`]: `Err(())` when their invariants already show
/// that the reduced networks are not relabellings of each other.
#[allow(clippy::type_complexity)]
fn reductions(
    a: &Network,
    b: &Network,
) -> Result<
    (
        Option<(Network, ReduceMap, ReduceMap)>,
        Option<(Network, ReduceMap, ReduceMap)>,
    ),
    (),
> {
    let (ra, rb) = (removals(a), removals(b));
    match (
        reduce_in::<Small>(a, &ra.1, &ra.2),
        reduce_in::<Small>(b, &rb.1, &rb.2),
    ) {
        (Some(x), Some(y)) => {
            if x.invariant() != y.invariant() {
                return Err(());
            }
            Ok((finish(a, x), finish(b, y)))
        }
        _ => Ok((reduce(a), reduce(b))),
    }
}

/// The reduced network and the maps, `None` when nothing was removed or merged.
fn finish<N: Num>(net: &Network, r: Reduced<N>) -> Option<(Network, ReduceMap, ReduceMap)> {
    let a = net.arch();
    let (m1, m2) = (r.rows1.len(), r.rows2.len());
    if (m1, m2) == (a.n1, a.n2) {
        return None;
    }
    let arch = Architecture::new(a.n0, m1, m2, a.n3);
    let split = |rows: Vec<Vec<N>>| {
        let (mut w, mut b) = (Vec::new(), Vec::new());
        for mut row in rows {
            b.push(row.pop().expect("bias").to_rational());
            w.push(row.iter().map(N::to_rational).collect());
        }
        Layer { weight: w, bias: b }
    };
    let l3 = Layer {
        weight: (0..a.n3)
            .map(|q| r.outs.iter().map(|o| o[q].to_rational()).collect())
            .collect(),
        bias: net.b3().to_vec(),
    };
    let map = |m: Vec<Option<(usize, N)>>| -> ReduceMap {
        m.into_iter()
            .map(|e| e.map(|(j, f)| (j, f.to_rational())))
            .collect()
    };
    let n = Network::new(arch, [split(r.rows1), split(r.rows2), l3]).expect("shapes agree");
    Some((n, map(r.map1), map(r.map2)))
}

/// The certificate of equivalence made of one `relabel` step from `a` to `b`.
pub fn certificate(a: &Network, b: &Network, r1: Relabeling, r2: Relabeling) -> Certificate {
    chain_certificate(a, b, vec![relabel_step(None, r1, r2)])
}

fn relabel_step(network: Option<Network>, r1: Relabeling, r2: Relabeling) -> Step {
    Step {
        network,
        body: StepBody::Bottleneck(BottleneckStep::Relabel {
            layer1: Some(r1),
            layer2: Some(r2),
        }),
    }
}

fn chain_certificate(a: &Network, b: &Network, steps: Vec<Step>) -> Certificate {
    Certificate {
        verdict: Verdict::Equivalent,
        a: network_info(a),
        b: network_info(b),
        witness: None,
        proof: Some(Proof { steps }),
        producer: Some(PRODUCER.to_string()),
    }
}

/// The symmetry fast path: a certificate of equivalence when B is A up to hidden permutations
/// and positive scalings (found by the normal forms: one `relabel` step), or when the
/// [`reduce`]d networks are (a chain `A → R_A → R_B ← B` of `reduce`, `relabel`, `reduce`
/// steps, a reduction left out when it changes nothing); `Err(reason)` otherwise (never a
/// `not-equivalent` verdict).
pub fn run(a: &Network, b: &Network) -> Result<Certificate, String> {
    let why = match relabeling_or_miss(a, b) {
        Ok((r1, r2)) => return Ok(certificate(a, b, r1, r2)),
        Err((why, dup)) => {
            let removes = |n: &Network| {
                let (_, k1, k2) = removals(n);
                k1.contains(&false) || k2.contains(&false)
            };
            if !dup && !removes(a) && !removes(b) {
                return Err(why);
            }
            why
        }
    };
    let Ok((ra, rb)) = reductions(a, b) else {
        return Err(format!("{why} (also after removing and merging neurons)"));
    };
    if ra.is_none() && rb.is_none() {
        return Err(why);
    }
    let na = ra.as_ref().map_or(a, |r| &r.0);
    let nb = rb.as_ref().map_or(b, |r| &r.0);
    let (r1, r2) =
        relabeling(na, nb).map_err(|e| format!("{e} (also after removing and merging neurons)"))?;
    let mut steps = Vec::new();
    if let Some((n, layer1, layer2)) = ra {
        steps.push(Step {
            network: Some(n),
            body: StepBody::Bottleneck(BottleneckStep::Reduce {
                layer1,
                layer2,
                forward: true,
            }),
        });
    }
    steps.push(relabel_step(rb.as_ref().map(|r| r.0.clone()), r1, r2));
    if let Some((_, layer1, layer2)) = rb {
        steps.push(Step {
            network: None,
            body: StepBody::Bottleneck(BottleneckStep::Reduce {
                layer1,
                layer2,
                forward: false,
            }),
        });
    }
    Ok(chain_certificate(a, b, steps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_fractions_are_exact_or_overflow() {
        let x = Small::of(&Rational::ratio(-6, 4)).unwrap();
        assert_eq!(x, Small { n: -3, d: 2 });
        let y = Small::of(&Rational::ratio(10, -9)).unwrap();
        assert_eq!(x.mul(&y).unwrap().to_rational(), Rational::ratio(5, 3));
        assert_eq!(x.div(&y).unwrap().to_rational(), Rational::ratio(27, 20));
        assert!(x < y.abs() && y < x.abs());
        assert_eq!(x.add(&y).unwrap().to_rational(), Rational::ratio(-47, 18));
        assert_eq!(x.add(&x.abs()).unwrap(), Small::zero());
        let big = Small::new((1 << 61) + 1, 1).unwrap();
        assert!(big.mul(&big).is_none());
        assert!(Small::of(&"18446744073709551617".parse().unwrap()).is_none());
    }

    #[test]
    fn ranks_are_dense_and_ordered() {
        assert_eq!(ranks(&[3, 1, 3, 2]), vec![2, 0, 2, 1]);
        let mut c = vec![1, 0, 1, 0];
        assert!(individualise(&mut c));
        assert_eq!(c, vec![2, 0, 2, 1]);
    }
}
