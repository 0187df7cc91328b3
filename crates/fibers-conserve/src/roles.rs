//! Roles of the neurons on the orthant (THEORY §4), used to name the symmetries and to evaluate
//! THEORY's law-count formula.
//!
//! Temporary private stand-in until `fibers-fiber` publishes its role classification; only the
//! few lines this crate needs.

use fibers_net::Network;

/// Role of a layer-2 neuron on the orthant `U = R^{n1}_{≥0}` (THEORY §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// All of `(w, β)` ≤ 0.
    Dead,
    /// All of `(w, β)` ≥ 0.
    Linear,
    /// Mixed signs.
    Crossing,
    /// `v = 0` or `(w, β) = 0`.
    Null,
}

/// The roles of all neurons of a network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roles {
    /// Role of each layer-2 neuron.
    pub layer2: Vec<Role>,
    /// The hidden layer-1 neurons.
    pub hidden: Vec<usize>,
}

impl Roles {
    /// Classifies the neurons of `net`.
    pub fn of(net: &Network) -> Roles {
        let arch = net.arch();
        let layer2: Vec<Role> = (0..arch.n2)
            .map(|k| {
                let v_zero = (0..arch.n3).all(|o| net.w3()[o][k].is_zero());
                let row: Vec<_> = net.w2()[k].iter().chain([&net.b2()[k]]).collect();
                if v_zero || row.iter().all(|r| r.is_zero()) {
                    Role::Null
                } else if row.iter().all(|r| !r.is_positive()) {
                    Role::Dead
                } else if row.iter().all(|r| !r.is_negative()) {
                    Role::Linear
                } else {
                    Role::Crossing
                }
            })
            .collect();
        let hidden = (0..arch.n1)
            .filter(|&j| {
                (0..arch.n2).all(|k| {
                    let v_zero = (0..arch.n3).all(|o| net.w3()[o][k].is_zero());
                    v_zero
                        || (!net.b2()[k].is_positive()
                            && (0..arch.n1).all(|i| i == j || !net.w2()[k][i].is_positive()))
                })
            })
            .collect();
        Roles { layer2, hidden }
    }

    /// The layer-2 neurons with role `r`.
    pub fn with_role(&self, r: Role) -> Vec<usize> {
        (0..self.layer2.len())
            .filter(|&k| self.layer2[k] == r)
            .collect()
    }
}
