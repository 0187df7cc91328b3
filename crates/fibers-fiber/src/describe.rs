//! The fiber of a parameter as an object: stratum, symmetries, semi-algebraic description
//! (a union of basic sets over role assignments modulo permutations), the parameter's own
//! part and witness, local dimension (three ways) and connected components where known.

use crate::dimension::{constant_formula, dimension_formula, lin, part_dimension, Formula};
use crate::fundim::{functional_dimension, FunDim, FunDimError, FunDimOptions};
use crate::member::{constant_membership, describe_membership, Found, Internal, Witness};
use crate::model::{Branch, Frame, Model, ModelError};
use crate::roles::{enumerate, PartKey, SlotRole};
use crate::system::{basic_set, param_point};
use fibers_bottleneck::canonical::{canonicalize, CanonicalForm};
use fibers_bottleneck::classify::{classify, Classification};
use fibers_net::Network;
use fibers_semialg::{BasicSet, Certainty, LocalDimension, SemiAlgebraicSet};

/// Options of [`describe`].
#[derive(Clone, Debug)]
pub struct DescribeOptions {
    /// Stop the enumeration of role assignments after this many candidates.
    pub max_parts: usize,
    /// Also compute the functional dimension (with these options).
    pub fundim: Option<FunDimOptions>,
}

impl Default for DescribeOptions {
    fn default() -> Self {
        DescribeOptions {
            max_parts: 20_000,
            fundim: Some(FunDimOptions::default()),
        }
    }
}

/// Which kind of description the fiber has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Generic bottleneck, `n1 ≥ 2`, non-constant: docs/theory.md §8.
    Bottleneck,
    /// `n1 = 1`, non-constant: the §8 description restricted to `n1 = 1` (partial).
    OneDimensional,
    /// Constant `f` (partial).
    Constant,
    /// No description (wide architecture, or a genericity condition fails).
    Undescribed,
}

impl Kind {
    /// `bottleneck`, `one-dimensional`, `constant` or `undescribed`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bottleneck => "bottleneck",
            Kind::OneDimensional => "one-dimensional",
            Kind::Constant => "constant",
            Kind::Undescribed => "undescribed",
        }
    }
}

/// One part of the description.
#[derive(Clone, Debug)]
pub struct Part {
    /// The role assignment modulo permutations.
    pub key: PartKey,
    /// Its basic set (standard labelling).
    pub set: BasicSet,
    /// Whether the parameter itself lies in this part (after relabelling).
    pub contains_parameter: bool,
}

/// A symmetry available at the parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symmetry {
    /// `M1` … `M7`, or `roles`.
    pub name: String,
    /// Discrete (`true`) or continuous.
    pub discrete: bool,
    /// Number of free parameters it contributes at θ (continuous ones), if known.
    pub dimension: Option<usize>,
    /// What it does.
    pub action: String,
    /// Its side conditions.
    pub condition: String,
}

/// The fiber of a parameter (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct Description {
    /// The parameter θ.
    pub net: Network,
    /// The kind of description.
    pub kind: Kind,
    /// The classification (stratum, roles, genericity).
    pub classification: Classification,
    /// The canonical form of `f_θ`, when there is one.
    pub canonical: Option<CanonicalForm>,
    /// The canonical coordinates (bottleneck and one-dimensional kinds).
    pub model: Option<Model>,
    /// The frame of the equations (described kinds).
    pub frame: Option<Frame>,
    /// The parts.
    pub parts: Vec<Part>,
    /// Role assignments examined, and rejected by the affine balance.
    pub examined: usize,
    /// Role assignments rejected as empty.
    pub rejected: usize,
    /// Whether the enumeration stopped at the budget (the description is then truncated).
    pub truncated: bool,
    /// θ's own witness (its part, permutations, factors, aux values).
    pub own: Option<Witness>,
    /// Why the description is partial, if it is.
    pub partial: Option<String>,
    /// The symmetries available at θ.
    pub symmetries: Vec<Symmetry>,
    /// The docs/theory.md §8 formula.
    pub formula: Option<Formula>,
    /// The local dimension of θ's part, from its Jacobian.
    pub part_dimension: Option<LocalDimension>,
    /// When the parameter sits at the threshold of a hidden neuron (raw index) whose upward
    /// shift is a direction of the fiber, counted in `part_dimension`.
    pub dimension_via_shift: Option<usize>,
    /// The functional dimension, if computed.
    pub fundim: Option<Result<FunDim, FunDimError>>,
    /// The number of connected components, when known.
    pub components: Option<u128>,
    /// How the component count is known, or why not.
    pub components_note: String,
}

fn factorial(n: usize) -> u128 {
    (1..=n as u128).product()
}

fn parts_of(frame: &Frame, keys: Vec<PartKey>, own: Option<&PartKey>) -> Vec<Part> {
    keys.into_iter()
        .map(|key| Part {
            set: basic_set(frame, &key),
            contains_parameter: Some(&key) == own,
            key,
        })
        .collect()
}

/// Describes the fiber of `net`. `progress(stage, n)` reports long stages (`"parts"`,
/// `"regions"`). `Err` only on an internal inconsistency.
pub fn describe(
    net: &Network,
    opts: &DescribeOptions,
    progress: &mut dyn FnMut(&str, usize),
) -> Result<Description, Internal> {
    let a = net.arch();
    let classification = classify(net);
    let canonical = canonicalize(net).ok().map(|c| c.form);
    let mut d = Description {
        net: net.clone(),
        kind: Kind::Undescribed,
        classification,
        canonical,
        model: None,
        frame: None,
        parts: Vec::new(),
        examined: 0,
        rejected: 0,
        truncated: false,
        own: None,
        partial: None,
        symmetries: Vec::new(),
        formula: None,
        part_dimension: None,
        dimension_via_shift: None,
        fundim: None,
        components: None,
        components_note: String::new(),
    };
    let model = if d.classification.constant {
        Err(ModelError::Constant)
    } else if !a.is_bottleneck() {
        Err(ModelError::NotGeneric(fibers_bottleneck::NotGeneric {
            condition: fibers_bottleneck::Condition::Bottleneck,
            detail: format!("n1 = {} > n0 = {}", a.n1, a.n0),
        }))
    } else {
        Model::new(net)
    };
    match model {
        Ok(m) => {
            d.kind = if a.n1 == 1 {
                Kind::OneDimensional
            } else {
                Kind::Bottleneck
            };
            let frame = m.frame();
            let e = enumerate(&frame.targets, a.n2, opts.max_parts, &mut |n| {
                progress("parts", n)
            });
            let own = match describe_membership(&m, net)? {
                Found::Member(w) => *w,
                Found::NotMember(r) => {
                    return Err(Internal(format!(
                        "the parameter is not in its own described fiber: {r}"
                    )))
                }
            };
            d.examined = e.examined;
            d.rejected = e.rejected;
            d.truncated = e.truncated;
            d.parts = parts_of(&frame, e.parts, Some(&own.part));
            if d.kind == Kind::OneDimensional {
                d.partial = Some(
                    "n1 = 1: the parts below are in the fiber (positive rescaling, relay shift, \
                     role assignments), but a reflected layer 1 (a' = -lambda a) can realise f \
                     when F is constant on a right half-line as well, and such parameters are \
                     not described; membership is decided exactly by the one-dimensional \
                     normal form"
                        .to_string(),
                );
            }
            // [h] as docs/theory.md §4 defines hidden: on the raw parameters.
            let raw_hidden = (0..a.n1).any(|h| crate::orbit::is_hidden(net, h));
            d.formula = Some(dimension_formula(
                net,
                raw_hidden,
                d.classification.parallel_crossing,
            ));
            let point = param_point(a, &crate::member::permuted_params(net, &own));
            let mut best = part_dimension(&frame, &own.part, &point, &own.aux).map_err(Internal)?;
            // At s = 0 the parameter also lies in the closure of the parts where a hidden
            // neuron whose shift creates no kink moves up: their union with θ's part is the
            // same roles with s ≥ 0, whose local dimension counts the shift direction.
            if own.part.branch == Branch::Zero {
                for h in &m.hidden {
                    if m.shift_creates_kink(h.neuron) {
                        continue;
                    }
                    let b = Branch::NonNegative(h.neuron);
                    let mut f2 = frame.clone();
                    f2.targets.push(m.target(b));
                    let mut key = own.part.clone();
                    key.branch = b;
                    let mut aux = own.aux.clone();
                    aux.insert(crate::system::shift_var(), fibers_exact::Rational::zero());
                    let ld = part_dimension(&f2, &key, &point, &aux).map_err(Internal)?;
                    if ld.dimension > best.dimension {
                        best = ld;
                        d.dimension_via_shift = Some(h.raw_neuron);
                    }
                }
            }
            d.part_dimension = Some(best);
            d.symmetries = bottleneck_symmetries(&m, &frame, &own, &d.parts);
            let all_rigid = !d.truncated && d.parts.iter().all(|p| p.key.rigid());
            if all_rigid && d.kind == Kind::Bottleneck {
                d.components = Some(d.parts.len() as u128 * factorial(a.n1) * factorial(a.n2));
                d.components_note = format!(
                    "{} part(s), each connected (a product of intervals), every neuron the only \
                     member of its kink (so no factor mu can change sign), times {}! layer-1 and \
                     {}! layer-2 relabellings, all disjoint; exact if the description is \
                     complete (docs/theory.md §8, open)",
                    d.parts.len(),
                    a.n1,
                    a.n2
                );
            } else {
                d.components_note = if d.truncated {
                    "unknown: the enumeration of parts was truncated".into()
                } else if d.kind == Kind::OneDimensional {
                    "unknown: the description is partial".into()
                } else {
                    "unknown: some part has several members on a kink, or linear, dead, null or \
                     zero-sum neurons; such parts meet through degenerate parameters"
                        .into()
                };
            }
            d.own = Some(own);
            d.model = Some(m);
            d.frame = Some(frame);
        }
        Err(ModelError::Constant) => {
            d.kind = Kind::Constant;
            let value = match &d.canonical {
                Some(CanonicalForm::Constant { value, .. }) => value.clone(),
                _ => {
                    // Wide constant networks: G is constant on U.
                    fibers_bottleneck::OrthantData::of_network(net).offset
                }
            };
            let frame = Frame::constant(a, &value);
            let e = enumerate(&frame.targets, a.n2, opts.max_parts, &mut |n| {
                progress("parts", n)
            });
            let own = match constant_membership(&frame, net)? {
                Found::Member(w) => Some(*w),
                Found::NotMember(_) => None,
            };
            d.examined = e.examined;
            d.rejected = e.rejected;
            d.truncated = e.truncated;
            d.parts = parts_of(&frame, e.parts, own.as_ref().map(|w| &w.part));
            d.partial = Some(
                "f is constant: the parts below (G constant on the orthant U, any layer 1) are \
                 in the fiber; parameters whose layer 1 maps onto a proper subset of U on which \
                 G is constant are in the fiber as well and are not described; membership is \
                 decided exactly (branch tree when outside the parts)"
                    .to_string(),
            );
            d.formula = Some(constant_formula(net));
            if let Some(w) = &own {
                let point = param_point(a, &crate::member::permuted_params(net, w));
                d.part_dimension =
                    Some(part_dimension(&frame, &w.part, &point, &w.aux).map_err(Internal)?);
            }
            d.symmetries = constant_symmetries(net);
            d.components_note = "unknown: the description is partial".into();
            d.own = own;
            d.frame = Some(frame);
        }
        Err(e @ (ModelError::NotGeneric(_) | ModelError::SeveralHidden(_))) => {
            let why = match e {
                ModelError::NotGeneric(e) => format!("the genericity condition {e} fails"),
                ModelError::SeveralHidden(h) => format!(
                    "layer-1 neurons {h:?} are all hidden on the orthant (kinks through a \
                     corner of U; docs/theory.md §4 excludes this for generic parameters)"
                ),
                ModelError::Constant => unreachable!("handled above"),
            };
            d.partial = Some(format!(
                "no description: {why}; only the moves below are known to keep f, and \
                 membership is decided by the branch tree"
            ));
            d.symmetries = generic_symmetries(net);
            d.components_note = "unknown: no description".into();
        }
    }
    if let Some(fo) = &opts.fundim {
        d.fundim = Some(functional_dimension(net, fo, &mut |n| {
            progress("regions", n)
        }));
    }
    Ok(d)
}

impl Description {
    /// The local dimension of the fiber at θ: the Jacobian dimension of θ's part when the
    /// parameter is in the description, else `D −` functional dimension.
    pub fn dimension(&self) -> Option<usize> {
        if let Some(pd) = &self.part_dimension {
            return Some(pd.dimension);
        }
        match &self.fundim {
            // Not where f is not differentiable in the parameters on some region.
            Some(Ok(f)) if f.non_differentiable_regions == 0 => Some(f.corank()),
            _ => None,
        }
    }

    /// How [`Description::dimension`] was obtained.
    pub fn dimension_source(&self) -> String {
        if let Some(pd) = &self.part_dimension {
            let cert = match pd.certainty {
                Certainty::Proven => "proven: the equalities are regular there",
                Certainty::AssumingSmooth => "exact if the equalities are smooth there",
                Certainty::UpperBound => "an upper bound",
            };
            let via = match self.dimension_via_shift {
                Some(h) => format!(
                    ", with the upward shift of hidden layer-1 neuron {h} (the parameter is at \
                     its threshold)"
                ),
                None => String::new(),
            };
            return format!(
                "exact Jacobian rank of the part containing the parameter{via} ({} variables, \
                 rank {}; {cert})",
                pd.ambient, pd.jacobian_rank
            );
        }
        match &self.fundim {
            Some(Ok(f)) if f.non_differentiable_regions == 0 => {
                "D minus the functional dimension (not proved to be the fiber \
                            dimension for this parameter)"
                    .into()
            }
            _ => "no description and no functional dimension".into(),
        }
    }

    /// The description as one semi-algebraic set (standard labelling; the fiber is its union
    /// over all permutations of both hidden layers).
    pub fn union(&self) -> Option<SemiAlgebraicSet> {
        let frame = self.frame.as_ref()?;
        SemiAlgebraicSet::union(
            crate::system::param_vars(frame.arch),
            self.parts.iter().map(|p| p.set.clone()).collect(),
        )
        .ok()
    }
}

fn neuron_list(ks: &[usize]) -> String {
    let v: Vec<String> = ks.iter().map(|k| k.to_string()).collect();
    v.join(", ")
}

fn bottleneck_symmetries(m: &Model, frame: &Frame, own: &Witness, parts: &[Part]) -> Vec<Symmetry> {
    let a = m.arch;
    let (n1, n3) = (a.n1, a.n3);
    let roles = &own.roles;
    let of = |pred: &dyn Fn(&SlotRole) -> bool| -> Vec<usize> {
        (0..roles.len()).filter(|&k| pred(&roles[k])).collect()
    };
    let kinkish = of(&|r| matches!(r, SlotRole::Kink { .. } | SlotRole::Group { .. }));
    let linear = of(&|r| *r == SlotRole::Linear);
    let dead = of(&|r| *r == SlotRole::Dead);
    let null = of(&|r| *r == SlotRole::Null);
    let mut out = vec![
        Symmetry {
            name: "M1".into(),
            discrete: true,
            dimension: None,
            action: format!(
                "permutations of layer 1 ({n1}! = {}) and of layer 2 ({}! = {}), rows and \
                 columns together",
                factorial(n1),
                a.n2,
                factorial(a.n2)
            ),
            condition: "none".into(),
        },
        Symmetry {
            name: "M2".into(),
            discrete: false,
            dimension: Some(n1 + kinkish.len() + linear.len()),
            action: format!(
                "positive scaling of every layer-1 neuron ((a_j, c_j) -> lambda_j (a_j, c_j), \
                 column j of W2 divided by lambda_j) and of layer-2 neurons {} \
                 ((w_k, b_k) -> mu_k (w_k, b_k), v_k -> v_k / mu_k)",
                neuron_list(&[kinkish.clone(), linear.clone()].concat())
            ),
            condition: "lambda_j > 0, mu_k > 0 (a negative factor is not a symmetry)".into(),
        },
    ];
    if !dead.is_empty() || !null.is_empty() {
        let mut action = Vec::new();
        if !dead.is_empty() {
            action.push(format!(
                "dead neurons {}: any (w, b) <= 0 and any v",
                neuron_list(&dead)
            ));
        }
        if !null.is_empty() {
            action.push(format!(
                "null neurons {}: any (w, b) while v = 0",
                neuron_list(&null)
            ));
        }
        out.push(Symmetry {
            name: "M3".into(),
            discrete: false,
            dimension: Some(dead.len() * (n1 + 1 + n3) + null.len() * (n1 + 1)),
            action: action.join("; "),
            condition: "dead: all incoming entries <= 0 (inactive on the orthant U)".into(),
        });
    }
    if !linear.is_empty() {
        out.push(Symmetry {
            name: "M4".into(),
            discrete: false,
            dimension: Some(lin(linear.len(), n1, n3)),
            action: format!(
                "linear block {}: any weights keeping every (w, b) >= 0 and the total affine \
                 map sum v (w.u + b) + b3 (GL mixing, moving v b into b3)",
                neuron_list(&linear)
            ),
            condition: "(w_k, b_k) >= 0 for the linear neurons".into(),
        });
    }
    // M5: flips of kink members, decided exactly by the affine balance.
    let target_own = frame.target(own.part.branch);
    let mut flips = Vec::new();
    for (k, r) in roles.iter().enumerate() {
        if let SlotRole::Kink { label, negative } = *r {
            let mut key = own.part.clone();
            let (p, q) = key.kinks[label];
            key.kinks[label] = if negative {
                (p + 1, q - 1)
            } else {
                (p - 1, q + 1)
            };
            let ok = key.realisable(target_own) && !key.degenerate(target_own);
            flips.push(format!(
                "neuron {k}: {}",
                if ok { "possible" } else { "impossible" }
            ));
        }
    }
    if !flips.is_empty() {
        out.push(Symmetry {
            name: "M5".into(),
            discrete: true,
            dimension: None,
            action: format!(
                "flip (w_k, b_k) -> -(w_k, b_k) of a crossing neuron, the lost affine term \
                 supplied by the others: {}",
                flips.join("; ")
            ),
            condition: "the linear capacity of the other neurons absorbs v_k (w_k.u + b_k) \
                        (decided exactly by the affine balance)"
                .into(),
        });
    }
    let multi: Vec<String> = own
        .part
        .kinks
        .iter()
        .enumerate()
        .filter(|(_, (p, q))| p + q > 1)
        .map(|(l, (p, q))| format!("kink P{l} has {} members", p + q))
        .collect();
    out.push(Symmetry {
        name: "M6".into(),
        discrete: false,
        dimension: None,
        action: if multi.is_empty() {
            "parallel neurons act as one (split or merge), by moving to another part: no two \
             neurons of the parameter share a hyperplane"
                .into()
        } else {
            format!(
                "parallel neurons act as one: {} (only sum |mu| v matters)",
                multi.join(", ")
            )
        },
        condition: "the members of a kink keep sum |mu_k| v_k = J_P".into(),
    });
    for h in &m.hidden {
        let extra = if m.shift_creates_kink(h.neuron) {
            let tilde: Vec<String> = h.tilde.iter().map(|x| x.to_string()).collect();
            let possible = parts
                .iter()
                .any(|p| p.key.branch == crate::model::Branch::Positive(h.neuron));
            format!(
                "; t > t_min turns the u_h column [{}] of the affine part into a new kink N_h, \
                 which needs a layer-2 neuron of its own ({})",
                tilde.join(", "),
                if possible {
                    "possible in some part"
                } else {
                    "impossible with this width"
                }
            )
        } else {
            String::new()
        };
        let local = own.part.branch.neuron() == Some(h.neuron);
        out.push(Symmetry {
            name: "M7".into(),
            discrete: false,
            dimension: Some(usize::from(local)),
            action: format!(
                "hidden shift of layer-1 neuron {}: c_h -> c_h + t, b2[k] -> b2[k] - W2[k][h] t \
                 for every k with W2[k][h] > 0 (s = t - t_min >= 0 in the description){extra}{}{}",
                h.raw_neuron,
                if local {
                    ""
                } else {
                    "; not a free direction at this parameter"
                },
                if m.hidden.len() > 1 {
                    "; the shifts of different hidden neurons exclude each other"
                } else {
                    ""
                }
            ),
            condition: format!("t >= t_min = {}", h.t_min_raw),
        });
    }
    let others = parts.len().saturating_sub(1);
    out.push(Symmetry {
        name: "roles".into(),
        discrete: true,
        dimension: None,
        action: format!(
            "{others} other role assignment(s) (parts of the description) realise the same \
             function"
        ),
        condition: "each part's affine balance is solvable (checked exactly)".into(),
    });
    out
}

fn constant_symmetries(net: &Network) -> Vec<Symmetry> {
    let a = net.arch();
    vec![
        Symmetry {
            name: "M1".into(),
            discrete: true,
            dimension: None,
            action: "permutations of both hidden layers".into(),
            condition: "none".into(),
        },
        Symmetry {
            name: "layer 1".into(),
            discrete: false,
            dimension: Some(a.n1 * (a.n0 + 1)),
            action: "any layer 1, as long as G stays constant on the orthant".into(),
            condition: "G constant on U".into(),
        },
        Symmetry {
            name: "M3".into(),
            discrete: false,
            dimension: None,
            action: "dead neurons: any (w, b) <= 0 and v; null neurons: any (w, b)".into(),
            condition: "dead: all incoming entries <= 0".into(),
        },
        Symmetry {
            name: "M4".into(),
            discrete: false,
            dimension: None,
            action: "linear neurons whose affine maps sum to a constant".into(),
            condition: "(w, b) >= 0".into(),
        },
    ]
}

fn generic_symmetries(net: &Network) -> Vec<Symmetry> {
    let a = net.arch();
    let roles = fibers_bottleneck::orthant::layer2_roles(net);
    let dead: Vec<usize> = (0..roles.len())
        .filter(|&k| roles[k] == fibers_bottleneck::Layer2Role::Dead)
        .collect();
    let mut out = vec![
        Symmetry {
            name: "M1".into(),
            discrete: true,
            dimension: None,
            action: "permutations of both hidden layers".into(),
            condition: "none".into(),
        },
        Symmetry {
            name: "M2".into(),
            discrete: false,
            dimension: Some(a.n1 + a.n2),
            action: "positive scaling of every hidden neuron".into(),
            condition: "factors > 0".into(),
        },
    ];
    if !dead.is_empty() {
        out.push(Symmetry {
            name: "M3".into(),
            discrete: false,
            dimension: Some(dead.len() * (a.n1 + 1 + a.n3)),
            action: format!(
                "dead neurons {}: any (w, b) <= 0 and any v",
                neuron_list(&dead)
            ),
            condition: "all incoming entries <= 0".into(),
        });
    }
    out
}
