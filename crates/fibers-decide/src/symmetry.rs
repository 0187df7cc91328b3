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
//! Cost: `O(n1 n0 + n2 n1 + n3 n2)` operations to normalise, on machine-word fractions when
//! every entry and product fits (exact; any overflow redoes the work in rationals), and
//! sorting; no LP, no evaluation.

use fibers_check::bottleneck::{BottleneckStep, Relabeling};
use fibers_check::{network_info, Certificate, Proof, Step, StepBody, Verdict};
use fibers_exact::Rational;
use fibers_net::Network;
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
        };
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

/// The relabelling from A to B when their normal forms in `N` agree; `Ok(None)` on overflow.
fn relabeling_in<N: Num>(
    a: &Network,
    b: &Network,
) -> Result<Option<(Relabeling, Relabeling)>, String> {
    let (Some(fa), Some(fb)) = (Form::<N>::new(a), Form::<N>::new(b)) else {
        return Ok(None);
    };
    if !fa.same_as(&fb) {
        return Err(
            "symmetry: the normal forms under hidden permutations and positive scalings differ"
                .into(),
        );
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

/// The relabelling from `a` to `b` when `a` and `b` have the same normal form under hidden
/// permutations and positive scalings (layer 1, layer 2); `Err(reason)` otherwise, or when the
/// normal form cannot tell some neurons apart in the same way for both networks.
pub fn relabeling(a: &Network, b: &Network) -> Result<(Relabeling, Relabeling), String> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa != ab {
        return Err(format!(
            "symmetry: architectures {aa} and {ab} differ (no relabelling)"
        ));
    }
    if a.b3() != b.b3() {
        return Err("symmetry: the output biases differ".into());
    }
    if let Some(r) = relabeling_in::<Small>(a, b)? {
        return Ok(r);
    }
    Ok(relabeling_in::<Rational>(a, b)?.expect("rationals do not overflow"))
}

/// The certificate of equivalence made of one `relabel` step from `a` to `b`.
pub fn certificate(a: &Network, b: &Network, r1: Relabeling, r2: Relabeling) -> Certificate {
    one_step_certificate(
        a,
        b,
        StepBody::Bottleneck(BottleneckStep::Relabel {
            layer1: Some(r1),
            layer2: Some(r2),
        }),
        PRODUCER,
    )
}

/// The `equivalent` certificate of one step `body` from `a` to `b` (with the networks' hashes),
/// written by `producer`.
pub(crate) fn one_step_certificate(
    a: &Network,
    b: &Network,
    body: StepBody,
    producer: &str,
) -> Certificate {
    Certificate {
        verdict: Verdict::Equivalent,
        a: network_info(a),
        b: network_info(b),
        witness: None,
        proof: Some(Proof {
            steps: vec![Step {
                network: None,
                body,
            }],
        }),
        producer: Some(producer.to_string()),
    }
}

/// The symmetry fast path: a certificate of equivalence made of one `relabel` step when B is A
/// up to hidden permutations and positive scalings (found by the normal forms); `Err(reason)`
/// otherwise (never a `not-equivalent` verdict). Removed, dead or merged neurons are left to
/// [`crate::normal_form`].
pub fn run(a: &Network, b: &Network) -> Result<Certificate, String> {
    let (r1, r2) = relabeling(a, b)?;
    Ok(certificate(a, b, r1, r2))
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
