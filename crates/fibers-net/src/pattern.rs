//! Activation patterns: the phase of every hidden neuron at an input.

use fibers_exact::Rational;
use std::fmt;

/// The phase of one ReLU neuron at one input, from the exact sign of its pre-activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Pre-activation `< 0`: the neuron outputs 0.
    Inactive,
    /// Pre-activation `= 0`: on the kink (both formulas agree there).
    Boundary,
    /// Pre-activation `> 0`: the neuron passes its input.
    Active,
}

impl Phase {
    /// The phase of a neuron with pre-activation `t`.
    pub fn of(t: &Rational) -> Phase {
        match t.signum() {
            s if s < 0 => Phase::Inactive,
            0 => Phase::Boundary,
            _ => Phase::Active,
        }
    }
    /// One character: `-`, `0` or `+`.
    pub fn symbol(self) -> char {
        match self {
            Phase::Inactive => '-',
            Phase::Boundary => '0',
            Phase::Active => '+',
        }
    }
}

/// The phases of all hidden neurons at one input.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ActivationPattern {
    /// Phases of the layer-1 neurons.
    pub layer1: Vec<Phase>,
    /// Phases of the layer-2 neurons.
    pub layer2: Vec<Phase>,
}

impl fmt::Display for ActivationPattern {
    /// Writes e.g. `+-0|++-`: layer 1, a bar, layer 2.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.layer1 {
            write!(f, "{}", p.symbol())?;
        }
        write!(f, "|")?;
        for p in &self.layer2 {
            write!(f, "{}", p.symbol())?;
        }
        Ok(())
    }
}
