//! Short witnesses: a point where two networks differ, with few digits.
//!
//! The set where `f_A ≠ f_B` is open, so a witness stays a witness when it is moved a little.
//! [`shorten`] tries, in order of length, the origin, the unit vectors `±e_i`, and the given
//! witness rounded to denominators `1, 2, 4, …, 2^30` and `10, 100, …, 10^12`, and returns the
//! first point where the outputs differ (exact evaluations; the caller re-certifies it).

use fibers_bottleneck::certified::{witness_certificate, PRODUCER};
use fibers_decide::{Decision, Outcome};
use fibers_exact::{Integer, Rational};
use fibers_net::Network;

/// Total length of the exact text of a point.
fn size(x: &[Rational]) -> usize {
    x.iter().map(|r| r.to_string().len()).sum()
}

/// `r` rounded to the nearest multiple of `1/d`.
fn round_to(r: &Rational, d: &Integer) -> Rational {
    let dr = Rational::from_integer(d.clone());
    let m = (&(r * &dr) + &Rational::ratio(1, 2)).floor();
    Rational::new(m, d.clone()).expect("nonzero denominator")
}

/// A point with fewer digits than `x` where `a` and `b` differ, if one is found.
pub fn shorten(a: &Network, b: &Network, x: &[Rational]) -> Option<Vec<Rational>> {
    let n0 = x.len();
    let limit = size(x);
    let differs = |p: &[Rational]| a.eval(p) != b.eval(p);
    let mut candidates: Vec<Vec<Rational>> = vec![vec![Rational::zero(); n0]];
    for i in 0..n0 {
        for s in [1i64, -1] {
            let mut e = vec![Rational::zero(); n0];
            e[i] = Rational::from(s);
            candidates.push(e);
        }
    }
    let mut dens: Vec<Integer> = (0..=30).map(Integer::pow2).collect();
    dens.extend((1..=12).map(|k| Integer::from(10i64).pow(k)));
    let mut rounded: Vec<Vec<Rational>> = dens
        .iter()
        .map(|d| x.iter().map(|r| round_to(r, d)).collect())
        .collect();
    rounded.sort_by_key(|p| size(p));
    candidates.extend(rounded);
    candidates
        .into_iter()
        .filter(|p| size(p) < limit)
        .find(|p| differs(p))
}

/// Replaces the witness of a `not-equivalent` report by a shorter one (with a new witness
/// certificate) when [`shorten`] finds one; returns whether it did.
pub fn shorten_report(report: &mut Decision, a: &Network, b: &Network) -> bool {
    let Outcome::NotEquivalent { witness, .. } = &report.outcome else {
        return false;
    };
    let Some(x) = shorten(a, b, witness) else {
        return false;
    };
    report.outcome = Outcome::NotEquivalent {
        certificate: witness_certificate(a, b, x.clone(), PRODUCER),
        witness: x,
    };
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_short_points() {
        let r: Rational = "123456789/1000000007".parse().unwrap();
        assert_eq!(round_to(&r, &Integer::from(8i64)), Rational::ratio(1, 8));
        let r: Rational = "-3/2".parse().unwrap();
        assert_eq!(round_to(&r, &Integer::from(1i64)), Rational::from(-1));
    }
}
