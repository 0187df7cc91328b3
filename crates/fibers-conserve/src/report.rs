//! The whole analysis of one parameter: patterns, symmetries, laws, Lie-algebra count,
//! non-conservation demonstrations, the formula of docs/theory.md, and the JSON and text reports.

use crate::data::Dataset;
use crate::flow::{integrate_adaptive, F64Poly, FlowOptions, FlowRecord, Tracked};
use crate::laws::{
    candidate_laws, gradient_at, select_independent, verify, Law, LawKind, Scope, Verification,
};
use crate::lie::{lie_rank, LieOptions, LieResult};
use crate::model::{gradient_generators, param_point, param_vars};
use crate::nonconserved::{first_order_change, FirstOrderChange};
use crate::regions::{linear_regions, PatternSet, PatternSource, RegionError, MAX_REGIONS};
use crate::search::{quadratic_laws, MAX_SEARCH_PARAMETERS};
use crate::span::VectorSpan;
use crate::symmetries::{symmetries, Symmetry};
use fibers_bottleneck::layer1::Layer1Role;
use fibers_bottleneck::{classify, Classification, Layer2Role};
use fibers_net::json::{rational_to_value, vector_to_value};
use fibers_net::Network;
use fibers_semialg::{Polynomial, Var};
use serde_json::{json, Value};

/// Options of [`analyse`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Limits of the Lie-algebra computation.
    pub lie: LieOptions,
    /// The most linear regions enumerated (without data).
    pub max_regions: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lie: LieOptions::default(),
            max_regions: MAX_REGIONS,
        }
    }
}

/// A verified law with its verification.
#[derive(Clone, Debug)]
pub struct CheckedLaw {
    /// The law (scope set from the verification).
    pub law: Law,
    /// The exact verification.
    pub verification: Verification,
}

/// A symmetry without a law, with the exact first-order change of its candidate charge.
#[derive(Clone, Debug)]
pub struct NonLaw {
    /// The symmetry's name.
    pub symmetry: String,
    /// The candidate charge `Q_X`.
    pub charge: Polynomial,
    /// A one-point dataset where `dQ/dt ≠ 0` at the parameter, if one was found.
    pub change: Option<FirstOrderChange>,
    /// Why there is no demonstration, when there is none.
    pub note: Option<String>,
}

/// docs/theory.md §9's law-count formula at this parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TheoryCheck {
    /// `n1 + |C| + |L|(|L|+1)/2 + |D|(n1 + 1 + n3)` from the orthant roles.
    pub predicted: usize,
    /// The refined count `n1 + Σ_g m_g(m_g+1)/2 + |L|(|L|+1)/2 + |D|(n1 + 1 + n3)`, where the
    /// crossing neurons are grouped by positively parallel `(w, β)` (M6; groups of sizes
    /// `m_g`): neurons of a group always share their phase and mix like a linear block.
    /// Equal to `predicted` when no two crossing neurons are parallel.
    pub refined: usize,
    /// The groups of two or more positively parallel crossing neurons.
    pub parallel_groups: Vec<Vec<usize>>,
    /// Whether the formula's hypotheses hold (bottleneck, `rank W1 = n1`, no null neuron,
    /// non-constant, all linear regions used); otherwise why not.
    pub applies: Result<(), String>,
}

/// Everything [`analyse`] finds.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The network.
    pub net: Network,
    /// The patterns that the laws respect.
    pub patterns: PatternSet,
    /// Roles on the orthant and genericity (`fibers_bottleneck::classify`).
    pub classification: Classification,
    /// A maximal independent set of verified laws.
    pub laws: Vec<CheckedLaw>,
    /// Verified laws dependent on those kept (gradients in their span at `θ`).
    pub dependent: Vec<CheckedLaw>,
    /// Candidates that failed verification (none expected).
    pub failed: Vec<CheckedLaw>,
    /// The continuous symmetries.
    pub symmetries: Vec<Symmetry>,
    /// The Lie-algebra count.
    pub lie: LieResult,
    /// Whether the exact search for laws of degree ≤ 2 ran (only when the Lie count exceeded
    /// the laws of the candidate families, and `D ≤` [`crate::search::MAX_SEARCH_PARAMETERS`]),
    /// and how many independent laws it added.
    pub search: Option<usize>,
    /// Symmetries without a law.
    pub non_laws: Vec<NonLaw>,
    /// the formula of docs/theory.md.
    pub theory: TheoryCheck,
}

/// Analyses `net` for the patterns of `data` (or, without data, of all its linear regions).
pub fn analyse(
    net: &Network,
    data: Option<&Dataset>,
    opts: &Options,
) -> Result<Analysis, RegionError> {
    let arch = net.arch();
    let patterns = match data {
        Some(d) => PatternSet::from_data(net, &d.x),
        None => linear_regions(net, opts.max_regions)?,
    };
    let classification = classify(net);
    let vars = param_vars(&arch);
    let point = param_point(net);

    let mut verified = Vec::new();
    let mut failed = Vec::new();
    for mut law in candidate_laws(&arch, &patterns) {
        let v = verify(&law.polynomial, &arch, &patterns.patterns);
        law.scope = if v.global {
            Scope::Global
        } else {
            Scope::Local
        };
        let c = CheckedLaw {
            law,
            verification: v,
        };
        if c.verification.holds {
            verified.push(c);
        } else {
            failed.push(c);
        }
    }
    let plain: Vec<Law> = verified.iter().map(|c| c.law.clone()).collect();
    let (kept, dropped) = select_independent(&plain, &vars, &point);
    let laws: Vec<CheckedLaw> = kept.iter().map(|&i| verified[i].clone()).collect();
    let dependent: Vec<CheckedLaw> = dropped.iter().map(|&i| verified[i].clone()).collect();

    let generators: Vec<_> = gradient_generators(&arch, &patterns.patterns)
        .into_iter()
        .map(|g| g.field)
        .collect();
    let mut laws = laws;
    let mut lie = lie_rank(
        &generators,
        &vars,
        &point,
        vars.len() - laws.len(),
        &opts.lie,
    );
    let mut search = None;
    if lie.count > laws.len() && vars.len() <= MAX_SEARCH_PARAMETERS {
        let mut span = VectorSpan::new();
        for c in &laws {
            span.insert(gradient_at(&c.law.polynomial, &vars, &point));
        }
        let mut added = 0;
        for q in quadratic_laws(&generators, &vars) {
            if !span.insert(gradient_at(&q, &vars, &point)) {
                continue;
            }
            added += 1;
            let v = verify(&q, &arch, &patterns.patterns);
            laws.push(CheckedLaw {
                law: Law {
                    name: format!("degree-2 law (search) #{added}"),
                    kind: LawKind::Searched,
                    scope: if v.global {
                        Scope::Global
                    } else {
                        Scope::Local
                    },
                    polynomial: q,
                },
                verification: v,
            });
        }
        if added > 0 {
            lie = lie_rank(
                &generators,
                &vars,
                &point,
                vars.len() - laws.len(),
                &opts.lie,
            );
        }
        search = Some(added);
    }

    let syms = symmetries(net, &patterns, &hidden_neurons(&classification));
    let non_laws = syms
        .iter()
        .filter(|s| s.verified && !s.gradient_field)
        .map(|s| {
            let (change, note) = if s.charge.is_zero() {
                (
                    None,
                    Some("the candidate charge is identically 0 (antisymmetric generator: Q_X = θᵀNθ/2 = 0)".to_string()),
                )
            } else if verify(&s.charge, &arch, &patterns.patterns).holds {
                (
                    None,
                    Some("the candidate is itself conserved on these patterns (exact identity), so this symmetry adds no direction here".to_string()),
                )
            } else {
                match first_order_change(net, &s.charge, &patterns.witnesses) {
                    Some(c) => (Some(c), None),
                    None => (
                        None,
                        Some("no first-order change at the witness points".to_string()),
                    ),
                }
            };
            NonLaw {
                symmetry: s.name.clone(),
                charge: s.charge.clone(),
                change,
                note,
            }
        })
        .collect();
    let theory = theory_check(net, &classification, &patterns);
    Ok(Analysis {
        net: net.clone(),
        patterns,
        classification,
        laws,
        dependent,
        failed,
        symmetries: syms,
        lie,
        search,
        non_laws,
        theory,
    })
}

/// The hidden layer-1 neurons of a classification.
pub fn hidden_neurons(c: &Classification) -> Vec<usize> {
    c.layer1
        .as_ref()
        .map(|r| {
            (0..r.len())
                .filter(|&j| r[j] == Layer1Role::Hidden)
                .collect()
        })
        .unwrap_or_default()
}

/// Groups of crossing layer-2 neurons whose `(w, β)` are positive multiples of each other.
fn crossing_groups(net: &Network, cl: &Classification) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Vec<fibers_exact::Rational>, Vec<usize>)> = Vec::new();
    for (k, role) in cl.layer2.iter().enumerate() {
        if *role != Layer2Role::Crossing {
            continue;
        }
        let row: Vec<_> = net.w2()[k].iter().chain([&net.b2()[k]]).cloned().collect();
        let lead = row.iter().find(|x| !x.is_zero()).expect("crossing").abs();
        let dir: Vec<_> = row.iter().map(|x| x / &lead).collect();
        match groups.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, g)) => g.push(k),
            None => groups.push((dir, vec![k])),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

fn theory_check(net: &Network, cl: &Classification, patterns: &PatternSet) -> TheoryCheck {
    let [_, n1, _, n3] = cl.architecture;
    let count = |r: Layer2Role| cl.layer2.iter().filter(|x| **x == r).count();
    let (c, l, d) = (
        count(Layer2Role::Crossing),
        count(Layer2Role::Linear),
        count(Layer2Role::Dead),
    );
    let predicted = n1 + c + l * (l + 1) / 2 + d * (n1 + 1 + n3);
    let groups = crossing_groups(net, cl);
    let refined = n1
        + groups
            .iter()
            .map(|g| g.len() * (g.len() + 1) / 2)
            .sum::<usize>()
        + l * (l + 1) / 2
        + d * (n1 + 1 + n3);
    let parallel_groups: Vec<Vec<usize>> = groups.into_iter().filter(|g| g.len() > 1).collect();
    let applies = if patterns.source != PatternSource::Regions {
        Err("the formula counts laws for all linear regions; a dataset was given".into())
    } else if !cl.bottleneck {
        Err("not a bottleneck (n1 > n0)".into())
    } else if cl.constant {
        Err("constant network".into())
    } else if n1 < 2 {
        Err("n1 = 1 (one-dimensional case, docs/theory.md §8 treats it apart)".into())
    } else if let Some(&(layer, unit)) = patterns.degenerate.first() {
        Err(format!(
            "not generic: the pre-activation of layer-{layer} neuron {unit} vanishes identically on a linear region (e.g. b2 = 0), so its phase there is a convention (σ'(0) = 0)"
        ))
    } else if count(Layer2Role::Null) > 0 {
        Err("a layer-2 neuron is null".into())
    } else if let Some(ng) = &cl.not_generic {
        Err(format!("not generic: {ng}"))
    } else {
        Ok(())
    };
    TheoryCheck {
        predicted,
        refined,
        parallel_groups,
        applies,
    }
}

impl Analysis {
    /// The number of laws found (a maximal independent set).
    pub fn law_count(&self) -> usize {
        self.laws.len()
    }

    /// Whether the Lie-algebra count equals the number of laws found.
    pub fn agrees(&self) -> bool {
        self.lie.count == self.laws.len()
    }

    /// Whether the number of laws is certified: the Lie-algebra count is certified and equals
    /// the number of laws found.
    pub fn law_count_certified(&self) -> bool {
        self.agrees() && self.lie.certified
    }

    /// The JSON report of `fibers conserve --exhaustive --json`: [`Analysis::to_json`] with
    /// the mode and the certification of the law count.
    pub fn exhaustive_json(&self) -> Value {
        let certified = self.law_count_certified();
        let mut v = self.to_json();
        v["mode"] = json!("exhaustive");
        v["certification"] = json!({"law_count": {
            "certified": certified,
            "how": if certified { "exhaustive" } else { "open" },
            "lower": self.law_count(),
            "upper": self.lie.count.max(self.law_count()),
        }});
        v
    }

    /// The law a symmetry induces: the kept or dependent law equal to its charge or to twice
    /// its charge.
    pub fn law_of(&self, s: &Symmetry) -> Option<&Law> {
        if !s.induces_law() {
            return None;
        }
        let twice = s.charge.scale(&fibers_exact::Rational::from(2));
        self.laws
            .iter()
            .chain(&self.dependent)
            .map(|c| &c.law)
            .find(|l| l.polynomial == s.charge || l.polynomial == twice)
    }

    /// A stable, human-readable summary of the laws and counts (used for snapshots).
    pub fn laws_text(&self) -> String {
        let a = self.net.arch();
        let mut s = format!(
            "architecture {a}, D = {}, {}\n",
            a.param_count(),
            self.patterns.describe()
        );
        s.push_str(&format!(
            "stratum (fibers-bottleneck): {}\n",
            self.classification.stratum
        ));
        s.push_str(&format!("laws ({}):\n", self.laws.len()));
        for c in &self.laws {
            let scope = match c.law.scope {
                Scope::Global => "global",
                Scope::Local => "local",
            };
            s.push_str(&format!(
                "  [{scope}] {}: {}\n",
                c.law.name, c.law.polynomial
            ));
        }
        if !self.dependent.is_empty() {
            let names: Vec<&str> = self.dependent.iter().map(|c| c.law.name.as_str()).collect();
            s.push_str(&format!("dependent at θ: {}\n", names.join("; ")));
        }
        for c in &self.failed {
            s.push_str(&format!("FAILED candidate {}\n", c.law.name));
        }
        s.push_str(&format!(
            "lie: rank {} of D = {}, count {} ({:?}, certified {})\n",
            self.lie.rank, self.lie.ambient, self.lie.count, self.lie.stop, self.lie.certified
        ));
        if let Some(n) = self.search {
            s.push_str(&format!(
                "exact search for laws of degree ≤ 2: {n} new independent law(s)\n"
            ));
        }
        for n in &self.non_laws {
            s.push_str(&format!("no law: {} (candidate {})", n.symmetry, n.charge));
            match (&n.change, &n.note) {
                (Some(c), _) => s.push_str(&format!(", dQ/dt = {} at one point\n", c.rate)),
                (None, Some(note)) => s.push_str(&format!(": {note}\n")),
                (None, None) => s.push('\n'),
            }
        }
        for sym in self.symmetries.iter().filter(|x| !x.verified) {
            s.push_str(&format!(
                "not a symmetry at θ: {} (X(f) ≢ 0 on the patterns)\n",
                sym.name
            ));
        }
        if !self.theory.parallel_groups.is_empty() {
            s.push_str(&format!(
                "parallel crossing groups {:?}: refined formula {}\n",
                self.theory.parallel_groups, self.theory.refined
            ));
        }
        s.push_str(&format!(
            "docs/theory.md formula: {} ({})\n",
            self.theory.predicted,
            match &self.theory.applies {
                Ok(()) => "applies".to_string(),
                Err(e) => format!("does not apply: {e}"),
            }
        ));
        s
    }

    /// The JSON report (see `docs/conservation.md`).
    pub fn to_json(&self) -> Value {
        let a = self.net.arch();
        let law_json = |c: &CheckedLaw| {
            json!({
                "name": c.law.name,
                "scope": c.law.scope,
                "polynomial": c.law.polynomial.to_json_value(),
                "text": c.law.polynomial.to_string(),
                "verified": c.verification.holds,
            })
        };
        let syms: Vec<Value> = self
            .symmetries
            .iter()
            .map(|s| {
                let law = self.law_of(s);
                json!({
                    "name": s.name,
                    "aliases": s.aliases,
                    "kind": s.kind,
                    "generator": s.generator.to_text(),
                    "verified_symmetry": s.verified,
                    "gradient_field": s.gradient_field,
                    "induces_law": s.induces_law(),
                    "law": law.map(|l| l.name.clone()),
                    "scope": law.map(|l| l.scope),
                    "candidate_charge": s.charge.to_json_value(),
                })
            })
            .collect();
        let non_laws: Vec<Value> = self
            .non_laws
            .iter()
            .map(|n| {
                json!({
                    "symmetry": n.symmetry,
                    "candidate": n.charge.to_json_value(),
                    "candidate_text": n.charge.to_string(),
                    "note": n.note,
                    "first_order_change": n.change.as_ref().map(|c| json!({
                        "dataset": {"x": [vector_to_value(&c.x)], "y": [vector_to_value(&c.y)]},
                        "dQ_dt": rational_to_value(&c.rate),
                    })),
                })
            })
            .collect();
        let (source, points) = match &self.patterns.source {
            PatternSource::Regions => ("regions", Value::Null),
            PatternSource::Data { points, on_kink } => {
                ("data", json!({"points": points, "on_kink": on_kink}))
            }
        };
        json!({
            "architecture": [a.n0, a.n1, a.n2, a.n3],
            "parameters": a.param_count(),
            "patterns": {
                "source": source,
                "data": points,
                "count": self.patterns.patterns.len(),
                "list": self.patterns.patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            },
            "stratum": self.classification.stratum,
            "roles": {
                "layer2": self.classification.layer2,
                "layer1": self.classification.layer1,
                "generic": self.classification.generic(),
            },
            "symmetries": syms,
            "laws": self.laws.iter().map(law_json).collect::<Vec<_>>(),
            "dependent_laws": self.dependent.iter().map(law_json).collect::<Vec<_>>(),
            "failed_candidates": self.failed.iter().map(|c| c.law.name.clone()).collect::<Vec<_>>(),
            "law_count": self.laws.len(),
            "lie_count": self.lie.count,
            "lie": self.lie,
            "degree2_search": self.search.map(|n| json!({"ran": true, "new_laws": n})),
            "agreement": self.agrees(),
            "non_conserved": non_laws,
            "law_count_formula": {
                "predicted": self.theory.predicted,
                "applies": self.theory.applies.is_ok(),
                "reason": self.theory.applies.as_ref().err(),
                "agrees_with_laws": self.theory.predicted == self.laws.len(),
                "refined": self.theory.refined,
                "parallel_crossing_groups": self.theory.parallel_groups,
                "refined_agrees_with_laws": self.theory.refined == self.laws.len(),
            },
        })
    }

    /// The quantities to follow along a flow: every law, and the candidate charge of every
    /// symmetry without a law; when there is none, `|θ|²` (checked not to be a law).
    pub fn tracked(&self) -> Vec<Tracked> {
        let vars = param_vars(&self.net.arch());
        let mut out: Vec<Tracked> = self
            .laws
            .iter()
            .map(|c| Tracked {
                name: c.law.name.clone(),
                conserved: true,
                poly: F64Poly::new(&c.law.polynomial, &vars),
            })
            .collect();
        for n in self.non_laws.iter().filter(|n| !n.charge.is_zero()) {
            out.push(Tracked {
                name: format!("{} candidate", n.symmetry),
                conserved: false,
                poly: F64Poly::new(&n.charge, &vars),
            });
        }
        if out.iter().all(|t| t.conserved) {
            let sq: Polynomial = vars
                .iter()
                .map(|v: &Var| Polynomial::var(v.clone()).pow(2))
                .sum();
            if !verify(&sq, &self.net.arch(), &self.patterns.patterns).holds {
                out.push(Tracked {
                    name: "|theta|^2".into(),
                    conserved: false,
                    poly: F64Poly::new(&sq, &vars),
                });
            }
        }
        out
    }

    /// Integrates the gradient flow on `data` and records [`Analysis::tracked`] (the step
    /// chosen as in [`integrate_adaptive`]).
    pub fn flow(&self, data: &Dataset, opts: &FlowOptions) -> FlowRecord {
        integrate_adaptive(
            &self.net.arch(),
            &self.net.params(),
            &data.x,
            &data.y,
            &self.tracked(),
            &self.patterns.patterns,
            opts,
        )
    }
}
