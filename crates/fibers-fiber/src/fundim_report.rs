//! The report of `fibers fundim` (and of the Python `fundim`): the functional dimension
//! certified by bounds that meet or by the enumeration of linear regions, the local dimension
//! of the fiber it gives, and the JSON of `--json`, built in one place for every front end.

use crate::describe::{Description, Kind};
use crate::dimension::Formula;
use crate::{Bounds, FunDim};
use serde_json::{json, Value};

/// How the functional dimension was certified by the enumeration of every linear region.
pub const BY_EXHAUSTIVE: &str = "exhaustive (every linear region)";

/// What `fibers fundim` (without `--exhaustive`) found: the bounds, the enumeration (when it
/// ran as the fallback) and the docs/theory.md §8 formula.
#[derive(Clone, Debug)]
pub struct FundimReport {
    /// The number of parameters `D`.
    pub params: usize,
    /// The bounds, if the method applies.
    pub bounds: Option<Bounds>,
    /// Why the bounds method does not apply.
    pub bounds_not_applicable: Option<String>,
    /// The enumeration of every linear region, if it ran (the bounds did not meet).
    pub exhaustive: Option<FunDim>,
    /// Why the enumeration did not finish, if it was started.
    pub exhaustive_not_run: Option<String>,
    /// The docs/theory.md §8 formula, where the setting applies.
    pub formula: Option<Formula>,
}

impl FundimReport {
    /// The functional dimension, if certified, and how (`"bounds met"`, [`BY_EXHAUSTIVE`] or
    /// `"open"`).
    pub fn value(&self) -> (Option<usize>, &'static str) {
        match (&self.exhaustive, &self.bounds) {
            (_, Some(b)) if b.certified() => (Some(b.lower), "bounds met"),
            (Some(f), _) => (Some(f.rank), BY_EXHAUSTIVE),
            _ => (None, "open"),
        }
    }

    /// The bounds, when they certified the value with directions between parallel crossing
    /// neurons that hold at θ only: `D − fd` is then only an upper bound on the local
    /// dimension of the fiber (docs/theory.md §12, Proposition 12.3 needs symmetry fields
    /// near θ).
    pub fn pointwise(&self) -> Option<&Bounds> {
        let (_, how) = self.value();
        self.bounds
            .as_ref()
            .filter(|b| how == "bounds met" && b.pointwise > 0)
    }

    /// Whether `D − fd` is the local dimension of the fiber (docs/theory.md §12,
    /// Proposition 12.3): not when the enumeration had to leave out regions where `f` is not
    /// differentiable in the parameters, nor when [`FundimReport::pointwise`] applies.
    pub fn smooth(&self) -> bool {
        let (_, how) = self.value();
        let smooth = how != BY_EXHAUSTIVE
            || self
                .exhaustive
                .as_ref()
                .is_none_or(|f| f.non_differentiable_regions == 0);
        smooth && self.pointwise().is_none()
    }

    /// The JSON object of `fibers fundim --json`.
    pub fn to_json(&self) -> Value {
        let (value, how) = self.value();
        let d = self.params;
        let bj = self.bounds.as_ref().map(|b| {
            json!({
                "lower": b.lower,
                "upper": b.upper,
                "certified": b.certified(),
                "symmetry_rank": b.symmetry_rank,
                "moves": b.moves.iter().map(|m| json!({"move": m.name, "vectors": m.vectors})).collect::<Vec<_>>(),
                "kinks": b.kinks,
                "regions": b.regions,
                "rows": b.rows,
                "prime": b.prime.to_string(),
                "budget_exhausted": b.budget_exhausted,
                "triangular": b.triangular,
                "pointwise": b.pointwise,
            })
        });
        json!({
            "parameters": d,
            "functional_dimension": value,
            "fiber_dimension": value.filter(|_| self.smooth()).map(|v| d - v),
            "certified_by": how,
            "bounds": bj,
            "bounds_not_applicable": self.bounds_not_applicable,
            "exhaustive": self.exhaustive.as_ref().map(|f| json!({"rank": f.rank, "regions": f.regions, "non_differentiable_regions": f.non_differentiable_regions, "points": f.points})),
            "exhaustive_not_run": self.exhaustive_not_run,
            "dimension_formula": self.formula.as_ref().and_then(Formula::value_if_applies),
            "dimension_formula_not_applicable": self.formula.as_ref().and_then(|f| f.note.clone()),
        })
    }
}

/// What `fibers fundim --exhaustive` found: the enumeration of every linear region, compared
/// with the described fiber.
#[derive(Clone, Copy, Debug)]
pub struct ExhaustiveFundimReport<'a> {
    /// The enumeration.
    pub fundim: &'a FunDim,
    /// The description of the fiber.
    pub description: &'a Description,
}

impl ExhaustiveFundimReport<'_> {
    /// Whether the fiber is described (a bottleneck, one-dimensional or constant fiber whose
    /// parts have a dimension).
    pub fn described(&self) -> bool {
        matches!(
            self.description.kind,
            Kind::Bottleneck | Kind::OneDimensional | Kind::Constant
        ) && self.description.part_dimension.is_some()
    }

    /// Whether `D − rank` can be compared with the fiber: `f` is differentiable in the
    /// parameters on every region.
    pub fn comparable(&self) -> bool {
        self.fundim.non_differentiable_regions == 0
    }

    /// Whether `D − rank` equals the dimension of the fiber, where both are known and
    /// comparable.
    pub fn agree(&self) -> Option<bool> {
        self.description
            .dimension()
            .map(|x| x == self.fundim.corank())
            .filter(|_| self.comparable())
    }

    /// The JSON object of `fibers fundim --exhaustive --json`.
    pub fn to_json(&self) -> Value {
        let (f, d) = (self.fundim, self.description);
        let described = self.described();
        json!({
            "rank": f.rank,
            "parameters": f.params,
            "corank": f.corank(),
            "regions": f.regions,
            "non_differentiable_regions": f.non_differentiable_regions,
            "points": f.points,
            "certified_by": BY_EXHAUSTIVE,
            "fiber_dimension": if described { d.dimension() } else { None },
            "fiber_dimension_source": d.dimension_source(),
            "formula": d.formula.as_ref().and_then(Formula::value_if_applies),
            "formula_not_applicable": d.formula.as_ref().and_then(|f| f.note.clone()),
            "agree": if described { self.agree() } else { None },
        })
    }
}
