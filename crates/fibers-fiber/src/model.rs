//! Canonical coordinates of a bottleneck parameter and the canonical data of `G` on the
//! orthant after a hidden shift, in closed form (docs/theory.md §5 M7, §6, §8).
//!
//! For a generic bottleneck parameter θ (`1 ≤ n1 ≤ n0`, `rank W1 = n1`, `G` not constant on
//! `U`), the *canonical layer 1* has every row normalised by a positive factor (first nonzero
//! entry of `a_j` equal to `±1`), rows sorted, and the hidden neuron `h` (if any) moved down to
//! its threshold `t_min`. In these coordinates `G` has canonical data
//! `G(u) = Σ_P J_P σ(ẑ_P(u)) + A u + a` on `U`.
//!
//! A parameter of the fiber has, after relabelling, the canonical layer 1 with the bias of `h`
//! raised by some `s ≥ 0`, and then its `G'` must equal `G_s(u) = G(u_{-h}, σ(u_h − s))` on
//! `U`. With `Ã_h = A_h + Σ_{ε_P = −1} J_P ŵ_{P,h}` (the `u_h` column of the affine part once
//! every kink depending on `u_h` is oriented to be inactive on the facet `u_h = 0`), the
//! canonical data of `G_s` are, for `s > 0`:
//!
//! - every kink `P`: normal `ẑ_P − ŵ_{P,h} s e_β` (only the offset moves), jump `J_P`;
//! - a new kink `N_h` with normal `(e_h, −s)` and jump `Ã_h`, when `Ã_h ≠ 0`;
//! - linear part `A` with column `h` replaced by `A_h − Ã_h`;
//! - offset `a + s Σ_{ε_P = −1} J_P ŵ_{P,h}`.
//!
//! At `s = 0` they are the data of `G`. Every entry is affine in `s` ([`Affine`]), which makes
//! the fiber's equations polynomial in the parameters and `s`. [`Model::target`] is checked
//! against the realised network shifted by M7 in the tests.

use fibers_bottleneck::canonical::{
    check_layer1, check_roles, normalise_layer1, Layer1Normalisation, NotGeneric,
};
use fibers_bottleneck::layer1::{
    check_hidden_condition, hidden_shift, hidden_threshold, realise, relabel_layer1, Layer1Role,
};
use fibers_bottleneck::orthant::{Kink, OrthantData};
use fibers_exact::Rational;
use fibers_net::{Architecture, Layer, Network};

/// `c + d·s`: an entry of the canonical data as a function of the hidden shift `s`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Affine {
    /// Constant term.
    pub c: Rational,
    /// Coefficient of `s`.
    pub d: Rational,
}

impl Affine {
    /// The constant `c`.
    pub fn constant(c: Rational) -> Self {
        Affine {
            c,
            d: Rational::zero(),
        }
    }
    /// The value at `s`.
    pub fn at(&self, s: &Rational) -> Rational {
        if self.d.is_zero() {
            self.c.clone()
        } else {
            &self.c + &(&self.d * s)
        }
    }
}

/// Which values the hidden shift `s` takes in a part of the description, and which hidden
/// layer-1 neuron (canonical index) it moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Branch {
    /// No hidden layer-1 neuron: no shift.
    NoShift,
    /// `s = 0`: every hidden neuron at its threshold.
    Zero,
    /// `s > 0` for this neuron (the others at their thresholds).
    Positive(usize),
    /// `s ≥ 0` for this neuron, the only hidden one, whose shift creates no kink.
    NonNegative(usize),
}

impl Branch {
    /// The neuron moved by `s` (`None`: no variable `s`).
    pub fn neuron(self) -> Option<usize> {
        match self {
            Branch::Positive(h) | Branch::NonNegative(h) => Some(h),
            _ => None,
        }
    }
    /// Whether the part has the auxiliary variable `s`.
    pub fn has_shift_variable(self) -> bool {
        self.neuron().is_some()
    }
    /// A short label: `no shift`, `s = 0`, `s > 0 (h = 1)`, `s >= 0 (h = 1)`.
    pub fn label(self) -> String {
        match self {
            Branch::NoShift => "no shift".into(),
            Branch::Zero => "s = 0".into(),
            Branch::Positive(h) => format!("s > 0 (h = {h})"),
            Branch::NonNegative(h) => format!("s >= 0 (h = {h})"),
        }
    }
}

/// A kink of the target data with its label: `0..K` are the canonical kinks of `G`, `K` is
/// the kink `N_h` created by a positive shift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetKink {
    /// The label.
    pub label: usize,
    /// `(ŵ, β̂)` as functions of `s`; the first nonzero entry is the constant 1.
    pub normal: Vec<Affine>,
    /// The jump `J`.
    pub jump: Vec<Rational>,
}

/// The canonical data of `G_s` on a branch, as functions of `s`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The branch.
    pub branch: Branch,
    /// The kinks, by label.
    pub kinks: Vec<TargetKink>,
    /// The linear part `A` (`n3 × n1`), constant on the branch.
    pub linear: Vec<Vec<Rational>>,
    /// The offset `a(s)`.
    pub offset: Vec<Affine>,
}

impl Target {
    /// The weights `ŵ` of the kink with the given position in [`Target::kinks`] (constant).
    pub fn kink_weights(&self, i: usize) -> Vec<Rational> {
        let k = &self.kinks[i];
        k.normal[..k.normal.len() - 1]
            .iter()
            .map(|e| e.c.clone())
            .collect()
    }
    /// The data at a given `s` as [`OrthantData`] (kinks sorted by normal).
    pub fn at(&self, s: &Rational) -> OrthantData {
        let mut kinks: Vec<Kink> = self
            .kinks
            .iter()
            .map(|k| Kink {
                normal: k.normal.iter().map(|e| e.at(s)).collect(),
                jump: k.jump.clone(),
            })
            .collect();
        kinks.sort();
        let n3 = self.offset.len();
        let n1 = self.linear.first().map_or(0, Vec::len);
        OrthantData {
            n1,
            n3,
            kinks,
            linear: self.linear.clone(),
            offset: self.offset.iter().map(|e| e.at(s)).collect(),
        }
    }
}

/// What the equations of a part need: the architecture, the canonical layer 1 (`None` when
/// layer 1 is free, as in the constant stratum), the hidden neuron, and the target data of
/// every branch.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The architecture.
    pub arch: Architecture,
    /// The canonical layer 1, or `None` when any layer 1 will do.
    pub layer1: Option<Layer>,
    /// The canonical indices of the hidden neurons.
    pub hidden: Vec<usize>,
    /// The target data, one per branch.
    pub targets: Vec<Target>,
}

impl Frame {
    /// The frame of the constant function with the given value: no kinks, no linear part,
    /// any layer 1.
    pub fn constant(arch: Architecture, value: &[Rational]) -> Frame {
        Frame {
            arch,
            layer1: None,
            hidden: Vec::new(),
            targets: vec![Target {
                branch: Branch::NoShift,
                kinks: Vec::new(),
                linear: vec![vec![Rational::zero(); arch.n1]; arch.n3],
                offset: value.iter().cloned().map(Affine::constant).collect(),
            }],
        }
    }
    /// The target of a branch.
    pub fn target(&self, branch: Branch) -> &Target {
        self.targets
            .iter()
            .find(|t| t.branch == branch)
            .expect("a branch of this frame")
    }
    /// The branches.
    pub fn branches(&self) -> Vec<Branch> {
        self.targets.iter().map(|t| t.branch).collect()
    }
    /// Whether a part on this branch has the auxiliary variable `s`.
    pub fn has_shift(&self, branch: Branch) -> bool {
        branch.has_shift_variable()
    }
}

/// The hidden layer-1 neuron in canonical coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hidden {
    /// Its canonical index `h`.
    pub neuron: usize,
    /// Its raw index in θ.
    pub raw_neuron: usize,
    /// `ε_P = −1` for the canonical kinks oriented by negation.
    pub negated: Vec<bool>,
    /// `Ã_h`.
    pub tilde: Vec<Rational>,
    /// The threshold `t_min` of M7 in θ's raw coordinates (`≤ 0`).
    pub t_min_raw: Rational,
}

/// Why a parameter has no bottleneck model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// `f` is constant.
    Constant,
    /// A genericity condition fails.
    NotGeneric(NotGeneric),
    /// Several layer-1 neurons are hidden on the orthant (possible only when kinks pass
    /// through a corner of `U`; docs/theory.md §4 excludes it for generic parameters). Raw indices.
    SeveralHidden(Vec<usize>),
}

/// A generic bottleneck parameter in canonical coordinates.
#[derive(Clone, Debug)]
pub struct Model {
    /// The parameter θ.
    pub net: Network,
    /// Its architecture.
    pub arch: Architecture,
    /// The canonical layer 1 (rows normalised and sorted, hidden neurons at their thresholds).
    pub layer1: Layer,
    /// The hidden neurons (usually none or one; several only when kinks pass through a corner
    /// of `U`, and then their shifts exclude each other).
    pub hidden: Vec<Hidden>,
    /// Canonical data of `G` on `U` in canonical coordinates.
    pub data: OrthantData,
    /// Canonical row `i` comes from raw row `order[i]` of θ.
    pub order: Vec<usize>,
    /// Canonical row `i` is `scale[i]` (positive) times raw row `order[i]` (after the shift).
    pub scale: Vec<Rational>,
    /// The hidden neuron of θ above its threshold and by how much (`None`: θ has every hidden
    /// neuron at its threshold).
    pub own_shift: Option<(usize, Rational)>,
}

fn hidden_set(d: &OrthantData) -> Option<Vec<usize>> {
    fibers_bottleneck::layer1::layer1_roles(d).ok().map(|r| {
        (0..r.len())
            .filter(|&j| r[j] == Layer1Role::Hidden)
            .collect()
    })
}

impl Model {
    /// The model of a generic bottleneck parameter with `1 ≤ n1 ≤ n0` and non-constant `f`.
    pub fn new(net: &Network) -> Result<Model, ModelError> {
        let arch = net.arch();
        let raw = OrthantData::of_network(net);
        if raw.is_constant() {
            return Err(ModelError::Constant);
        }
        check_layer1(net).map_err(|e| {
            if arch.n1 == 1 {
                // n1 = 1 with a zero row: f is constant.
                ModelError::Constant
            } else {
                ModelError::NotGeneric(e)
            }
        })?;
        let roles = check_roles(&raw).map_err(ModelError::NotGeneric)?;
        // Move every hidden neuron above its threshold down to it (as fibers-bottleneck does).
        let mut flip = vec![false; raw.kinks.len()];
        let mut moves: Vec<(usize, Rational)> = Vec::new();
        for h in (0..arch.n1).filter(|&j| roles[j] == Layer1Role::Hidden) {
            let (f, t) = hidden_threshold(&raw, h).expect("hidden by its role");
            if !t.is_zero() {
                for (x, y) in flip.iter_mut().zip(f) {
                    *x |= y;
                }
                moves.push((h, t));
            }
        }
        if moves.len() > 1 {
            return Err(ModelError::SeveralHidden(
                moves.iter().map(|m| m.0).collect(),
            ));
        }
        let shifted = match moves.first() {
            None => net.clone(),
            Some((h, t)) => {
                let base = if check_hidden_condition(net, *h, t).is_ok() {
                    net.clone()
                } else {
                    realise(net.layer(1), arch.n0, &raw, &flip)
                };
                hidden_shift(&base, *h, t)
            }
        };
        let Layer1Normalisation { order, scale, .. } = normalise_layer1(&shifted);
        let relabelled = relabel_layer1(&shifted, &order, &scale);
        let data = OrthantData::of_network(&relabelled);
        let layer1 = relabelled.layer(1).clone();
        let hset = hidden_set(&data).ok_or_else(|| {
            ModelError::NotGeneric(NotGeneric {
                condition: fibers_bottleneck::Condition::FacetTraces,
                detail: "kinks share their traces on a facet after the hidden shift".into(),
            })
        })?;
        let mut hidden = Vec::new();
        for &h in &hset {
            let (negated, t) = hidden_threshold(&data, h).expect("a hidden neuron has a threshold");
            if !t.is_zero() {
                return Err(ModelError::SeveralHidden(
                    hset.iter().map(|&j| order[j]).collect(),
                ));
            }
            let mut tilde: Vec<Rational> = data.linear.iter().map(|r| r[h].clone()).collect();
            for (k, &neg) in data.kinks.iter().zip(&negated) {
                if neg {
                    for (c, j) in tilde.iter_mut().zip(&k.jump) {
                        *c += j * &k.normal[h];
                    }
                }
            }
            let raw_h = order[h];
            hidden.push(Hidden {
                neuron: h,
                raw_neuron: raw_h,
                negated,
                tilde,
                t_min_raw: moves
                    .iter()
                    .find(|m| m.0 == raw_h)
                    .map_or_else(Rational::zero, |m| m.1.clone()),
            });
        }
        let own_shift = moves.first().map(|(h, t)| {
            let c = order.iter().position(|j| j == h).expect("a permutation");
            (c, -t)
        });
        let m = Model {
            net: net.clone(),
            arch,
            layer1,
            hidden,
            data,
            order,
            scale,
            own_shift,
        };
        // The shifts of different hidden neurons must exclude each other: after a positive
        // shift of one, no other neuron may stay hidden (else the description would need
        // joint shifts, which it does not have).
        if m.hidden.len() > 1 || moves.len() == 1 {
            for h in &m.hidden {
                let b = m.positive_branch(h.neuron);
                let after = hidden_set(&m.target(b).at(&Rational::one())).unwrap_or_default();
                if after.iter().any(|&j| j != h.neuron) {
                    return Err(ModelError::SeveralHidden(
                        m.hidden.iter().map(|x| x.raw_neuron).collect(),
                    ));
                }
            }
        }
        Ok(m)
    }

    /// Number of canonical kinks `K`.
    pub fn kink_count(&self) -> usize {
        self.data.kinks.len()
    }

    /// The hidden neuron with canonical index `h`.
    pub fn hidden_neuron(&self, h: usize) -> Option<&Hidden> {
        self.hidden.iter().find(|x| x.neuron == h)
    }

    /// Whether `Ã_h ≠ 0` (a positive shift of `h` creates the kink `N_h`).
    pub fn shift_creates_kink(&self, h: usize) -> bool {
        self.hidden_neuron(h)
            .is_some_and(|x| x.tilde.iter().any(|t| !t.is_zero()))
    }

    /// The branch of positive shifts of `h`.
    pub fn positive_branch(&self, h: usize) -> Branch {
        if self.hidden.len() == 1 && !self.shift_creates_kink(h) {
            Branch::NonNegative(h)
        } else {
            Branch::Positive(h)
        }
    }

    /// The branches of the hidden shift.
    pub fn branches(&self) -> Vec<Branch> {
        match self.hidden.as_slice() {
            [] => vec![Branch::NoShift],
            [h] if !self.shift_creates_kink(h.neuron) => vec![Branch::NonNegative(h.neuron)],
            hs => std::iter::once(Branch::Zero)
                .chain(hs.iter().map(|h| Branch::Positive(h.neuron)))
                .collect(),
        }
    }

    /// The branch of a shift `s ≥ 0` of neuron `h` (`None`: no neuron shifted).
    pub fn branch_of(&self, shift: Option<(usize, &Rational)>) -> Branch {
        if self.hidden.is_empty() {
            return Branch::NoShift;
        }
        match shift {
            Some((h, s)) if s.is_positive() => self.positive_branch(h),
            _ => match self.branches().as_slice() {
                [b @ Branch::NonNegative(_)] => *b,
                _ => Branch::Zero,
            },
        }
    }

    /// The canonical data of `G_s` on a branch, in closed form (see the [module docs](self)).
    pub fn target(&self, branch: Branch) -> Target {
        let n1 = self.arch.n1;
        let d = &self.data;
        let h = branch.neuron().and_then(|h| self.hidden_neuron(h));
        let mut kinks: Vec<TargetKink> = d
            .kinks
            .iter()
            .enumerate()
            .map(|(label, k)| {
                let mut normal: Vec<Affine> =
                    k.normal.iter().cloned().map(Affine::constant).collect();
                if let Some(h) = h {
                    normal[n1].d = -&k.normal[h.neuron];
                }
                TargetKink {
                    label,
                    normal,
                    jump: k.jump.clone(),
                }
            })
            .collect();
        let mut linear = d.linear.clone();
        let mut offset: Vec<Affine> = d.offset.iter().cloned().map(Affine::constant).collect();
        if let Some(h) = h {
            for (k, &neg) in d.kinks.iter().zip(&h.negated) {
                if neg {
                    for (o, j) in k.jump.iter().enumerate() {
                        offset[o].d += j * &k.normal[h.neuron];
                    }
                }
            }
            if h.tilde.iter().any(|t| !t.is_zero()) {
                for (row, t) in linear.iter_mut().zip(&h.tilde) {
                    row[h.neuron] -= t;
                }
                let mut normal = vec![Affine::constant(Rational::zero()); n1 + 1];
                normal[h.neuron] = Affine::constant(Rational::one());
                normal[n1] = Affine {
                    c: Rational::zero(),
                    d: Rational::from(-1),
                };
                kinks.push(TargetKink {
                    label: d.kinks.len(),
                    normal,
                    jump: h.tilde.clone(),
                });
            }
        }
        Target {
            branch,
            kinks,
            linear,
            offset,
        }
    }

    /// The canonical data of `G_s` for a shift `s` of hidden neuron `h`, computed the slow way:
    /// the canonical layer 1 with a fresh layer 2 realising the data (sign conditions of M7
    /// hold by construction), shifted by M7. Used to check [`Model::target`].
    pub fn target_by_shift(&self, h: usize, s: &Rational) -> OrthantData {
        match self.hidden_neuron(h) {
            None => self.data.clone(),
            Some(x) => {
                let r = realise(&self.layer1, self.arch.n0, &self.data, &x.negated);
                OrthantData::of_network(&hidden_shift(&r, x.neuron, s))
            }
        }
    }

    /// The frame of this model.
    pub fn frame(&self) -> Frame {
        Frame {
            arch: self.arch,
            layer1: Some(self.layer1.clone()),
            hidden: self.hidden.iter().map(|h| h.neuron).collect(),
            targets: self
                .branches()
                .into_iter()
                .map(|b| self.target(b))
                .collect(),
        }
    }
}
