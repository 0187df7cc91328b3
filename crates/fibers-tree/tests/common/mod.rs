//! Shared helpers of the integration tests.

#![allow(dead_code)]

use fibers_check::{check, CheckOptions, Verdict};
use fibers_exact::Rational;
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::{random_network_with_roles, Lcg, Role};
use fibers_tree::{run, Outcome, TreeOptions};

/// Bottleneck architectures (`n1 ≤ n0`).
pub const BOTTLENECK: [(usize, usize, usize, usize); 5] = [
    (2, 2, 2, 1),
    (2, 2, 3, 1),
    (3, 2, 3, 2),
    (3, 3, 3, 1),
    (4, 2, 4, 1),
];

/// Wide architectures (`n1 > n0`).
pub const WIDE: [(usize, usize, usize, usize); 5] = [
    (1, 2, 2, 1),
    (1, 3, 3, 1),
    (2, 3, 3, 1),
    (2, 4, 3, 2),
    (2, 3, 4, 1),
];

pub fn arch(t: (usize, usize, usize, usize)) -> Architecture {
    Architecture::new(t.0, t.1, t.2, t.3)
}

/// A random role, mostly crossing.
pub fn random_role(rng: &mut Lcg) -> Role {
    match rng.below(8) {
        0 => Role::Linear,
        1 => Role::Dead,
        2 => Role::Null,
        _ => Role::Crossing,
    }
}

/// A random network with random layer-2 roles.
pub fn random_base(rng: &mut Lcg, a: Architecture) -> Network {
    let roles: Vec<Role> = (0..a.n2).map(|_| random_role(rng)).collect();
    random_network_with_roles(rng, a, &roles)
}

/// A random network whose layer-2 neurons are all crossing (generic on the orthant).
pub fn crossing_base(rng: &mut Lcg, a: Architecture) -> Network {
    random_network_with_roles(rng, a, &vec![Role::Crossing; a.n2])
}

/// Decides and checks the certificate (also against swapped roles of the hash check);
/// returns the verdict.
pub fn decide_checked(a: &Network, b: &Network) -> (Verdict, Option<Vec<Rational>>) {
    let r = run(a, b, &TreeOptions::default(), &mut |_| {}).expect("decide runs");
    match r.outcome {
        Outcome::Equivalent { certificate } => {
            assert_eq!(
                check(&certificate, a, b, CheckOptions::default()),
                Ok(Verdict::Equivalent),
                "equivalence certificate rejected"
            );
            (Verdict::Equivalent, None)
        }
        Outcome::NotEquivalent {
            witness,
            certificate,
        } => {
            assert_eq!(
                check(&certificate, a, b, CheckOptions::default()),
                Ok(Verdict::NotEquivalent),
                "witness certificate rejected"
            );
            assert_ne!(a.eval(&witness), b.eval(&witness));
            (Verdict::NotEquivalent, Some(witness))
        }
        Outcome::Undecided => panic!("no budget was set"),
    }
}

/// Panics with both networks in JSON when the verdict is not the expected one.
pub fn expect(verdict: Verdict, want: Verdict, what: &str, a: &Network, b: &Network) {
    if verdict != want {
        panic!(
            "{what}: expected {}, decided {}\nA = {}\nB = {}",
            want.as_str(),
            verdict.as_str(),
            fibers_net::json::network_to_string(a),
            fibers_net::json::network_to_string(b)
        );
    }
}

/// Whether `n1 ≤ n0` and `rank W1 = n1`, so that layer 1 maps onto the whole orthant
/// (docs/theory.md §3): the regime where the near misses of docs/theory.md §5 must fail.
pub fn onto_orthant(n: &Network) -> bool {
    let a = n.arch();
    a.is_bottleneck()
        && fibers_exact::linalg::rank(&fibers_exact::Matrix::from_rows(n.w1().to_vec())) == a.n1
}
