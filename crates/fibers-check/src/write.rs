//! Writing a certificate as JSON (the producer's side; the checker never reads this back).

use crate::types::*;
use fibers_exact::Rational;
use fibers_net::json::{network_to_value, rational_to_value, vector_to_value};
use serde_json::{Map, Value};

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
                    StepBody::Bottleneck(b) => write_step(b, &mut sm),
                    StepBody::NormalForm(n) => write_normal_form(n, &mut sm),
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
        || (v.get("class").is_some() && v.get("scale").is_some())
}

/// the caller).
fn write_step(s: &BottleneckStep, m: &mut Map<String, Value>) {
    match s {
        BottleneckStep::Relabel { layer1, layer2 } => {
            if let Some(r) = layer1 {
                m.insert("layer1".into(), relabeling_to_value(r));
            }
            if let Some(r) = layer2 {
                m.insert("layer2".into(), relabeling_to_value(r));
            }
        }
        BottleneckStep::CanonicalData { align } => {
            if let Some(r) = align {
                m.insert("align".into(), relabeling_to_value(r));
            }
        }
        BottleneckStep::HiddenShift { neuron, t, forward } => {
            m.insert("neuron".into(), Value::from(*neuron));
            m.insert("t".into(), rational_to_value(t));
            m.insert(
                "direction".into(),
                Value::from(if *forward { "forward" } else { "backward" }),
            );
        }
        BottleneckStep::OneDimensional | BottleneckStep::Constant => {}
    }
}

fn relabeling_to_value(r: &Relabeling) -> Value {
    serde_json::json!({"order": r.order, "scale": vector_to_value(&r.scale)})
}

fn write_normal_form(n: &NormalForm, m: &mut Map<String, Value>) {
    let member =
        |m: &Member| serde_json::json!({"class": m.class, "scale": rational_to_value(&m.scale)});
    let classes =
        |c: &[Vec<Rational>]| Value::Array(c.iter().map(|r| vector_to_value(r)).collect());
    let [a1, b1] = &n.layer1_of;
    m.insert(
        "layer1".into(),
        serde_json::json!({
            "classes": classes(&n.layer1),
            "a": a1.iter().map(member).collect::<Vec<_>>(),
            "b": b1.iter().map(member).collect::<Vec<_>>(),
        }),
    );
    let role = |m: &Layer2Member| match m {
        Layer2Member::Linear => Value::from("linear"),
        Layer2Member::Dead => Value::from("dead"),
        Layer2Member::Class(c) => member(c),
    };
    let [a2, b2] = &n.layer2_of;
    m.insert(
        "layer2".into(),
        serde_json::json!({
            "classes": classes(&n.layer2),
            "a": a2.iter().map(role).collect::<Vec<_>>(),
            "b": b2.iter().map(role).collect::<Vec<_>>(),
        }),
    );
}
