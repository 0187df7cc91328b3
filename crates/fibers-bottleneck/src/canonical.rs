//! Canonical forms of functions computed by bottleneck networks, the genericity conditions
//! they rest on, and a stable SHA-256 hash of a canonical text.
//!
//! Three kinds of canonical form:
//! - **constant**: `G` is constant on `U` (then `f` is that constant, whatever layer 1 is);
//! - **one-dimensional** (`n1 = 1`): the normal form of `F̃(d·x)` ([`crate::oned`]);
//! - **bottleneck** (`2 ≤ n1 ≤ n0`, generic): layer 1 normalised (first nonzero entry of every
//!   row `±1` by a positive factor) and sorted, the hidden neuron (if any) moved to `t_min`,
//!   and the canonical data of `G` on `U` in those coordinates.
//!
//! Equal canonical forms imply equal functions (each normalisation is a symmetry); for generic
//! parameters of one architecture the converse is docs/theory.md §8, checked against the exact branch
//! tree by the agreement test.

use crate::layer1::{
    check_hidden_condition, hidden_shift, hidden_threshold, layer1_roles, proportional, realise,
    Layer1Role,
};
use crate::linalg::independent_columns;
use crate::oned::{OneDimForm, Profile};
use crate::orthant::OrthantData;
use fibers_exact::Rational;
use fibers_net::json::{rational_to_value, vector_to_value};
use fibers_net::Network;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// One genericity condition the bottleneck fast path relies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// `n1 ≤ n0`.
    Bottleneck,
    /// No two rows of `W1` are parallel (implied by full rank; named for a clearer message).
    DistinctLayer1Directions,
    /// `rank W1 = n1`, so `ℓ(x) = W1 x + b1` is onto `R^{n1}` and `f` determines `G` on `U`.
    FullRankLayer1,
    /// Every layer-1 neuron enters `G` (some kink or the affine part depends on `u_j`);
    /// otherwise its row is arbitrary in the fiber and layer 1 has no canonical form.
    RelevantLayer1,
    /// The role (hidden or visible) of every layer-1 neuron can be read off the canonical data:
    /// no facet `U_j` on which all crossing kinks depending on `u_j` share their traces.
    FacetTraces,
}

impl Condition {
    /// All conditions, in the order they are checked.
    pub const ALL: [Condition; 5] = [
        Condition::Bottleneck,
        Condition::DistinctLayer1Directions,
        Condition::FullRankLayer1,
        Condition::RelevantLayer1,
        Condition::FacetTraces,
    ];
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Condition::Bottleneck => "bottleneck",
            Condition::DistinctLayer1Directions => "distinct-layer1-directions",
            Condition::FullRankLayer1 => "full-rank-layer1",
            Condition::RelevantLayer1 => "relevant-layer1",
            Condition::FacetTraces => "facet-traces",
        }
    }
}

/// A failed genericity condition, with what failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotGeneric {
    /// The condition.
    pub condition: Condition,
    /// One line: what violates it.
    pub detail: String,
}

impl std::fmt::Display for NotGeneric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.condition.name(), self.detail)
    }
}

/// One normalised, sorted layer-1 row of a bottleneck canonical form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CanonicalRow {
    /// `a_j` scaled so that its first nonzero entry is `±1`.
    pub weight: Vec<Rational>,
    /// `c_j` scaled by the same factor (for the hidden neuron: after the shift to `t_min`).
    pub bias: Rational,
    /// Whether this is the hidden neuron.
    pub hidden: bool,
}

/// The canonical form of the function of a network.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CanonicalForm {
    /// `f` is constant.
    Constant {
        /// Input width.
        n0: usize,
        /// The value.
        value: Vec<Rational>,
    },
    /// `n1 = 1`, non-constant.
    OneDimensional {
        /// Input width.
        n0: usize,
        /// The normal form.
        form: OneDimForm,
    },
    /// Generic bottleneck, `n1 ≥ 2`, non-constant.
    Bottleneck {
        /// Input width.
        n0: usize,
        /// Layer 1: normalised, sorted by `(weight, bias)`, hidden neuron at `t_min`.
        rows: Vec<CanonicalRow>,
        /// Canonical data of `G` on `U` in those coordinates.
        data: OrthantData,
    },
}

fn vec_text(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(Rational::to_string).collect();
    format!("[{}]", parts.join(","))
}

/// The JSON report of `fibers canon --json` (and of each `fibers batch canon` line):
/// `{"status": "canonical", "form": …}` or `{"status": "not-generic", "condition": …,
/// "detail": …}`.
pub fn report_json(c: &Result<Canonicalization, NotGeneric>) -> Value {
    match c {
        Ok(c) => json!({"status": "canonical", "form": c.form.to_json()}),
        Err(e) => json!({
            "status": "not-generic",
            "condition": e.condition.name(),
            "detail": e.detail,
        }),
    }
}

impl CanonicalForm {
    /// A representative network of a bottleneck form (`None` for the other kinds): the
    /// canonical layer 1, one layer-2 neuron per kink and one linear neuron per nonzero column
    /// of the affine part.
    pub fn representative(&self) -> Option<Network> {
        let CanonicalForm::Bottleneck { n0, rows, data } = self else {
            return None;
        };
        let layer1 = fibers_net::Layer {
            weight: rows.iter().map(|r| r.weight.clone()).collect(),
            bias: rows.iter().map(|r| r.bias.clone()).collect(),
        };
        Some(realise(&layer1, *n0, data, &vec![false; data.kinks.len()]))
    }

    /// `"constant"`, `"one-dimensional"` or `"bottleneck"`.
    pub fn kind(&self) -> &'static str {
        match self {
            CanonicalForm::Constant { .. } => "constant",
            CanonicalForm::OneDimensional { .. } => "one-dimensional",
            CanonicalForm::Bottleneck { .. } => "bottleneck",
        }
    }
    /// The canonical text: one item per line, numbers in lowest terms (`p/q`). Two forms are
    /// equal iff their texts are equal.
    pub fn text(&self) -> String {
        let mut s = String::from("fibers-canonical-form 1\n");
        let _ = writeln!(s, "kind {}", self.kind());
        match self {
            CanonicalForm::Constant { n0, value } => {
                let _ = writeln!(s, "n0 {n0}\nn3 {}", value.len());
                let _ = writeln!(s, "value {}", vec_text(value));
            }
            CanonicalForm::OneDimensional { n0, form } => {
                let _ = writeln!(s, "n0 {n0}\nn3 {}", form.left_slope.len());
                let _ = writeln!(s, "direction {}", vec_text(&form.direction));
                for (x, v) in &form.breakpoints {
                    let _ = writeln!(s, "breakpoint {x} {}", vec_text(v));
                }
                let _ = writeln!(s, "left-slope {}", vec_text(&form.left_slope));
                let _ = writeln!(s, "right-slope {}", vec_text(&form.right_slope));
            }
            CanonicalForm::Bottleneck { n0, rows, data } => {
                let _ = writeln!(s, "n0 {n0}\nn1 {}\nn3 {}", data.n1, data.n3);
                for r in rows {
                    let _ = writeln!(
                        s,
                        "row {} {}{}",
                        vec_text(&r.weight),
                        r.bias,
                        if r.hidden { " hidden" } else { "" }
                    );
                }
                for k in &data.kinks {
                    let _ = writeln!(s, "kink {} {}", vec_text(&k.normal), vec_text(&k.jump));
                }
                for r in &data.linear {
                    let _ = writeln!(s, "linear {}", vec_text(r));
                }
                let _ = writeln!(s, "offset {}", vec_text(&data.offset));
            }
        }
        s
    }
    /// SHA-256 (lower-case hex) of [`CanonicalForm::text`].
    pub fn hash(&self) -> String {
        Sha256::digest(self.text().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
    /// The form as JSON (numbers as integers or `"p/q"` strings).
    pub fn to_json(&self) -> Value {
        let mut v = match self {
            CanonicalForm::Constant { n0, value } => {
                json!({"kind": "constant", "n0": n0, "n3": value.len(), "value": vector_to_value(value)})
            }
            CanonicalForm::OneDimensional { n0, form } => json!({
                "kind": "one-dimensional", "n0": n0, "n3": form.left_slope.len(),
                "direction": vector_to_value(&form.direction),
                "breakpoints": form.breakpoints.iter().map(|(x, v)| json!({"s": rational_to_value(x), "value": vector_to_value(v)})).collect::<Vec<_>>(),
                "left_slope": vector_to_value(&form.left_slope),
                "right_slope": vector_to_value(&form.right_slope),
            }),
            CanonicalForm::Bottleneck { n0, rows, data } => json!({
                "kind": "bottleneck", "n0": n0, "n1": data.n1, "n3": data.n3,
                "layer1": rows.iter().map(|r| json!({"weight": vector_to_value(&r.weight), "bias": rational_to_value(&r.bias), "hidden": r.hidden})).collect::<Vec<_>>(),
                "kinks": data.kinks.iter().map(|k| json!({"normal": vector_to_value(&k.normal), "jump": vector_to_value(&k.jump)})).collect::<Vec<_>>(),
                "linear": data.linear.iter().map(|r| vector_to_value(r)).collect::<Vec<_>>(),
                "offset": vector_to_value(&data.offset),
            }),
        };
        v["sha256"] = json!(self.hash());
        v
    }
}

/// How a network was brought to its bottleneck canonical form: every intermediate network,
/// so that each move can be certified.
#[derive(Clone, Debug)]
pub struct BottleneckPath {
    /// A network with the original layer 1 and a fresh layer 2 realising the same canonical
    /// data, when the raw layer 2 does not satisfy the sign conditions of the hidden shift.
    pub realised: Option<Network>,
    /// The hidden shifts `(h, t)` applied in turn (to `realised` if present, else to the
    /// network), in raw coordinates, each with its result.
    pub shifts: Vec<(usize, Rational, Network)>,
    /// Sorted position `i` holds raw layer-1 neuron `order[i]`.
    pub order: Vec<usize>,
    /// Positive factor of each raw layer-1 neuron (indexed by raw neuron).
    pub scale: Vec<Rational>,
}

impl BottleneckPath {
    /// The network after the shift (or the original when there is none).
    pub fn shifted<'a>(&'a self, original: &'a Network) -> &'a Network {
        match self.shifts.last() {
            Some((_, _, n)) => n,
            None => original,
        }
    }
}

/// A canonical form with, for bottleneck forms, the path that produced it.
#[derive(Clone, Debug)]
pub struct Canonicalization {
    /// The form.
    pub form: CanonicalForm,
    /// For [`CanonicalForm::Bottleneck`]: the moves.
    pub path: Option<BottleneckPath>,
}

fn first_nonzero(v: &[Rational]) -> Option<&Rational> {
    v.iter().find(|x| !x.is_zero())
}

/// The normalising relabelling of layer 1 (see [`normalise_layer1`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer1Normalisation {
    /// Sorted position `i` holds raw layer-1 neuron `order[i]`.
    pub order: Vec<usize>,
    /// The positive factor applied to the neuron at each sorted position.
    pub scale: Vec<Rational>,
    /// The positive factor of each raw layer-1 neuron (indexed by raw neuron).
    pub raw_scale: Vec<Rational>,
    /// Each raw row `(a_j, c_j)` times its factor, in raw order.
    pub normed: Vec<(Vec<Rational>, Rational)>,
}

/// Scales every layer-1 row `(a_j, c_j)` by `1 / |first nonzero entry of a_j|` and sorts the
/// scaled rows. Panics on a zero row of `W1` (callers check [`check_layer1`] first).
pub fn normalise_layer1(net: &Network) -> Layer1Normalisation {
    let raw_scale: Vec<Rational> = net
        .w1()
        .iter()
        .map(|r| {
            first_nonzero(r)
                .expect("nonzero row")
                .abs()
                .recip()
                .expect("nonzero")
        })
        .collect();
    let normed: Vec<(Vec<Rational>, Rational)> = net
        .w1()
        .iter()
        .zip(net.b1())
        .zip(&raw_scale)
        .map(|((r, c), s)| (r.iter().map(|x| x * s).collect(), c * s))
        .collect();
    let mut order: Vec<usize> = (0..net.arch().n1).collect();
    order.sort_by(|&i, &j| normed[i].cmp(&normed[j]));
    let scale = order.iter().map(|&j| raw_scale[j].clone()).collect();
    Layer1Normalisation {
        order,
        scale,
        raw_scale,
        normed,
    }
}

/// Checks the layer-1 conditions (bottleneck, distinct directions, full rank).
pub fn check_layer1(net: &Network) -> Result<(), NotGeneric> {
    let a = net.arch();
    if a.n1 > a.n0 {
        return Err(NotGeneric {
            condition: Condition::Bottleneck,
            detail: format!("n1 = {} > n0 = {}", a.n1, a.n0),
        });
    }
    let w1 = net.w1();
    if let Some(j) = w1.iter().position(|r| r.iter().all(Rational::is_zero)) {
        return Err(NotGeneric {
            condition: Condition::DistinctLayer1Directions,
            detail: format!("row {j} of W1 is zero"),
        });
    }
    // Parallel rows: compare normalised rows after sorting (O(n1 n0 log n1)).
    let mut normed: Vec<(Vec<Rational>, usize)> = w1
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let f = first_nonzero(r)
                .expect("nonzero row")
                .recip()
                .expect("nonzero");
            (r.iter().map(|x| x * &f).collect(), j)
        })
        .collect();
    normed.sort();
    for p in normed.windows(2) {
        if p[0].0 == p[1].0 {
            return Err(NotGeneric {
                condition: Condition::DistinctLayer1Directions,
                detail: format!("rows {} and {} of W1 are parallel", p[0].1, p[1].1),
            });
        }
    }
    if independent_columns(w1).is_none() {
        return Err(NotGeneric {
            condition: Condition::FullRankLayer1,
            detail: format!("rank W1 < n1 = {}", a.n1),
        });
    }
    Ok(())
}

/// The roles of the layer-1 neurons, after checking the conditions that involve them.
pub fn check_roles(d: &OrthantData) -> Result<Vec<Layer1Role>, NotGeneric> {
    let roles = layer1_roles(d).map_err(|e| NotGeneric {
        condition: Condition::FacetTraces,
        detail: format!(
            "every kink crossing the facet u_{} = 0 shares its trace with another (e.g. kinks {} and {})",
            e.neuron, e.kinks.0, e.kinks.1
        ),
    })?;
    if let Some(j) = roles.iter().position(|r| *r == Layer1Role::Irrelevant) {
        return Err(NotGeneric {
            condition: Condition::RelevantLayer1,
            detail: format!("G does not depend on layer-1 neuron {j}"),
        });
    }
    Ok(roles)
}

/// The canonical form of the function of `net`, or the genericity condition that fails.
pub fn canonicalize(net: &Network) -> Result<Canonicalization, NotGeneric> {
    let a = net.arch();
    let raw = OrthantData::of_network(net);
    if raw.is_constant() {
        return Ok(Canonicalization {
            form: CanonicalForm::Constant {
                n0: a.n0,
                value: raw.offset,
            },
            path: None,
        });
    }
    if a.n1 == 1 {
        let Some(profile) = Profile::of_network(net) else {
            // a = 0: f is the constant G(σ(c)).
            let c = &net.b1()[0];
            let u = if c.is_positive() {
                c.clone()
            } else {
                Rational::zero()
            };
            return Ok(Canonicalization {
                form: CanonicalForm::Constant {
                    n0: a.n0,
                    value: raw.eval(&[u]),
                },
                path: None,
            });
        };
        let form = profile.normal_form();
        return Ok(Canonicalization {
            form: if form.is_constant() {
                CanonicalForm::Constant {
                    n0: a.n0,
                    value: form.value_at_zero,
                }
            } else {
                CanonicalForm::OneDimensional { n0: a.n0, form }
            },
            path: None,
        });
    }
    check_layer1(net)?;
    let roles = check_roles(&raw)?;
    let hidden: Vec<usize> = (0..a.n1)
        .filter(|&j| roles[j] == Layer1Role::Hidden)
        .collect();
    let mut flip = vec![false; raw.kinks.len()];
    let mut moves: Vec<(usize, Rational)> = Vec::new();
    for &h in &hidden {
        let (f, t) = hidden_threshold(&raw, h).expect("hidden by its role");
        // Only neurons with t_min < 0 move. A kink shared by two hidden neurons has β̂ = 0
        // (the two orientations that make it inactive on the two facets are opposite), so it
        // gives both a threshold 0: the kinks of a moving neuron are its own, and the
        // orientations below never conflict.
        if !t.is_zero() {
            for (x, y) in flip.iter_mut().zip(f) {
                *x |= y;
            }
            moves.push((h, t));
        }
    }
    let mut realised = None;
    let mut shifts: Vec<(usize, Rational, Network)> = Vec::new();
    if !moves.is_empty() {
        let raw_ok = moves
            .iter()
            .all(|(h, t)| check_hidden_condition(net, *h, t).is_ok());
        let mut cur = if raw_ok {
            net.clone()
        } else {
            let r = realise(net.layer(1), a.n0, &raw, &flip);
            realised = Some(r.clone());
            r
        };
        for (h, t) in moves {
            debug_assert!(check_hidden_condition(&cur, h, &t).is_ok());
            cur = hidden_shift(&cur, h, &t);
            shifts.push((h, t, cur.clone()));
        }
    }
    let shifted = match shifts.last() {
        Some((_, _, n)) => n,
        None => net,
    };
    let Layer1Normalisation {
        order,
        scale: sorted_scale,
        raw_scale: scale,
        normed,
    } = normalise_layer1(shifted);
    let data = if shifts.is_empty() {
        raw.relabelled(&order, &sorted_scale)
    } else {
        OrthantData::of_network(shifted).relabelled(&order, &sorted_scale)
    };
    // Roles after the shifts (a shift can make another neuron hidden, with t_min = 0);
    // without shifts they are the raw roles, permuted.
    let final_roles = if shifts.is_empty() {
        Some(order.iter().map(|&j| roles[j]).collect::<Vec<_>>())
    } else {
        layer1_roles(&data).ok()
    };
    let rows = order
        .iter()
        .enumerate()
        .map(|(i, &j)| CanonicalRow {
            weight: normed[j].0.clone(),
            bias: normed[j].1.clone(),
            hidden: final_roles
                .as_ref()
                .map_or(hidden.contains(&j), |r| r[i] == Layer1Role::Hidden),
        })
        .collect();
    Ok(Canonicalization {
        form: CanonicalForm::Bottleneck {
            n0: a.n0,
            rows,
            data,
        },
        path: Some(BottleneckPath {
            realised,
            shifts,
            order,
            scale,
        }),
    })
}

/// Whether two canonical rows describe the same layer-1 hyperplane up to orientation
/// (used by the witness search).
pub fn same_direction(a: &CanonicalRow, b: &CanonicalRow) -> bool {
    proportional(&a.weight, &b.weight)
}
