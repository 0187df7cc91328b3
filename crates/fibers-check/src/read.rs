//! Reading a certificate from JSON, with one-line errors naming the file and the place.
//!
//! JSON text goes through the strict reader of `fibers_net::json` (duplicate keys refused, a
//! byte-order mark skipped), numbers through [`fibers_net::json::rational_from_value`].
//!
//! [`certificate_from_str`] streams the branch-tree nodes: each node is read as a small JSON
//! value and turned into a [`Node`] at once, so the JSON value tree of the node list (about
//! 15× its text) is never held; memory is the text plus the typed certificate.

use crate::types::*;
use fibers_exact::Rational;
use fibers_net::json::{network_from_value, rational_from_value, vector_from_value};
use fibers_net::LoadError;
use serde_json::{Map, Value};

/// The step kinds this checker reads besides `branch-tree`.
pub const KINDS: [&str; 5] = [
    "relabel",
    "canonical-data",
    "hidden-shift",
    "one-dimensional",
    "constant",
];

struct Reader<'s> {
    source: &'s str,
    /// Node lists already read by the streaming reader, by step index.
    streamed: std::cell::RefCell<std::collections::BTreeMap<usize, Vec<Node>>>,
}

impl<'s> Reader<'s> {
    fn new(source: &'s str) -> Self {
        Reader {
            source,
            streamed: Default::default(),
        }
    }
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
                "canonical" => {
                    if m.contains_key("bounds") {
                        return Err(self.err(place, "a \"canonical\" leaf takes no \"bounds\""));
                    }
                    Ok(Node::Leaf(Leaf::Canonical))
                }
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
                    format!("expected \"zero\", \"bounds\" or \"canonical\", found {other:?}"),
                )),
            }
        } else {
            Err(self.err(
                place,
                "expected a node with one of the keys \"split\", \"fix\", \"empty\", \"leaf\"",
            ))
        }
    }
    fn step(&self, v: &Value, place: &str, index: usize) -> Result<Step, LoadError> {
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
                let nodes = match self.streamed.borrow_mut().remove(&index) {
                    Some(nodes) => nodes,
                    None => arr
                        .iter()
                        .enumerate()
                        .map(|(i, n)| self.node(n, &format!("{np}[{i}]"), i))
                        .collect::<Result<Vec<_>, _>>()?,
                };
                StepBody::BranchTree(BranchTree { nodes })
            }
            k if KINDS.contains(&k) => StepBody::Bottleneck(read_step(k, m, self.source, place)?),
            "normal-form" => StepBody::NormalForm(normal_form(m, self.source, place)?),
            other => {
                return Err(self.err(
                    &kp,
                    format!(
                        "unknown step kind {other:?} (this checker knows \"branch-tree\", \
                         \"normal-form\", {})",
                        KINDS.map(|k| format!("\"{k}\"")).join(", ")
                    ),
                ))
            }
        };
        Ok(Step { network, body })
    }
}

/// Reads a certificate from a parsed JSON value; errors name `source` and the place.
pub fn certificate_from_value(v: &Value, source: &str) -> Result<Certificate, LoadError> {
    certificate_from_reader(v, &Reader::new(source))
}

fn certificate_from_reader(v: &Value, r: &Reader<'_>) -> Result<Certificate, LoadError> {
    let source = r.source;
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
                .map(|(i, s)| r.step(s, &format!("proof.steps[{i}]"), i))
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let r = Reader::new(source);
    let failed = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let at = At {
        level: Level::Top,
        reader: &r,
        failed: &failed,
    };
    let parsed = serde::de::DeserializeSeed::deserialize(at, &mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    match parsed {
        Ok(v) => certificate_from_reader(&v, &r),
        Err(e) => Err(failed
            .into_inner()
            .unwrap_or_else(|| fibers_net::json::json_syntax_error(&e, source))),
    }
}

/// Where the streaming reader is in a certificate's JSON.
#[derive(Clone, Copy)]
enum Level {
    Top,
    Proof,
    Steps,
    Step(usize),
    Nodes(usize),
    Plain,
}

/// The streaming reader at one place: values are built as by the strict reader of
/// `fibers_net::json`, except that the `nodes` list of `proof.steps[i]` is read node by node
/// into [`Reader::streamed`] (a placeholder empty array stays in the value).
#[derive(Clone, Copy)]
struct At<'a, 's> {
    level: Level,
    reader: &'a Reader<'s>,
    /// The error of a node, which stops the parse.
    failed: &'a std::cell::RefCell<Option<LoadError>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for At<'_, '_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.level {
            Level::Plain => d.deserialize_any(fibers_net::json::StrictVisitor),
            _ => d.deserialize_any(self),
        }
    }
}

impl<'de> serde::de::Visitor<'de> for At<'_, '_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        fibers_net::json::StrictVisitor.visit_unit()
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        fibers_net::json::StrictVisitor.visit_bool(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        fibers_net::json::StrictVisitor.visit_i64(v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        fibers_net::json::StrictVisitor.visit_u64(v)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        fibers_net::json::StrictVisitor.visit_f64(v)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        fibers_net::json::StrictVisitor.visit_str(v)
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        fibers_net::json::StrictVisitor.visit_string(v)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        use serde::de::Error;
        match self.level {
            Level::Steps => {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element_seed(At {
                    level: Level::Step(out.len()),
                    ..self
                })? {
                    out.push(v);
                }
                Ok(Value::Array(out))
            }
            Level::Nodes(step) => {
                let mut nodes = Vec::new();
                while let Some(fibers_net::json::Strict(v)) = seq.next_element()? {
                    let j = nodes.len();
                    match self
                        .reader
                        .node(&v, &format!("proof.steps[{step}].nodes[{j}]"), j)
                    {
                        Ok(n) => nodes.push(n),
                        Err(e) => {
                            *self.failed.borrow_mut() = Some(e);
                            return Err(A::Error::custom("invalid node"));
                        }
                    }
                }
                self.reader.streamed.borrow_mut().insert(step, nodes);
                Ok(Value::Array(Vec::new()))
            }
            _ => fibers_net::json::StrictVisitor.visit_seq(seq),
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        fibers_net::json::strict_map(map, |key, m| {
            let level = match (self.level, key) {
                (Level::Top, "proof") => Level::Proof,
                (Level::Proof, "steps") => Level::Steps,
                (Level::Step(i), "nodes") => Level::Nodes(i),
                _ => Level::Plain,
            };
            m.next_value_seed(At { level, ..self })
        })
    }
}

// Reading and writing

fn err(source: &str, place: &str, msg: impl Into<String>) -> LoadError {
    LoadError::new(source, place, msg)
}

fn allowed(
    m: &Map<String, Value>,
    keys: &[&str],
    source: &str,
    place: &str,
) -> Result<(), LoadError> {
    if let Some(k) = m.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(err(
            source,
            place,
            format!("unknown key \"{k}\" (expected one of {})", keys.join(", ")),
        ));
    }
    Ok(())
}

fn index(v: &Value, source: &str, place: &str) -> Result<usize, LoadError> {
    v.as_u64()
        .filter(|&n| n <= u32::MAX as u64)
        .map(|n| n as usize)
        .ok_or_else(|| {
            err(
                source,
                place,
                format!("expected a non-negative integer index, found {v}"),
            )
        })
}

fn relabeling(v: &Value, source: &str, place: &str) -> Result<Relabeling, LoadError> {
    let m = v.as_object().ok_or_else(|| {
        err(
            source,
            place,
            "expected an object with \"order\" and \"scale\"",
        )
    })?;
    allowed(m, &["order", "scale"], source, place)?;
    let op = format!("{place}.order");
    let order = m
        .get("order")
        .ok_or_else(|| err(source, place, "missing key \"order\""))?
        .as_array()
        .ok_or_else(|| err(source, &op, "expected an array of indices"))?
        .iter()
        .enumerate()
        .map(|(i, x)| index(x, source, &format!("{op}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let sp = format!("{place}.scale");
    let scale = fibers_net::json::vector_from_value(
        m.get("scale")
            .ok_or_else(|| err(source, place, "missing key \"scale\""))?,
        source,
        &sp,
    )?;
    Ok(Relabeling { order, scale })
}

/// Reads the body of a step of one of the [`KINDS`] (`m` is the step object).
fn read_step(
    kind: &str,
    m: &Map<String, Value>,
    source: &str,
    place: &str,
) -> Result<BottleneckStep, LoadError> {
    match kind {
        "relabel" => {
            allowed(m, &["kind", "network", "layer1", "layer2"], source, place)?;
            let get = |k: &str| {
                m.get(k)
                    .map(|v| relabeling(v, source, &format!("{place}.{k}")))
                    .transpose()
            };
            Ok(BottleneckStep::Relabel {
                layer1: get("layer1")?,
                layer2: get("layer2")?,
            })
        }
        "canonical-data" => {
            allowed(m, &["kind", "network", "align"], source, place)?;
            Ok(BottleneckStep::CanonicalData {
                align: m
                    .get("align")
                    .map(|v| relabeling(v, source, &format!("{place}.align")))
                    .transpose()?,
            })
        }
        "hidden-shift" => {
            allowed(
                m,
                &["kind", "network", "neuron", "t", "direction"],
                source,
                place,
            )?;
            let neuron = index(
                m.get("neuron")
                    .ok_or_else(|| err(source, place, "missing key \"neuron\""))?,
                source,
                &format!("{place}.neuron"),
            )?;
            let t = rational_from_value(
                m.get("t")
                    .ok_or_else(|| err(source, place, "missing key \"t\""))?,
                source,
                &format!("{place}.t"),
            )?;
            let dp = format!("{place}.direction");
            let forward = match m.get("direction").and_then(Value::as_str) {
                Some("forward") => true,
                Some("backward") => false,
                _ => {
                    return Err(err(
                        source,
                        &dp,
                        "expected \"forward\" (target = shift(source)) or \"backward\"",
                    ))
                }
            };
            Ok(BottleneckStep::HiddenShift { neuron, t, forward })
        }
        "one-dimensional" => {
            allowed(m, &["kind", "network"], source, place)?;
            Ok(BottleneckStep::OneDimensional)
        }
        "constant" => {
            allowed(m, &["kind", "network"], source, place)?;
            Ok(BottleneckStep::Constant)
        }
        other => Err(err(
            source,
            place,
            format!("not a bottleneck step kind: {other:?}"),
        )),
    }
}

/// One class list and the members of both networks: `{"classes": [[..], ..], "a": [..],
/// "b": [..]}`, a member being `{"class": j, "scale": s}` or (when `roles`) `"linear"`/`"dead"`.
type Layer = (Vec<Vec<Rational>>, [Vec<Layer2Member>; 2]);

fn nf_layer(v: &Value, roles: bool, source: &str, place: &str) -> Result<Layer, LoadError> {
    let m = v.as_object().ok_or_else(|| {
        err(
            source,
            place,
            "expected an object with \"classes\", \"a\", \"b\"",
        )
    })?;
    allowed(m, &["classes", "a", "b"], source, place)?;
    let list = |key: &str| -> Result<&Vec<Value>, LoadError> {
        let p = format!("{place}.{key}");
        m.get(key)
            .ok_or_else(|| err(source, place, format!("missing key \"{key}\"")))?
            .as_array()
            .ok_or_else(|| err(source, &p, "expected an array"))
    };
    let classes = list("classes")?
        .iter()
        .enumerate()
        .map(|(j, r)| vector_from_value(r, source, &format!("{place}.classes[{j}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let member = |v: &Value, p: &str| -> Result<Layer2Member, LoadError> {
        match v {
            Value::String(s) if roles && s == "linear" => Ok(Layer2Member::Linear),
            Value::String(s) if roles && s == "dead" => Ok(Layer2Member::Dead),
            Value::Object(o) => {
                allowed(o, &["class", "scale"], source, p)?;
                let get = |k: &str| {
                    o.get(k)
                        .ok_or_else(|| err(source, p, format!("missing key \"{k}\"")))
                };
                Ok(Layer2Member::Class(Member {
                    class: index(get("class")?, source, &format!("{p}.class"))?,
                    scale: rational_from_value(get("scale")?, source, &format!("{p}.scale"))?,
                }))
            }
            _ => Err(err(
                source,
                p,
                if roles {
                    "expected {\"class\": j, \"scale\": s}, \"linear\" or \"dead\""
                } else {
                    "expected {\"class\": j, \"scale\": s}"
                },
            )),
        }
    };
    let members = |key: &str| -> Result<Vec<Layer2Member>, LoadError> {
        list(key)?
            .iter()
            .enumerate()
            .map(|(i, v)| member(v, &format!("{place}.{key}[{i}]")))
            .collect()
    };
    Ok((classes, [members("a")?, members("b")?]))
}

/// Reads a `"normal-form"` step (`m` is the step object).
fn normal_form(m: &Map<String, Value>, source: &str, place: &str) -> Result<NormalForm, LoadError> {
    allowed(m, &["kind", "network", "layer1", "layer2"], source, place)?;
    let get = |k: &str| {
        m.get(k)
            .ok_or_else(|| err(source, place, format!("missing key \"{k}\"")))
    };
    let (layer1, [a1, b1]) = nf_layer(get("layer1")?, false, source, &format!("{place}.layer1"))?;
    let (layer2, layer2_of) = nf_layer(get("layer2")?, true, source, &format!("{place}.layer2"))?;
    let plain = |v: Vec<Layer2Member>| -> Vec<Member> {
        v.into_iter()
            .filter_map(|m| match m {
                Layer2Member::Class(m) => Some(m),
                _ => None, // not read without `roles`
            })
            .collect()
    };
    Ok(NormalForm {
        layer1,
        layer1_of: [plain(a1), plain(b1)],
        layer2,
        layer2_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#""format": "fibers-certificate", "version": 1,
        "networks": {"a": {"sha256": "x", "architecture": [1, 0, 0, 1]},
                     "b": {"sha256": "x", "architecture": [1, 0, 0, 1]}}"#;

    fn cert(body: &str) -> Result<Certificate, LoadError> {
        certificate_from_str(&format!("{{{HEAD}, {body}}}"), "c.json")
    }

    #[test]
    fn a_plain_certificate_is_read() {
        let c = cert(r#""verdict": "not-equivalent", "witness": {"x": ["1/2"]}"#).unwrap();
        assert_eq!(c.verdict, Verdict::NotEquivalent);
        assert_eq!(c.witness.unwrap().x, vec![Rational::ratio(1, 2)]);
        // A byte-order mark is skipped.
        let text = format!(
            "\u{feff}{{{HEAD}, \"verdict\": \"equivalent\", \"proof\": {{\"steps\": []}}}}"
        );
        assert!(certificate_from_str(&text, "c.json").is_ok());
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let e =
            cert(r#""verdict": "equivalent", "verdict": "not-equivalent", "witness": {"x": [0]}"#)
                .unwrap_err();
        assert!(e.message.contains("duplicate key \"verdict\""), "{e}");
        assert!(e.to_string().starts_with("c.json: line "), "{e}");
    }

    #[test]
    fn numbers_and_names_follow_the_documented_grammar() {
        for x in [r#""3/-4""#, r#"" 1 / 2 ""#, r#""1/ 2""#, r#""9e20000""#] {
            let e = cert(&format!(
                r#""verdict": "not-equivalent", "witness": {{"x": [{x}]}}"#
            ))
            .unwrap_err();
            assert_eq!(e.place, "witness.x[0]", "{x}: {e}");
        }
        assert!("a:1:01".parse::<NeuronId>().is_err());
        assert!("a:1:0".parse::<NeuronId>().is_ok());
        assert!("b:2:10".parse::<NeuronId>().is_ok());
        assert!("a:3:1".parse::<NeuronId>().is_err());
        assert!("a:1:1:".parse::<NeuronId>().is_err());
    }

    #[test]
    fn streamed_nodes_read_as_the_value_reader_reads_them() {
        let tree = |nodes: &str| {
            format!(
                r#"{{{HEAD}, "verdict": "equivalent", "proof": {{"steps": [{{"kind": "constant"}}, {{"kind": "branch-tree", "nodes": {nodes}}}]}}}}"#
            )
        };
        let both = |text: &str| {
            let streamed = certificate_from_str(text, "c.json");
            let value = fibers_net::json::parse_json_text(text, "c.json")
                .and_then(|v| certificate_from_value(&v, "c.json"));
            (streamed, value)
        };
        for nodes in [
            r#"[{"split": "a:2:0", "active": 1, "inactive": 2}, {"leaf": "zero"}, {"fix": "b:1:0", "phase": "active", "bound": [[0, "1/2"]], "next": 3}, {"empty": [[1, 2]]}]"#,
            r#"[{"split": "a:2:0", "active": 1, "inactive": 2}, {"split": "a:1:01", "active": 2, "inactive": 3}]"#,
            r#"[{"leaf": "zero", "id": 3}]"#,
            r#"[{"leaf": "zero", "leaf": "zero"}]"#,
            r#""not a list""#,
            r#"[]"#,
        ] {
            let (streamed, value) = both(&tree(nodes));
            assert_eq!(streamed, value, "{nodes}");
        }
        // The place of a bad node is named as before. (With several errors, the streamed
        // reader may name a node's error before an error that comes earlier in reading order.)
        let (e, _) = both(&tree(r#"[{"leaf": "zero"}, {"split": "a:1:01"}]"#));
        assert_eq!(e.unwrap_err().place, "proof.steps[1].nodes[1].split");
    }
}
