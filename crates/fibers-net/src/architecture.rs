//! Architectures `(n0, n1, n2, n3)`.

use std::fmt;

/// The widths of a three-layer network: input `n0`, hidden `n1` and `n2`, output `n3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Architecture {
    /// Input dimension.
    pub n0: usize,
    /// Width of the first hidden layer.
    pub n1: usize,
    /// Width of the second hidden layer.
    pub n2: usize,
    /// Output dimension.
    pub n3: usize,
}

impl Architecture {
    /// The architecture `(n0, n1, n2, n3)`.
    pub fn new(n0: usize, n1: usize, n2: usize, n3: usize) -> Self {
        Architecture { n0, n1, n2, n3 }
    }
    /// The widths as an array `[n0, n1, n2, n3]`.
    pub fn widths(&self) -> [usize; 4] {
        [self.n0, self.n1, self.n2, self.n3]
    }
    /// Number of parameters `D = n1(n0+1) + n2(n1+1) + n3(n2+1)`.
    pub fn param_count(&self) -> usize {
        self.n1 * (self.n0 + 1) + self.n2 * (self.n1 + 1) + self.n3 * (self.n2 + 1)
    }
    /// Whether the first hidden layer is no wider than the input (`n1 ≤ n0`).
    pub fn is_bottleneck(&self) -> bool {
        self.n1 <= self.n0
    }
    /// `(rows, cols)` of the weight of layer `l` (1, 2 or 3).
    pub fn weight_shape(&self, l: usize) -> (usize, usize) {
        let w = self.widths();
        (w[l], w[l - 1])
    }
    /// The names of all parameters in the canonical order of [`crate::Network::params`]:
    /// `W1[j][i]` (row-major), `b1[j]`, `W2[k][j]`, `b2[k]`, `W3[o][k]`, `b3[o]`.
    pub fn param_names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(self.param_count());
        for l in 1..=3 {
            let (r, c) = self.weight_shape(l);
            for i in 0..r {
                for j in 0..c {
                    names.push(format!("W{l}[{i}][{j}]"));
                }
            }
            for i in 0..r {
                names.push(format!("b{l}[{i}]"));
            }
        }
        names
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {}, {}, {})", self.n0, self.n1, self.n2, self.n3)
    }
}
