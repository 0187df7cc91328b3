//! `--member`: the exact decision whether a second parameter lies in the fiber, with every
//! answer certified.
//!
//! - In the description: the witness (permutations, factors, shift, roles, auxiliary values)
//!   proves it, every step an exact identity (see [`crate::member`]).
//! - Not in the description: a rational input `x` with `f_θ(x) ≠ f_θ'(x)` proves it (from the
//!   fast decision's witness search, else from the exact branch tree). For `n1 = 1` the exact
//!   one-dimensional normal form decides; for the constant stratum the constant value.
//! - If the branch tree finds the two equivalent while a complete (docs/theory.md §8) description
//!   says no, that is a counterexample to docs/theory.md: it is reported as such.

use crate::describe::{Description, Kind};
use crate::member::{constant_membership, describe_membership, Found, Internal, Witness};
use fibers_bottleneck::canonical::{canonicalize, CanonicalForm};
use fibers_bottleneck::decide::FastOutcome;
use fibers_decide::{decide_with_progress, probe_points, DecideOptions, Method, Outcome, Stats};
use fibers_exact::Rational;
use fibers_net::Network;

/// Options of [`Description::membership`].
#[derive(Clone, Debug, Default)]
pub struct MemberOptions {
    /// Node budget of the branch tree (`None`: no limit).
    pub max_nodes: Option<u64>,
}

/// The answer of [`Description::membership`].
#[derive(Clone, Debug)]
pub struct MemberReport {
    /// Whether the parameter is in the fiber (`None`: the branch tree's budget ran out).
    pub member: Option<bool>,
    /// Whether it lies in the described parts (`None` when there is no description).
    pub in_description: Option<bool>,
    /// Why it is not in the described parts.
    pub description_reason: Option<String>,
    /// The witness of membership in a part.
    pub witness: Option<Witness>,
    /// An input where the two functions differ (proof of non-membership).
    pub counter_input: Option<Vec<Rational>>,
    /// Which procedure decided.
    pub method: &'static str,
    /// The branch tree found the parameter in the fiber although the (complete, docs/theory.md §8)
    /// description says it is not: a counterexample to docs/theory.md.
    pub description_counterexample: bool,
}

impl Description {
    /// Decides exactly whether `other` (same architecture) is in the fiber (see the [module
    /// docs](self)); `progress` follows the branch tree when it runs.
    pub fn membership(
        &self,
        other: &Network,
        opts: &MemberOptions,
        progress: &mut dyn FnMut(&Stats),
    ) -> Result<MemberReport, Internal> {
        let found = match (self.kind, &self.model, &self.frame) {
            (Kind::Bottleneck | Kind::OneDimensional, Some(m), _) => {
                Some(describe_membership(m, other)?)
            }
            (Kind::Constant, _, Some(f)) => Some(constant_membership(f, other)?),
            _ => None,
        };
        let mut report = MemberReport {
            member: None,
            in_description: found.as_ref().map(|f| matches!(f, Found::Member(_))),
            description_reason: None,
            witness: None,
            counter_input: None,
            method: "description",
            description_counterexample: false,
        };
        match found {
            Some(Found::Member(w)) => {
                report.member = Some(true);
                report.witness = Some(*w);
                return Ok(report);
            }
            Some(Found::NotMember(r)) => report.description_reason = Some(r),
            None => {}
        }
        // Not in the description (or none): decide exactly and certify.
        if self.kind == Kind::OneDimensional || self.kind == Kind::Constant {
            if let (Ok(ca), Ok(cb)) = (canonicalize(&self.net), canonicalize(other)) {
                let same = ca.form == cb.form;
                let exact = matches!(
                    (&ca.form, &cb.form),
                    (
                        CanonicalForm::OneDimensional { .. } | CanonicalForm::Constant { .. },
                        CanonicalForm::OneDimensional { .. } | CanonicalForm::Constant { .. }
                    )
                );
                if exact {
                    report.method = if self.kind == Kind::Constant {
                        "constant value"
                    } else {
                        "one-dimensional normal form"
                    };
                    report.member = Some(same);
                    if !same {
                        report.counter_input = fast_witness(&self.net, other);
                    }
                    return Ok(report);
                }
            }
        }
        match fibers_bottleneck::decide(&self.net, other, 256) {
            FastOutcome::NotEquivalent(x, ..) => {
                report.method = "witness input";
                report.member = Some(false);
                report.counter_input = Some(x);
                return Ok(report);
            }
            FastOutcome::Equivalent(_) if self.kind != Kind::Bottleneck => {
                report.method = "fast decision (chain of moves)";
                report.member = Some(true);
                return Ok(report);
            }
            _ => {}
        }
        let dopts = DecideOptions {
            method: Method::Tree,
            max_nodes: opts.max_nodes,
            ..DecideOptions::default()
        };
        let r = decide_with_progress(&self.net, other, &dopts, progress)
            .map_err(|e| Internal(e.to_string()))?;
        report.method = "branch tree";
        match r.outcome {
            Outcome::Equivalent { .. } => {
                report.member = Some(true);
                report.description_counterexample = self.kind == Kind::Bottleneck;
            }
            Outcome::NotEquivalent { witness, .. } => {
                report.member = Some(false);
                report.counter_input = Some(witness);
            }
            Outcome::Undecided => report.member = None,
        }
        Ok(report)
    }
}

fn fast_witness(a: &Network, b: &Network) -> Option<Vec<Rational>> {
    match fibers_bottleneck::decide(a, b, 256) {
        FastOutcome::NotEquivalent(x, ..) => Some(x),
        _ => {
            let pts = probe_points(a.arch().n0, 64, 7);
            pts.into_iter().find(|x| a.eval(x) != b.eval(x))
        }
    }
}
