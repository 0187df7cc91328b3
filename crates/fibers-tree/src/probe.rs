//! The exact probe before every complete decision: A and B evaluated at a few fixed points, a
//! difference being a witness of `f_A ≠ f_B`.
//!
//! The points ([`ProbePoints`]) are generated one at a time, so a near miss that differs at the
//! first point pays for one point. Each is evaluated in machine integers
//! ([`fibers_net::int_eval`]) when both networks have small parameters, else (or after an
//! overflow) by the exact rational [`Network::eval`]; both give the same exact outputs, which
//! the witness certificate reuses.

use crate::TreeOptions;
use fibers_exact::Rational;
use fibers_net::int_eval::IntNetwork;
use fibers_net::Network;

/// The most coordinates all probe points together hold (besides the origin): probing costs
/// `n0` per point, and a file need not pay for a wide input layer (`[10000, 0, 0, 1]` is 133
/// bytes), so `2 n0 + count` points of width `n0` are cut down to fit (docs/resources.md).
pub const PROBE_ENTRIES: usize = 1 << 20;

/// One probe point `x = num / den` (`den` is 1 or 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbePoint {
    /// The numerators of the coordinates.
    pub num: Vec<i64>,
    /// The common denominator.
    pub den: i64,
}

impl ProbePoint {
    /// The coordinates as exact rationals.
    pub fn to_rationals(&self) -> Vec<Rational> {
        self.num
            .iter()
            .map(|&p| Rational::ratio(p, self.den))
            .collect()
    }
}

/// The probe points in order, one at a time: the origin, `±e_i`, and `count` seeded points
/// with small integer and half-integer coordinates. Beyond the origin, at most
/// [`PROBE_ENTRIES`] coordinates in all: for a wide input the `±e_i` of the first coordinates
/// only, then as many seeded points as fit (the probes only seed the search; the tree decides
/// either way).
#[derive(Clone, Debug)]
pub struct ProbePoints {
    n0: usize,
    units: usize,
    count: usize,
    next: usize,
    rng: ProbeRng,
}

impl ProbePoints {
    /// The points of width `n0`, with `count` seeded ones drawn from `seed`.
    pub fn new(n0: usize, count: usize, seed: u64) -> Self {
        let fit = PROBE_ENTRIES / n0.max(1);
        let units = n0.min(fit / 2);
        ProbePoints {
            n0,
            units,
            count: count.min(fit - 2 * units),
            next: 0,
            rng: ProbeRng::new(seed),
        }
    }
}

impl Iterator for ProbePoints {
    type Item = ProbePoint;
    fn next(&mut self) -> Option<ProbePoint> {
        let k = self.next;
        if k >= 1 + 2 * self.units + self.count {
            return None;
        }
        self.next += 1;
        let mut num = vec![0i64; self.n0];
        if k == 0 {
            return Some(ProbePoint { num, den: 1 });
        }
        if k <= 2 * self.units {
            num[(k - 1) / 2] = if k % 2 == 1 { 1 } else { -1 };
            return Some(ProbePoint { num, den: 1 });
        }
        // Each coordinate k / d with k in [-12, 12] and d in {1, 2}, drawn in this order;
        // written over the common denominator 2.
        for v in &mut num {
            let p = self.rng.range(-12, 12);
            let d = self.rng.range(1, 2);
            *v = p * (2 / d);
        }
        Some(ProbePoint { num, den: 2 })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (1 + 2 * self.units + self.count).saturating_sub(self.next);
        (left, Some(left))
    }
}

/// All probe points as rationals (the points [`ProbePoints`] yields, in order).
pub fn probe_points(n0: usize, count: usize, seed: u64) -> Vec<Vec<Rational>> {
    ProbePoints::new(n0, count, seed)
        .map(|p| p.to_rationals())
        .collect()
}

/// The seeded generator of the probe points: a 64-bit linear congruential generator (Knuth's
/// MMIX constants), high halves of two steps per draw.
#[derive(Clone, Debug)]
struct ProbeRng(u64);

impl ProbeRng {
    fn new(seed: u64) -> Self {
        let mut g = ProbeRng(seed ^ 0x9E37_79B9_7F4A_7C15);
        g.next_u64();
        g
    }
    fn next_u64(&mut self) -> u64 {
        let mut half = || {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 32
        };
        (half() << 32) | half()
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
}

/// `x` over one common denominator in machine integers (`None` when it does not fit).
pub fn integer_point(x: &[Rational]) -> Option<ProbePoint> {
    let parts: Vec<(i64, i64)> = x
        .iter()
        .map(Rational::to_i64_parts)
        .collect::<Option<_>>()?;
    let mut den: i64 = 1;
    for &(_, q) in &parts {
        if den % q != 0 {
            den = den.checked_mul(q / gcd(den, q))?;
        }
    }
    let num = parts
        .iter()
        .map(|&(p, q)| p.checked_mul(den / q))
        .collect::<Option<_>>()?;
    Some(ProbePoint { num, den })
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

/// Two networks with their integer forms (when both exist): exact tests of `f_A(x) ≠ f_B(x)`
/// at any rational point, in machine integers when the numbers fit, else with rationals.
pub struct PairEval<'a> {
    nets: [&'a Network; 2],
    ints: Option<(IntNetwork, IntNetwork)>,
}

impl<'a> PairEval<'a> {
    /// Converts both networks once (`O(params)`).
    pub fn new(a: &'a Network, b: &'a Network) -> Self {
        PairEval {
            nets: [a, b],
            ints: IntNetwork::new(a).zip(IntNetwork::new(b)),
        }
    }

    /// Whether `f_A(x) ≠ f_B(x)`, exactly.
    pub fn differs(&self, x: &[Rational]) -> bool {
        let fast = || {
            let (ia, ib) = self.ints.as_ref()?;
            let p = integer_point(x)?;
            let (oa, ob) = (ia.eval(&p.num, p.den)?, ib.eval(&p.num, p.den)?);
            Some(!oa.same(&ob)?)
        };
        fast().unwrap_or_else(|| self.nets[0].eval(x) != self.nets[1].eval(x))
    }
}

/// A probe point where A and B differ, with both exact outputs (`Network::eval` of each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeWitness {
    /// The point.
    pub x: Vec<Rational>,
    /// `f_A(x)`.
    pub output_a: Vec<Rational>,
    /// `f_B(x)`.
    pub output_b: Vec<Rational>,
}

/// How a [`probe`] went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeReport {
    /// The first point where the networks differ, if any.
    pub witness: Option<ProbeWitness>,
    /// Points evaluated.
    pub points: u64,
    /// Of those, the points evaluated in machine integers.
    pub integer_points: u64,
}

/// Evaluates A and B at the points of [`ProbePoints`]`(n0, opts.probes, opts.seed)` in order
/// and stops at the first where they differ. Exact either way: in machine integers while both
/// networks and values fit ([`IntNetwork`]), else with rationals. The networks must have the
/// same input and output widths.
pub fn probe(a: &Network, b: &Network, opts: &TreeOptions) -> ProbeReport {
    probe_first(a, b, opts, usize::MAX, true)
}

/// [`probe`] on the first `max_points` of those points only; with `rationals == false` it stops
/// (no witness) as soon as the networks or their values do not fit machine integers, so its cost
/// stays bounded by `max_points` integer evaluations (float checkpoints have dyadic weights
/// whose common denominators rarely fit).
pub fn probe_first(
    a: &Network,
    b: &Network,
    opts: &TreeOptions,
    max_points: usize,
    rationals: bool,
) -> ProbeReport {
    let mut report = ProbeReport::default();
    let mut ints = IntNetwork::new(a).zip(IntNetwork::new(b));
    for p in ProbePoints::new(a.arch().n0, opts.probes, opts.seed).take(max_points) {
        if ints.is_none() && !rationals {
            break;
        }
        report.points += 1;
        if let Some((ia, ib)) = &ints {
            let outs = ia.eval(&p.num, p.den).zip(ib.eval(&p.num, p.den));
            match outs.and_then(|(oa, ob)| Some((oa.same(&ob)?, oa, ob))) {
                Some((true, _, _)) => {
                    report.integer_points += 1;
                    continue;
                }
                Some((false, oa, ob)) => {
                    report.integer_points += 1;
                    report.witness = Some(ProbeWitness {
                        x: p.to_rationals(),
                        output_a: oa.to_rationals(),
                        output_b: ob.to_rationals(),
                    });
                    return report;
                }
                // An overflow: the rest in rationals (or stop, without them).
                None => {
                    ints = None;
                    if !rationals {
                        break;
                    }
                }
            }
        }
        let x = p.to_rationals();
        let (oa, ob) = (a.eval(&x), b.eval(&x));
        if oa != ob {
            report.witness = Some(ProbeWitness {
                x,
                output_a: oa,
                output_b: ob,
            });
            return report;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Narrow inputs keep every probe; a wide input (that a file need not pay for) gets the
    /// origin plus at most `PROBE_ENTRIES` coordinates in all (issue 15).
    #[test]
    fn probe_points_fit_the_budget() {
        assert_eq!(probe_points(3, 24, 1).len(), 1 + 6 + 24);
        for n0 in [10_000, 1 << 20] {
            let pts = probe_points(n0, 24, 1);
            assert!(
                !pts.is_empty() && (pts.len() - 1) * n0 <= PROBE_ENTRIES,
                "{n0}"
            );
            assert!(pts.iter().all(|p| p.len() == n0));
        }
        assert_eq!(probe_points(10_000, 24, 1).len(), 1 + 2 * 52);
    }

    /// The points as they were built before they became lazy (all up front), to show that the
    /// order, the seed and every coordinate are unchanged.
    fn reference_points(n0: usize, count: usize, seed: u64) -> Vec<Vec<Rational>> {
        let fit = PROBE_ENTRIES / n0.max(1);
        let units = n0.min(fit / 2);
        let count = count.min(fit - 2 * units);
        let mut pts = vec![vec![Rational::zero(); n0]];
        for i in 0..units {
            for s in [1, -1] {
                let mut e = vec![Rational::zero(); n0];
                e[i] = Rational::from(s);
                pts.push(e);
            }
        }
        let mut rng = ProbeRng::new(seed);
        for _ in 0..count {
            pts.push(
                (0..n0)
                    .map(|_| Rational::ratio(rng.range(-12, 12), rng.range(1, 2)))
                    .collect(),
            );
        }
        pts
    }

    #[test]
    fn lazy_points_are_the_old_points() {
        for (n0, count, seed) in [(1, 24, 1), (3, 24, 1), (6, 24, 7), (10, 0, 1), (2, 100, 99)] {
            assert_eq!(
                probe_points(n0, count, seed),
                reference_points(n0, count, seed),
                "{n0} {count} {seed}"
            );
        }
        let wide = 1 << 19;
        assert_eq!(probe_points(wide, 24, 3), reference_points(wide, 24, 3));
    }
}
