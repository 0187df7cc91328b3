//! The certificate format: types, reading (with located errors) and writing.
//!
//! The full description, with examples, is `docs/certificates.md` at the root of the
//! repository. In short:
//!
//! ```json
//! { "format": "fibers-certificate", "version": 1,
//!   "verdict": "equivalent" | "not-equivalent",
//!   "networks": { "a": {"sha256": "…", "architecture": [n0, n1, n2, n3]}, "b": {…} },
//!   "witness": { "x": [...], "output_a": [...], "output_b": [...] },      // not-equivalent
//!   "proof": { "steps": [ { "kind": "branch-tree", "nodes": [...] } ] } }  // equivalent
//! ```
//!
//! Numbers are JSON integers or strings `"p/q"` (read exactly, never as floats).

use fibers_exact::Rational;
use fibers_net::json::{
    network_from_value, network_to_value, rational_from_value, rational_to_value,
    vector_from_value, vector_to_value,
};
use fibers_net::{LoadError, Network};
use serde_json::{Map, Value};

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
        let bad = || format!("expected a neuron such as \"a:1:0\" or \"b:2:3\", found {s:?}");
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
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() < 10)
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
    Bottleneck(crate::bottleneck::BottleneckStep),
}

impl StepBody {
    /// The `"kind"` string.
    pub fn kind(&self) -> &'static str {
        match self {
            StepBody::BranchTree(_) => "branch-tree",
            StepBody::Bottleneck(b) => b.kind(),
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

// ---------------------------------------------------------------------------------------
// Reading

struct Reader<'s> {
    source: &'s str,
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Reader<'_> {
    fn err(&self, place: &str, msg: impl Into<String>) -> LoadError {
        LoadError::new(self.source, place, msg)
    }
    fn object<'v>(
        &self,
        v: &'v Value,
        place: &str,
        allowed: &[&str],
    ) -> Result<&'v Map<String, Value>, LoadError> {
        let m = v
            .as_object()
            .ok_or_else(|| self.err(place, format!("expected an object, found {}", kind_of(v))))?;
        if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(self.err(
                place,
                format!(
                    "unknown key \"{}\" (expected one of {})",
                    k.escape_debug(),
                    allowed.join(", ")
                ),
            ));
        }
        Ok(m)
    }
    fn field<'v>(
        &self,
        m: &'v Map<String, Value>,
        key: &str,
        place: &str,
    ) -> Result<&'v Value, LoadError> {
        m.get(key)
            .ok_or_else(|| self.err(place, format!("missing key \"{key}\"")))
    }
    fn string<'v>(&self, v: &'v Value, place: &str) -> Result<&'v str, LoadError> {
        v.as_str()
            .ok_or_else(|| self.err(place, format!("expected a string, found {}", kind_of(v))))
    }
    fn array<'v>(&self, v: &'v Value, place: &str) -> Result<&'v Vec<Value>, LoadError> {
        v.as_array()
            .ok_or_else(|| self.err(place, format!("expected an array, found {}", kind_of(v))))
    }
    fn index(&self, v: &Value, place: &str) -> Result<usize, LoadError> {
        v.as_u64()
            .filter(|&n| n <= u32::MAX as u64)
            .map(|n| n as usize)
            .ok_or_else(|| {
                self.err(
                    place,
                    format!("expected a non-negative integer index, found {v}"),
                )
            })
    }
    fn sparse(&self, v: &Value, place: &str) -> Result<Sparse, LoadError> {
        let arr = self.array(v, place)?;
        let mut out = Vec::with_capacity(arr.len());
        for (i, e) in arr.iter().enumerate() {
            let p = format!("{place}[{i}]");
            let pair = self.array(e, &p)?;
            if pair.len() != 2 {
                return Err(self.err(
                    &p,
                    format!(
                        "expected a pair [index, value], found {} entries",
                        pair.len()
                    ),
                ));
            }
            let idx = self.index(&pair[0], &format!("{p}[0]"))?;
            let val = rational_from_value(&pair[1], self.source, &format!("{p}[1]"))?;
            out.push((idx, val));
        }
        Ok(out)
    }
    fn neuron(&self, v: &Value, place: &str) -> Result<NeuronId, LoadError> {
        self.string(v, place)?
            .parse::<NeuronId>()
            .map_err(|m| self.err(place, m))
    }
    fn info(&self, v: &Value, place: &str) -> Result<NetworkInfo, LoadError> {
        let m = self.object(v, place, &["sha256", "architecture"])?;
        let sha256 = self
            .string(self.field(m, "sha256", place)?, &format!("{place}.sha256"))?
            .to_string();
        let ap = format!("{place}.architecture");
        let arr = self.array(self.field(m, "architecture", place)?, &ap)?;
        if arr.len() != 4 {
            return Err(self.err(&ap, format!("expected 4 widths, found {}", arr.len())));
        }
        let mut architecture = [0usize; 4];
        for (i, w) in arr.iter().enumerate() {
            architecture[i] = self.index(w, &format!("{ap}[{i}]"))?;
        }
        Ok(NetworkInfo {
            sha256,
            architecture,
        })
    }
    fn node(&self, v: &Value, place: &str, position: usize) -> Result<Node, LoadError> {
        let m = v
            .as_object()
            .ok_or_else(|| self.err(place, format!("expected an object, found {}", kind_of(v))))?;
        if let Some(id) = m.get("id") {
            let id = self.index(id, &format!("{place}.id"))?;
            if id != position {
                return Err(self.err(
                    &format!("{place}.id"),
                    format!(
                        "node ids must equal their position in the list ({position}), found {id}"
                    ),
                ));
            }
        }
        let child = |key: &str| -> Result<usize, LoadError> {
            self.index(self.field(m, key, place)?, &format!("{place}.{key}"))
        };
        if m.contains_key("split") {
            self.object(v, place, &["id", "split", "active", "inactive"])?;
            Ok(Node::Split {
                neuron: self.neuron(&m["split"], &format!("{place}.split"))?,
                active: child("active")?,
                inactive: child("inactive")?,
            })
        } else if m.contains_key("fix") {
            self.object(v, place, &["id", "fix", "phase", "bound", "next"])?;
            let pp = format!("{place}.phase");
            let phase = match self.string(self.field(m, "phase", place)?, &pp)? {
                "active" => Phase::Active,
                "inactive" => Phase::Inactive,
                other => {
                    return Err(self.err(
                        &pp,
                        format!("expected \"active\" or \"inactive\", found {other:?}"),
                    ))
                }
            };
            Ok(Node::Fix {
                neuron: self.neuron(&m["fix"], &format!("{place}.fix"))?,
                phase,
                bound: self.sparse(self.field(m, "bound", place)?, &format!("{place}.bound"))?,
                next: child("next")?,
            })
        } else if m.contains_key("empty") {
            self.object(v, place, &["id", "empty"])?;
            Ok(Node::Empty {
                farkas: self.sparse(&m["empty"], &format!("{place}.empty"))?,
            })
        } else if m.contains_key("leaf") {
            self.object(v, place, &["id", "leaf", "bounds"])?;
            let lp = format!("{place}.leaf");
            match self.string(&m["leaf"], &lp)? {
                "zero" => {
                    if m.contains_key("bounds") {
                        return Err(self.err(place, "a \"zero\" leaf takes no \"bounds\""));
                    }
                    Ok(Node::Leaf(Leaf::Zero))
                }
                "canonical" if !m.contains_key("bounds") => Ok(Node::Leaf(Leaf::Canonical)),
                "bounds" => {
                    let bp = format!("{place}.bounds");
                    let arr = self.array(self.field(m, "bounds", place)?, &bp)?;
                    let mut out = Vec::with_capacity(arr.len());
                    for (i, b) in arr.iter().enumerate() {
                        let p = format!("{bp}[{i}]");
                        let bm = self.object(b, &p, &["output", "upper", "lower"])?;
                        out.push(OutputBound {
                            output: self
                                .index(self.field(bm, "output", &p)?, &format!("{p}.output"))?,
                            upper: self
                                .sparse(self.field(bm, "upper", &p)?, &format!("{p}.upper"))?,
                            lower: self
                                .sparse(self.field(bm, "lower", &p)?, &format!("{p}.lower"))?,
                        });
                    }
                    Ok(Node::Leaf(Leaf::Bounds(out)))
                }
                other => Err(self.err(
                    &lp,
                    format!("expected \"zero\", \"bounds\" or \"canonical\" (no bounds), found {other:?}"),
                )),
            }
        } else {
            Err(self.err(
                place,
                "expected a node with one of the keys \"split\", \"fix\", \"empty\", \"leaf\"",
            ))
        }
    }
    fn step(&self, v: &Value, place: &str) -> Result<Step, LoadError> {
        let m = v
            .as_object()
            .ok_or_else(|| self.err(place, format!("expected an object, found {}", kind_of(v))))?;
        let kp = format!("{place}.kind");
        let kind = self.string(self.field(m, "kind", place)?, &kp)?;
        let network = match m.get("network") {
            None => None,
            Some(nv) => {
                let np = format!("{place}.network");
                Some(
                    network_from_value(nv, self.source)
                        .map_err(|e| self.err(&format!("{np}.{}", e.place), e.message))?,
                )
            }
        };
        let body = match kind {
            "branch-tree" => {
                self.object(v, place, &["kind", "network", "nodes"])?;
                let np = format!("{place}.nodes");
                let arr = self.array(self.field(m, "nodes", place)?, &np)?;
                let nodes = arr
                    .iter()
                    .enumerate()
                    .map(|(i, n)| self.node(n, &format!("{np}[{i}]"), i))
                    .collect::<Result<Vec<_>, _>>()?;
                StepBody::BranchTree(BranchTree { nodes })
            }
            k if crate::bottleneck::KINDS.contains(&k) => {
                StepBody::Bottleneck(crate::bottleneck::read_step(k, m, self.source, place)?)
            }
            other => {
                return Err(self.err(
                    &kp,
                    format!(
                        "unknown step kind {other:?} (this checker knows \"branch-tree\", {})",
                        crate::bottleneck::KINDS
                            .map(|k| format!("\"{k}\""))
                            .join(", ")
                    ),
                ))
            }
        };
        Ok(Step { network, body })
    }
}

/// Reads a certificate from a parsed JSON value; errors name `source` and the place.
pub fn certificate_from_value(v: &Value, source: &str) -> Result<Certificate, LoadError> {
    let r = Reader { source };
    let top = "top level";
    let m = r.object(
        v,
        top,
        &[
            "format", "version", "verdict", "networks", "witness", "proof", "producer",
        ],
    )?;
    let format = r.string(r.field(m, "format", top)?, "format")?;
    if format != FORMAT {
        return Err(r.err(
            "format",
            format!("not a fibers certificate (expected \"{FORMAT}\", found {format:?})"),
        ));
    }
    let version = r.field(m, "version", top)?;
    if version.as_u64() != Some(VERSION) {
        return Err(r.err(
            "version",
            format!("unsupported version {version} (this checker reads version {VERSION})"),
        ));
    }
    let verdict = match r.string(r.field(m, "verdict", top)?, "verdict")? {
        "equivalent" => Verdict::Equivalent,
        "not-equivalent" => Verdict::NotEquivalent,
        other => {
            return Err(r.err(
                "verdict",
                format!("expected \"equivalent\" or \"not-equivalent\", found {other:?}"),
            ))
        }
    };
    let nets = r.object(r.field(m, "networks", top)?, "networks", &["a", "b"])?;
    let a = r.info(r.field(nets, "a", "networks")?, "networks.a")?;
    let b = r.info(r.field(nets, "b", "networks")?, "networks.b")?;
    let witness = match m.get("witness") {
        None => None,
        Some(w) => {
            let wm = r.object(w, "witness", &["x", "output_a", "output_b"])?;
            let opt = |key: &str| -> Result<Option<Vec<Rational>>, LoadError> {
                wm.get(key)
                    .map(|v| vector_from_value(v, source, &format!("witness.{key}")))
                    .transpose()
            };
            Some(Witness {
                x: vector_from_value(r.field(wm, "x", "witness")?, source, "witness.x")?,
                output_a: opt("output_a")?,
                output_b: opt("output_b")?,
            })
        }
    };
    let proof = match m.get("proof") {
        None => None,
        Some(p) => {
            let pm = r.object(p, "proof", &["steps"])?;
            let arr = r.array(r.field(pm, "steps", "proof")?, "proof.steps")?;
            let steps = arr
                .iter()
                .enumerate()
                .map(|(i, s)| r.step(s, &format!("proof.steps[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Some(Proof { steps })
        }
    };
    let producer = match m.get("producer") {
        None => None,
        Some(p) => Some(r.string(p, "producer")?.to_string()),
    };
    Ok(Certificate {
        verdict,
        a,
        b,
        witness,
        proof,
        producer,
    })
}

/// Reads a certificate from JSON text.
///
/// Deep nesting is never needed (tree nodes are a flat list), so serde_json's recursion limit
/// is no obstacle.
pub fn certificate_from_str(text: &str, source: &str) -> Result<Certificate, LoadError> {
    let v = fibers_net::json::parse_json_text(text, source)?;
    certificate_from_value(&v, source)
}

// ---------------------------------------------------------------------------------------
// Writing

fn sparse_to_value(s: &Sparse) -> Value {
    Value::Array(
        s.iter()
            .map(|(i, v)| Value::Array(vec![Value::from(*i as u64), rational_to_value(v)]))
            .collect(),
    )
}

fn info_to_value(i: &NetworkInfo) -> Value {
    serde_json::json!({ "sha256": i.sha256, "architecture": i.architecture })
}

/// The JSON value of one node (with its `"id"`).
pub fn node_to_value(id: usize, n: &Node) -> Value {
    match n {
        Node::Split {
            neuron,
            active,
            inactive,
        } => serde_json::json!({
            "id": id, "split": neuron.to_string(), "active": active, "inactive": inactive
        }),
        Node::Fix {
            neuron,
            phase,
            bound,
            next,
        } => serde_json::json!({
            "id": id, "fix": neuron.to_string(), "phase": phase.as_str(),
            "bound": sparse_to_value(bound), "next": next
        }),
        Node::Empty { farkas } => serde_json::json!({ "id": id, "empty": sparse_to_value(farkas) }),
        Node::Leaf(Leaf::Zero) => serde_json::json!({ "id": id, "leaf": "zero" }),
        Node::Leaf(Leaf::Canonical) => serde_json::json!({ "id": id, "leaf": "canonical" }),
        Node::Leaf(Leaf::Bounds(bs)) => serde_json::json!({
            "id": id, "leaf": "bounds",
            "bounds": bs.iter().map(|b| serde_json::json!({
                "output": b.output, "upper": sparse_to_value(&b.upper),
                "lower": sparse_to_value(&b.lower)
            })).collect::<Vec<_>>()
        }),
    }
}

/// The JSON value of a certificate.
pub fn certificate_to_value(c: &Certificate) -> Value {
    let mut m = Map::new();
    m.insert("format".into(), Value::from(FORMAT));
    m.insert("version".into(), Value::from(VERSION));
    m.insert("verdict".into(), Value::from(c.verdict.as_str()));
    if let Some(p) = &c.producer {
        m.insert("producer".into(), Value::from(p.as_str()));
    }
    m.insert(
        "networks".into(),
        serde_json::json!({ "a": info_to_value(&c.a), "b": info_to_value(&c.b) }),
    );
    if let Some(w) = &c.witness {
        let mut wm = Map::new();
        wm.insert("x".into(), vector_to_value(&w.x));
        if let Some(o) = &w.output_a {
            wm.insert("output_a".into(), vector_to_value(o));
        }
        if let Some(o) = &w.output_b {
            wm.insert("output_b".into(), vector_to_value(o));
        }
        m.insert("witness".into(), Value::Object(wm));
    }
    if let Some(p) = &c.proof {
        let steps: Vec<Value> = p
            .steps
            .iter()
            .map(|s| {
                let mut sm = Map::new();
                sm.insert("kind".into(), Value::from(s.body.kind()));
                if let Some(n) = &s.network {
                    sm.insert("network".into(), network_to_value(n));
                }
                match &s.body {
                    StepBody::BranchTree(t) => {
                        sm.insert(
                            "nodes".into(),
                            Value::Array(
                                t.nodes
                                    .iter()
                                    .enumerate()
                                    .map(|(i, n)| node_to_value(i, n))
                                    .collect(),
                            ),
                        );
                    }
                    StepBody::Bottleneck(b) => crate::bottleneck::write_step(b, &mut sm),
                }
                Value::Object(sm)
            })
            .collect();
        m.insert("proof".into(), serde_json::json!({ "steps": steps }));
    }
    Value::Object(m)
}

/// The certificate as JSON text: readable layout, one tree node per line.
pub fn certificate_to_string(c: &Certificate) -> String {
    let v = certificate_to_value(c);
    let mut out = String::new();
    write_value(&v, 0, &mut out);
    out.push('\n');
    out
}

/// Pretty-prints objects and arrays down to the node lists; nodes, numbers and small arrays of
/// scalars stay on one line.
fn write_value(v: &Value, indent: usize, out: &mut String) {
    let compact = |v: &Value| serde_json::to_string(v).expect("serialisable");
    let pad = |n: usize| " ".repeat(n);
    match v {
        Value::Object(m) if !m.is_empty() && !is_node(v) => {
            out.push_str("{\n");
            for (i, (k, val)) in m.iter().enumerate() {
                out.push_str(&pad(indent + 2));
                out.push_str(&compact(&Value::from(k.as_str())));
                out.push_str(": ");
                write_value(val, indent + 2, out);
                if i + 1 < m.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(a) if a.iter().any(|e| e.is_object() || e.is_array()) && !a.is_empty() => {
            out.push_str("[\n");
            for (i, e) in a.iter().enumerate() {
                out.push_str(&pad(indent + 2));
                write_value(e, indent + 2, out);
                if i + 1 < a.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        _ => out.push_str(&compact(v)),
    }
}

fn is_node(v: &Value) -> bool {
    v.get("id").is_some()
        || v.get("output").is_some()
        || (v.get("weight").is_some() && v.get("bias").is_some())
}
