//! A theorem-style summary of the fiber in polynomial time and size: the symmetry group at θ,
//! the part of the fiber containing θ, and its local dimension certified by bounds
//! ([`crate::bounds`]). No role assignment or linear region is enumerated; the parts other
//! than θ's are listed only by the full description ([`crate::describe`]) on request.

use crate::bounds::{fundim_bounds, Bounds, BoundsOptions};
use crate::dimension::{dimension_formula, Formula};
use fibers_bottleneck::{classify, Classification, Layer2Role};
use fibers_net::Network;
use serde_json::{json, Value};

/// The summary (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct Summary {
    /// The network.
    pub arch: [usize; 4],
    /// Number of parameters `D`.
    pub params: usize,
    /// Stratum, roles and genericity conditions (polynomial).
    pub classification: Classification,
    /// Counts of layer-2 roles: crossing, linear, dead, null.
    pub roles: [usize; 4],
    /// Raw-hidden layer-1 neurons (docs/theory.md §4) with their `t_min`.
    pub hidden: Vec<(usize, String)>,
    /// The certified bounds on the functional dimension, or why they do not apply.
    pub bounds: Result<Bounds, String>,
    /// The docs/theory.md §8 formula for a generic non-constant bottleneck parameter, with the
    /// failing hypothesis in its note (its value is reported only when none fails).
    pub formula: Option<Formula>,
}

/// Computes the summary; `progress` receives short messages.
pub fn summarize(net: &Network, opts: &BoundsOptions, progress: &mut dyn FnMut(String)) -> Summary {
    let a = net.arch();
    let classification = classify(net);
    let count = |r: Layer2Role| classification.layer2.iter().filter(|x| **x == r).count();
    let roles = [
        count(Layer2Role::Crossing),
        count(Layer2Role::Linear),
        count(Layer2Role::Dead),
        count(Layer2Role::Null),
    ];
    let hidden: Vec<(usize, String)> = classification
        .hidden_t_min
        .iter()
        .map(|(h, t)| (*h, t.to_string()))
        .collect();
    let formula = if classification.bottleneck
        && !classification.constant
        && classification.not_generic.is_none()
    {
        let raw_hidden = (0..a.n1).any(|h| crate::orbit::is_hidden(net, h));
        Some(dimension_formula(
            net,
            raw_hidden,
            classification.parallel_crossing,
        ))
    } else {
        None
    };
    let bounds = fundim_bounds(net, opts, progress).map_err(|e| e.0);
    Summary {
        arch: a.widths(),
        params: a.param_count(),
        classification,
        roles,
        hidden,
        bounds,
        formula,
    }
}

impl Summary {
    /// The local fiber dimension, if certified.
    pub fn dimension(&self) -> Option<usize> {
        self.bounds.as_ref().ok().and_then(Bounds::fiber_dimension)
    }

    /// How the dimension is certified: `"bounds met"` or `"open"`.
    pub fn certified_by(&self) -> &'static str {
        if self.dimension().is_some() {
            "bounds met"
        } else {
            "open"
        }
    }

    /// The symmetries at θ, one line each.
    pub fn symmetry_lines(&self) -> Vec<String> {
        let [n0, n1, n2, _] = self.arch;
        let _ = n0;
        let [c, l, d, z] = self.roles;
        let mut out = vec![
            format!("M1 permutations of the {n1} layer-1 and {n2} layer-2 neurons"),
            format!(
                "M2 positive scalings of every layer-1 neuron ({n1}) and every live layer-2 \
                 neuron ({})",
                c + l
            ),
        ];
        if d + z > 0 {
            out.push(format!(
                "M3 dead/null freedom: {d} dead and {z} null layer-2 neuron(s) take any \
                 parameters keeping them dead/null"
            ));
        }
        if l > 0 {
            out.push(format!(
                "M4 linear block: the {l} linear neuron(s) change freely keeping (w, b) >= 0 and \
                 their total affine map plus b3"
            ));
        }
        for (h, t) in &self.hidden {
            out.push(format!(
                "M7 hidden shift of layer-1 neuron {h}: c -> c + t for t >= t_min = {t}"
            ));
        }
        if self.classification.parallel_crossing > 0 {
            out.push(format!(
                "M6 {} crossing neurons share hyperplanes: only their summed outgoing weight \
                 matters",
                self.classification.parallel_crossing
            ));
        }
        out
    }

    /// Plain text, leading with the theorem-style statement.
    pub fn to_text(&self) -> String {
        let [n0, n1, n2, n3] = self.arch;
        let [c, l, d, z] = self.roles;
        let mut s = String::new();
        s.push_str(&format!(
            "Theorem (the fiber of θ, docs/theory.md §8). Architecture ({n0}, {n1}, {n2}, {n3}), \
             D = {} parameters; stratum: {}.\n",
            self.params, self.classification.stratum
        ));
        s.push_str("symmetry group at θ:\n");
        for line in self.symmetry_lines() {
            s.push_str(&format!("  {line}\n"));
        }
        s.push_str(&format!(
            "the part containing θ: layer 1 equal to θ's up to M1, M2{}; layer-2 roles {c} \
             crossing, {l} linear, {d} dead, {z} null; canonical data of G on the orthant equal \
             to θ's (docs/theory.md §6)\n",
            if self.hidden.is_empty() {
                ""
            } else {
                " and the hidden shift M7"
            }
        ));
        match &self.bounds {
            Ok(b) => {
                match b.fiber_dimension() {
                    Some(dim) => s.push_str(&format!(
                        "local dimension: {dim} (certified: bounds met; functional dimension \
                         {} = D - {dim})\n",
                        b.lower
                    )),
                    None if b.certified() => {
                        let (lo, hi) = b.fiber_dimension_bounds();
                        s.push_str(&format!(
                            "local dimension: between {lo} and {hi} (open: the functional \
                             dimension {} is certified, but {} symmetry direction(s) between \
                             parallel crossing neurons hold at θ only, so D - fd = {hi} is only \
                             an upper bound)\n",
                            b.lower, b.pointwise
                        ));
                    }
                    None => {
                        let (lo, hi) = b.fiber_dimension_bounds();
                        s.push_str(&format!(
                            "local dimension: between {lo} and {hi} (open: the bounds on the \
                             functional dimension, {} and {}, do not meet)\n",
                            b.lower, b.upper
                        ));
                    }
                }
                s.push_str(&format!(
                    "  lower bound on the functional dimension {}: rank over F_p of {} Jacobian \
                     rows ({} kinks, {} regions{}); upper bound {}: D - dim T, T of rank {} \
                     spanned by verified symmetry directions\n",
                    b.lower,
                    b.rows,
                    b.kinks,
                    b.regions,
                    if b.triangular {
                        "; a triangular minor"
                    } else {
                        ""
                    },
                    b.upper,
                    b.symmetry_rank
                ));
            }
            Err(e) => s.push_str(&format!(
                "local dimension: open (bounds not applicable: {e}; use --parts for the full \
                 description)\n"
            )),
        }
        if let Some(f) = &self.formula {
            s.push_str(&format!("docs/theory.md §8 formula: {}\n", f.display()));
        }
        s.push_str(
            "the whole fiber: `--parts` (per-neuron description, polynomial size), `--parts \
             --exhaustive` (every role assignment listed)\n",
        );
        s
    }

    /// One JSON object.
    pub fn to_json(&self) -> Value {
        let [c, l, d, z] = self.roles;
        json!({
            "architecture": self.arch,
            "parameters": self.params,
            "stratum": self.classification.stratum,
            "symmetries": self.symmetry_lines(),
            "part": {
                "layer2_roles": {"crossing": c, "linear": l, "dead": d, "null": z},
                "hidden": self.hidden.iter().map(|(h, t)| json!({"neuron": h, "t_min": t})).collect::<Vec<_>>(),
            },
            "dimension": self.dimension(),
            "dimension_certified_by": self.certified_by(),
            "fundim_bounds": match &self.bounds {
                Ok(b) => json!({"lower": b.lower, "upper": b.upper, "certified": b.certified(), "rows": b.rows, "kinks": b.kinks, "regions": b.regions}),
                Err(e) => json!({"not_applicable": e}),
            },
            "dimension_formula": self.formula.as_ref().and_then(Formula::value_if_applies),
            "dimension_formula_not_applicable": self.formula.as_ref().and_then(|f| f.note.clone()),
            "parts_listed": false,
        })
    }
}
