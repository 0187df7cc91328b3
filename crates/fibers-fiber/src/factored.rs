//! The fiber of a generic bottleneck parameter in polynomial size and time, by per-neuron
//! factors instead of a list of role assignments (docs/theory.md §8, Proposition 8.8).
//!
//! The union over role assignments of [`crate::describe`] (exponential in the widths) is the
//! same set as one disjunction per layer-2 neuron together with coupling equations that are
//! linear in the per-neuron products:
//!
//! ```text
//! Fib(θ) ⊇ ∪_{π ∈ S_n1} ∪_{branches b of s} { θ' : ∃ λ, s, μ, ρ, ν :
//!   (L1)  λ_j > 0,  W1'[j] = λ_j a_j,  b1'[j] = λ_j (c_j + [j = h] s)              (every j)
//!   (N_k) with w̃_kj = W2'[k][j] λ_j, neuron k is one of
//!           P_l+ / P_l-:  (w̃_k, b2'_k) = μ_k ẑ_l(s),  ±μ_k > 0                  (l < K_b)
//!           linear:       (W2'[k], b2'_k) ≥ 0
//!           dead:         (W2'[k], b2'_k) ≤ 0
//!           null:         v'_k = 0
//!           Z_g:          (w̃_k, b2'_k) = ρ_k ν_g,  ρ_k ≠ 0                        (g < n2/2)
//!   (E)   Σ_{k ∈ P_l} |μ_k| v'_k = J_l                                           (every kink)
//!         Σ_{k ∈ Z_g} |ρ_k| v'_k = 0                                             (every g)
//!         Σ_{k lin} v'_k w̃_k + Σ_{k ∈ P_l-} μ_k v'_k ŵ_l(s) + Σ_{k ∈ Z_g, ρ_k < 0} ρ_k v'_k ν_g,w = A(s)
//!         Σ_{k lin} v'_k b2'_k + Σ_{k ∈ P_l-} μ_k v'_k β̂_l(s) + Σ_{k ∈ Z_g, ρ_k < 0} ρ_k v'_k ν_g,β + b3' = a(s) }
//! ```
//!
//! Every point of the right-hand side is in the fiber (each role contributes exactly what the
//! coupling equations add up; docs/theory.md §5, Theorems 5.3–5.7), and a role assignment whose
//! part is empty simply has no solution, so no assignment needs to be enumerated or tested.
//! Equality is the layer-1 half of Theorem 8.3 (open; the exhaustive list and the branch tree
//! are the referees in the tests). The size is `O(n1·n0 + K·(n1 + n3) + n3·n1)` for the data
//! plus a constant number of role templates; building it costs one canonical form.
//!
//! The part containing θ is written as a product of small factors — the layer-1 rays, one
//! factor per kink class, the linear block with `b3`, each dead and null neuron — with the
//! local dimension of each where it is known in closed form.

use crate::describe::Kind;
use crate::dimension::{lin, shiftable_not_raw_hidden};
use crate::model::{Affine, Branch, Frame, Model, ModelError};
use crate::roles::normalise;
use fibers_bottleneck::orthant::{layer2_role, outgoing_columns, Layer2Role};
use fibers_bottleneck::{classify, Classification};
use fibers_exact::Rational;
use fibers_net::Network;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One factor of the part containing θ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    /// Short name, e.g. `layer 1`, `kink class 0`, `linear block`, `dead neuron 3`.
    pub name: String,
    /// The neurons of θ it involves (raw indices; layer 2 unless the name says layer 1).
    pub neurons: Vec<usize>,
    /// The set, in words and symbols.
    pub set: String,
    /// Its local dimension at θ, when known in closed form.
    pub dimension: Option<usize>,
}

/// The polynomial description (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct Factored {
    /// The parameter θ.
    pub net: Network,
    /// The kind of description.
    pub kind: Kind,
    /// The classification of θ.
    pub classification: Classification,
    /// The canonical coordinates (bottleneck and one-dimensional kinds).
    pub model: Option<Model>,
    /// The target data per branch of the hidden shift.
    pub frame: Option<Frame>,
    /// Why the description is partial or missing, if it is.
    pub partial: Option<String>,
    /// θ's role per layer-2 neuron (raw index): `crossing (class c, +)`, `linear`, ...
    pub roles: Vec<String>,
    /// The part containing θ as a product of factors.
    pub factors: Vec<Factor>,
}

impl Factored {
    /// The sum of the factors' dimensions, when every one is known.
    pub fn product_dimension(&self) -> Option<usize> {
        if self.factors.is_empty() {
            return None;
        }
        self.factors.iter().map(|f| f.dimension).sum()
    }
}

/// Builds the polynomial description of the fiber of `net` (no role assignment and no linear
/// region is enumerated).
pub fn factored(net: &Network) -> Factored {
    let a = net.arch();
    let classification = classify(net);
    let model = if classification.constant {
        Err(ModelError::Constant)
    } else if !a.is_bottleneck() {
        Err(ModelError::NotGeneric(fibers_bottleneck::NotGeneric {
            condition: fibers_bottleneck::Condition::Bottleneck,
            detail: format!("n1 = {} > n0 = {}", a.n1, a.n0),
        }))
    } else {
        Model::new(net)
    };
    let (roles, factors) = theta_factors(net, &classification);
    let mut f = Factored {
        net: net.clone(),
        kind: Kind::Undescribed,
        classification,
        model: None,
        frame: None,
        partial: None,
        roles,
        factors,
    };
    match model {
        Ok(m) => {
            f.kind = if a.n1 == 1 {
                Kind::OneDimensional
            } else {
                Kind::Bottleneck
            };
            if a.n1 == 1 {
                f.partial = Some(
                    "n1 = 1: a reflected layer 1 (a' = -lambda a) can realise f when F is \
                     constant on a right half-line as well, and such parameters are not \
                     described"
                        .into(),
                );
            }
            f.frame = Some(m.frame());
            f.model = Some(m);
        }
        Err(ModelError::Constant) => {
            f.kind = Kind::Constant;
            let value = fibers_bottleneck::canonical::canonicalize(net)
                .ok()
                .and_then(|c| match c.form {
                    fibers_bottleneck::canonical::CanonicalForm::Constant { value, .. } => {
                        Some(value)
                    }
                    _ => None,
                })
                .unwrap_or_else(|| fibers_bottleneck::OrthantData::of_network(net).offset);
            f.frame = Some(Frame::constant(a, &value));
            f.partial = Some(
                "f is constant: any layer 1 with G constant on the orthant U is described; \
                 parameters whose layer 1 maps onto a proper subset of U on which G is constant \
                 are in the fiber as well and are not described"
                    .into(),
            );
        }
        Err(ModelError::NotGeneric(e)) => {
            f.partial = Some(format!(
                "no description: the genericity condition {e} fails (docs/theory.md §8, \
                 Definition 8.1)"
            ));
        }
        Err(ModelError::SeveralHidden(h)) => {
            f.partial = Some(format!(
                "no description: layer-1 neurons {h:?} are all hidden on the orthant (kinks \
                 through a corner of U)"
            ));
        }
    }
    if !matches!(f.kind, Kind::Bottleneck | Kind::OneDimensional) {
        // θ's part is a product of these factors only where the description applies.
        f.factors.clear();
    }
    f
}

/// θ's roles and the factors of its part, from the raw parameters in `O(n2·(n1 + n3))`.
fn theta_factors(net: &Network, c: &Classification) -> (Vec<String>, Vec<Factor>) {
    let a = net.arch();
    let (n1, n2, n3) = (a.n1, a.n2, a.n3);
    let cols = outgoing_columns(net);
    let mut roles = vec![String::new(); n2];
    let mut classes: BTreeMap<Vec<Rational>, Vec<(usize, bool)>> = BTreeMap::new();
    let mut linear = Vec::new();
    let mut dead = Vec::new();
    let mut null_crossing = Vec::new();
    let mut null_dead = Vec::new();
    let mut other_null = Vec::new();
    for k in 0..n2 {
        let mut wb = net.w2()[k].clone();
        wb.push(net.b2()[k].clone());
        let v_zero = cols[k].iter().all(Rational::is_zero);
        match layer2_role(&net.w2()[k], &net.b2()[k], v_zero) {
            Layer2Role::Crossing => {
                let (first, norm) = normalise(&wb).expect("a crossing neuron is nonzero");
                classes
                    .entry(norm)
                    .or_default()
                    .push((k, first.is_positive()));
            }
            Layer2Role::Linear => {
                linear.push(k);
                roles[k] = "linear".into();
            }
            Layer2Role::Dead => {
                dead.push(k);
                roles[k] = "dead".into();
            }
            Layer2Role::Null => {
                roles[k] = "null".into();
                let pos = wb.iter().any(Rational::is_positive);
                let neg = wb.iter().any(Rational::is_negative);
                if !v_zero {
                    other_null.push(k); // (w, b) = 0 with v != 0
                } else if pos && neg {
                    null_crossing.push(k);
                } else if neg {
                    null_dead.push(k);
                } else {
                    other_null.push(k);
                }
            }
        }
    }
    let mut factors = Vec::new();
    // Layer 1.
    let raw_hidden: Vec<usize> = (0..n1)
        .filter(|&h| crate::orbit::is_hidden(net, h))
        .collect();
    let crossing_any = !classes.is_empty();
    let shiftable = shiftable_not_raw_hidden(net);
    let h = usize::from(!raw_hidden.is_empty() && crossing_any);
    factors.push(Factor {
        name: "layer 1".into(),
        neurons: (0..n1).collect(),
        set: format!(
            "{n1} ray(s): row j = lambda_j (a_j, c_j), lambda_j > 0{}",
            if raw_hidden.is_empty() {
                String::new()
            } else {
                format!(
                    ", times the hidden shift of raw-hidden neuron(s) {raw_hidden:?} (c_h -> c_h \
                     + t, t >= t_min)"
                )
            }
        ),
        dimension: shiftable.is_empty().then_some(n1 + h),
    });
    let mut mixed = Vec::new();
    for (ci, (_, members)) in classes.iter().enumerate() {
        let pos = members.iter().filter(|m| m.1).count();
        let neg = members.len() - pos;
        for &(k, s) in members {
            roles[k] = format!("crossing (kink class {ci}, {})", if s { "+" } else { "-" });
        }
        let ks: Vec<usize> = members.iter().map(|m| m.0).collect();
        if pos > 0 && neg > 0 {
            mixed.push(ci);
        }
        let m = members.len();
        factors.push(Factor {
            name: format!("kink class {ci}"),
            neurons: ks,
            set: if m == 1 {
                "(w, b) = mu z_P, v = J_P / |mu|, mu of fixed sign: a ray".into()
            } else {
                format!(
                    "{m} neurons on one kink P ({pos} with mu > 0, {neg} with mu < 0): \
                     (w_k, b_k) = mu_k z_P, sum |mu_k| v_k = J_P{}",
                    if neg > 0 && pos > 0 {
                        "; the flipped members also enter the affine balance with the linear \
                         block"
                    } else {
                        ""
                    }
                )
            },
            dimension: (!(pos > 0 && neg > 0)).then_some(m + (m - 1) * n3),
        });
    }
    if !linear.is_empty() || !mixed.is_empty() {
        factors.push(Factor {
            name: "linear block".into(),
            neurons: linear.clone(),
            set: format!(
                "{} neuron(s) with (w_k, b_k) >= 0 and b3: sum_k v_k (w_k.u + b_k) + b3 fixed \
                 (docs/theory.md §5, Theorem 5.4){}",
                linear.len(),
                if mixed.is_empty() {
                    String::new()
                } else {
                    format!(", coupled with the flipped members of kink class(es) {mixed:?}")
                }
            ),
            dimension: mixed.is_empty().then(|| lin(linear.len(), n1, n3)),
        });
    }
    for &k in &dead {
        factors.push(Factor {
            name: format!("dead neuron {k}"),
            neurons: vec![k],
            set: "(w, b) <= 0, v free".into(),
            dimension: Some(n1 + 1 + n3),
        });
    }
    for &k in &null_dead {
        factors.push(Factor {
            name: format!("null neuron {k}"),
            neurons: vec![k],
            set: "v = 0 and (w, b) <= 0: inside the dead set, (w, b) <= 0, v free".into(),
            dimension: Some(n1 + 1 + n3),
        });
    }
    for &k in &null_crossing {
        factors.push(Factor {
            name: format!("null neuron {k}"),
            neurons: vec![k],
            set: "v = 0, (w, b) free".into(),
            dimension: Some(n1 + 1),
        });
    }
    for &k in &other_null {
        factors.push(Factor {
            name: format!("null neuron {k}"),
            neurons: vec![k],
            set: "v = 0 with (w, b) >= 0, or (w, b) = 0: on the boundary of the linear and \
                  dead sets (dimension not in closed form)"
                .into(),
            dimension: None,
        });
    }
    if c.parallel_crossing > 0 {
        // Positively parallel crossing neurons: the Jacobian of the part is not regular there.
        for f in factors
            .iter_mut()
            .filter(|f| f.name.starts_with("kink class"))
        {
            if f.neurons.len() > 1 {
                f.set
                    .push_str(" (parallel neurons: the local dimension is that of this set)");
            }
        }
    }
    (roles, factors)
}

fn vt(v: &[Rational]) -> String {
    let parts: Vec<String> = v.iter().map(Rational::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// `c + d s` as text.
pub fn affine_text(e: &Affine) -> String {
    if e.d.is_zero() {
        e.c.to_string()
    } else if e.c.is_zero() {
        format!("{} s", e.d)
    } else if e.d.is_negative() {
        format!("{} - {} s", e.c, -&e.d)
    } else {
        format!("{} + {} s", e.c, e.d)
    }
}

/// The role templates and coupling equations, one line each (the same for every fiber).
pub fn template_lines() -> Vec<String> {
    vec![
        "(L1) lambda_j > 0, W1'[j] = lambda_j a_j, b1'[j] = lambda_j (c_j + [j = h] s), for \
         every layer-1 neuron j (after a permutation of layer 1)"
            .into(),
        "(N_k) with w~_kj = W2'[k][j] lambda_j, every layer-2 neuron k takes one role:".into(),
        "  P_l+ / P_l-: (w~_k, b2'_k) = mu_k z_l(s), mu_k > 0 / mu_k < 0 (kink l of the branch)"
            .into(),
        "  linear: (W2'[k], b2'_k) >= 0;  dead: (W2'[k], b2'_k) <= 0;  null: v'_k = 0".into(),
        "  Z_g: (w~_k, b2'_k) = rho_k nu_g, rho_k != 0 (a zero-sum group on a free hyperplane \
         nu_g, g < n2/2)"
            .into(),
        "(E) jumps: sum over k in P_l of |mu_k| v'_k = J_l for every kink l; zero sums: sum over \
         k in Z_g of |rho_k| v'_k = 0"
            .into(),
        "    affine part: sum_{k linear} v'_k w~_k + sum_{k in P_l-} mu_k v'_k w_l(s) + \
         sum_{k in Z_g, rho_k < 0} rho_k v'_k nu_g,w = A(s)"
            .into(),
        "    offset: the same with b2'_k, beta_l(s) and nu_g,b, plus b3' = a(s)".into(),
    ]
}

impl Factored {
    /// Plain text.
    pub fn to_text(&self) -> String {
        let a = self.net.arch();
        let mut s = String::new();
        s.push_str(&format!(
            "fiber description in polynomial size (per-neuron factors; docs/theory.md §8, \
             Proposition 8.8), architecture {a}, D = {}\n",
            a.param_count()
        ));
        s.push_str(&format!("kind: {}\n", self.kind.name()));
        if let Some(p) = &self.partial {
            s.push_str(&format!("completeness: partial: {p}\n"));
        } else {
            s.push_str(
                "completeness: every parameter of the set below is in the fiber (proved); that \
                 the fiber has no other parameter is the layer-1 half of docs/theory.md §8, \
                 Theorem 8.3 (open), checked against the exact branch tree in the tests\n",
            );
        }
        if let Some(frame) = &self.frame {
            s.push_str(
                "Fib(theta) contains the union over permutations of layer 1 and over the \
                 branches of s below of the set of theta' with auxiliaries lambda, s, mu, rho, \
                 nu such that:\n",
            );
            for l in template_lines() {
                s.push_str(&format!("  {l}\n"));
            }
            s.push_str(
                "  (no role assignment is enumerated: an assignment whose part is empty has no \
                 solution; `--parts --exhaustive` lists them)\n",
            );
            if let Some(m) = &self.model {
                s.push_str("canonical layer 1 (a_j, c_j):\n");
                for j in 0..a.n1 {
                    s.push_str(&format!(
                        "  row {j} = {} x raw row {}: a = {}, c = {}{}\n",
                        m.scale[j],
                        m.order[j],
                        vt(&m.layer1.weight[j]),
                        m.layer1.bias[j],
                        if m.hidden_neuron(j).is_some() {
                            " (hidden, h)"
                        } else {
                            ""
                        }
                    ));
                }
            } else {
                s.push_str("layer 1: any (constant f)\n");
            }
            for t in &frame.targets {
                s.push_str(&format!(
                    "branch {}: {} kink(s)\n",
                    t.branch.label(),
                    t.kinks.len()
                ));
                for k in &t.kinks {
                    let z: Vec<String> = k.normal.iter().map(affine_text).collect();
                    s.push_str(&format!(
                        "  kink {}: z = [{}], J = {}\n",
                        k.label,
                        z.join(", "),
                        vt(&k.jump)
                    ));
                }
                let rows: Vec<String> = t.linear.iter().map(|r| vt(r)).collect();
                s.push_str(&format!("  A = [{}]\n", rows.join(", ")));
                let off: Vec<String> = t.offset.iter().map(affine_text).collect();
                s.push_str(&format!("  a = [{}]\n", off.join(", ")));
                match t.branch {
                    Branch::Positive(_) => s.push_str("  with s > 0\n"),
                    Branch::NonNegative(_) => s.push_str("  with s >= 0\n"),
                    _ => {}
                }
            }
        }
        if self.factors.is_empty() {
            s.push_str("the part containing theta: no product form (no description applies)\n");
            return s;
        }
        s.push_str("the part containing theta, as a product of factors:\n");
        for f in &self.factors {
            s.push_str(&format!(
                "  {} (neurons {:?}): {}; dimension {}\n",
                f.name,
                f.neurons,
                f.set,
                f.dimension
                    .map_or("not in closed form".to_string(), |d| d.to_string())
            ));
        }
        match self.product_dimension() {
            Some(d) => s.push_str(&format!("sum of the factors' dimensions: {d}\n")),
            None => s.push_str("sum of the factors' dimensions: not in closed form\n"),
        }
        s
    }

    /// One JSON object.
    pub fn to_json(&self) -> Value {
        let targets: Vec<Value> = self
            .frame
            .as_ref()
            .map(|f| {
                f.targets
                    .iter()
                    .map(|t| {
                        json!({
                            "branch": t.branch.label(),
                            "kinks": t.kinks.iter().map(|k| json!({
                                "label": k.label,
                                "normal": k.normal.iter().map(affine_text).collect::<Vec<_>>(),
                                "jump": k.jump.iter().map(ToString::to_string).collect::<Vec<_>>(),
                            })).collect::<Vec<_>>(),
                            "linear": t.linear.iter().map(|r| r.iter().map(ToString::to_string).collect::<Vec<_>>()).collect::<Vec<_>>(),
                            "offset": t.offset.iter().map(affine_text).collect::<Vec<_>>(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "description": "factored",
            "kind": self.kind.name(),
            "partial": self.partial,
            "templates": if self.frame.is_some() { template_lines() } else { Vec::new() },
            "canonical_layer1": self.model.as_ref().map(|m| json!({
                "weights": m.layer1.weight.iter().map(|r| r.iter().map(ToString::to_string).collect::<Vec<_>>()).collect::<Vec<_>>(),
                "biases": m.layer1.bias.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "raw_rows": m.order,
                "scales": m.scale.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "hidden": m.hidden.iter().map(|h| h.neuron).collect::<Vec<_>>(),
            })),
            "branches": targets,
            "roles": self.roles,
            "factors": self.factors.iter().map(|f| json!({
                "name": f.name,
                "neurons": f.neurons,
                "set": f.set,
                "dimension": f.dimension,
            })).collect::<Vec<_>>(),
            "product_dimension": self.product_dimension(),
            "parts_listed": false,
        })
    }
}
