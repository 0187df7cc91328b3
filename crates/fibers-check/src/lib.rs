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

pub mod bottleneck;
pub mod canonical_leaf;
pub mod format;
pub mod kernel;
pub mod within;

pub use format::{
    certificate_from_str, certificate_from_value, certificate_to_string, certificate_to_value,
    BranchTree, Certificate, Leaf, NetworkInfo, NeuronId, Node, OutputBound, Phase, Proof, Side,
    Sparse, Step, StepBody, Verdict, Witness, FORMAT, VERSION,
};
pub use kernel::{check, check_branch_tree, CheckOptions, Rejection};

use fibers_net::Network;
use sha2::{Digest, Sha256};

/// SHA-256 (lower-case hex) of the canonical text of a network
/// ([`fibers_net::json::network_to_string`]): equal for files that differ only in layout or
/// in how the same numbers are written.
pub fn network_hash(net: &Network) -> String {
    let text = fibers_net::json::network_to_string(net);
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The [`NetworkInfo`] of a network (hash and architecture).
pub fn network_info(net: &Network) -> NetworkInfo {
    let a = net.arch();
    NetworkInfo {
        sha256: network_hash(net),
        architecture: [a.n0, a.n1, a.n2, a.n3],
    }
}
