//! A small deterministic generator of networks with small rational entries, for examples,
//! tests and benchmarks (no decision depends on it).

use crate::architecture::Architecture;
use crate::network::Network;
use fibers_exact::Rational;

/// A seeded linear congruential generator (PCG-style output), reproducible on every platform.
#[derive(Clone, Debug)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator with the given seed.
    pub fn new(seed: u64) -> Self {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1))
    }
    /// The next 31 random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    /// A uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u32() as i64) % (hi - lo + 1)
    }
    /// A rational `p/q` with `p` in `-num..=num`, `q` in `1..=den`.
    pub fn rational(&mut self, num: i64, den: i64) -> Rational {
        Rational::ratio(self.range(-num, num), self.range(1, den))
    }
    /// A nonzero rational `p/q` with `0 < |p| ≤ num`, `q` in `1..=den`.
    pub fn nonzero_rational(&mut self, num: i64, den: i64) -> Rational {
        let p = self.range(1, num)
            * if self.next_u32().is_multiple_of(2) {
                1
            } else {
                -1
            };
        Rational::ratio(p, self.range(1, den))
    }
}

/// A network of architecture `arch` with entries `p/q`, `|p| ≤ 9`, `1 ≤ q ≤ 4`.
pub fn random_network(arch: Architecture, rng: &mut Lcg) -> Network {
    let params: Vec<Rational> = (0..arch.param_count())
        .map(|_| rng.rational(9, 4))
        .collect();
    Network::from_params(arch, &params).expect("length matches")
}

/// A point of `R^n` with entries `p/q`, `|p| ≤ 20`, `1 ≤ q ≤ 7`.
pub fn random_point(n: usize, rng: &mut Lcg) -> Vec<Rational> {
    (0..n).map(|_| rng.rational(20, 7)).collect()
}
