//! Classification of a network: bottleneck or not, roles of the layer-2 neurons on the orthant,
//! hidden and visible layer-1 neurons, and every genericity condition checked exactly.

use crate::canonical::{check_layer1, check_roles, Condition, NotGeneric};
use crate::layer1::{hidden_threshold, layer1_roles, Layer1Role};
use crate::orthant::{layer2_roles, Layer2Role, OrthantData};
use fibers_exact::Rational;
use fibers_net::Network;
use serde_json::{json, Value};

/// The status of one genericity condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConditionStatus {
    /// Holds.
    Holds,
    /// Fails, with what fails.
    Fails(String),
    /// Not needed for this network (constant, one-dimensional, or an earlier failure makes it
    /// meaningless).
    NotApplicable,
}

/// What `fibers classify` reports.
#[derive(Clone, Debug)]
pub struct Classification {
    /// `[n0, n1, n2, n3]`.
    pub architecture: [usize; 4],
    /// `n1 ≤ n0`.
    pub bottleneck: bool,
    /// Whether `G` is constant on `U` (then `f` is constant).
    pub constant: bool,
    /// Layer-2 roles on `U`.
    pub layer2: Vec<Layer2Role>,
    /// Layer-1 roles, when they can be read off the canonical data.
    pub layer1: Option<Vec<Layer1Role>>,
    /// `t_min` of every hidden layer-1 neuron (raw coordinates).
    pub hidden_t_min: Vec<(usize, Rational)>,
    /// Number of canonical kinks of `G` on `U`.
    pub kinks: usize,
    /// Crossing neurons that share a canonical hyperplane with another (parallel groups).
    pub parallel_crossing: usize,
    /// Every condition with its status.
    pub conditions: Vec<(Condition, ConditionStatus)>,
    /// A short description of the stratum.
    pub stratum: String,
    /// The first failed condition, if any.
    pub not_generic: Option<NotGeneric>,
}

fn count(roles: &[Layer2Role], r: Layer2Role) -> usize {
    roles.iter().filter(|x| **x == r).count()
}

/// Classifies a network.
pub fn classify(net: &Network) -> Classification {
    let a = net.arch();
    let data = OrthantData::of_network(net);
    let layer2 = layer2_roles(net);
    let constant = data.is_constant() || (a.n1 == 1 && net.w1()[0].iter().all(Rational::is_zero));
    let crossing = count(&layer2, Layer2Role::Crossing);
    let parallel_crossing = {
        let mut normals: std::collections::BTreeMap<Vec<Rational>, usize> = Default::default();
        for (w, b) in net
            .w2()
            .iter()
            .zip(net.b2())
            .zip(&layer2)
            .filter_map(|(wb, r)| (*r == Layer2Role::Crossing).then_some(wb))
        {
            let s = w
                .iter()
                .chain(std::iter::once(b))
                .find(|x| !x.is_zero())
                .expect("crossing");
            let inv = s.recip().expect("nonzero");
            let n: Vec<Rational> = w
                .iter()
                .chain(std::iter::once(b))
                .map(|x| x * &inv)
                .collect();
            *normals.entry(n).or_default() += 1;
        }
        normals.values().filter(|&&c| c > 1).sum()
    };
    let _ = crossing;
    let layer1 = (a.n1 >= 1 && !constant)
        .then(|| layer1_roles(&data).ok())
        .flatten();
    let mut conditions = Vec::new();
    let mut not_generic: Option<NotGeneric> = None;
    let skip_all = constant || a.n1 == 1;
    let l1 = if skip_all { Ok(()) } else { check_layer1(net) };
    let roles = if skip_all || l1.is_err() || a.n1 > a.n0 {
        None
    } else {
        Some(check_roles(&data))
    };
    for c in Condition::ALL {
        let status = if skip_all {
            ConditionStatus::NotApplicable
        } else {
            match c {
                Condition::Bottleneck
                | Condition::DistinctLayer1Directions
                | Condition::FullRankLayer1 => match &l1 {
                    Err(e) if e.condition == c => ConditionStatus::Fails(e.detail.clone()),
                    Err(e)
                        if Condition::ALL.iter().position(|x| *x == e.condition)
                            < Condition::ALL.iter().position(|x| *x == c) =>
                    {
                        ConditionStatus::NotApplicable
                    }
                    _ => ConditionStatus::Holds,
                },
                _ => match &roles {
                    None => ConditionStatus::NotApplicable,
                    Some(Ok(_)) => ConditionStatus::Holds,
                    Some(Err(e)) if e.condition == c => ConditionStatus::Fails(e.detail.clone()),
                    Some(Err(_)) => {
                        // The role checks stop at the first failure; report the others by
                        // recomputing each one on its own.
                        individual_role_status(&data, c)
                    }
                },
            }
        };
        if let (ConditionStatus::Fails(d), None) = (&status, &not_generic) {
            not_generic = Some(NotGeneric {
                condition: c,
                detail: d.clone(),
            });
        }
        conditions.push((c, status));
    }
    let hidden_t_min: Vec<(usize, Rational)> = layer1
        .as_ref()
        .map(|roles| {
            (0..roles.len())
                .filter(|&j| roles[j] == Layer1Role::Hidden)
                .filter_map(|h| hidden_threshold(&data, h).map(|(_, t)| (h, t)))
                .collect()
        })
        .unwrap_or_default();
    let stratum =
        if constant {
            "constant".to_string()
        } else if !a.is_bottleneck() {
            "wide (not bottleneck)".to_string()
        } else if a.n1 == 1 {
            "one-dimensional (relay)".to_string()
        } else {
            let hidden = layer1
                .as_ref()
                .map(|r| r.iter().filter(|x| **x == Layer1Role::Hidden).count());
            format!(
            "bottleneck: {} crossing, {} linear, {} dead, {} null; {} hidden layer-1 neuron(s){}",
            count(&layer2, Layer2Role::Crossing),
            count(&layer2, Layer2Role::Linear),
            count(&layer2, Layer2Role::Dead),
            count(&layer2, Layer2Role::Null),
            hidden.map_or("?".to_string(), |h| h.to_string()),
            if not_generic.is_some() { "; not generic" } else { "" }
        )
        };
    Classification {
        architecture: a.widths(),
        bottleneck: a.is_bottleneck(),
        constant,
        layer2,
        layer1,
        hidden_t_min,
        kinks: data.kinks.len(),
        parallel_crossing,
        conditions,
        stratum,
        not_generic,
    }
}

fn individual_role_status(data: &OrthantData, c: Condition) -> ConditionStatus {
    match c {
        Condition::RelevantLayer1 => match (0..data.n1).find(|&j| !data.depends_on(j)) {
            Some(j) => ConditionStatus::Fails(format!("G does not depend on layer-1 neuron {j}")),
            None => ConditionStatus::Holds,
        },
        Condition::FacetTraces => match layer1_roles(data) {
            Ok(_) => ConditionStatus::Holds,
            Err(e) => ConditionStatus::Fails(format!(
                "every kink crossing the facet u_{} = 0 shares its trace with another (e.g. kinks {} and {})",
                e.neuron, e.kinks.0, e.kinks.1
            )),
        },
        _ => ConditionStatus::NotApplicable,
    }
}

impl Classification {
    /// Whether the bottleneck canonical form (or a constant or one-dimensional one) exists.
    pub fn generic(&self) -> bool {
        self.not_generic.is_none()
    }
    /// The JSON report.
    pub fn to_json(&self) -> Value {
        let conds: Vec<Value> = self
            .conditions
            .iter()
            .map(|(c, s)| {
                let (status, detail) = match s {
                    ConditionStatus::Holds => ("holds", Value::Null),
                    ConditionStatus::Fails(d) => ("fails", json!(d)),
                    ConditionStatus::NotApplicable => ("not-applicable", Value::Null),
                };
                let mut v = json!({"name": c.name(), "status": status});
                if !detail.is_null() {
                    v["detail"] = detail;
                }
                v
            })
            .collect();
        json!({
            "architecture": self.architecture,
            "bottleneck": self.bottleneck,
            "constant": self.constant,
            "stratum": self.stratum,
            "generic": self.generic(),
            "not_generic": self.not_generic.as_ref().map(|e| json!({"condition": e.condition.name(), "detail": e.detail})),
            "layer2_roles": self.layer2.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "layer1_roles": self.layer1.as_ref().map(|r| r.iter().map(|x| match x {
                Layer1Role::Visible => "visible", Layer1Role::Hidden => "hidden", Layer1Role::Irrelevant => "irrelevant"
            }).collect::<Vec<_>>()),
            "hidden": self.hidden_t_min.iter().map(|(h, t)| json!({"neuron": h, "t_min": t.to_string()})).collect::<Vec<_>>(),
            "kinks": self.kinks,
            "parallel_crossing_neurons": self.parallel_crossing,
            "conditions": conds,
        })
    }
    /// The plain-text report (one item per line).
    pub fn to_text(&self) -> String {
        let a = self.architecture;
        let mut s = format!(
            "architecture ({}, {}, {}, {})\nstratum {}\n",
            a[0], a[1], a[2], a[3], self.stratum
        );
        let roles: Vec<&str> = self.layer2.iter().map(|r| r.as_str()).collect();
        s.push_str(&format!("layer-2 roles {}\n", roles.join(" ")));
        match &self.layer1 {
            Some(r) => {
                let r: Vec<&str> = r
                    .iter()
                    .map(|x| match x {
                        Layer1Role::Visible => "visible",
                        Layer1Role::Hidden => "hidden",
                        Layer1Role::Irrelevant => "irrelevant",
                    })
                    .collect();
                s.push_str(&format!("layer-1 roles {}\n", r.join(" ")));
            }
            None => s.push_str("layer-1 roles -\n"),
        }
        for (h, t) in &self.hidden_t_min {
            s.push_str(&format!("hidden neuron {h} t_min {t}\n"));
        }
        s.push_str(&format!(
            "kinks {} (parallel crossing neurons {})\n",
            self.kinks, self.parallel_crossing
        ));
        for (c, st) in &self.conditions {
            let line = match st {
                ConditionStatus::Holds => format!("condition {} holds\n", c.name()),
                ConditionStatus::Fails(d) => format!("condition {} FAILS: {d}\n", c.name()),
                ConditionStatus::NotApplicable => {
                    format!("condition {} not applicable\n", c.name())
                }
            };
            s.push_str(&line);
        }
        match &self.not_generic {
            None => s.push_str("generic yes\n"),
            Some(e) => s.push_str(&format!("generic no ({e})\n")),
        }
        s
    }
}
