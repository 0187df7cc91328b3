//! Named variables and their canonical order.
//!
//! A [`Var`] is a name such as `W2[0][1]`, `b1[3]`, `mu` or `x_2`. Valid names start with an
//! ASCII letter and continue with ASCII letters, digits, `_`, `[`, `]` or `'`; anything else is
//! rejected by [`Var::try_new`], so names can always be rendered as text and LaTeX safely.
//!
//! # Network parameters
//!
//! The parameters of a network `f(x) = W3 σ(W2 σ(W1 x + b1) + b2) + b3` are named
//! `W1[j][i]`, `b1[j]`, `W2[k][j]`, `b2[k]`, `W3[o][k]`, `b3[o]`: 0-based indices, the first
//! index is the unit of the layer (the row of the weight matrix). Any layer number `L ≥ 1` is
//! recognised (`W4[0][0]`, `b7[2]`). A name is a *parameter name* only in this exact form,
//! with decimal indices without leading zeros; [`Var::parameter`] recognises it. Build such
//! names with [`Var::w1`], [`Var::b1`], …, [`Var::weight`] and [`Var::bias`].
//!
//! # Canonical order
//!
//! Variables are totally ordered as follows:
//!
//! 1. parameter names come first, by layer (`1, 2, 3, …`), then kind (the weight `W` before
//!    the bias `b` of the same layer), then indices compared numerically (`W2[2][0]` before
//!    `W2[10][0]`); so `W1[·][·] < b1[·] < W2[·][·] < b2[·] < W3[·][·] < b3[·]`;
//! 2. all other names follow, in *natural* order: runs of digits compare as numbers and other
//!    runs compare byte-wise (`x2 < x10 < y`);
//! 3. ties (only possible between names that differ in leading zeros) are broken by comparing
//!    the names byte-wise, so the order is total and agrees with equality of names.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;

/// A network parameter recognised from its name (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// `W{layer}[row][col]`: the weight from unit `col` of layer `layer - 1` to unit `row` of
    /// layer `layer`.
    Weight {
        /// Layer number, at least 1.
        layer: u32,
        /// Unit of this layer (row of the weight matrix).
        row: u64,
        /// Unit of the previous layer (column of the weight matrix).
        col: u64,
    },
    /// `b{layer}[unit]`: the bias of unit `unit` of layer `layer`.
    Bias {
        /// Layer number, at least 1.
        layer: u32,
        /// Unit of this layer.
        unit: u64,
    },
}

impl Parameter {
    /// The layer number.
    pub fn layer(&self) -> u32 {
        match *self {
            Parameter::Weight { layer, .. } | Parameter::Bias { layer, .. } => layer,
        }
    }
}

/// Why a string is not a valid variable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid variable name {0:?}: a name starts with an ASCII letter and continues with \
     letters, digits, '_', '[', ']' or '\\''"
)]
pub struct InvalidVarName(pub String);

/// The comparison key of a name, computed once at construction.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// Parameter: (layer, kind with W = 0 and b = 1, indices).
    Param(u32, u8, Vec<u64>),
    /// Any other name, split into natural-order chunks.
    Other(Vec<Chunk>),
}

/// A chunk of a name for natural ordering: digit runs compare as numbers, other runs
/// byte-wise. Digit runs sort before text runs at the same position.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Chunk {
    /// A run of digits, stored without leading zeros; compared by length, then digits.
    Num(usize, String),
    /// A run of non-digits.
    Text(String),
}

/// A named variable with the canonical total order described in the [module docs](self).
///
/// Cloning is cheap (the name is reference counted).
#[derive(Clone)]
pub struct Var {
    name: Arc<str>,
    key: Key,
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '[' | ']' | '\''))
}

/// Parses a decimal index without sign or leading zeros.
fn parse_index(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn parse_parameter(s: &str) -> Option<Parameter> {
    let (kind, rest) = match s.as_bytes().first()? {
        b'W' => ('W', &s[1..]),
        b'b' => ('b', &s[1..]),
        _ => return None,
    };
    let open = rest.find('[')?;
    let layer: u32 = parse_index(&rest[..open])?.try_into().ok()?;
    if layer == 0 {
        return None;
    }
    let mut indices = Vec::new();
    let mut tail = &rest[open..];
    while !tail.is_empty() {
        let inner = tail.strip_prefix('[')?;
        let close = inner.find(']')?;
        indices.push(parse_index(&inner[..close])?);
        tail = &inner[close + 1..];
    }
    match (kind, indices.as_slice()) {
        ('W', &[row, col]) => Some(Parameter::Weight { layer, row, col }),
        ('b', &[unit]) => Some(Parameter::Bias { layer, unit }),
        _ => None,
    }
}

fn natural_chunks(s: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let digit = bytes[i].is_ascii_digit();
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() == digit {
            i += 1;
        }
        let run = &s[start..i];
        if digit {
            let trimmed = run.trim_start_matches('0');
            chunks.push(Chunk::Num(trimmed.len(), trimmed.to_string()));
        } else {
            chunks.push(Chunk::Text(run.to_string()));
        }
    }
    chunks
}

fn key_of(name: &str) -> Key {
    match parse_parameter(name) {
        Some(Parameter::Weight { layer, row, col }) => Key::Param(layer, 0, vec![row, col]),
        Some(Parameter::Bias { layer, unit }) => Key::Param(layer, 1, vec![unit]),
        None => Key::Other(natural_chunks(name)),
    }
}

impl Var {
    /// The variable with this name, or an error if the name is not valid (see the
    /// [module docs](self)).
    pub fn try_new(name: &str) -> Result<Var, InvalidVarName> {
        if !valid_name(name) {
            return Err(InvalidVarName(name.to_string()));
        }
        Ok(Var {
            name: Arc::from(name),
            key: key_of(name),
        })
    }

    /// The variable with this name. Panics if the name is not valid; meant for names written
    /// in code. Use [`Var::try_new`] (or `str::parse`) for names from input.
    pub fn new(name: &str) -> Var {
        match Var::try_new(name) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    /// The weight `W{layer}[row][col]`. Panics if `layer` is 0.
    pub fn weight(layer: u32, row: usize, col: usize) -> Var {
        assert!(layer >= 1, "layers are numbered from 1");
        Var::new(&format!("W{layer}[{row}][{col}]"))
    }

    /// The bias `b{layer}[unit]`. Panics if `layer` is 0.
    pub fn bias(layer: u32, unit: usize) -> Var {
        assert!(layer >= 1, "layers are numbered from 1");
        Var::new(&format!("b{layer}[{unit}]"))
    }

    /// `W1[j][i]`: the weight from input `i` to hidden unit `j` of the first layer.
    pub fn w1(j: usize, i: usize) -> Var {
        Var::weight(1, j, i)
    }
    /// `b1[j]`: the bias of hidden unit `j` of the first layer.
    pub fn b1(j: usize) -> Var {
        Var::bias(1, j)
    }
    /// `W2[k][j]`: the weight from first-layer unit `j` to second-layer unit `k`.
    pub fn w2(k: usize, j: usize) -> Var {
        Var::weight(2, k, j)
    }
    /// `b2[k]`: the bias of second-layer unit `k`.
    pub fn b2(k: usize) -> Var {
        Var::bias(2, k)
    }
    /// `W3[o][k]`: the weight from second-layer unit `k` to output `o`.
    pub fn w3(o: usize, k: usize) -> Var {
        Var::weight(3, o, k)
    }
    /// `b3[o]`: the bias of output `o`.
    pub fn b3(o: usize) -> Var {
        Var::bias(3, o)
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The network parameter this name denotes, if it is a parameter name.
    pub fn parameter(&self) -> Option<Parameter> {
        match &self.key {
            Key::Param(..) => parse_parameter(&self.name),
            Key::Other(_) => None,
        }
    }
}

impl PartialEq for Var {
    fn eq(&self, other: &Var) -> bool {
        self.name == other.name
    }
}
impl Eq for Var {}

impl Hash for Var {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Ord for Var {
    fn cmp(&self, other: &Var) -> Ordering {
        if Arc::ptr_eq(&self.name, &other.name) {
            return Ordering::Equal;
        }
        self.key
            .cmp(&other.key)
            .then_with(|| self.name.as_bytes().cmp(other.name.as_bytes()))
    }
}
impl PartialOrd for Var {
    fn partial_cmp(&self, other: &Var) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Var {
    type Err = InvalidVarName;
    fn from_str(s: &str) -> Result<Var, InvalidVarName> {
        Var::try_new(s)
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}
impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_round_trip() {
        assert_eq!(Var::w2(0, 1).name(), "W2[0][1]");
        assert_eq!(Var::b1(3).name(), "b1[3]");
        assert_eq!(
            Var::w3(1, 2).parameter(),
            Some(Parameter::Weight {
                layer: 3,
                row: 1,
                col: 2
            })
        );
        assert_eq!(
            Var::new("b2[10]").parameter(),
            Some(Parameter::Bias { layer: 2, unit: 10 })
        );
        for s in [
            "W1[01][0]",
            "W0[0][0]",
            "W1[0]",
            "b1[0][0]",
            "W1[0][0]x",
            "mu",
            "W1",
        ] {
            assert_eq!(Var::new(s).parameter(), None, "{s}");
        }
    }

    #[test]
    fn invalid_names() {
        for s in ["", "1x", "x y", "x\\y", "x{", "_x", "x^2", "μ"] {
            assert!(Var::try_new(s).is_err(), "{s:?}");
        }
        for s in ["x", "mu", "x_1", "W1[0][0]", "x'", "Ab9"] {
            assert!(Var::try_new(s).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn canonical_order() {
        let names = [
            "W1[0][0]",
            "W1[0][1]",
            "W1[0][2]",
            "W1[0][10]",
            "W1[1][0]",
            "W1[2][0]",
            "W1[10][0]",
            "b1[0]",
            "b1[2]",
            "b1[10]",
            "W2[0][0]",
            "b2[0]",
            "W3[0][0]",
            "b3[0]",
            "W4[0][0]",
            "W1[00][0]",
            "W1[01][0]",
            "a",
            "mu",
            "nu",
            "x",
            "x01",
            "x1",
            "x2",
            "x10",
            "x_1",
            "y",
        ];
        let vars: Vec<Var> = names.iter().map(|s| Var::new(s)).collect();
        for (i, a) in vars.iter().enumerate() {
            for (j, b) in vars.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }
}
