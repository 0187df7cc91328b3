//! The number of conservation laws by two certified bounds, without enumerating linear regions
//! (docs/theory.md §12, §9, §10).
//!
//! # Lower bound: laws verified as identities in symbolic phase indicators
//!
//! Replace every `σ(y)` by `s·y` with a symbolic indicator `s ∈ {0, 1}` per neuron: the output
//! `f_o(θ, x, s)` is a polynomial and every activation pattern is one substitution of 0/1 for
//! the indicators. A polynomial `Q(θ)` with `∇Q · ∇_θ f_o ≡ 0` as a polynomial in `(θ, x, s)`
//! is conserved in every pattern. Indicators that are *certified* to be constant, or equal to
//! each other, on the domain are substituted first ([`Phases`]):
//!
//! - without data, from sign conditions on the raw parameters: a layer-1 neuron with `a_j = 0`
//!   has the constant phase of `c_j`; a layer-2 neuron with `(w_k, β'_k) ≤ 0` is inactive on
//!   the whole image of layer 1 (which lies in the orthant `u ≥ 0`), with `(w_k, β'_k) ≥ 0` and
//!   `β'_k > 0` it is active there (`β'_k` is `β_k` plus the contribution of constant layer-1
//!   neurons); neurons whose rows are positive multiples of each other share one indicator;
//! - with data, from the activation patterns of the data points (exact evaluation): an
//!   indicator constant over the data is fixed, indicators equal over the data are identified.
//!   A candidate that fails this one symbolic check is then verified pattern by pattern (each
//!   data pattern once; polynomial in the number of points).
//!
//! Only the terms of `f_o` that contain a variable of `Q` are built: `∇Q · ∇f` involves
//! `∂f/∂v` for `v` in the support of `Q` only, and those derivatives see no other term. (Each
//! monomial of `f` holds at most one indicator of each layer and `∇Q` holds none, so
//! identifying indicators never creates `s²`: no reduction `s² = s` is needed.)
//!
//! The candidates are those of [`crate::laws`]: frozen parameters, layer-1 and layer-2
//! scalings, mixing of layer-2 (and layer-1) neurons that share an indicator or are both
//! always active. The lower bound is the number of verified laws with independent gradients at
//! `θ` (independence mod `p` implies independence over `Q`).
//!
//! # Upper bound: `D − rank` of fields of the Lie algebra at `θ`
//!
//! The number of independent local laws is `D − dim Lie(θ)` where the Lie algebra is generated
//! by the coefficient fields of `∇_θ f_s(θ, x)_o` over the patterns `s` of the domain
//! ([`crate::lie`]). Any set of such fields, and brackets of them, evaluated at `θ`, spans a
//! subspace of `Lie(θ)`, so `D − rank` is an upper bound. Without data, rows chosen by
//! structure come first ([`structured_rank`]): the jumps of the Jacobian `∂f_θ(x)/∂θ` across
//! the kink of every layer-1 and layer-2 neuron and the Jacobians of whole regions, at points
//! chosen in layer-1 coordinates, ranked in a sparse echelon (polynomial in the widths). When
//! they do not reach the lower bound (directions that only brackets reach, such as the
//! hidden shift), the sampling below runs too and the better bound is kept. Without data the
//! sampled patterns are those
//! of sample points *not on any kink* (exact evaluation: each such point lies in the interior
//! of a linear region): random points and points pushed to both sides of each neuron's kink.
//! With data they are the data patterns. Brackets `[X, Y](θ) = DY·X − DX·Y` of random
//! combinations `X, Y` of the generators are computed with dual numbers (one bracket of random
//! combinations reaches, with high probability, every level-1 bracket direction, such as the
//! hidden shift). Ranks are taken over `F_p` (`rank_p ≤ rank_Q`, so the bound stays valid),
//! in the block structure of the fields: the field of input coordinate `i` touches only the
//! column `W1[:, i]` of layer 1 (the constant field only `b1`), plus layers 2 and 3.
//!
//! When the bounds meet, the number of laws is certified, and the verified laws are all of
//! them (a maximal independent set). Otherwise both bounds are reported.

#![allow(clippy::needless_range_loop)]

use crate::laws::{layer1_mixing, layer1_scaling, layer2_mixing, layer2_scaling, LawKind, Scope};
use crate::model::{input_var, pattern_var, Pattern};
use crate::regions::PatternSet;
use fibers_exact::modp::{EchelonModP, Fp};
use fibers_exact::Rational;
use fibers_net::random::Lcg;
use fibers_net::{Architecture, Network};
use fibers_semialg::var::Parameter;
use fibers_semialg::{Monomial, Polynomial, Var, VectorField};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::{Add, Mul, Sub};

/// The value a phase indicator takes on the whole domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// Inactive everywhere on the domain.
    Zero,
    /// Active everywhere on the domain.
    One,
    /// Symbolic, shared with the neuron of this index in the same layer (itself if alone).
    Symbol(usize),
}

/// Certified indicators of every neuron, with the reason of each fixed or shared one.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Phases {
    /// Layer-1 indicators.
    pub layer1: Vec<Indicator>,
    /// Layer-2 indicators.
    pub layer2: Vec<Indicator>,
    /// Why each non-trivial indicator holds (one line each).
    pub reasons: Vec<String>,
}

fn rat_pos(r: &Rational) -> bool {
    r.is_positive()
}

/// Positive-multiple direction of a row: the row divided by the absolute value of its first
/// nonzero entry (`None` for the zero row).
fn direction(row: &[Rational]) -> Option<Vec<Rational>> {
    let lead = row.iter().find(|x| !x.is_zero())?.abs();
    Some(row.iter().map(|x| x / &lead).collect())
}

impl Phases {
    /// Indicators certified from sign conditions on the raw parameters (see the
    /// [module docs](self)); valid for every input.
    pub fn from_signs(net: &Network) -> Phases {
        let arch = net.arch();
        let mut reasons = Vec::new();
        let mut layer1 = Vec::with_capacity(arch.n1);
        let mut dirs1: Vec<(Vec<Rational>, usize)> = Vec::new();
        for j in 0..arch.n1 {
            let a = &net.w1()[j];
            let c = &net.b1()[j];
            if a.iter().all(Rational::is_zero) {
                let on = rat_pos(c);
                reasons.push(format!(
                    "layer-1 neuron {j}: W1[{j}] = 0 and b1[{j}] = {c}, so it is {} everywhere",
                    if on { "active" } else { "inactive" }
                ));
                layer1.push(if on { Indicator::One } else { Indicator::Zero });
                continue;
            }
            let row: Vec<Rational> = a.iter().chain([c]).cloned().collect();
            let d = direction(&row).expect("nonzero");
            match dirs1.iter().find(|(e, _)| *e == d) {
                Some((_, rep)) => {
                    reasons.push(format!(
                        "layer-1 neurons {rep} and {j}: rows (W1, b1) positively parallel, same phase everywhere"
                    ));
                    layer1.push(Indicator::Symbol(*rep));
                }
                None => {
                    dirs1.push((d, j));
                    layer1.push(Indicator::Symbol(j));
                }
            }
        }
        let mut layer2 = Vec::with_capacity(arch.n2);
        let mut dirs2: Vec<(Vec<Rational>, usize)> = Vec::new();
        for k in 0..arch.n2 {
            // z_k = β'_k + Σ_{j symbolic} w_kj u_j, u_j ≥ 0 free.
            let mut beta = net.b2()[k].clone();
            let mut w: Vec<Rational> = Vec::new();
            for (j, ind) in layer1.iter().enumerate() {
                match ind {
                    Indicator::Zero => w.push(Rational::zero()),
                    Indicator::One => {
                        beta += &net.w2()[k][j] * &net.b1()[j];
                        w.push(Rational::zero());
                    }
                    Indicator::Symbol(_) => w.push(net.w2()[k][j].clone()),
                }
            }
            if !beta.is_positive() && w.iter().all(|x| !x.is_positive()) {
                reasons.push(format!(
                    "layer-2 neuron {k}: all entries of (W2[{k}], b2[{k}]) on the image of layer 1 are ≤ 0, inactive there (dead)"
                ));
                layer2.push(Indicator::Zero);
                continue;
            }
            if beta.is_positive() && w.iter().all(|x| !x.is_negative()) {
                reasons.push(format!(
                    "layer-2 neuron {k}: b2[{k}] > 0 and W2[{k}] ≥ 0 on the image of layer 1, active there (linear)"
                ));
                layer2.push(Indicator::One);
                continue;
            }
            let row: Vec<Rational> = w.into_iter().chain([beta]).collect();
            let d = direction(&row).expect("crossing rows are nonzero");
            match dirs2.iter().find(|(e, _)| *e == d) {
                Some((_, rep)) => {
                    reasons.push(format!(
                        "layer-2 neurons {rep} and {k}: rows (W2, b2) positively parallel, same phase everywhere"
                    ));
                    layer2.push(Indicator::Symbol(*rep));
                }
                None => {
                    dirs2.push((d, k));
                    layer2.push(Indicator::Symbol(k));
                }
            }
        }
        Phases {
            layer1,
            layer2,
            reasons,
        }
    }

    /// Indicators from a set of data patterns: constant over the data → fixed, equal over the
    /// data → shared.
    pub fn from_patterns(set: &PatternSet) -> Phases {
        let cols = |layer: usize, n: usize| -> Vec<Vec<bool>> {
            (0..n)
                .map(|u| {
                    set.patterns
                        .iter()
                        .map(|p| if layer == 1 { p.layer1[u] } else { p.layer2[u] })
                        .collect()
                })
                .collect()
        };
        let n1 = set.patterns.first().map_or(0, |p| p.layer1.len());
        let n2 = set.patterns.first().map_or(0, |p| p.layer2.len());
        let mut reasons = Vec::new();
        let mut assign = |layer: usize, cols: Vec<Vec<bool>>| -> Vec<Indicator> {
            let mut out = Vec::new();
            for (u, c) in cols.iter().enumerate() {
                if c.iter().all(|&b| b) {
                    out.push(Indicator::One);
                } else if c.iter().all(|&b| !b) {
                    out.push(Indicator::Zero);
                } else {
                    let rep = (0..u).find(|&v| cols[v] == *c).unwrap_or(u);
                    if rep != u {
                        reasons.push(format!(
                            "layer-{layer} neurons {rep} and {u}: same phase at every data point"
                        ));
                    }
                    out.push(Indicator::Symbol(rep));
                }
            }
            out
        };
        let layer1 = assign(1, cols(1, n1));
        let layer2 = assign(2, cols(2, n2));
        Phases {
            layer1,
            layer2,
            reasons,
        }
    }

    /// The indicators of one pattern (everything fixed).
    pub fn of_pattern(p: &Pattern) -> Phases {
        let f = |b: &bool| if *b { Indicator::One } else { Indicator::Zero };
        Phases {
            layer1: p.layer1.iter().map(f).collect(),
            layer2: p.layer2.iter().map(f).collect(),
            reasons: Vec::new(),
        }
    }

    fn factor(&self, layer: usize, unit: usize) -> Option<Option<Var>> {
        let ind = if layer == 1 {
            self.layer1[unit]
        } else {
            self.layer2[unit]
        };
        match ind {
            Indicator::Zero => None,
            Indicator::One => Some(None),
            Indicator::Symbol(r) => Some(Some(pattern_var(layer, r))),
        }
    }
}

/// A term of the symbolic output `f_o`: `b3`, the `b2[k]` term, the `b1[j]` term through `k`,
/// or the `W1[j][i] x[i]` term through `k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Term {
    B3,
    B2(usize),
    B1(usize, usize),
    W1(usize, usize, usize),
}

fn param_of(v: &Var) -> Option<(u32, usize, Option<usize>)> {
    match v.parameter()? {
        Parameter::Weight { layer, row, col } => Some((layer, row as usize, Some(col as usize))),
        Parameter::Bias { layer, unit } => Some((layer, unit as usize, None)),
    }
}

/// The terms of `f_o` containing some variable of `support`.
/// Only inputs `0..inputs` are taken for the terms `W1[j][i] x[i]`.
fn relevant_terms(
    arch: &Architecture,
    o: usize,
    support: &BTreeSet<Var>,
    inputs: usize,
) -> BTreeSet<Term> {
    let mut t = BTreeSet::new();
    let all_k = |t: &mut BTreeSet<Term>, f: &dyn Fn(usize) -> Vec<Term>| {
        for k in 0..arch.n2 {
            t.extend(f(k));
        }
    };
    for v in support {
        let Some((layer, row, col)) = param_of(v) else {
            continue;
        };
        match (layer, col) {
            (3, None) if row == o => {
                t.insert(Term::B3);
            }
            (3, Some(k)) if row == o => {
                t.insert(Term::B2(k));
                for j in 0..arch.n1 {
                    t.insert(Term::B1(k, j));
                    for i in 0..inputs {
                        t.insert(Term::W1(k, j, i));
                    }
                }
            }
            (2, None) => {
                t.insert(Term::B2(row));
            }
            (2, Some(j)) => {
                t.insert(Term::B1(row, j));
                for i in 0..inputs {
                    t.insert(Term::W1(row, j, i));
                }
            }
            (1, None) => all_k(&mut t, &|k| vec![Term::B1(k, row)]),
            (1, Some(i)) if i < inputs => all_k(&mut t, &|k| vec![Term::W1(k, row, i)]),
            _ => {}
        }
    }
    t
}

/// How the check treats sub-expressions that contain no variable of the law (see
/// [`verify_symbolic`]).
#[derive(Clone, Copy)]
struct Opaque {
    /// `y_j = b1[j] + Σ_i W1[j][i] x[i]` is one fresh variable `y1[j]`.
    y: bool,
    /// `W3[o][k] s2[k]` is one fresh variable `v3[k]` (the check is then the same for every
    /// output).
    v: bool,
}

fn term_polynomial(o: usize, term: Term, phases: &Phases, opaque: Opaque) -> Option<Polynomial> {
    let mut vars: Vec<Var> = Vec::with_capacity(7);
    let push_ind = |vars: &mut Vec<Var>, layer: usize, unit: usize| -> bool {
        match phases.factor(layer, unit) {
            None => false,
            Some(None) => true,
            Some(Some(s)) => {
                vars.push(s);
                true
            }
        }
    };
    let out2 = |vars: &mut Vec<Var>, k: usize| -> bool {
        if opaque.v {
            // `W3[o][k] s2[k]` as one variable, 0 when the indicator is fixed to 0.
            if phases.factor(2, k).is_none() {
                return false;
            }
            vars.push(Var::new(&format!("v3[{k}]")));
            true
        } else if push_ind(vars, 2, k) {
            vars.push(Var::w3(o, k));
            true
        } else {
            false
        }
    };
    match term {
        Term::B3 => vars.push(Var::b3(o)),
        Term::B2(k) => {
            if !out2(&mut vars, k) {
                return None;
            }
            vars.push(Var::b2(k));
        }
        Term::B1(k, j) | Term::W1(k, j, _) => {
            if !out2(&mut vars, k) || !push_ind(&mut vars, 1, j) {
                return None;
            }
            vars.push(Var::w2(k, j));
            match term {
                _ if opaque.y => vars.push(Var::new(&format!("y1[{j}]"))),
                Term::W1(_, _, i) => {
                    vars.push(Var::w1(j, i));
                    vars.push(input_var(i));
                }
                _ => vars.push(Var::b1(j)),
            }
        }
    }
    Some(Polynomial::term(
        Rational::one(),
        Monomial::from_powers(vars.into_iter().map(|v| (v, 1))),
    ))
}

/// Whether `∇q · ∇_θ f_o ≡ 0` for every output `o`, as polynomials in `(θ, x, s)` with the
/// indicators of `phases` substituted (see the [module docs](self)).
///
/// Sub-expressions free of the variables of `q` are replaced by fresh variables: the layer-1
/// pre-activation `y_j` when `q` holds no layer-1 parameter, and `W3[o][k] s2[k]` when `q` holds
/// no layer-3 parameter. If `f = F(…, Y)` with `Y = y(θ', x)` and `q` free of the variables of
/// `y`, then `∇q · ∇f = (∇q · ∇F)|_{Y = y}`, so an identity in the fresh variables implies the
/// identity sought. In the second case `F` is the same for every output: one check suffices.
pub fn verify_symbolic(q: &Polynomial, arch: &Architecture, phases: &Phases) -> bool {
    let support = q.variables();
    let layers: BTreeSet<u32> = support
        .iter()
        .filter_map(|v| param_of(v).map(|p| p.0))
        .collect();
    let opaque = Opaque {
        y: !layers.contains(&1),
        v: !layers.contains(&3),
    };
    // With `q` symmetric in the input index, the coefficient of `x[0]` stands for every `x[i]`
    // (see [`input_symmetric`]).
    let first_input_only = !opaque.y && arch.n0 > 1 && input_symmetric(q, arch.n0);
    // (With `y` opaque every `W1[j][i] x[i]` term becomes the `y1[j]` term: one input suffices.)
    let inputs = if first_input_only || opaque.y {
        arch.n0.min(1)
    } else {
        arch.n0
    };
    let field = VectorField::gradient_of(q);
    // Integer coefficients are summed in `i128`, others in rationals.
    let integral: Option<HashMap<Var, Vec<(Monomial, i64)>>> = field
        .components()
        .map(|(v, c)| {
            let terms: Option<Vec<(Monomial, i64)>> = c
                .terms()
                .map(|(m, r)| {
                    r.is_integer()
                        .then(|| r.numer().to_i64())
                        .flatten()
                        .filter(|x| x.unsigned_abs() < 1 << 40)
                        .map(|x| (m.clone(), x))
                })
                .collect();
            terms.map(|t| (v.clone(), t))
        })
        .collect();
    let grad: HashMap<Var, Polynomial> = field
        .components()
        .map(|(v, c)| (v.clone(), c.clone()))
        .collect();
    let outputs = if opaque.v { 1.min(arch.n3) } else { arch.n3 };
    (0..outputs).all(|o| {
        let terms: BTreeSet<Term> = relevant_terms(arch, o, &support, inputs)
            .into_iter()
            .map(|t| match t {
                Term::W1(k, j, _) if opaque.y => Term::B1(k, j),
                t => t,
            })
            .collect();
        // ∇q · ∇f = Σ_terms Σ_{v in the term} ∂q/∂v · ∂term/∂v, accumulated monomial by
        // monomial (each term of f is a monomial with coefficient 1).
        let monomials = terms
            .into_iter()
            .filter_map(|t| term_polynomial(o, t, phases, opaque))
            .flat_map(|p| p.terms().map(|(m, _)| m.clone()).collect::<Vec<_>>());
        let lowered = |m: &Monomial, v: &Var| {
            Monomial::from_powers(
                m.powers()
                    .map(|(w, f)| (w.clone(), if w == v { f - 1 } else { f })),
            )
        };
        match &integral {
            Some(ig) => {
                let mut acc: HashMap<Monomial, i128> = HashMap::new();
                for m in monomials {
                    for (v, e) in m.powers() {
                        let Some(c) = ig.get(v) else {
                            continue;
                        };
                        let dm = lowered(&m, v);
                        for (cm, cc) in c {
                            *acc.entry(cm.mul(&dm)).or_insert(0) += i128::from(*cc) * i128::from(e);
                        }
                    }
                }
                acc.values().all(|x| *x == 0)
            }
            None => {
                let mut acc: HashMap<Monomial, Rational> = HashMap::new();
                for m in monomials {
                    for (v, e) in m.powers() {
                        let Some(c) = grad.get(v) else {
                            continue;
                        };
                        let dm = lowered(&m, v);
                        let k = Rational::from(i64::from(e));
                        for (cm, cc) in c.terms() {
                            let slot = acc.entry(cm.mul(&dm)).or_insert_with(Rational::zero);
                            *slot += &(cc * &k);
                        }
                    }
                }
                acc.values().all(Rational::is_zero)
            }
        }
    })
}

/// Whether `q` is unchanged by every exchange of input index `0` with an index `i`
/// (`W1[j][0] ↔ W1[j][i]` for every `j`): each monomial holds weights of layer 1 of at most one
/// input index, and each monomial of index `i` has the same coefficient as its image of index
/// `0` (and those of every other index).
///
/// Then the identity `∇q · ∇f ≡ 0` needs only the terms of `f` free of `x` or holding `x[0]`:
/// `f` (every indicator included) is unchanged by the exchange together with `x[0] ↔ x[i]`,
/// so is `∇q · ∇f`; `q` holds no `x`, and `f` is of degree ≤ 1 in `x`, so the coefficient of
/// `x[i]` in `∇q · ∇f` is the image of the coefficient of `x[0]`, and vanishes with it.
fn input_symmetric(q: &Polynomial, n0: usize) -> bool {
    let mut shapes: HashMap<Monomial, Vec<(usize, Rational)>> = HashMap::new();
    for (m, c) in q.terms() {
        let mut col = None;
        for v in m.vars() {
            if let Some((1, _, Some(i))) = param_of(v) {
                if col.is_some_and(|c| c != i) {
                    return false;
                }
                col = Some(i);
            }
        }
        let Some(i) = col else {
            continue;
        };
        let shape = Monomial::from_powers(m.powers().map(|(v, e)| match param_of(v) {
            Some((1, j, Some(_))) => (Var::w1(j, 0), e),
            _ => (v.clone(), e),
        }));
        shapes.entry(shape).or_default().push((i, c.clone()));
    }
    shapes.values_mut().all(|v| {
        v.sort_by_key(|e| e.0);
        v.len() == n0 && v.iter().enumerate().all(|(i, e)| e.0 == i && e.1 == v[0].1)
    })
}

/// How a law was verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifiedBy {
    /// One identity with the certified indicators substituted.
    SymbolicIndicators,
    /// One identity per data pattern.
    EachDataPattern,
}

/// A verified law of the bounds computation.
#[derive(Clone, Debug)]
pub struct BoundLaw {
    /// A short name (as in [`crate::laws`]).
    pub name: String,
    /// The family.
    pub kind: LawKind,
    /// Global (every indicator left symbolic) or local (some indicator fixed or shared).
    pub scope: Scope,
    /// The conserved polynomial.
    pub polynomial: Polynomial,
    /// How it was verified.
    pub verified_by: VerifiedBy,
}

/// Options of [`bounds`].
#[derive(Clone, Debug)]
pub struct BoundsOptions {
    /// Seed of the sample points and random combinations.
    pub seed: u64,
    /// The most distinct activation patterns sampled (without data).
    pub max_patterns: usize,
    /// The most sample points tried (without data).
    pub max_points: usize,
    /// Stop sampling after this many new patterns in a row that add no rank.
    pub stall_patterns: usize,
    /// Stop sampling after this many points in a row that give no new pattern.
    pub stall_points: usize,
    /// The most brackets computed.
    pub max_brackets: usize,
    /// Whether to compute the rows chosen by structure first ([`structured_rank`]; without
    /// data only). Off, only the sampled patterns and brackets give the upper bound.
    pub structured: bool,
    /// The most random regions of the structured rows ([`structured_rank`]) after the kinks.
    pub structured_points: usize,
}

impl Default for BoundsOptions {
    fn default() -> Self {
        BoundsOptions {
            seed: 1,
            max_patterns: 2000,
            max_points: 20_000,
            stall_patterns: 60,
            stall_points: 400,
            max_brackets: 64,
            structured: true,
            structured_points: 64,
        }
    }
}

/// Why the upper-bound computation stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundsStop {
    /// The upper bound met the lower bound.
    Met,
    /// New patterns and brackets stopped adding rank (the bounds may still differ).
    Stalled,
    /// A budget ran out.
    Budget,
    /// A parameter has no image mod p (its denominator is a multiple of p).
    NoImage,
}

/// The result of [`bounds`].
#[derive(Clone, Debug)]
pub struct Bounds {
    /// `D`.
    pub parameters: usize,
    /// Certified indicators used in the verification.
    pub phases: Phases,
    /// The verified laws with independent gradients at `θ`.
    pub laws: Vec<BoundLaw>,
    /// Verified laws dependent on those kept.
    pub dependent: Vec<String>,
    /// Candidates that failed verification.
    pub failed: Vec<String>,
    /// Lower bound on the number of independent laws (`laws.len()`).
    pub lower: usize,
    /// Upper bound `D − rank`.
    pub upper: usize,
    /// Rank of the generator fields alone at `θ`.
    pub fields_rank: usize,
    /// Rank with the brackets.
    pub rank: usize,
    /// Brackets computed, and how many added rank.
    pub brackets: (usize, usize),
    /// Distinct activation patterns whose fields were used.
    pub patterns: usize,
    /// Sample points tried (0 with data).
    pub points: usize,
    /// Sample points skipped because they lie on a kink.
    pub on_kink: usize,
    /// Why it stopped.
    pub stop: BoundsStop,
    /// Whether the patterns come from data.
    pub data: bool,
    /// The rank of the Jacobian rows chosen by structure (without data, when layer 1 has full
    /// row rank), see [`structured_rank`].
    pub structured: Option<StructuredRank>,
}

/// The rank of Jacobian rows `∂f_θ(x)/∂θ` chosen by structure (see [`structured_rank`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StructuredRank {
    /// The rank over `F_p` of the rows: a lower bound on the dimension of their span, which
    /// lies in `Lie(θ)`.
    pub rank: usize,
    /// Kinks of layer-1 and layer-2 neurons sampled.
    pub kinks: usize,
    /// Whole activation regions sampled.
    pub regions: usize,
    /// The prime.
    pub prime: u64,
}

/// The rank, over a prime field, of rows of the Jacobian `∂f_θ(x)/∂θ` at inputs chosen by the
/// structure of the network, or `None` when the method does not apply (layer 1 wider than
/// the input or not of full row rank, a parameter without image mod `p`).
///
/// Rows: the jump of the Jacobian across the kink of every layer-1 neuron and of every layer-2
/// neuron, and the Jacobian of whole regions, at points chosen in layer-1 coordinates (layer
/// 1 is onto, so every layer-1 point is reached), in a sparse echelon whose column order keeps
/// the fill-in local. This is the lower bound of the functional dimension of
/// [`fibers_fiber::bounds`]. Every row is a field of an activation region with interior (or
/// the difference of the fields of two adjacent ones) at `θ`, so it lies in `Lie(θ)`, and
/// `D − rank` bounds the number of laws from above.
pub fn structured_rank(
    net: &Network,
    opts: &BoundsOptions,
    progress: &mut dyn FnMut(&str),
) -> Option<StructuredRank> {
    let fopts = fibers_fiber::bounds::BoundsOptions {
        max_points: opts.structured_points,
        seed: opts.seed,
    };
    let fd =
        fibers_fiber::bounds::fundim_bounds(net, &fopts, &mut |m: String| progress(&m)).ok()?;
    Some(StructuredRank {
        rank: fd.lower,
        kinks: fd.kinks,
        regions: fd.regions,
        prime: fd.prime,
    })
}

/// With `FIBERS_BOUNDS_DEBUG` set, prints the time since `t0` of a phase to stderr.
fn debug_time(what: &str, t0: std::time::Instant) {
    if std::env::var_os("FIBERS_BOUNDS_DEBUG").is_some() {
        eprintln!("[bounds] {what}: {:.3} s", t0.elapsed().as_secs_f64());
    }
}

impl Bounds {
    /// Whether the bounds meet (the count is certified).
    pub fn certified(&self) -> bool {
        self.lower == self.upper
    }

    /// How the upper bound was obtained, in one line.
    pub fn upper_how(&self) -> String {
        if let Some(s) = self.structured.filter(|s| s.rank == self.rank) {
            let sampled = if self.patterns > 0 || self.brackets.0 > 0 {
                format!(
                    "; {} sampled pattern(s) and {} bracket(s) did not raise it",
                    self.patterns, self.brackets.0
                )
            } else {
                String::new()
            };
            return format!(
                "D − rank = {} − {}: Jacobian rows ∂f/∂θ chosen by structure in layer-1 coordinates ({} kink point(s) of layer-1 and layer-2 neurons, {} whole region(s)), rank over F_p, p = {}{sampled}",
                self.parameters, self.rank, s.kinks, s.regions, s.prime
            );
        }
        format!(
            "D − rank = {} − {}: gradient fields of {} activation pattern(s){} (rank {}), {} bracket(s) of which {} added rank; ranks over F_p, p = 2^61 − 1{}",
            self.parameters,
            self.rank,
            self.patterns,
            if self.data {
                " of the data".to_string()
            } else {
                format!(
                    " at sample points off every kink ({} points tried, {} on a kink)",
                    self.points, self.on_kink
                )
            },
            self.fields_rank,
            self.brackets.0,
            self.brackets.1,
            match self.structured {
                Some(s) => format!(
                    "; the rows chosen by structure reached rank {}",
                    s.rank
                ),
                None => String::new(),
            }
        )
    }

    /// The plain-text report (stable; used for snapshots).
    pub fn text(&self, arch: &Architecture) -> String {
        let mut s = format!(
            "architecture {arch}, D = {}, method: certified bounds (docs/theory.md §12), {}\n",
            self.parameters,
            if self.data {
                "activation patterns of the data"
            } else {
                "every linear region (no enumeration)"
            }
        );
        if !self.phases.reasons.is_empty() {
            s.push_str("certified phases:\n");
            for r in &self.phases.reasons {
                s.push_str(&format!("  {r}\n"));
            }
        }
        s.push_str(&format!("laws ({}):\n", self.laws.len()));
        for l in &self.laws {
            let scope = match l.scope {
                Scope::Global => "global",
                Scope::Local => "local",
            };
            let by = match l.verified_by {
                VerifiedBy::SymbolicIndicators => "",
                VerifiedBy::EachDataPattern => " (verified on each data pattern)",
            };
            s.push_str(&format!("  [{scope}] {}: {}{by}\n", l.name, l.polynomial));
        }
        if !self.dependent.is_empty() {
            s.push_str(&format!("dependent at θ: {}\n", self.dependent.join("; ")));
        }
        for f in &self.failed {
            s.push_str(&format!("FAILED candidate {f}\n"));
        }
        s.push_str(&format!(
            "lower bound {}: verified laws (identities in symbolic phase indicators), independent at θ\n",
            self.lower
        ));
        s.push_str(&format!(
            "upper bound {}: {}\n",
            self.upper,
            self.upper_how()
        ));
        if self.certified() {
            s.push_str(&format!(
                "number of independent conservation laws: {} (certified: bounds met)\n",
                self.lower
            ));
        } else {
            s.push_str(&format!(
                "number of independent conservation laws: open, between {} and {} (stopped: {}); try --exhaustive on small networks\n",
                self.lower,
                self.upper,
                match self.stop {
                    BoundsStop::Met => "bounds met",
                    BoundsStop::Stalled => "no new rank from patterns or brackets",
                    BoundsStop::Budget => "budget exhausted",
                    BoundsStop::NoImage => "a parameter has no image mod p",
                }
            ));
        }
        s
    }

    /// The JSON report (`"mode": "bounds"`).
    pub fn to_json(&self, arch: &Architecture) -> serde_json::Value {
        let laws: Vec<serde_json::Value> = self
            .laws
            .iter()
            .map(|l| {
                serde_json::json!({
                    "name": l.name,
                    "scope": l.scope,
                    "polynomial": l.polynomial.to_json_value(),
                    "text": l.polynomial.to_string(),
                    "verified": true,
                    "verified_by": l.verified_by,
                })
            })
            .collect();
        serde_json::json!({
            "mode": "bounds",
            "architecture": [arch.n0, arch.n1, arch.n2, arch.n3],
            "parameters": self.parameters,
            "patterns": {"source": if self.data { "data" } else { "samples" }, "count": self.patterns},
            "phases": self.phases,
            "laws": laws,
            "dependent_laws": self.dependent,
            "failed_candidates": self.failed,
            "law_count": if self.certified() { Some(self.lower) } else { None },
            "certification": {"law_count": {
                "certified": self.certified(),
                "how": if self.certified() { "bounds met" } else { "open" },
                "lower": self.lower,
                "upper": self.upper,
            }},
            "lower_bound": {
                "value": self.lower,
                "how": "laws verified as identities in symbolic phase indicators, independent gradients at θ",
            },
            "upper_bound": {
                "value": self.upper,
                "how": self.upper_how(),
                "rank": self.rank,
                "fields_rank": self.fields_rank,
                "brackets": self.brackets.0,
                "brackets_adding_rank": self.brackets.1,
                "structured_rank": self.structured.map(|s| s.rank),
                "sample_points": self.points,
                "sample_points_on_kink": self.on_kink,
                "stop": self.stop,
            },
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Candidate laws and their verification.

fn candidates(
    net: &Network,
    phases: &Phases,
    data: Option<&PatternSet>,
) -> Vec<(String, LawKind, Polynomial)> {
    let arch = net.arch();
    let mut out = Vec::new();
    // Frozen parameters.
    let frozen: Vec<Var> = match data {
        Some(set) => crate::laws::frozen_parameters_fast(&arch, &set.patterns),
        None => {
            let z1 = |j: usize| phases.layer1[j] == Indicator::Zero;
            let z2 = |k: usize| phases.layer2[k] == Indicator::Zero;
            let all2 = (0..arch.n2).all(z2);
            let mut v = Vec::new();
            for j in 0..arch.n1 {
                for i in 0..arch.n0 {
                    if z1(j) || all2 {
                        v.push(Var::w1(j, i));
                    }
                }
            }
            for j in 0..arch.n1 {
                if z1(j) || all2 {
                    v.push(Var::b1(j));
                }
            }
            for k in 0..arch.n2 {
                for j in 0..arch.n1 {
                    if z2(k) || z1(j) {
                        v.push(Var::w2(k, j));
                    }
                }
            }
            for k in 0..arch.n2 {
                if z2(k) {
                    v.push(Var::b2(k));
                }
            }
            for o in 0..arch.n3 {
                for k in 0..arch.n2 {
                    if z2(k) {
                        v.push(Var::w3(o, k));
                    }
                }
            }
            v
        }
    };
    for v in frozen {
        out.push((
            format!("frozen {v}"),
            LawKind::Frozen(v.clone()),
            Polynomial::var(v),
        ));
    }
    for j in 0..arch.n1 {
        out.push((
            format!("L1 scaling j={j}"),
            LawKind::Layer1Scaling(j),
            layer1_scaling(&arch, j),
        ));
    }
    for k in 0..arch.n2 {
        out.push((
            format!("L2 scaling k={k}"),
            LawKind::Layer2Scaling(k),
            layer2_scaling(&arch, k),
        ));
    }
    let tied = |inds: &[Indicator]| -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for a in 0..inds.len() {
            for b in a + 1..inds.len() {
                let same = match (inds[a], inds[b]) {
                    (Indicator::One, Indicator::One) => true,
                    (Indicator::Symbol(x), Indicator::Symbol(y)) => x == y,
                    _ => false,
                };
                if same {
                    v.push((a, b));
                }
            }
        }
        v
    };
    let (pairs2, pairs1) = match data {
        Some(set) => (set.layer2_tied_pairs(), set.layer1_tied_pairs()),
        None => (tied(&phases.layer2), tied(&phases.layer1)),
    };
    for (k, l) in pairs2 {
        out.push((
            format!("L2 mixing k={k},l={l}"),
            LawKind::Layer2Mixing(k, l),
            layer2_mixing(&arch, k, l),
        ));
    }
    for (j, l) in pairs1 {
        out.push((
            format!("L1 mixing j={j},l={l}"),
            LawKind::Layer1Mixing(j, l),
            layer1_mixing(&arch, j, l),
        ));
    }
    out
}

fn all_symbolic(arch: &Architecture) -> Phases {
    Phases {
        layer1: (0..arch.n1).map(Indicator::Symbol).collect(),
        layer2: (0..arch.n2).map(Indicator::Symbol).collect(),
        reasons: Vec::new(),
    }
}

/// The parameter values mod p (layout order), or `None`.
fn theta_mod_p(net: &Network) -> Option<Vec<Fp>> {
    net.params().iter().map(Fp::from_rational).collect()
}

/// The gradient of `q` at `θ` mod p (dense, layout order), or `None`.
fn gradient_mod_p(q: &Polynomial, arch: &Architecture, theta: &[Fp]) -> Vec<Fp> {
    let lay = Index::new(*arch);
    let mut g = vec![Fp::ZERO; arch.param_count()];
    for (m, c) in q.terms() {
        let c = Fp::from_rational(c).expect("small coefficients");
        let powers: Vec<(usize, u32)> = m
            .powers()
            .map(|(v, e)| (lay.of(v).expect("a parameter"), e))
            .collect();
        for (a, &(ia, ea)) in powers.iter().enumerate() {
            // ∂/∂v_a of c Π v^e = c e_a v_a^{e_a−1} Π_{b≠a} v_b^{e_b}.
            let mut t = c * Fp::from_i64(i64::from(ea)) * theta[ia].pow(u64::from(ea - 1));
            for (b, &(ib, eb)) in powers.iter().enumerate() {
                if b != a {
                    t = t * theta[ib].pow(u64::from(eb));
                }
            }
            g[ia] = g[ia] + t;
        }
    }
    g
}

// ---------------------------------------------------------------------------------------------
// Coefficient fields, generic over F_p and dual numbers.

trait Ring: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    fn zero() -> Self;
    fn lift(v: Fp) -> Self;
}

impl Ring for Fp {
    fn zero() -> Self {
        Fp::ZERO
    }
    fn lift(v: Fp) -> Self {
        v
    }
}

/// `a + ε b` with `ε² = 0`.
#[derive(Clone, Copy, Debug)]
struct Dual(Fp, Fp);
impl Add for Dual {
    type Output = Dual;
    fn add(self, o: Dual) -> Dual {
        Dual(self.0 + o.0, self.1 + o.1)
    }
}
impl Sub for Dual {
    type Output = Dual;
    fn sub(self, o: Dual) -> Dual {
        Dual(self.0 - o.0, self.1 - o.1)
    }
}
impl Mul for Dual {
    type Output = Dual;
    fn mul(self, o: Dual) -> Dual {
        Dual(self.0 * o.0, self.0 * o.1 + self.1 * o.0)
    }
}
impl Ring for Dual {
    fn zero() -> Self {
        Dual(Fp::ZERO, Fp::ZERO)
    }
    fn lift(v: Fp) -> Self {
        Dual(v, Fp::ZERO)
    }
}

/// `a + ε₁ b + ε₂ c + ε₁ε₂ d` with `ε₁² = ε₂² = 0`.
#[derive(Clone, Copy, Debug)]
struct HyperDual(Fp, Fp, Fp, Fp);
impl Add for HyperDual {
    type Output = HyperDual;
    fn add(self, o: HyperDual) -> HyperDual {
        HyperDual(self.0 + o.0, self.1 + o.1, self.2 + o.2, self.3 + o.3)
    }
}
impl Sub for HyperDual {
    type Output = HyperDual;
    fn sub(self, o: HyperDual) -> HyperDual {
        HyperDual(self.0 - o.0, self.1 - o.1, self.2 - o.2, self.3 - o.3)
    }
}
impl Mul for HyperDual {
    type Output = HyperDual;
    fn mul(self, o: HyperDual) -> HyperDual {
        HyperDual(
            self.0 * o.0,
            self.0 * o.1 + self.1 * o.0,
            self.0 * o.2 + self.2 * o.0,
            self.0 * o.3 + self.1 * o.2 + self.2 * o.1 + self.3 * o.0,
        )
    }
}
impl Ring for HyperDual {
    fn zero() -> Self {
        HyperDual(Fp::ZERO, Fp::ZERO, Fp::ZERO, Fp::ZERO)
    }
    fn lift(v: Fp) -> Self {
        HyperDual(v, Fp::ZERO, Fp::ZERO, Fp::ZERO)
    }
}

/// Parameter indices in the order of [`Architecture::param_names`].
#[derive(Clone, Copy, Debug)]
struct Index {
    a: Architecture,
}

impl Index {
    fn new(a: Architecture) -> Self {
        Index { a }
    }
    fn w1(&self, j: usize, i: usize) -> usize {
        j * self.a.n0 + i
    }
    fn b1(&self, j: usize) -> usize {
        self.a.n1 * self.a.n0 + j
    }
    fn border(&self) -> usize {
        self.a.n1 * (self.a.n0 + 1)
    }
    fn w2(&self, k: usize, j: usize) -> usize {
        self.border() + k * self.a.n1 + j
    }
    fn b2(&self, k: usize) -> usize {
        self.border() + self.a.n2 * self.a.n1 + k
    }
    fn w3(&self, o: usize, k: usize) -> usize {
        self.border() + self.a.n2 * (self.a.n1 + 1) + o * self.a.n2 + k
    }
    fn b3(&self, o: usize) -> usize {
        self.border() + self.a.n2 * (self.a.n1 + 1) + self.a.n3 * self.a.n2 + o
    }
    fn of(&self, v: &Var) -> Option<usize> {
        let (layer, row, col) = param_of(v)?;
        Some(match (layer, col) {
            (1, Some(c)) => self.w1(row, c),
            (1, None) => self.b1(row),
            (2, Some(c)) => self.w2(row, c),
            (2, None) => self.b2(row),
            (3, Some(c)) => self.w3(row, c),
            (3, None) => self.b3(row),
            _ => return None,
        })
    }
}

/// One coefficient field at θ: its block (`i < n0` for `x[i]`, `n0` for the constant), its
/// entries in `W1[:, i]` (or `b1`), and its entries in layers 2 and 3 (the border).
struct Field<R> {
    block: usize,
    part: Vec<R>,
    border: Vec<R>,
}

/// The coefficient fields of `∇_θ f_s(θ, x)_o` for one pattern `s`, every output `o` and every
/// `x`-monomial, evaluated at `theta` (see [`crate::model`]).
fn pattern_fields<R: Ring>(arch: &Architecture, theta: &[R], pat: &Pattern) -> Vec<Field<R>> {
    let ix = Index::new(*arch);
    let (n0, n1, n2, n3) = (arch.n0, arch.n1, arch.n2, arch.n3);
    let one = R::lift(Fp::ONE);
    let s1: Vec<bool> = pat.layer1.clone();
    let s2: Vec<bool> = pat.layer2.clone();
    // u at x = 0, and its x-coefficients.
    let u0: Vec<R> = (0..n1)
        .map(|j| if s1[j] { theta[ix.b1(j)] } else { R::zero() })
        .collect();
    // z and its x-coefficients.
    let mut z0 = vec![R::zero(); n2];
    let mut lz = vec![R::zero(); n2 * n0];
    for k in 0..n2 {
        let mut acc = theta[ix.b2(k)];
        for j in 0..n1 {
            if s1[j] {
                let w = theta[ix.w2(k, j)];
                acc = acc + w * u0[j];
                for i in 0..n0 {
                    lz[k * n0 + i] = lz[k * n0 + i] + w * theta[ix.w1(j, i)];
                }
            }
        }
        z0[k] = acc;
    }
    let border_len = arch.param_count() - ix.border();
    let off = ix.border();
    let mut out = Vec::with_capacity(n3 * (n0 + 1));
    for o in 0..n3 {
        let dz: Vec<R> = (0..n2)
            .map(|k| if s2[k] { theta[ix.w3(o, k)] } else { R::zero() })
            .collect();
        let d: Vec<R> = (0..n1)
            .map(|j| {
                if !s1[j] {
                    return R::zero();
                }
                let mut acc = R::zero();
                for k in 0..n2 {
                    if s2[k] {
                        acc = acc + dz[k] * theta[ix.w2(k, j)];
                    }
                }
                acc
            })
            .collect();
        for i in 0..=n0 {
            let mut border = vec![R::zero(); border_len];
            for k in 0..n2 {
                if !s2[k] {
                    continue;
                }
                for j in 0..n1 {
                    if s1[j] {
                        let uj = if i < n0 { theta[ix.w1(j, i)] } else { u0[j] };
                        border[ix.w2(k, j) - off] = dz[k] * uj;
                    }
                }
                border[ix.w3(o, k) - off] = if i < n0 { lz[k * n0 + i] } else { z0[k] };
                if i == n0 {
                    border[ix.b2(k) - off] = dz[k];
                }
            }
            if i == n0 {
                border[ix.b3(o) - off] = one;
            }
            out.push(Field {
                block: i,
                part: d.clone(),
                border,
            });
        }
    }
    out
}

/// `∇_θ (cot · f_s(θ, x))` with the pattern `s` forced (a polynomial in `θ`), in layout order.
fn grad_forced<R: Ring>(
    arch: &Architecture,
    theta: &[R],
    pat: &Pattern,
    x: &[R],
    cot: &[R],
    acc: &mut [R],
) {
    let ix = Index::new(*arch);
    let (n0, n1, n2, n3) = (arch.n0, arch.n1, arch.n2, arch.n3);
    let mut u = vec![R::zero(); n1];
    for j in 0..n1 {
        if pat.layer1[j] {
            let mut y = theta[ix.b1(j)];
            for i in 0..n0 {
                y = y + theta[ix.w1(j, i)] * x[i];
            }
            u[j] = y;
        }
    }
    let mut h = vec![R::zero(); n2];
    for k in 0..n2 {
        if pat.layer2[k] {
            let mut z = theta[ix.b2(k)];
            for j in 0..n1 {
                z = z + theta[ix.w2(k, j)] * u[j];
            }
            h[k] = z;
        }
    }
    let mut dz = vec![R::zero(); n2];
    for o in 0..n3 {
        let c = cot[o];
        acc[ix.b3(o)] = acc[ix.b3(o)] + c;
        for k in 0..n2 {
            acc[ix.w3(o, k)] = acc[ix.w3(o, k)] + c * h[k];
            if pat.layer2[k] {
                dz[k] = dz[k] + c * theta[ix.w3(o, k)];
            }
        }
    }
    let mut du = vec![R::zero(); n1];
    for k in 0..n2 {
        if !pat.layer2[k] {
            continue;
        }
        acc[ix.b2(k)] = acc[ix.b2(k)] + dz[k];
        for j in 0..n1 {
            acc[ix.w2(k, j)] = acc[ix.w2(k, j)] + dz[k] * u[j];
            du[j] = du[j] + dz[k] * theta[ix.w2(k, j)];
        }
    }
    for j in 0..n1 {
        if !pat.layer1[j] {
            continue;
        }
        acc[ix.b1(j)] = acc[ix.b1(j)] + du[j];
        for i in 0..n0 {
            acc[ix.w1(j, i)] = acc[ix.w1(j, i)] + du[j] * x[i];
        }
    }
}

/// `Σ_{o,i} c_{o,i} G_{s,o,i}(θ)` for the coefficient fields `G` of pattern `s` (coefficients
/// indexed `o·(n0+1) + i`, the constant last), by backpropagation: `f_s` is affine in `x`, so
/// `Σ_i c_{o,i} G_{o,i} = ∇f_o(θ, c_o) − ∇f_o(θ, 0)` and `G_{o,const} = ∇f_o(θ, 0)`.
fn pattern_combination<R: Ring>(
    arch: &Architecture,
    theta: &[R],
    pat: &Pattern,
    coefs: &[Fp],
    acc: &mut [R],
) {
    let n0 = arch.n0;
    let mut cot0 = vec![R::zero(); arch.n3];
    for o in 0..arch.n3 {
        let c = &coefs[o * (n0 + 1)..(o + 1) * (n0 + 1)];
        let x: Vec<R> = c[..n0].iter().map(|v| R::lift(*v)).collect();
        let mut cot = vec![R::zero(); arch.n3];
        cot[o] = R::lift(Fp::ONE);
        grad_forced(arch, theta, pat, &x, &cot, acc);
        cot0[o] = R::lift(c[n0] - Fp::ONE);
    }
    let zero = vec![R::zero(); n0];
    grad_forced(arch, theta, pat, &zero, &cot0, acc);
}

/// Ranks of vectors in the block structure of the fields (see the [module docs](self)), in
/// echelon forms over `F_p` ([`EchelonModP`], dense rows): one per block (pivots among that
/// block's `n1` layer-1 columns, the rest of each row its border part), one for the border
/// (layers 2 and 3), and one for whole vectors that remain (brackets).
struct Spans {
    n1: usize,
    ix: Index,
    blocks: Vec<EchelonModP>,
    border: EchelonModP,
    extras: EchelonModP,
}

fn raw(v: &[Fp]) -> Vec<u64> {
    v.iter().map(|x| x.0).collect()
}

impl Spans {
    fn new(arch: &Architecture) -> Self {
        let ix = Index::new(*arch);
        let border_len = arch.param_count() - ix.border();
        Spans {
            n1: arch.n1,
            ix,
            blocks: (0..=arch.n0)
                .map(|_| EchelonModP::new(Fp::P, arch.n1 + border_len))
                .collect(),
            border: EchelonModP::new(Fp::P, border_len),
            extras: EchelonModP::new(Fp::P, arch.param_count()),
        }
    }
    fn rank(&self) -> usize {
        self.blocks.iter().map(EchelonModP::rank).sum::<usize>()
            + self.border.rank()
            + self.extras.rank()
    }
    /// Inserts random combinations, block by block, of `fields` (`per_block` fields of each
    /// block, in the order of [`pattern_fields`]) until one adds nothing (then, with high
    /// probability, the rest of that block's fields add nothing either: skipping them only
    /// lowers the rank found, so the bound stays valid).
    fn insert_block_combinations(&mut self, fields: &[Field<Fp>], per_block: usize, rng: &mut Lcg) {
        let _ = per_block;
        let n0p1 = self.blocks.len();
        for b in 0..n0p1 {
            let members: Vec<&Field<Fp>> = fields.iter().filter(|f| f.block == b).collect();
            for _ in 0..members.len() {
                let mut part = vec![Fp::ZERO; self.n1];
                let mut border = vec![Fp::ZERO; members.first().map_or(0, |f| f.border.len())];
                for f in &members {
                    let r = random_fp(rng);
                    for (a, x) in part.iter_mut().zip(&f.part) {
                        *a = *a + r * *x;
                    }
                    for (a, x) in border.iter_mut().zip(&f.border) {
                        *a = *a + r * *x;
                    }
                }
                if !self.insert_field(Field {
                    block: b,
                    part,
                    border,
                }) {
                    break;
                }
            }
        }
    }

    fn insert_field(&mut self, f: Field<Fp>) -> bool {
        debug_assert_eq!(self.extras.rank(), 0, "fields after the extra rows");
        let mut v = raw(&f.part);
        v.extend(f.border.iter().map(|x| x.0));
        if self.blocks[f.block].push_dense_within(&mut v, self.n1) {
            return true;
        }
        let mut b = v.split_off(self.n1);
        self.border.push_dense_within(&mut b, usize::MAX)
    }

    /// The layer-1 part of block `b` of a full vector (layout order), followed by `border`.
    fn block_row(&self, v: &[u64], b: usize, border: &[u64]) -> Vec<u64> {
        let a = self.ix.a;
        let mut w: Vec<u64> = (0..a.n1).map(|j| v[self.layer1_index(b, j)]).collect();
        w.extend_from_slice(border);
        w
    }

    fn layer1_index(&self, b: usize, j: usize) -> usize {
        if b < self.ix.a.n0 {
            self.ix.w1(j, b)
        } else {
            self.ix.b1(j)
        }
    }

    /// Reduces a full vector (layout order) by the blocks and then the border; returns the
    /// remainder (layout order).
    fn remainder(&self, v: &[Fp]) -> Vec<u64> {
        let a = self.ix.a;
        let off = self.ix.border();
        let v = raw(v);
        let mut border = v[off..].to_vec();
        let mut full = vec![0u64; a.param_count()];
        for b in 0..=a.n0 {
            let mut w = self.block_row(&v, b, &border);
            self.blocks[b].reduce_dense(&mut w);
            border = w.split_off(a.n1);
            for (j, x) in w.iter().enumerate() {
                full[self.layer1_index(b, j)] = *x;
            }
        }
        self.border.reduce_dense(&mut border);
        full[off..].copy_from_slice(&border);
        full
    }

    /// Whether a full vector (layout order) lies in the span (nothing is stored).
    fn contains_full(&self, v: &[Fp]) -> bool {
        let mut full = self.remainder(v);
        self.extras.reduce_dense(&mut full);
        full.iter().all(|x| *x == 0)
    }

    /// Inserts a full vector (layout order): its remainder by the blocks and the border goes
    /// to the extra rows. Only after every field was inserted with [`Spans::insert_field`]:
    /// the extra rows are then zero at every pivot of the blocks and the border, so the rows
    /// of all three stay independent and the ranks add up.
    fn insert_full(&mut self, v: &[Fp]) -> bool {
        let mut full = self.remainder(v);
        self.extras.push_dense_within(&mut full, usize::MAX)
    }
}

fn random_fp(rng: &mut Lcg) -> Fp {
    Fp::from_i64(i64::from(rng.next_u32()) * 4096 + i64::from(rng.next_u32() % 4096) + 1)
}

/// Random combinations `Σ c_g G_g` of the coefficient fields of some patterns, evaluated with
/// exact (mod p) first and second directional derivatives.
struct Combos<'a> {
    arch: &'a Architecture,
    theta: &'a [Fp],
    patterns: &'a [Pattern],
}

impl Combos<'_> {
    fn per(&self) -> usize {
        self.arch.n3 * (self.arch.n0 + 1)
    }
    fn random(&self, rng: &mut Lcg) -> Vec<Fp> {
        (0..self.patterns.len() * self.per())
            .map(|_| random_fp(rng))
            .collect()
    }
    fn eval<R: Ring>(&self, theta: &[R], coefs: &[Fp]) -> Vec<R> {
        let per = self.per();
        let mut acc = vec![R::zero(); self.arch.param_count()];
        for (p, pat) in self.patterns.iter().enumerate() {
            pattern_combination(
                self.arch,
                theta,
                pat,
                &coefs[p * per..(p + 1) * per],
                &mut acc,
            );
        }
        acc
    }
    /// `C(θ)`.
    fn value(&self, c: &[Fp]) -> Vec<Fp> {
        self.eval(self.theta, c)
    }
    /// `DC(θ)·v`.
    fn d1(&self, c: &[Fp], v: &[Fp]) -> Vec<Fp> {
        let th: Vec<Dual> = self
            .theta
            .iter()
            .zip(v)
            .map(|(t, e)| Dual(*t, *e))
            .collect();
        self.eval(&th, c).into_iter().map(|x| x.1).collect()
    }
    /// `D²C(θ)(v, w)`.
    fn d2(&self, c: &[Fp], v: &[Fp], w: &[Fp]) -> Vec<Fp> {
        let th: Vec<HyperDual> = self
            .theta
            .iter()
            .zip(v.iter().zip(w))
            .map(|(t, (a, b))| HyperDual(*t, *a, *b, Fp::ZERO))
            .collect();
        self.eval(&th, c).into_iter().map(|x| x.3).collect()
    }
}

fn sub(a: &[Fp], b: &[Fp]) -> Vec<Fp> {
    a.iter().zip(b).map(|(x, y)| *x - *y).collect()
}

/// The value at θ of a bracket of random combinations of the coefficient fields: `[X, Y]` at
/// level 1, `[Z, [X, Y]]` at level 2 (`[X, Y] = DY·X − DX·Y`; the derivative of a bracket
/// uses second derivatives, computed with hyper-dual numbers).
fn random_bracket(
    arch: &Architecture,
    theta: &[Fp],
    patterns: &[Pattern],
    level: usize,
    rng: &mut Lcg,
) -> Vec<Fp> {
    let cs = Combos {
        arch,
        theta,
        patterns,
    };
    let (a, b) = (cs.random(rng), cs.random(rng));
    let (x, y) = (cs.value(&a), cs.value(&b));
    let xy = sub(&cs.d1(&b, &x), &cs.d1(&a, &y));
    if level < 2 {
        return xy;
    }
    let c = cs.random(rng);
    let z = cs.value(&c);
    // D[X,Y]·Z = D²Y(X,Z) + DY·(DX·Z) − D²X(Y,Z) − DX·(DY·Z).
    let dxz = cs.d1(&a, &z);
    let dyz = cs.d1(&b, &z);
    let plus: Vec<Fp> = cs
        .d2(&b, &x, &z)
        .into_iter()
        .zip(cs.d1(&b, &dxz))
        .map(|(p, q)| p + q)
        .collect();
    let minus: Vec<Fp> = cs
        .d2(&a, &y, &z)
        .into_iter()
        .zip(cs.d1(&a, &dyz))
        .map(|(p, q)| p + q)
        .collect();
    let dxy_z = sub(&plus, &minus);
    // [Z, [X,Y]] = D[X,Y]·Z − DZ·[X,Y].
    sub(&dxy_z, &cs.d1(&c, &xy))
}

// ---------------------------------------------------------------------------------------------
// Sample points.

/// Sample inputs: random points at two scales, and points on both sides of each neuron's kink
/// (layer 1 directly; layer 2 through the layer-1 pattern of a random point).
struct Sampler<'a> {
    net: &'a Network,
    rng: Lcg,
    round: usize,
    queue: Vec<Vec<Rational>>,
}

impl<'a> Sampler<'a> {
    fn new(net: &'a Network, seed: u64) -> Self {
        Sampler {
            net,
            rng: Lcg::new(seed),
            round: 0,
            queue: Vec::new(),
        }
    }

    fn random_point(&mut self) -> Vec<Rational> {
        let n0 = self.net.arch().n0;
        let scale = [
            Rational::ratio(1, 1),
            Rational::ratio(1, 4),
            Rational::ratio(1, 16),
            Rational::ratio(8, 1),
        ][self.round % 4]
            .clone();
        (0..n0).map(|_| self.rng.rational(20, 7) * &scale).collect()
    }

    /// Pushes `x` onto the hyperplane `g·x + c = 0` and returns the two points at distance
    /// `t·g` either side of it.
    fn straddle(&mut self, x: &[Rational], g: &[Rational], c: &Rational) {
        let gg: Rational = g.iter().map(|v| v * v).sum();
        if gg.is_zero() {
            return;
        }
        let val: Rational = g.iter().zip(x).map(|(a, b)| a * b).sum::<Rational>() + c;
        let lam = &val / &gg;
        let on: Vec<Rational> = x.iter().zip(g).map(|(a, b)| a - &(&lam * b)).collect();
        let t = Rational::ratio(1, 64) / &gg;
        for sgn in [1, -1] {
            let s = &t * &Rational::from(sgn);
            self.queue
                .push(on.iter().zip(g).map(|(a, b)| a + &(&s * b)).collect());
        }
    }

    /// The affine form `(g, c)` of neuron `nu` (layer 1 first, then layer 2) on the layer-1
    /// cell of `x`.
    fn form(&self, x: &[Rational], nu: usize) -> (Vec<Rational>, Rational) {
        let net = self.net;
        let arch = net.arch();
        if nu < arch.n1 {
            return (net.w1()[nu].clone(), net.b1()[nu].clone());
        }
        let k = nu - arch.n1;
        let mut g = vec![Rational::zero(); arch.n0];
        let mut c = net.b2()[k].clone();
        for j in 0..arch.n1 {
            let y: Rational = net.w1()[j]
                .iter()
                .zip(x)
                .map(|(p, q)| p * q)
                .sum::<Rational>()
                + &net.b1()[j];
            if y.is_positive() {
                let w = &net.w2()[k][j];
                for (gi, a) in g.iter_mut().zip(&net.w1()[j]) {
                    *gi += w * a;
                }
                c += w * &net.b1()[j];
            }
        }
        (g, c)
    }

    /// Points around the intersection of the kinks of two neurons (all four sides), solved in
    /// the plane of their gradients through `x`.
    fn corner(
        &mut self,
        x: &[Rational],
        a: (Vec<Rational>, Rational),
        b: (Vec<Rational>, Rational),
    ) {
        let dot =
            |p: &[Rational], q: &[Rational]| p.iter().zip(q).map(|(s, t)| s * t).sum::<Rational>();
        let (ga, ca) = a;
        let (gb, cb) = b;
        let (aa, ab, bb) = (dot(&ga, &ga), dot(&ga, &gb), dot(&gb, &gb));
        let det = &aa * &bb - &ab * &ab;
        if det.is_zero() {
            return;
        }
        // Dual basis: u_a = (bb g_a − ab g_b)/det, u_b = (aa g_b − ab g_a)/det.
        let ua: Vec<Rational> = ga
            .iter()
            .zip(&gb)
            .map(|(p, q)| (&bb * p - &ab * q) / &det)
            .collect();
        let ub: Vec<Rational> = ga
            .iter()
            .zip(&gb)
            .map(|(p, q)| (&aa * q - &ab * p) / &det)
            .collect();
        let va = dot(&ga, x) + &ca;
        let vb = dot(&gb, x) + &cb;
        let at: Vec<Rational> = (0..x.len())
            .map(|i| &x[i] - &(&va * &ua[i]) - &(&vb * &ub[i]))
            .collect();
        let t = Rational::ratio(1, [64, 4096][self.round % 2]);
        for (sa, sb) in [(1, 1), (1, -1), (-1, 1), (-1, -1)] {
            let (da, db) = (&t * &Rational::from(sa), &t * &Rational::from(sb));
            self.queue.push(
                (0..x.len())
                    .map(|i| &at[i] + &(&da * &ua[i]) + &(&db * &ub[i]))
                    .collect(),
            );
        }
    }

    fn next(&mut self) -> Vec<Rational> {
        if let Some(x) = self.queue.pop() {
            return x;
        }
        let arch = self.net.arch();
        let x = self.random_point();
        let n = arch.n1 + arch.n2;
        if n > 0 {
            // Straddle the kink of one neuron (in turn), and a corner with a random other.
            let nu = self.round % n;
            let (g, c) = self.form(&x, nu);
            self.straddle(&x, &g, &c);
            let mu = self.rng.range(0, n as i64 - 1) as usize;
            if mu != nu {
                let other = self.form(&x, mu);
                self.corner(&x, (g, c), other);
            }
        }
        self.round += 1;
        x
    }
}

/// The activation pattern at `x` if it is the pattern of a whole neighbourhood of `x` (so of a
/// linear region with interior): no pre-activation is 0 at `x`, except ones that vanish
/// identically near `x` (zero gradient in `x` for the local layer-1 phases), which are inactive
/// there by the convention `σ'(0) = 0` as in the region enumeration.
pub fn interior_pattern(net: &Network, x: &[Rational]) -> Option<Pattern> {
    let arch = net.arch();
    let mut layer1 = Vec::with_capacity(arch.n1);
    let mut u = Vec::with_capacity(arch.n1);
    for j in 0..arch.n1 {
        let a = &net.w1()[j];
        let y: Rational = a.iter().zip(x).map(|(p, q)| p * q).sum::<Rational>() + &net.b1()[j];
        if y.is_zero() && a.iter().any(|v| !v.is_zero()) {
            return None;
        }
        layer1.push(y.is_positive());
        u.push(if y.is_positive() { y } else { Rational::zero() });
    }
    let mut layer2 = Vec::with_capacity(arch.n2);
    for k in 0..arch.n2 {
        let w = &net.w2()[k];
        let z: Rational = w.iter().zip(&u).map(|(p, q)| p * q).sum::<Rational>() + &net.b2()[k];
        if z.is_zero() {
            let moving = (0..arch.n0).any(|i| {
                !(0..arch.n1)
                    .filter(|&j| layer1[j])
                    .map(|j| &w[j] * &net.w1()[j][i])
                    .sum::<Rational>()
                    .is_zero()
            });
            if moving {
                return None;
            }
        }
        layer2.push(z.is_positive());
    }
    Some(Pattern { layer1, layer2 })
}

// ---------------------------------------------------------------------------------------------
// The whole computation.

/// Both bounds on the number of independent local conservation laws at `net`, for the patterns
/// of `data` (a pattern set built from data points) or, without data, for every linear region
/// (see the [module docs](self)).
pub fn bounds(net: &Network, data: Option<&PatternSet>, opts: &BoundsOptions) -> Bounds {
    bounds_with_progress(net, data, opts, &mut |_| {})
}

/// [`bounds`], reporting progress messages to `progress`.
pub fn bounds_with_progress(
    net: &Network,
    data: Option<&PatternSet>,
    opts: &BoundsOptions,
    progress: &mut dyn FnMut(&str),
) -> Bounds {
    let arch = net.arch();
    let d = arch.param_count();
    let mut say = |s: String| progress(&s);
    let phases = match data {
        Some(set) => Phases::from_patterns(set),
        None => Phases::from_signs(net),
    };
    let symbolic = all_symbolic(&arch);
    let theta = theta_mod_p(net);
    let t_start = std::time::Instant::now();

    // Lower bound.
    let mut laws = Vec::new();
    let mut dependent = Vec::new();
    let mut failed = Vec::new();
    let mut span = EchelonModP::new(Fp::P, d);
    let cands = candidates(net, &phases, data);
    say(format!("verifying {} candidate laws", cands.len()));
    for (name, kind, poly) in cands {
        let global =
            !matches!(kind, LawKind::Frozen(_)) && verify_symbolic(&poly, &arch, &symbolic);
        let (ok, by) = if global || verify_symbolic(&poly, &arch, &phases) {
            (true, VerifiedBy::SymbolicIndicators)
        } else if let Some(set) = data {
            let ok = set
                .patterns
                .iter()
                .all(|p| verify_symbolic(&poly, &arch, &Phases::of_pattern(p)));
            (ok, VerifiedBy::EachDataPattern)
        } else {
            (false, VerifiedBy::SymbolicIndicators)
        };
        if !ok {
            failed.push(name);
            continue;
        }
        let independent = match &theta {
            Some(t) => span.push_dense_within(&mut raw(&gradient_mod_p(&poly, &arch, t)), d),
            None => false,
        };
        if !independent {
            dependent.push(name);
            continue;
        }
        // Every indicator symbolic: the identity holds in every pattern.
        let scope = if global { Scope::Global } else { Scope::Local };
        laws.push(BoundLaw {
            name,
            kind,
            scope,
            polynomial: poly,
            verified_by: by,
        });
    }
    let lower = laws.len();
    debug_time("lower bound", t_start);
    say(format!("lower bound: {lower} independent verified laws"));

    let mut result = Bounds {
        parameters: d,
        phases,
        laws,
        dependent,
        failed,
        lower,
        upper: d,
        fields_rank: 0,
        rank: 0,
        brackets: (0, 0),
        patterns: 0,
        points: 0,
        on_kink: 0,
        stop: BoundsStop::NoImage,
        data: data.is_some(),
        structured: None,
    };
    let Some(theta) = theta else {
        return result;
    };
    // Upper bound by structure first (without data, the domain is every input): the rank of
    // Jacobian rows at the kinks of every layer-1 and layer-2 neuron and at whole regions,
    // chosen in layer-1 coordinates, in a sparse echelon over F_p ([`structured_rank`]).
    if data.is_none() && opts.structured {
        let t0 = std::time::Instant::now();
        let s = structured_rank(net, opts, &mut |m| say(format!("structured fields: {m}")));
        debug_time("structured rank", t0);
        if let Some(s) = s {
            result.structured = Some(s);
            if d - s.rank <= lower {
                result.fields_rank = s.rank;
                result.rank = s.rank;
                result.upper = d - s.rank;
                result.stop = if result.upper == result.lower {
                    BoundsStop::Met
                } else {
                    BoundsStop::Stalled
                };
                say(format!(
                    "structured fields: rank {} (upper bound {})",
                    s.rank, result.upper
                ));
                return result;
            }
            say(format!(
                "structured fields: rank {} (upper bound {}); sampling patterns and brackets",
                s.rank,
                d - s.rank
            ));
        }
    }
    let target = d - lower;
    let mut spans = Spans::new(&arch);
    let mut used: Vec<Pattern> = Vec::new();
    // Patterns whose fields added rank (the generators of the brackets).
    let mut adding: Vec<Pattern> = Vec::new();
    let mut stop = BoundsStop::Stalled;
    match data {
        Some(set) => {
            let mut rng = Lcg::new(opts.seed ^ 0x9e37);
            for p in &set.patterns {
                let fields = pattern_fields(&arch, &theta, p);
                spans.insert_block_combinations(&fields, arch.n3, &mut rng);
                used.push(p.clone());
                adding.push(p.clone());
                if spans.rank() >= target {
                    break;
                }
            }
        }
        None => {
            let mut seen: HashSet<Pattern> = HashSet::new();
            let mut sampler = Sampler::new(net, opts.seed);
            let mut stall = 0;
            let mut since_new = 0;
            let mut probe_rng = Lcg::new(opts.seed ^ 0x9e37);
            let _ = &mut adding;
            loop {
                if spans.rank() >= target {
                    break;
                }
                if result.points >= opts.max_points || used.len() >= opts.max_patterns {
                    stop = BoundsStop::Budget;
                    break;
                }
                if stall >= opts.stall_patterns || since_new >= opts.stall_points {
                    break;
                }
                let x = sampler.next();
                result.points += 1;
                let Some(pat) = interior_pattern(net, &x) else {
                    result.on_kink += 1;
                    continue;
                };
                if !seen.insert(pat.clone()) {
                    since_new += 1;
                    continue;
                }
                since_new = 0;
                // Probe with a random combination of the pattern's fields: if it lies in the
                // span, so do (with high probability) all of them, and inserting them one by one
                // would cost much and add nothing. (Skipping fields only lowers the rank found:
                // the bound stays valid.)
                let per = arch.n3 * (arch.n0 + 1);
                let coefs: Vec<Fp> = (0..per).map(|_| random_fp(&mut probe_rng)).collect();
                let mut probe = vec![Fp::ZERO; d];
                pattern_combination(&arch, &theta, &pat, &coefs, &mut probe);
                if spans.contains_full(&probe) {
                    stall += 1;
                    used.push(pat);
                } else {
                    stall = 0;
                    let fields = pattern_fields(&arch, &theta, &pat);
                    spans.insert_block_combinations(&fields, arch.n3, &mut probe_rng);
                    adding.push(pat.clone());
                    used.push(pat);
                }
                if used.len().is_multiple_of(16) {
                    say(format!(
                        "{} patterns from {} points: rank {} of {target} needed",
                        used.len(),
                        result.points,
                        spans.rank()
                    ));
                }
            }
        }
    }
    result.fields_rank = spans.rank();
    if std::env::var("FIBERS_BOUNDS_DEBUG").is_ok() {
        let b: Vec<usize> = spans.blocks.iter().map(EchelonModP::rank).collect();
        eprintln!("block ranks {b:?} border {}", spans.border.rank());
        let active = |k: usize| used.iter().filter(|p| p.layer2[k]).count();
        let a2: Vec<usize> = (0..arch.n2).map(active).collect();
        eprintln!(
            "patterns with each layer-2 neuron active (of {}): {a2:?}",
            used.len()
        );
    }
    say(format!(
        "fields: rank {} from {} patterns (upper bound {})",
        result.fields_rank,
        used.len(),
        d - result.fields_rank
    ));
    let mut rng = Lcg::new(opts.seed ^ 0x5eed);
    let mut brackets = (0, 0);
    let mut level = 1;
    while spans.rank() < target && !used.is_empty() && level <= 2 {
        if brackets.0 >= opts.max_brackets {
            stop = BoundsStop::Budget;
            break;
        }
        // Brackets of the generators of the patterns that added rank (at most 32 of them).
        let gens = &adding[..adding.len().min(32)];
        let v = random_bracket(&arch, &theta, gens, level, &mut rng);
        brackets.0 += 1;
        if spans.insert_full(&v) {
            brackets.1 += 1;
        } else {
            // A random bracket of this level adds nothing: with high probability no bracket
            // of this level does (the component outside the span is multilinear in the
            // random coefficients). Go one level up.
            level += 1;
        }
    }
    if brackets.0 > 0 {
        say(format!(
            "brackets: {} computed, {} added rank",
            brackets.0, brackets.1
        ));
    }
    result.rank = spans.rank();
    result.upper = d - result.rank;
    if let Some(s) = result.structured {
        if s.rank > result.rank {
            // The structured rows give the better bound (both are ranks of vectors of Lie(θ)).
            result.rank = s.rank;
            result.upper = d - s.rank;
        }
    }
    result.brackets = brackets;
    result.patterns = used.len();
    result.stop = if result.upper == result.lower {
        BoundsStop::Met
    } else {
        stop
    };
    result
}

/// The quantities to follow along a flow in the bounds mode: every verified law, and `|θ|²`
/// when it is shown exactly not to be a law (`θ · ∇_θ f_θ(x)_o ≠ 0` at a point `x` of `xs` off
/// every kink: a law's gradient is orthogonal to every such field).
pub fn tracked(net: &Network, b: &Bounds, xs: &[Vec<Rational>]) -> Vec<crate::flow::Tracked> {
    use crate::flow::{F64Poly, Tracked};
    let arch = net.arch();
    let vars = crate::model::param_vars(&arch);
    let mut out: Vec<Tracked> = b
        .laws
        .iter()
        .map(|l| Tracked {
            name: l.name.clone(),
            conserved: true,
            poly: F64Poly::new(&l.polynomial, &vars),
        })
        .collect();
    let theta = net.params();
    let not_law = xs
        .iter()
        .filter(|x| interior_pattern(net, x).is_some())
        .any(|x| {
            (0..arch.n3).any(|o| {
                let g = crate::grad::output_gradient(&arch, &theta, x, o);
                !g.iter()
                    .zip(&theta)
                    .map(|(a, t)| a * t)
                    .sum::<Rational>()
                    .is_zero()
            })
        });
    if not_law {
        let sq: Polynomial = vars.iter().map(|v| Polynomial::var(v.clone()).pow(2)).sum();
        out.push(Tracked {
            name: "|theta|^2".into(),
            conserved: false,
            poly: F64Poly::new(&sq, &vars),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::{layer1_mixing, layer1_scaling};
    use fibers_net::random::random_network;

    #[test]
    fn input_symmetry_of_laws() {
        let arch = Architecture::new(3, 2, 2, 1);
        assert!(input_symmetric(&layer1_scaling(&arch, 0), 3));
        assert!(input_symmetric(&layer1_mixing(&arch, 0, 1), 3));
        // One input column only, or two columns in one monomial: not symmetric.
        let w = |j, i| Polynomial::var(Var::w1(j, i));
        assert!(!input_symmetric(&(&w(0, 0) * &w(0, 0)), 3));
        assert!(!input_symmetric(&(&w(0, 0) * &w(0, 1)), 3));
        // Different coefficients per column: not symmetric.
        let p = &(&w(0, 0) * &w(0, 0)) + &(&w(0, 1) * &w(0, 1));
        let q = &(&p + &p) - &(&w(0, 2) * &w(0, 2));
        assert!(!input_symmetric(&q, 3));
    }

    /// The shortcut through the input symmetry verifies the laws, rejects non-laws whether
    /// symmetric or not, and agrees with the exhaustive check on every pattern.
    #[test]
    fn symbolic_check_with_and_without_the_symmetry() {
        let arch = Architecture::new(3, 2, 2, 2);
        let net = random_network(arch, &mut Lcg::new(5));
        let phases = Phases::from_signs(&net);
        let sym = all_symbolic(&arch);
        assert!(verify_symbolic(&layer1_scaling(&arch, 1), &arch, &sym));
        let w = |j, i| Polynomial::var(Var::w1(j, i));
        let v = |k, j| Polynomial::var(Var::w2(k, j));
        // Symmetric, not a law: Σ_i W1[0][i]².
        let half: Polynomial = (0..3).map(|i| &w(0, i) * &w(0, i)).sum();
        assert!(input_symmetric(&half, 3));
        assert!(!verify_symbolic(&half, &arch, &sym));
        assert!(!verify_symbolic(&half, &arch, &phases));
        // Not symmetric, not a law: W1[0][0]² − W2[0][0]² − W2[1][0]².
        let one = &(&w(0, 0) * &w(0, 0)) - &(&(&v(0, 0) * &v(0, 0)) + &(&v(1, 0) * &v(1, 0)));
        assert!(!verify_symbolic(&one, &arch, &sym));
        // Every pattern: the shortcut agrees with the pattern-by-pattern check.
        let law = layer1_scaling(&arch, 0);
        for bits in 0u32..16 {
            let pat = Pattern {
                layer1: (0..2).map(|j| bits >> j & 1 == 1).collect(),
                layer2: (0..2).map(|k| bits >> (2 + k) & 1 == 1).collect(),
            };
            let ph = Phases::of_pattern(&pat);
            assert!(verify_symbolic(&law, &arch, &ph));
            assert!(
                !verify_symbolic(&half, &arch, &ph)
                    || !pat.layer1[0]
                    || !pat.layer2.iter().any(|&b| b)
            );
        }
    }
}
