//! Reviewed insta snapshots of the fiber description, one fixture per stratum
//! (`fixtures/strata`, and the docs/theory.md §9 instances in `fixtures/conserve`): the text and the
//! LaTeX theorem (the LaTeX compiles: see `latex_pdf.rs`).

mod common;

use common::*;
use fibers_fiber::render::{factored_latex, to_latex, to_text, RenderOptions};
use fibers_fiber::{describe, factored, summarize, BoundsOptions, DescribeOptions};

fn opts() -> RenderOptions {
    RenderOptions { max_parts_shown: 4 }
}

#[test]
fn text_and_latex_of_every_stratum() {
    let mut all = fixture_networks("strata");
    all.extend(fixture_networks("conserve"));
    for (name, net) in all {
        let d = describe(&net, &DescribeOptions::default(), &mut |_, _| {}).expect("describe");
        insta::assert_snapshot!(format!("text_{name}"), to_text(&d, &opts()));
        insta::assert_snapshot!(format!("latex_{name}"), to_latex(&d, &opts()));
    }
}

/// The polynomial description (`fibers fiber --parts`, and the LaTeX default): per-neuron role
/// templates, coupling equations, the canonical data and θ's part as a product of factors.
#[test]
fn factored_text_and_latex_of_every_stratum() {
    let mut all = fixture_networks("strata");
    all.extend(fixture_networks("conserve"));
    for (name, net) in all {
        let f = factored(&net);
        let sm = summarize(&net, &BoundsOptions::default(), &mut |_| {});
        insta::assert_snapshot!(format!("text_factored_{name}"), f.to_text());
        insta::assert_snapshot!(
            format!("latex_factored_{name}"),
            factored_latex(&f, Some(&sm))
        );
    }
}
