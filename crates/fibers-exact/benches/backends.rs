//! Compares the two arithmetic backends on the workloads the rest of fibers leans on: exact
//! LP solving and exact rank. Run once per backend:
//!
//! ```text
//! cargo bench -p fibers-exact --bench backends
//! cargo bench -p fibers-exact --bench backends --features gmp
//! ```
//!
//! Inputs come from a fixed linear congruential generator, so both runs see the same data.

use criterion::{black_box, criterion_main, Criterion};
use fibers_exact::linalg::rank;
use fibers_exact::lp::{solve, LinearProgram, LpOutcome};
use fibers_exact::{backend_name, Matrix, Rational};
use std::time::Duration;

/// A tiny deterministic generator (Knuth's MMIX LCG constants).
struct Lcg(u64);

impl Lcg {
    /// An integer in `lo..=hi`.
    fn next_in(&mut self, lo: i64, hi: i64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + ((self.0 >> 33) % (hi - lo + 1) as u64) as i64
    }
}

/// `maximize c·x, A x ≤ b` with `n` variables and `m` constraints: small integer entries in
/// `A` and `c`, `b > 0` (so `x = 0` is feasible), and every tenth constraint a bound on one
/// coordinate so that the optimum is finite.
fn random_lp(n: usize, m: usize, seed: u64) -> LinearProgram {
    let mut g = Lcg(seed);
    let mut a = Matrix::zeros(m, n);
    for i in 0..m {
        if i < 2 * n {
            // ±x_k ≤ b: a box, so every program is bounded.
            a[(i, i / 2)] = Rational::from(if i % 2 == 0 { 1 } else { -1 });
        } else {
            for j in 0..n {
                a[(i, j)] = Rational::from(g.next_in(-9, 9));
            }
        }
    }
    let b = (0..m).map(|_| Rational::from(g.next_in(1, 20))).collect();
    let c = (0..n).map(|_| Rational::from(g.next_in(-9, 9))).collect();
    LinearProgram::new(a, b, c)
}

/// A `n × n` matrix of small fractions `p / q`.
fn random_matrix(n: usize, seed: u64) -> Matrix {
    let mut g = Lcg(seed);
    Matrix::from_fn(n, n, |_, _| {
        let p = g.next_in(-20, 20);
        let q = g.next_in(1, 12);
        Rational::ratio(p, q)
    })
}

fn benches(c: &mut Criterion) {
    let lps: Vec<LinearProgram> = (0..8).map(|s| random_lp(10, 40, s)).collect();
    assert!(lps
        .iter()
        .all(|lp| matches!(solve(lp), LpOutcome::Optimal { .. })));
    c.benchmark_group("lp_solve_10x40_x8")
        .bench_function(backend_name(), |b| {
            b.iter(|| {
                for lp in &lps {
                    black_box(solve(black_box(lp)));
                }
            })
        });

    let big = random_lp(25, 80, 99);
    assert!(matches!(solve(&big), LpOutcome::Optimal { .. }));
    c.benchmark_group("lp_solve_25x80")
        .bench_function(backend_name(), |b| {
            b.iter(|| black_box(solve(black_box(&big))))
        });

    let m = random_matrix(40, 42);
    assert_eq!(rank(&m), 40);
    c.benchmark_group("rank_40x40")
        .bench_function(backend_name(), |b| {
            b.iter(|| black_box(rank(black_box(&m))))
        });
}

/// The benchmark group (in a module: criterion's macro generates an undocumented function).
mod group {
    use super::{benches, Criterion, Duration};

    criterion::criterion_group! {
        name = backends;
        config = Criterion::default()
            .sample_size(30)
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(6));
        targets = benches
    }
}
criterion_main!(group::backends);
