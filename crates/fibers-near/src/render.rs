//! The plain-text and JSON reports of `fibers equiv A B --tol EPS`.

use crate::{ExactAnswer, NearReport, NearVerdict};
use fibers_exact::Rational;
use fibers_net::json::{rational_to_value, vector_to_value};
use serde_json::{json, Value};

/// A decimal approximation for display (the exact value is in the JSON and the certificate).
pub fn decimal(r: &Rational) -> String {
    format!("{:.6e}", r.to_f64_lossy())
}

fn perm_text(p: &[usize]) -> String {
    const SHOW: usize = 16;
    let parts: Vec<String> = p.iter().take(SHOW).map(|i| i.to_string()).collect();
    let more = if p.len() > SHOW { ", …" } else { "" };
    format!("[{}{more}]", parts.join(", "))
}

fn scale_range(s: &[Rational]) -> String {
    let f: Vec<f64> = s.iter().map(Rational::to_f64_lossy).collect();
    let lo = f.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = f.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.6} … {hi:.6}")
}

fn exact_str(e: &ExactAnswer) -> &'static str {
    match e {
        ExactAnswer::Equivalent(_) => "equivalent",
        ExactAnswer::NotEquivalent => "not-equivalent",
        ExactAnswer::Undecided => "undecided",
        ExactAnswer::Skipped => "skipped",
    }
}

/// The verdict line: `equivalent`, `within EPS`, `not within EPS` or `undecided`.
pub fn verdict_line(r: &NearReport) -> String {
    let eps = r.tolerance.to_string();
    match r.verdict {
        NearVerdict::Equivalent => "equivalent".into(),
        NearVerdict::Within => format!("within {eps}"),
        NearVerdict::NotWithin => format!("not within {eps}"),
        NearVerdict::Undecided => format!("undecided (tolerance {eps})"),
    }
}

/// The plain-text report.
pub fn text(r: &NearReport) -> String {
    let mut s = String::new();
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    line(verdict_line(r));
    line(format!(
        "exact equivalence: {}",
        exact_str(&r.exact).replace('-', " ")
    ));
    if r.matched {
        line(format!(
            "alignment: hidden rows matched one to one (smallest cosine {:.9} in layer 1, {:.9} in layer 2)",
            r.min_cosine[0], r.min_cosine[1]
        ));
    } else {
        line("alignment: rows do not match one to one; the identity is used".into());
    }
    line(format!(
        "  layer 1 permutation {} scales {}",
        perm_text(&r.alignment.layer1.permutation),
        scale_range(&r.alignment.layer1.scales)
    ));
    line(format!(
        "  layer 2 permutation {} scales {}",
        perm_text(&r.alignment.layer2.permutation),
        scale_range(&r.alignment.layer2.scales)
    ));
    if r.alignment.shifts.is_empty() {
        line("  hidden shifts (docs/theory.md §5, Theorem 5.7): none".into());
    } else {
        let parts: Vec<String> = r
            .alignment
            .shifts
            .iter()
            .map(|(h, t)| format!("neuron {h} by {}", decimal(t)))
            .collect();
        line(format!(
            "  hidden shifts (docs/theory.md §5, Theorem 5.7): {}",
            parts.join(", ")
        ));
    }
    line(format!(
        "‖B* − A‖: max {} , relative (l2) {:.6e}",
        decimal(&r.param_max),
        r.param_rel
    ));
    let cells = r.cells;
    line(format!(
        "max over the box of ‖f_A − f_B‖∞: upper bound {} (certified, {} cell{}), lower bound {} (at a witness)",
        decimal(&r.upper),
        cells,
        if cells == 1 { "" } else { "s" },
        decimal(&r.witness.difference)
    ));
    if r.verdict == NearVerdict::NotWithin {
        let parts: Vec<String> = r.witness.x.iter().map(|v| v.to_string()).collect();
        line(format!("witness x = [{}]", parts.join(", ")));
    }
    s
}

/// The JSON report.
pub fn to_json(r: &NearReport) -> Value {
    let al = |l: &fibers_check::within::LayerAlignment| json!({"permutation": l.permutation, "scales": vector_to_value(&l.scales)});
    json!({
        "verdict": r.verdict.as_str(),
        "tolerance": rational_to_value(&r.tolerance),
        "exact": exact_str(&r.exact),
        "matched": r.matched,
        "alignment": {
            "layer1": al(&r.alignment.layer1),
            "layer2": al(&r.alignment.layer2),
            "shifts": r.alignment.shifts.iter().map(|(h, t)| json!({"neuron": h, "t": rational_to_value(t)})).collect::<Vec<_>>(),
        },
        "param_max": rational_to_value(&r.param_max),
        "param_max_decimal": r.param_max.to_f64_lossy(),
        "param_rel": r.param_rel,
        "upper": rational_to_value(&r.upper),
        "upper_decimal": r.upper.to_f64_lossy(),
        "cells": r.cells,
        "splits": r.splits,
        "lower": rational_to_value(&r.witness.difference),
        "lower_decimal": r.witness.difference.to_f64_lossy(),
        "witness": vector_to_value(&r.witness.x),
    })
}
