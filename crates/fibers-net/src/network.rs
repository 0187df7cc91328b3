//! Networks with exact rational parameters and their exact evaluation.

use crate::architecture::Architecture;
use crate::pattern::{ActivationPattern, Phase};
use fibers_exact::Rational;

/// One affine layer: `weight` has one row per unit of the layer (row-major, like PyTorch's
/// `Linear`), `bias` one entry per unit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layer {
    /// Weight matrix, `rows = units of this layer`, `cols = units of the previous layer`.
    pub weight: Vec<Vec<Rational>>,
    /// Bias vector.
    pub bias: Vec<Rational>,
}

impl Layer {
    /// A layer of zeros with the given shape.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Layer {
            weight: vec![vec![Rational::zero(); cols]; rows],
            bias: vec![Rational::zero(); rows],
        }
    }
    /// `weight · x + bias`.
    pub fn apply(&self, x: &[Rational]) -> Vec<Rational> {
        self.weight
            .iter()
            .zip(&self.bias)
            .map(|(row, b)| {
                let mut acc = b.clone();
                for (w, xi) in row.iter().zip(x) {
                    if !w.is_zero() && !xi.is_zero() {
                        acc += w * xi;
                    }
                }
                acc
            })
            .collect()
    }
}

/// A three-layer ReLU network `f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3` with exact parameters.
///
/// The shapes always agree with the architecture (checked on construction).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Network {
    arch: Architecture,
    layers: [Layer; 3],
}

/// The intermediate values of one exact evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// Layer-1 pre-activations `y = W1 x + b1`.
    pub y: Vec<Rational>,
    /// Layer-1 outputs `u = σ(y)`.
    pub u: Vec<Rational>,
    /// Layer-2 pre-activations `z = W2 u + b2`.
    pub z: Vec<Rational>,
    /// Network output `W3 σ(z) + b3`.
    pub output: Vec<Rational>,
}

/// `σ(t) = max(t, 0)`.
pub fn relu(t: &Rational) -> Rational {
    if t.is_positive() {
        t.clone()
    } else {
        Rational::zero()
    }
}

impl Network {
    /// A network from its three layers; `Err` names the first shape that disagrees with `arch`.
    pub fn new(arch: Architecture, layers: [Layer; 3]) -> Result<Self, String> {
        for (idx, layer) in layers.iter().enumerate() {
            let (r, c) = arch.weight_shape(idx + 1);
            if layer.weight.len() != r {
                return Err(format!(
                    "layers[{idx}].weight: expected {r} rows, found {}",
                    layer.weight.len()
                ));
            }
            for (i, row) in layer.weight.iter().enumerate() {
                if row.len() != c {
                    return Err(format!(
                        "layers[{idx}].weight[{i}]: expected {c} entries, found {}",
                        row.len()
                    ));
                }
            }
            if layer.bias.len() != r {
                return Err(format!(
                    "layers[{idx}].bias: expected {r} entries, found {}",
                    layer.bias.len()
                ));
            }
        }
        Ok(Network { arch, layers })
    }
    /// The network of architecture `arch` with all parameters zero.
    pub fn zeros(arch: Architecture) -> Self {
        let layers = [1, 2, 3].map(|l| {
            let (r, c) = arch.weight_shape(l);
            Layer::zeros(r, c)
        });
        Network { arch, layers }
    }
    /// The architecture.
    pub fn arch(&self) -> Architecture {
        self.arch
    }
    /// Layer `l` (1, 2 or 3).
    pub fn layer(&self, l: usize) -> &Layer {
        &self.layers[l - 1]
    }
    /// Mutable access to layer `l` (1, 2 or 3). Callers must keep the shapes.
    pub fn layer_mut(&mut self, l: usize) -> &mut Layer {
        &mut self.layers[l - 1]
    }
    /// All three layers.
    pub fn layers(&self) -> &[Layer; 3] {
        &self.layers
    }
    /// `W1` (n1 × n0).
    pub fn w1(&self) -> &[Vec<Rational>] {
        &self.layers[0].weight
    }
    /// `b1` (n1).
    pub fn b1(&self) -> &[Rational] {
        &self.layers[0].bias
    }
    /// `W2` (n2 × n1).
    pub fn w2(&self) -> &[Vec<Rational>] {
        &self.layers[1].weight
    }
    /// `b2` (n2).
    pub fn b2(&self) -> &[Rational] {
        &self.layers[1].bias
    }
    /// `W3` (n3 × n2).
    pub fn w3(&self) -> &[Vec<Rational>] {
        &self.layers[2].weight
    }
    /// `b3` (n3).
    pub fn b3(&self) -> &[Rational] {
        &self.layers[2].bias
    }
    /// All parameters in the order of [`Architecture::param_names`].
    pub fn params(&self) -> Vec<Rational> {
        let mut out = Vec::with_capacity(self.arch.param_count());
        for layer in &self.layers {
            for row in &layer.weight {
                out.extend(row.iter().cloned());
            }
            out.extend(layer.bias.iter().cloned());
        }
        out
    }
    /// The network with the given parameter vector (order of [`Architecture::param_names`]);
    /// `None` if the length is not `arch.param_count()`.
    pub fn from_params(arch: Architecture, params: &[Rational]) -> Option<Self> {
        if params.len() != arch.param_count() {
            return None;
        }
        let mut it = params.iter().cloned();
        let layers = [1, 2, 3].map(|l| {
            let (r, c) = arch.weight_shape(l);
            let weight = (0..r).map(|_| it.by_ref().take(c).collect()).collect();
            let bias = it.by_ref().take(r).collect();
            Layer { weight, bias }
        });
        Some(Network { arch, layers })
    }
    /// Exact evaluation with all intermediate values. Panics if `x.len() != n0`.
    pub fn trace(&self, x: &[Rational]) -> Trace {
        assert_eq!(x.len(), self.arch.n0, "input has the wrong dimension");
        let y = self.layers[0].apply(x);
        let u: Vec<Rational> = y.iter().map(relu).collect();
        let z = self.layers[1].apply(&u);
        let s: Vec<Rational> = z.iter().map(relu).collect();
        let output = self.layers[2].apply(&s);
        Trace { y, u, z, output }
    }
    /// Exact value `f(x)`. Panics if `x.len() != n0`.
    pub fn eval(&self, x: &[Rational]) -> Vec<Rational> {
        self.trace(x).output
    }
    /// The activation pattern at `x`: the phase of every hidden neuron.
    pub fn pattern(&self, x: &[Rational]) -> ActivationPattern {
        let t = self.trace(x);
        ActivationPattern {
            layer1: t.y.iter().map(Phase::of).collect(),
            layer2: t.z.iter().map(Phase::of).collect(),
        }
    }
}
