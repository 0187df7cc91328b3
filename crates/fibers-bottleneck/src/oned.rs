//! One-dimensional networks (`n1 = 1`): `f(x) = F(a·x + c)` with `F(y) = G(σ(y))` piecewise
//! linear on `R`. Exact and complete: two such functions agree iff they agree at every
//! breakpoint of either and one step beyond the outermost ones.

use crate::orthant::OrthantData;
use fibers_exact::Rational;
use fibers_net::Network;

/// `F̃(s) = F(a_f s + c)` in the normalised coordinate `s = d·x` (`d = a / a_f`, `a_f` the
/// first nonzero entry of `a`), described by its breakpoints.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The normalised direction `d` (first nonzero entry 1).
    pub direction: Vec<Rational>,
    /// Candidate breakpoints in `s` (sorted, distinct; a superset of the true ones).
    pub candidates: Vec<Rational>,
    data: OrthantData,
    scale: Rational,
    shift: Rational,
}

impl Profile {
    /// The profile of a network with `n1 = 1`; `None` if `n1 ≠ 1` or `a = 0` (then `f` is the
    /// constant `G(σ(c))`).
    pub fn of_network(net: &Network) -> Option<Self> {
        if net.arch().n1 != 1 {
            return None;
        }
        let a = &net.w1()[0];
        let c = net.b1()[0].clone();
        let af = a.iter().find(|x| !x.is_zero())?.clone();
        let inv = af.recip().expect("nonzero");
        let direction: Vec<Rational> = a.iter().map(|x| x * &inv).collect();
        let data = OrthantData::of_network(net);
        // Breakpoints of F in y: 0 and the kinks u = −β̂ (> 0) of G; then s = (y − c)/a_f.
        let mut candidates: Vec<Rational> = std::iter::once(Rational::zero())
            .chain(data.kinks.iter().map(|k| -k.offset()))
            .map(|y| (y - &c) * &inv)
            .collect();
        candidates.sort();
        candidates.dedup();
        Some(Profile {
            direction,
            candidates,
            data,
            scale: af,
            shift: c,
        })
    }
    /// `F̃(s)`.
    pub fn value(&self, s: &Rational) -> Vec<Rational> {
        let y = &self.scale * s + &self.shift;
        let u = if y.is_positive() { y } else { Rational::zero() };
        self.data.eval(&[u])
    }
    /// The true breakpoints with their values, and the slopes left of the first and right of
    /// the last (or `None` when `F̃` is constant: then the value is returned as `right`).
    pub fn normal_form(&self) -> OneDimForm {
        let s = &self.candidates;
        let vals: Vec<Vec<Rational>> = s.iter().map(|x| self.value(x)).collect();
        let one = Rational::one();
        let left_pt = &s[0] - &one;
        let right_pt = &s[s.len() - 1] + &one;
        let slope = |x0: &Rational, v0: &[Rational], x1: &Rational, v1: &[Rational]| {
            let dx = x1 - x0;
            v0.iter()
                .zip(v1)
                .map(|(a, b)| (b - a) / &dx)
                .collect::<Vec<_>>()
        };
        let left_slope = slope(&left_pt, &self.value(&left_pt), &s[0], &vals[0]);
        let right_slope = slope(
            &s[s.len() - 1],
            &vals[s.len() - 1],
            &right_pt,
            &self.value(&right_pt),
        );
        let mut seg = vec![left_slope.clone()];
        for i in 0..s.len() - 1 {
            seg.push(slope(&s[i], &vals[i], &s[i + 1], &vals[i + 1]));
        }
        seg.push(right_slope.clone());
        let breakpoints: Vec<(Rational, Vec<Rational>)> = (0..s.len())
            .filter(|&i| seg[i] != seg[i + 1])
            .map(|i| (s[i].clone(), vals[i].clone()))
            .collect();
        OneDimForm {
            direction: self.direction.clone(),
            breakpoints,
            left_slope,
            right_slope,
            value_at_zero: self.value(&Rational::zero()),
        }
    }
}

/// The normal form of a one-dimensional function `F̃(d·x)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OneDimForm {
    /// `d`, first nonzero entry 1.
    pub direction: Vec<Rational>,
    /// True breakpoints `(s, F̃(s))`, increasing in `s`.
    pub breakpoints: Vec<(Rational, Vec<Rational>)>,
    /// Slope of `F̃` left of the first breakpoint.
    pub left_slope: Vec<Rational>,
    /// Slope of `F̃` right of the last breakpoint.
    pub right_slope: Vec<Rational>,
    /// `F̃(0)` (determines the function when there is no breakpoint).
    pub value_at_zero: Vec<Rational>,
}

impl OneDimForm {
    /// Whether `F̃` is constant.
    pub fn is_constant(&self) -> bool {
        self.breakpoints.is_empty()
    }
}

/// A point `x` with `d·x = s` (`x = s d / |d|²`).
pub fn point_on(direction: &[Rational], s: &Rational) -> Vec<Rational> {
    let norm: Rational = direction.iter().map(|x| x * x).sum();
    let f = s / &norm;
    direction.iter().map(|x| x * &f).collect()
}

/// A point `x` with `d1·x = s1` and `d2·x = s2`, for independent `d1`, `d2` (`None` if they
/// are parallel).
pub fn point_on_two(
    d1: &[Rational],
    s1: &Rational,
    d2: &[Rational],
    s2: &Rational,
) -> Option<Vec<Rational>> {
    let dot =
        |a: &[Rational], b: &[Rational]| a.iter().zip(b).map(|(x, y)| x * y).sum::<Rational>();
    let (g11, g12, g22) = (dot(d1, d1), dot(d1, d2), dot(d2, d2));
    let det = &g11 * &g22 - &g12 * &g12;
    if det.is_zero() {
        return None;
    }
    let alpha = (s1 * &g22 - s2 * &g12) / &det;
    let beta = (s2 * &g11 - s1 * &g12) / &det;
    Some(
        d1.iter()
            .zip(d2)
            .map(|(a, b)| a * &alpha + b * &beta)
            .collect(),
    )
}
