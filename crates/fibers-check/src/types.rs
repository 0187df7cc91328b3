//! The certificate as data: what a certificate says, with no reading, writing or checking.
//!
//! The format is documented in `docs/certificates.md`; [`crate::read`] builds these values
//! from JSON, [`crate::write`] writes them, [`crate::kernel`] checks them.

use fibers_exact::Rational;
use fibers_net::Network;

/// The value of the `"format"` key.
pub const FORMAT: &str = "fibers-certificate";
/// The version of the format this crate reads and writes.
pub const VERSION: u64 = 1;

/// What a certificate claims about its two networks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// `f_A = f_B` on all of `R^{n0}`.
    Equivalent,
    /// Some input gives different outputs.
    NotEquivalent,
}

impl Verdict {
    /// `"equivalent"` or `"not-equivalent"`, as in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Equivalent => "equivalent",
            Verdict::NotEquivalent => "not-equivalent",
        }
    }
}

/// Identification of one network: a content hash (for a friendly error when the certificate
/// is presented with other files) and its architecture. Soundness never depends on these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkInfo {
    /// SHA-256 (hex) of the canonical text of the network, see [`crate::network_hash`].
    pub sha256: String,
    /// `[n0, n1, n2, n3]`.
    pub architecture: [usize; 4],
}

/// A rational input where the two networks differ (claimed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The input `x` (length `n0`).
    pub x: Vec<Rational>,
    /// `f_A(x)` as claimed by the producer (checked when present).
    pub output_a: Option<Vec<Rational>>,
    /// `f_B(x)` as claimed by the producer (checked when present).
    pub output_b: Option<Vec<Rational>>,
}

/// Which network of a step a neuron belongs to: `a` is the step's source, `b` its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The step's source network.
    A,
    /// The step's target network.
    B,
}

/// A hidden neuron: `"a:1:3"` is neuron 3 (from 0) of layer 1 of the step's source network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NeuronId {
    /// The network.
    pub side: Side,
    /// 1 or 2.
    pub layer: u8,
    /// Index in the layer, from 0.
    pub index: usize,
}

impl std::fmt::Display for NeuronId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self.side {
            Side::A => "a",
            Side::B => "b",
        };
        write!(f, "{s}:{}:{}", self.layer, self.index)
    }
}

impl std::str::FromStr for NeuronId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "expected a neuron such as \"a:1:0\" or \"b:2:3\" (index without leading \
                 zeros), found {s:?}"
            )
        };
        let mut parts = s.split(':');
        let side = match parts.next() {
            Some("a") => Side::A,
            Some("b") => Side::B,
            _ => return Err(bad()),
        };
        let layer = match parts.next() {
            Some("1") => 1,
            Some("2") => 2,
            _ => return Err(bad()),
        };
        let index = parts
            .next()
            .filter(|t| {
                !t.is_empty()
                    && t.bytes().all(|b| b.is_ascii_digit())
                    && t.len() < 10
                    && (*t == "0" || !t.starts_with('0'))
            })
            .and_then(|t| t.parse::<usize>().ok())
            .ok_or_else(bad)?;
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(NeuronId { side, layer, index })
    }
}

/// The closed half of a neuron: pre-activation `≥ 0` (active) or `≤ 0` (inactive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Pre-activation `≥ 0`: the neuron passes it.
    Active,
    /// Pre-activation `≤ 0`: the neuron outputs 0.
    Inactive,
}

impl Phase {
    /// `"active"` or `"inactive"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Active => "active",
            Phase::Inactive => "inactive",
        }
    }
}

/// A sparse vector of multipliers `(constraint index, value)`, indices into the constraints of
/// the node's path (numbered from 0 at the root, in path order).
pub type Sparse = Vec<(usize, Rational)>;

/// One node of a branch tree. Children are referenced by their index in the node list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Both closed halves of a neuron: `active` (pre-activation ≥ 0), `inactive` (≤ 0).
    Split {
        /// The neuron branched on.
        neuron: NeuronId,
        /// Child for the active half.
        active: usize,
        /// Child for the inactive half.
        inactive: usize,
    },
    /// A neuron whose phase holds on the whole polyhedron, with an LP-dual bound certificate.
    Fix {
        /// The neuron.
        neuron: NeuronId,
        /// Its phase on the node's polyhedron.
        phase: Phase,
        /// Multipliers proving the bound (see `docs/certificates.md`).
        bound: Sparse,
        /// The only child (same polyhedron).
        next: usize,
    },
    /// The polyhedron is empty: Farkas multipliers.
    Empty {
        /// `λ ≥ 0` with `λᵀM = 0`, `λᵀm < 0`.
        farkas: Sparse,
    },
    /// All neurons that matter have phases: `h = f_a − f_b` is affine and vanishes on the node.
    Leaf(Leaf),
}

/// How a leaf shows that `h` vanishes on its polyhedron.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// The affine map `h` is identically zero (`C = 0`, `d = 0`).
    Zero,
    /// For every output whose affine map is not identically zero, certificates of
    /// `max h_o ≤ 0` and `min h_o ≥ 0` over the polyhedron.
    Bounds(Vec<OutputBound>),
    /// Every layer-1 neuron feeding the rest has a phase, and the two restricted
    /// one-hidden-layer networks have equal canonical data (see [`crate::canonical_leaf`]).
    Canonical,
}

/// Certificates for one output `o` at a leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputBound {
    /// The output index.
    pub output: usize,
    /// Multipliers proving `h_o ≤ 0` on the polyhedron.
    pub upper: Sparse,
    /// Multipliers proving `h_o ≥ 0` on the polyhedron.
    pub lower: Sparse,
}

/// A branch tree (docs/theory.md §2): node 0 is the root (the polyhedron `R^{n0}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchTree {
    /// The nodes; every child index is larger than its parent's.
    pub nodes: Vec<Node>,
}

/// What one step proves, by kind. Later issues add kinds (`relabel`, `canonical-data`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepBody {
    /// `"kind": "branch-tree"`: the complete decision of docs/theory.md §2.
    BranchTree(BranchTree),
    /// The bottleneck kinds (`relabel`, `canonical-data`, `hidden-shift`, `one-dimensional`,
    /// `constant`): see [`crate::bottleneck`].
    Bottleneck(BottleneckStep),
    /// `"kind": "normal-form"`: equal symmetry normal forms, see [`crate::normal_form`].
    NormalForm(NormalForm),
}

impl StepBody {
    /// The `"kind"` string.
    pub fn kind(&self) -> &'static str {
        match self {
            StepBody::BranchTree(_) => "branch-tree",
            StepBody::Bottleneck(b) => b.kind(),
            StepBody::NormalForm(_) => "normal-form",
        }
    }
}

/// One link `θ_i → θ_{i+1}` of an equivalence chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The target network `θ_{i+1}`; absent on the last step (whose target is B).
    pub network: Option<Network>,
    /// The proof of `f_{θ_i} = f_{θ_{i+1}}`.
    pub body: StepBody,
}

/// A proof of equivalence: a chain of steps from A to B.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// The links, in order from A.
    pub steps: Vec<Step>,
}

/// A whole certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The claim.
    pub verdict: Verdict,
    /// Network A.
    pub a: NetworkInfo,
    /// Network B.
    pub b: NetworkInfo,
    /// Present iff the verdict is `not-equivalent`.
    pub witness: Option<Witness>,
    /// Present iff the verdict is `equivalent`.
    pub proof: Option<Proof>,
    /// Free text naming the program that made the certificate (ignored by the checker).
    pub producer: Option<String>,
}

/// (incoming weights and bias), and its outgoing weights are divided by `scale[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relabeling {
    /// Old unit feeding new unit `i`.
    pub order: Vec<usize>,
    /// Positive factors.
    pub scale: Vec<Rational>,
}

/// One bottleneck step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BottleneckStep {
    /// `target = relabel(source)` (M1, M2), on layer 1 and/or layer 2.
    Relabel {
        /// Relabelling of layer 1 (identity when absent).
        layer1: Option<Relabeling>,
        /// Relabelling of layer 2 (identity when absent).
        layer2: Option<Relabeling>,
    },
    /// Same layer 1 (after `align` is applied to the target's layer 1) and equal canonical data
    /// of `G` on the orthant.
    CanonicalData {
        /// Layer-1 relabelling of the target.
        align: Option<Relabeling>,
    },
    /// The hidden shift M7 of layer-1 neuron `neuron` by `t`.
    HiddenShift {
        /// The layer-1 neuron.
        neuron: usize,
        /// The shift.
        t: Rational,
        /// `true`: target = shift(source); `false`: source = shift(target).
        forward: bool,
    },
    /// Both networks have `n1 = 1`: exact comparison of the one-dimensional functions.
    OneDimensional,
    /// Both functions are constant, with the same value: for each network, `G` is constant on
    /// the orthant or layer 1 is constant (`W1 = 0`).
    Constant,
}

impl BottleneckStep {
    /// The `"kind"` string.
    pub fn kind(&self) -> &'static str {
        match self {
            BottleneckStep::Relabel { .. } => "relabel",
            BottleneckStep::CanonicalData { .. } => "canonical-data",
            BottleneckStep::HiddenShift { .. } => "hidden-shift",
            BottleneckStep::OneDimensional => "one-dimensional",
            BottleneckStep::Constant => "constant",
        }
    }
}

/// A neuron's class in a [`NormalForm`]: its parameters are `scale` (> 0) times the class
/// representative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Index of the representative.
    pub class: usize,
    /// The positive factor.
    pub scale: Rational,
}

/// What a [`NormalForm`] says about one layer-2 neuron.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layer2Member {
    /// Every entry of its row in class coordinates is `≥ 0`: always active.
    Linear,
    /// Every entry of its row in class coordinates is `≤ 0`: always 0.
    Dead,
    /// Its row is a positive multiple of a layer-2 representative.
    Class(Member),
}

/// The `"normal-form"` step (docs/theory.md §11, Proposition 11.8): layer-1 and layer-2 class
/// representatives shared by both networks and each neuron's class. Index 0 of `layer1_of` and
/// `layer2_of` is the step's source (`a`), index 1 its target (`b`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalForm {
    /// Layer-1 representatives `(w*, b*)` (`n0 + 1` entries each).
    pub layer1: Vec<Vec<Rational>>,
    /// The class of every layer-1 neuron, per network.
    pub layer1_of: [Vec<Member>; 2],
    /// Layer-2 representatives in class coordinates (`layer1.len() + 1` entries each).
    pub layer2: Vec<Vec<Rational>>,
    /// The class (or `linear`, `dead`) of every layer-2 neuron, per network.
    pub layer2_of: [Vec<Layer2Member>; 2],
}

/// Why a certificate does not prove its verdict (one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection(pub String);

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Rejection {}
