//! The trusted kernel of fibers: the certificate format and an independent checker.
//!
//! A certificate ([`Certificate`]) states a verdict about two networks A and B and carries its
//! evidence: a witness input for `not-equivalent`, a chain of proof steps for `equivalent`.
//! [`check`] recomputes everything from A and B (the constraint rows of every polyhedron, the
//! affine maps at the leaves, the network outputs at a witness) and checks each multiplier
//! vector with exact rational arithmetic. It shares no code with the search that produced the
//! certificate: only the exact numbers (`fibers-exact`) and the network model (`fibers-net`).
//!
//! The format is documented in `docs/certificates.md`.

//!
//! Modules, in dependency order (no cycle): [`types`] (the data), [`read`] and [`write`] (JSON,
//! apart), [`tree`] and [`bottleneck`] (one checker per step kind; [`canonical_leaf`] checks the `"canonical"` leaves of a
//! branch tree), [`kernel`] (verdicts, the
//! witness, the chain of steps, dispatch by kind). The trusted base is `types`, `read`,
//! `kernel`, `tree`, `canonical_leaf`, `bottleneck` and this file, with what they use of `fibers-exact` and
//! `fibers-net`; `write` is the producer's and `fibers check --dump` prints through it.

pub mod bottleneck;
pub mod canonical_leaf;
pub mod kernel;
pub mod read;
pub mod tree;
pub mod types;
pub mod within;
pub mod write;

pub use kernel::{check, CheckOptions};
pub use read::{certificate_from_str, certificate_from_value};
pub use tree::check_branch_tree;
pub use types::{
    BranchTree, Certificate, Leaf, NetworkInfo, NeuronId, Node, OutputBound, Phase, Proof,
    Rejection, Side, Sparse, Step, StepBody, Verdict, Witness, FORMAT, VERSION,
};
pub use write::{certificate_to_string, certificate_to_value, node_to_value};

use fibers_net::Network;
use sha2::{Digest, Sha256};

/// SHA-256 (lower-case hex) of the canonical text of a network
/// ([`fibers_net::json::network_to_string`]): equal for files that differ only in layout or
/// in how the same numbers are written.
pub fn network_hash(net: &Network) -> String {
    let mut text = Vec::new();
    fibers_net::json::write_network(net, &mut text);
    let digest = Sha256::digest(&text);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(2 * digest.len());
    for b in digest {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    hex
}

/// The [`NetworkInfo`] of a network (hash and architecture).
pub fn network_info(net: &Network) -> NetworkInfo {
    let a = net.arch();
    NetworkInfo {
        sha256: network_hash(net),
        architecture: [a.n0, a.n1, a.n2, a.n3],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_exact::Rational;

    /// The hash is the lower-case hex SHA-256 of the canonical text, as it always was (a
    /// certificate written before the fast writer still names its networks).
    #[test]
    fn network_hash_is_the_sha256_of_the_canonical_text() {
        let mut rng = fibers_net::random::Lcg::new(7);
        for _ in 0..20 {
            let arch = fibers_net::Architecture::new(2, 3, 2, 1);
            let mut net = fibers_net::random::random_network(arch, &mut rng);
            net.layer_mut(2).weight[0][0] = Rational::ratio(-7, 1000);
            let text = fibers_net::json::network_to_string(&net);
            let old: String = Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(network_hash(&net), old);
        }
    }
}
