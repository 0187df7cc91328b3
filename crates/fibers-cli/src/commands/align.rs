//! `fibers align A B`: the permutations, positive scales and hidden shifts that carry B to A.
//!
//! Decides `f_A = f_B` as `fibers equiv` does (certificate checked), then
//! [`fibers_batch::align::align`] finds the maps, verified by exact comparison of parameters.

use crate::commands::equiv::{load_pair, run_decide, self_check};
use crate::error::CliError;
use crate::output::outln;
use clap::Args;
use fibers::{DecideOptions, Outcome};
use fibers_batch::align::{align, AlignStep};
use fibers_check::bottleneck::Relabeling;
use fibers_exact::display::with_approx;
use fibers_net::json::{rational_to_value, vector_to_value};
use serde_json::{json, Value};
use std::path::PathBuf;

/// The permutation, positive scales and hidden shifts that carry B to A.
#[derive(Args, Debug)]
pub struct AlignArgs {
    /// Network A (the reference).
    pub a: PathBuf,
    /// Network B (mapped onto A).
    pub b: PathBuf,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Give up (exit 3) after this many branch-tree nodes.
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<u64>,
}

fn relabeling_json(r: &Relabeling) -> Value {
    json!({
        "b_unit": r.order,
        "scale": r.scale.iter().map(rational_to_value).collect::<Vec<_>>(),
    })
}

fn step_json(s: &AlignStep) -> Value {
    match s {
        AlignStep::Relabel { layer1, layer2 } => json!({
            "kind": "relabel",
            "layer1": relabeling_json(layer1),
            "layer2": relabeling_json(layer2),
        }),
        AlignStep::HiddenShift { neuron, t, forward } => json!({
            "kind": "hidden-shift",
            "neuron": neuron,
            "t": rational_to_value(t),
            "direction": if *forward { "forward" } else { "backward" },
        }),
        AlignStep::FunctionOnly { kind, reason } => json!({
            "kind": "function-only",
            "certificate_step": kind,
            "reason": reason,
        }),
    }
}

fn is_identity(r: &Relabeling) -> bool {
    r.order.iter().enumerate().all(|(i, o)| i == *o)
        && r.scale.iter().all(|s| *s == fibers_exact::Rational::one())
}

fn print_table(layer: usize, r: &Relabeling) -> Result<(), CliError> {
    let moved = r.order.iter().enumerate().filter(|(i, o)| i != *o).count();
    let scaled = r
        .scale
        .iter()
        .filter(|s| **s != fibers_exact::Rational::one())
        .count();
    outln!("layer {layer}: {moved} units moved, {scaled} rescaled")?;
    outln!("  {:>6}  {:>6}  scale", "A unit", "B unit")?;
    for (i, (o, s)) in r.order.iter().zip(&r.scale).enumerate() {
        outln!("  {i:>6}  {o:>6}  {}", with_approx(s))?;
    }
    Ok(())
}

/// Runs `fibers align`.
pub fn run(args: &AlignArgs) -> Result<(), CliError> {
    let (a, b) = load_pair(&args.a, &args.b)?;
    let opts = DecideOptions {
        max_nodes: args.max_nodes,
        ..DecideOptions::default()
    };
    let report = run_decide(&a, &b, &opts)?;
    let cert = match &report.outcome {
        Outcome::Equivalent { certificate } => certificate,
        Outcome::NotEquivalent {
            witness,
            certificate,
        } => {
            self_check(certificate, &a, &b)?;
            if args.json {
                outln!(
                    "{}",
                    json!({"verdict": "not-equivalent", "witness": vector_to_value(witness)})
                )?;
            } else {
                outln!("not equivalent: no symmetry carries B to A")?;
                let x: Vec<String> = witness.iter().map(with_approx).collect();
                outln!("witness x = [{}] (see fibers equiv)", x.join(", "))?;
            }
            return Ok(());
        }
        Outcome::Undecided => {
            return Err(CliError::Undecided(format!(
                "undecided: the node budget ({}) ran out",
                args.max_nodes.unwrap_or(0)
            )))
        }
    };
    self_check(cert, &a, &b)?;
    let steps = align(&a, &b, cert);
    let exact = steps
        .iter()
        .all(|s| !matches!(s, AlignStep::FunctionOnly { .. }));
    if args.json {
        outln!(
            "{}",
            json!({
                "verdict": "equivalent",
                "parameters_mapped": exact,
                "steps": steps.iter().map(step_json).collect::<Vec<_>>(),
            })
        )?;
        return Ok(());
    }
    outln!("equivalent")?;
    match steps.as_slice() {
        [AlignStep::Relabel { layer1, layer2 }] => {
            outln!(
                "B is carried to A by relabelling its hidden units (verified: the relabelled B \
                 has exactly A's parameters). Unit i of A = scale × unit B-unit of B (incoming \
                 weights and bias), outgoing weights divided by the scale."
            )?;
            print_table(1, layer1)?;
            print_table(2, layer2)?;
            outln!("hidden shifts: none")?;
        }
        _ => {
            outln!(
                "B is carried to A by {} map{}, one per link of the certificate's chain \
                 (A first):",
                steps.len(),
                if steps.len() == 1 { "" } else { "s" }
            )?;
            for (k, s) in steps.iter().enumerate() {
                match s {
                    AlignStep::Relabel { layer1, layer2 }
                        if is_identity(layer1) && is_identity(layer2) =>
                    {
                        outln!("link {}: identical parameters", k + 1)?;
                    }
                    AlignStep::Relabel { layer1, layer2 } => {
                        outln!("link {}: relabelling (verified exactly)", k + 1)?;
                        print_table(1, layer1)?;
                        print_table(2, layer2)?;
                    }
                    AlignStep::HiddenShift { neuron, t, forward } => outln!(
                        "link {}: hidden shift of layer-1 neuron {neuron} by t = {} ({}, \
                         docs/theory.md §5)",
                        k + 1,
                        with_approx(t),
                        if *forward { "forward" } else { "backward" }
                    )?,
                    AlignStep::FunctionOnly { kind, reason } => outln!(
                        "link {}: same function (certificate step {kind}), no parameter map: \
                         {reason}",
                        k + 1
                    )?,
                }
            }
        }
    }
    Ok(())
}
