//! The symmetry normal form (docs/theory.md §11, Proposition 11.8): a sufficient test for
//! `f_A = f_B` that recognises, in time polynomial and small in the widths, pairs related by
//! permutations, positive scalings, splits of a neuron into positive multiples, dead or zero
//! neurons, and changes inside the always-active ("linear") part of layer 2.
//!
//! [`normal_form`] writes both networks over shared class representatives: each layer-1 neuron
//! `(w, b)` divided by the absolute value of its first nonzero entry (the zero neuron is its own
//! class), layer 2 merged per layer-1 class, each layer-2 row in class coordinates labelled
//! `linear` (every entry `≥ 0`), `dead` (every entry `≤ 0`) or normalised and grouped the same
//! way, and the merged output columns and the linear parts compared. When they agree it returns
//! the `"normal-form"` step that `fibers_check` re-verifies; when they differ it gives up (`None`)
//! — it never says "not equivalent".

use fibers_check::{Certificate, Layer2Member, Member, NormalForm, StepBody};
use fibers_exact::Rational;
use fibers_net::Network;
use std::collections::HashMap;

/// The name and version written into normal-form certificates.
pub const PRODUCER: &str = concat!("fibers-decide normal-form ", env!("CARGO_PKG_VERSION"));

/// A row as a hash-map key: exact equality, hashed by each entry's numerator and denominator
/// in machine words (the rationals' own hash expands a continued fraction, which costs more).
#[derive(PartialEq, Eq)]
struct Key(Vec<Rational>);

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for x in &self.0 {
            match x.to_i64_parts() {
                Some(p) => p.hash(h),
                None => (x.numer().bits(), x.denom().bits()).hash(h),
            }
        }
    }
}

/// Representatives (a list and an index by value), grown as neurons are classified.
#[derive(Default)]
struct Classes {
    reps: Vec<Vec<Rational>>,
    index: HashMap<Key, usize>,
}

impl Classes {
    /// The class and scale of `row`: `row = scale · reps[class]` with `scale` the absolute value
    /// of the first nonzero entry (`1` for the zero row).
    fn member(&mut self, row: Vec<Rational>) -> Member {
        let (key, scale) = match row.iter().find(|x| !x.is_zero()) {
            None => (row, Rational::one()),
            Some(first) => {
                let scale = first.abs();
                if scale == Rational::one() {
                    (row, scale)
                } else {
                    (row.iter().map(|x| x / &scale).collect(), scale)
                }
            }
        };
        let next = self.reps.len();
        let class = *self.index.entry(Key(key)).or_insert_with_key(|k| {
            self.reps.push(k.0.clone());
            next
        });
        Member { class, scale }
    }
}

/// One network over the representatives: the merged output column of every layer-2 class and
/// the linear part (`n3` rows over `(σ(z*), 1)`, `b3` in the last column).
struct Reduced {
    columns: Vec<Vec<Rational>>,
    linear: Vec<Vec<Rational>>,
}

/// The `"normal-form"` step from `a` to `b` when their symmetry normal forms agree, else `None`.
///
/// Computed in machine integers ([`small`]) when every number fits, else in exact rationals;
/// both give the same answer.
pub fn normal_form(a: &Network, b: &Network) -> Option<NormalForm> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return None;
    }
    match small::normal_form(a, b) {
        Ok(nf) => nf,
        Err(small::Overflow) => rational_normal_form(a, b),
    }
}

/// [`normal_form`] in exact rationals (no size limit).
pub fn rational_normal_form(a: &Network, b: &Network) -> Option<NormalForm> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return None;
    }
    let n0 = aa.n0;
    let nets = [a, b];
    // Layer 1.
    let mut l1 = Classes::default();
    let layer1_of = nets.map(|n| {
        (0..n.arch().n1)
            .map(|i| l1.member(n.w1()[i].iter().chain([&n.b1()[i]]).cloned().collect()))
            .collect::<Vec<_>>()
    });
    let m1 = l1.reps.len();
    // A constant class (w* = 0): its σ(b*), folded into the bias.
    let constant1: Vec<Option<Rational>> = l1
        .reps
        .iter()
        .map(|r| {
            r[..n0]
                .iter()
                .all(Rational::is_zero)
                .then(|| r[n0].max_ref(&Rational::zero()).clone())
        })
        .collect();
    // Layer 2 in class coordinates.
    let mut l2 = Classes::default();
    let mut layer2_of: [Vec<Layer2Member>; 2] = Default::default();
    let mut reduced = Vec::with_capacity(2);
    for (s, net) in nets.into_iter().enumerate() {
        let arch = net.arch();
        let mut linear = vec![vec![Rational::zero(); m1 + 1]; arch.n3];
        for (lin, b3) in linear.iter_mut().zip(net.b3()) {
            lin[m1] = b3.clone();
        }
        let mut columns: Vec<(usize, Rational, usize)> = Vec::new(); // (class, scale, neuron)
        for (k, w2) in net.w2().iter().enumerate() {
            let mut row = vec![Rational::zero(); m1 + 1];
            row[m1] = net.b2()[k].clone();
            for (m, w) in layer1_of[s].iter().zip(w2) {
                match &constant1[m.class] {
                    _ if w.is_zero() => {}
                    None => row[m.class] += &m.scale * w,
                    Some(c) if c.is_positive() => row[m1] += &(&m.scale * w) * c,
                    Some(_) => {}
                }
            }
            let role = if row.iter().all(|x| !x.is_positive()) {
                Layer2Member::Dead
            } else if row.iter().all(|x| !x.is_negative()) {
                for (lin, w3) in linear.iter_mut().zip(net.w3()) {
                    if !w3[k].is_zero() {
                        for (acc, x) in lin.iter_mut().zip(&row) {
                            *acc += &w3[k] * x;
                        }
                    }
                }
                Layer2Member::Linear
            } else {
                let m = l2.member(row);
                columns.push((m.class, m.scale.clone(), k));
                Layer2Member::Class(m)
            };
            layer2_of[s].push(role);
        }
        reduced.push((columns, linear));
    }
    // Merged output columns, compared with the linear parts.
    let m2 = l2.reps.len();
    let reduced: Vec<Reduced> = reduced
        .into_iter()
        .zip(nets)
        .map(|((cols, linear), net)| {
            let mut columns = vec![vec![Rational::zero(); aa.n3]; m2];
            for (l, d, k) in cols {
                for (acc, w3) in columns[l].iter_mut().zip(net.w3()) {
                    *acc += &d * &w3[k];
                }
            }
            Reduced { columns, linear }
        })
        .collect();
    let same = reduced[0].columns == reduced[1].columns && reduced[0].linear == reduced[1].linear;
    same.then_some(NormalForm {
        layer1: l1.reps,
        layer1_of,
        layer2: l2.reps,
        layer2_of,
    })
}

/// The one-step `equivalent` certificate of [`normal_form`] (with the networks' hashes), or
/// `None` when the normal forms differ.
pub fn certificate(a: &Network, b: &Network) -> Option<Certificate> {
    Some(certificate_of(a, b, normal_form(a, b)?))
}

/// [`certificate`] as a procedure of a chain: the certificate, or why it gives up.
pub fn run(a: &Network, b: &Network) -> Result<Certificate, String> {
    certificate(a, b).ok_or_else(|| {
        "normal-form: the symmetry normal forms differ (docs/theory.md §11, Proposition 11.8)"
            .to_string()
    })
}

/// The one-step `equivalent` certificate carrying `nf` (with the networks' hashes).
pub fn certificate_of(a: &Network, b: &Network, nf: NormalForm) -> Certificate {
    crate::symmetry::one_step_certificate(a, b, StepBody::NormalForm(nf), PRODUCER)
}

/// The normal form in `i128` arithmetic, every operation checked: each network's layer-2 rows
/// are kept as integer vectors `D·r_k` (one positive integer `D` per network), classes are keyed
/// by primitive integer vectors, and the comparisons are cross-multiplied. Any overflow gives
/// up ([`Overflow`]) for the rational path.
pub mod small {
    use fibers_check::{Layer2Member, Member, NormalForm};
    use fibers_exact::Rational;
    use fibers_net::Network;
    use std::collections::HashMap;

    /// A number did not fit.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Overflow;

    type R<T> = Result<T, Overflow>;

    /// `x` as (numerator, positive denominator).
    fn ratio(x: &Rational) -> R<(i128, i128)> {
        let (n, d) = x.to_i64_parts().ok_or(Overflow)?;
        Ok((n.into(), d.into()))
    }

    fn gcd(a: i128, b: i128) -> i128 {
        let (mut x, mut y) = (a.unsigned_abs(), b.unsigned_abs());
        if let (Ok(mut x), Ok(mut y)) = (u64::try_from(x), u64::try_from(y)) {
            while y != 0 {
                (x, y) = (y, x % y); // in hardware: the common case
            }
            return x.into();
        }
        // Binary gcd: a software 128-bit remainder is slow, shifts are not.
        if x == 0 || y == 0 {
            return (x | y) as i128;
        }
        let shift = (x | y).trailing_zeros();
        x >>= x.trailing_zeros();
        loop {
            y >>= y.trailing_zeros();
            if x > y {
                std::mem::swap(&mut x, &mut y);
            }
            y -= x;
            if y == 0 {
                return (x << shift) as i128; // ≤ max(|a|, |b|) < 2^127 (see `fits`)
            }
        }
    }

    /// `l / d` for a multiple `l` of `d > 0` (no division in the common case `d = 1`).
    fn over(l: i128, d: i128) -> i128 {
        if d == 1 {
            l
        } else {
            l / d
        }
    }

    fn lcm(a: i128, b: i128) -> R<i128> {
        if a == b || b == 1 {
            return Ok(a);
        }
        mul(a / gcd(a, b), b)
    }

    /// Every value stays in `(−2^127, 2^127)`, so absolute values and gcds fit in `i128`.
    fn fits(x: Option<i128>) -> R<i128> {
        x.filter(|&x| x != i128::MIN).ok_or(Overflow)
    }

    fn mul(a: i128, b: i128) -> R<i128> {
        fits(a.checked_mul(b))
    }

    fn add(a: i128, b: i128) -> R<i128> {
        fits(a.checked_add(b))
    }

    /// `v = g · key` with `key` primitive (entries coprime; zero for the zero vector) and
    /// `g ≥ 0`.
    fn primitive(mut v: Vec<i128>) -> (Vec<i128>, i128) {
        let g = v.iter().fold(0, |g, &x| gcd(g, x));
        if g > 1 {
            for x in &mut v {
                *x /= g;
            }
        }
        (v, g)
    }

    /// Primitive keys and their class indices.
    #[derive(Default)]
    struct Classes {
        reps: Vec<Vec<i128>>,
        index: HashMap<Vec<i128>, usize>,
    }

    impl Classes {
        fn class(&mut self, key: Vec<i128>) -> usize {
            let next = self.reps.len();
            *self.index.entry(key).or_insert_with_key(|k| {
                self.reps.push(k.clone());
                next
            })
        }
    }

    /// The integers `−SMALL..=SMALL` as rationals, made once (making a rational from an integer
    /// reduces it, which costs more than a copy).
    const SMALL: i128 = 64;

    fn small_rationals() -> &'static [Rational] {
        static TABLE: std::sync::OnceLock<Vec<Rational>> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| (-SMALL..=SMALL).map(|x| Rational::from(x as i64)).collect())
    }

    /// `n / d` for `d > 0`.
    fn rational(n: i128, d: i128) -> Rational {
        let c = gcd(n, d);
        let (n, d) = (n / c, d / c);
        let q = |x: i128| match i64::try_from(x) {
            _ if (-SMALL..=SMALL).contains(&x) => small_rationals()[(x + SMALL) as usize].clone(),
            Ok(x) => Rational::from(x),
            Err(_) => x.to_string().parse().expect("an integer"),
        };
        if d == 1 {
            q(n)
        } else {
            &q(n) / &q(d)
        }
    }

    /// A layer-2 neuron's role: linear, dead, or (class, `g`) with the row `g·key`.
    enum Role {
        Linear,
        Dead,
        Class(usize, i128),
    }

    /// One network after layer 1: the scales `g_i / l_i` of its layer-1 neurons and their
    /// classes.
    struct Layer1 {
        class: Vec<usize>,
        scale: Vec<(i128, i128)>,
    }

    fn layer1(net: &Network, classes: &mut Classes) -> R<Layer1> {
        let n1 = net.arch().n1;
        let mut out = Layer1 {
            class: Vec::with_capacity(n1),
            scale: Vec::with_capacity(n1),
        };
        for (w, b) in net.w1().iter().zip(net.b1()) {
            let q: Vec<(i128, i128)> = w.iter().chain([b]).map(ratio).collect::<R<_>>()?;
            let l = q.iter().try_fold(1, |l, &(_, d)| lcm(l, d))?;
            let v = q
                .iter()
                .map(|&(n, d)| mul(n, over(l, d)))
                .collect::<R<_>>()?;
            let (key, g) = primitive(v);
            let scale = if g == 0 {
                (1, 1)
            } else {
                let c = gcd(g, l);
                (g / c, l / c)
            };
            out.class.push(classes.class(key));
            out.scale.push(scale);
        }
        Ok(out)
    }

    /// One network reduced: roles, and the merged output columns and linear part as integer
    /// numerators over the positive denominator `den`.
    struct Reduced {
        roles: Vec<Role>,
        /// `D` with rows `D·r_k`, and `den = D·D3`.
        d: i128,
        den: i128,
        columns: Vec<Vec<i128>>,
        linear: Vec<Vec<i128>>,
    }

    /// `constant[j]`: for a class with `w* = 0`, `σ(b*)` (its neurons go into the bias).
    fn reduce(
        net: &Network,
        l1: &Layer1,
        constant: &[Option<i128>],
        classes: &mut Classes,
    ) -> R<Reduced> {
        let (arch, m1) = (net.arch(), constant.len());
        // D = D1·D2: D1 clears the layer-1 scales, D2 the layer-2 parameters.
        let d1 = l1.scale.iter().try_fold(1, |l, &(_, d)| lcm(l, d))?;
        let s: Vec<i128> = l1
            .scale
            .iter()
            .map(|&(n, d)| mul(n, over(d1, d)))
            .collect::<R<_>>()?;
        let w2: Vec<Vec<(i128, i128)>> = net
            .w2()
            .iter()
            .zip(net.b2())
            .map(|(r, b)| r.iter().chain([b]).map(ratio).collect())
            .collect::<R<_>>()?;
        let d2 = w2.iter().flatten().try_fold(1, |l, &(_, d)| lcm(l, d))?;
        let d = mul(d1, d2)?;
        let w3: Vec<Vec<(i128, i128)>> = net
            .w3()
            .iter()
            .zip(net.b3())
            .map(|(r, b)| r.iter().chain([b]).map(ratio).collect())
            .collect::<R<_>>()?;
        let d3 = w3.iter().flatten().try_fold(1, |l, &(_, d)| lcm(l, d))?;
        let w3: Vec<Vec<i128>> = w3
            .iter()
            .map(|r| r.iter().map(|&(n, q)| mul(n, over(d3, q))).collect())
            .collect::<R<_>>()?;
        let den = mul(d, d3)?;
        let mut out = Reduced {
            roles: Vec::with_capacity(arch.n2),
            d,
            den,
            columns: Vec::new(),
            linear: vec![vec![0; m1 + 1]; arch.n3],
        };
        for (lin, w) in out.linear.iter_mut().zip(&w3) {
            lin[m1] = mul(w[arch.n2], d)?;
        }
        let mut crossing = Vec::new();
        for (k, r) in w2.iter().enumerate() {
            let mut row = vec![0i128; m1 + 1];
            let (n, q) = r[arch.n1];
            row[m1] = mul(mul(n, over(d2, q))?, d1)?;
            for (i, &(n, q)) in r[..arch.n1].iter().enumerate() {
                let j = l1.class[i];
                let (j, c) = match constant[j] {
                    None => (j, 1),
                    Some(c) => (m1, c),
                };
                if n != 0 && c != 0 {
                    row[j] = add(row[j], mul(mul(s[i], mul(n, over(d2, q))?)?, c)?)?;
                }
            }
            let role = if row.iter().all(|&x| x <= 0) {
                Role::Dead
            } else if row.iter().all(|&x| x >= 0) {
                for (lin, w) in out.linear.iter_mut().zip(&w3) {
                    if w[k] != 0 {
                        for (acc, &x) in lin.iter_mut().zip(&row) {
                            *acc = add(*acc, mul(w[k], x)?)?;
                        }
                    }
                }
                Role::Linear
            } else {
                let (key, g) = primitive(row);
                let l = classes.class(key);
                crossing.push((l, g, k));
                Role::Class(l, g)
            };
            out.roles.push(role);
        }
        out.columns = vec![vec![0; arch.n3]; classes.reps.len()];
        for (l, g, k) in crossing {
            for (acc, w) in out.columns[l].iter_mut().zip(&w3) {
                *acc = add(*acc, mul(g, w[k])?)?;
            }
        }
        Ok(out)
    }

    /// `x / dx == y / dy` for positive `dx`, `dy`.
    fn same(x: &[i128], dx: i128, y: &[i128], dy: i128) -> R<bool> {
        for (&p, &q) in x.iter().zip(y) {
            if mul(p, dy)? != mul(q, dx)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The normal form of `a` and `b` (same `n0` and `n3`): `Ok(None)` when they differ,
    /// `Err(Overflow)` when a number does not fit in `i128`.
    pub fn normal_form(a: &Network, b: &Network) -> R<Option<NormalForm>> {
        let n0 = a.arch().n0;
        let mut c1 = Classes::default();
        let (la, lb) = (layer1(a, &mut c1)?, layer1(b, &mut c1)?);
        let constant: Vec<Option<i128>> = c1
            .reps
            .iter()
            .map(|r| r[..n0].iter().all(|&x| x == 0).then(|| r[n0].max(0)))
            .collect();
        let mut c2 = Classes::default();
        let mut ra = reduce(a, &la, &constant, &mut c2)?;
        let rb = reduce(b, &lb, &constant, &mut c2)?;
        ra.columns.resize(c2.reps.len(), vec![0; a.arch().n3]);
        let pairs = ra.columns.iter().zip(&rb.columns);
        for (x, y) in pairs.chain(ra.linear.iter().zip(&rb.linear)) {
            if !same(x, ra.den, y, rb.den)? {
                return Ok(None);
            }
        }
        let reps = |c: &Classes| -> Vec<Vec<Rational>> {
            c.reps
                .iter()
                .map(|r| r.iter().map(|&x| rational(x, 1)).collect())
                .collect()
        };
        let members1 = |l: &Layer1| -> Vec<Member> {
            l.class
                .iter()
                .zip(&l.scale)
                .map(|(&class, &(n, d))| Member {
                    class,
                    scale: rational(n, d),
                })
                .collect()
        };
        let members2 = |r: &Reduced| -> Vec<Layer2Member> {
            r.roles
                .iter()
                .map(|role| match *role {
                    Role::Linear => Layer2Member::Linear,
                    Role::Dead => Layer2Member::Dead,
                    Role::Class(class, g) => Layer2Member::Class(Member {
                        class,
                        scale: rational(g, r.d),
                    }),
                })
                .collect()
        };
        Ok(Some(NormalForm {
            layer1: reps(&c1),
            layer1_of: [members1(&la), members1(&lb)],
            layer2: reps(&c2),
            layer2_of: [members2(&ra), members2(&rb)],
        }))
    }
}
