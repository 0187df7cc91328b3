//! Along a numerically integrated gradient flow (RK4, f64 — a demonstration, not a decision),
//! every reported law stays constant to integration error while a non-conserved quantity moves.
//!
//! Tolerances from the step size. With the activation patterns of the data fixed (checked), the
//! flow is polynomial and RK4 has global error `C h⁴`. Running with `h` and `h/2`, Richardson's
//! estimate of the integration error of a quantity at step `h` is
//! `E(h) = (16/15) |Q_h(t) − Q_{h/2}(t)|`. For a law, the whole drift `|Q_h(t) − Q(0)|` is
//! integration error, so it must be at most `2 E(h)` (plus rounding, `1e-12` relative), and
//! halving `h` must divide it by about 16 (we require 8: observed order ≥ 3). A non-conserved
//! quantity moves by an amount that does not shrink with `h`: its change exceeds `100 E(h)` and
//! every law's drift a thousandfold.

use fibers_conserve::flow::{FlowOptions, FlowRecord};
use fibers_conserve::{analyse, Dataset, Options};
use std::path::Path;

fn run(name: &str, dt: f64, t_end: f64, record_every: usize) -> FlowRecord {
    let path = format!(
        "{}/../../fixtures/conserve/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let net = fibers_net::json::read_network(Path::new(&path)).expect("fixture");
    let a = analyse(&net, None, &Options::default()).unwrap();
    let data = Dataset::seeded(&net, 8, 1);
    let steps = (t_end / dt).round() as usize;
    a.flow(
        &data,
        &FlowOptions {
            dt,
            adapt: false,
            steps,
            record_every,
        },
    )
}

fn check(name: &str) {
    let (h, t_end) = (1e-3, 1.0);
    let coarse = run(name, h, t_end, 10);
    let fine = run(name, h / 2.0, t_end, 20);
    assert_eq!(coarse.times.len(), fine.times.len());
    assert!(
        coarse.pattern_exits.is_empty() && fine.pattern_exits.is_empty(),
        "{name}: the data changed patterns"
    );
    let n = coarse.names.len();
    let laws: Vec<usize> = (0..n).filter(|&q| coarse.conserved[q]).collect();
    let others: Vec<usize> = (0..n).filter(|&q| !coarse.conserved[q]).collect();
    assert!(!laws.is_empty() && !others.is_empty());
    let richardson =
        |q: usize, r: usize| 16.0 / 15.0 * (coarse.values[q][r] - fine.values[q][r]).abs();
    let mut worst = 0.0f64;
    for &q in &laws {
        let name_q = &coarse.names[q];
        for r in 0..coarse.times.len() {
            let drift = (coarse.values[q][r] - coarse.values[q][0]).abs();
            assert!(
                drift <= 2.0 * richardson(q, r) + 1e-12 * coarse.scales[q],
                "{name} {name_q} at t = {}: drift {drift:e}, error estimate {:e}",
                coarse.times[r],
                richardson(q, r)
            );
        }
        let (dc, df) = (coarse.max_drift(q), fine.max_drift(q));
        assert!(
            df <= dc / 8.0 + 1e-13,
            "{name} {name_q}: {dc:e} -> {df:e} (order < 3)"
        );
        worst = worst.max(dc);
    }
    for &q in &others {
        let last = coarse.times.len() - 1;
        let change = (coarse.values[q][last] - coarse.values[q][0]).abs();
        assert!(
            change > 100.0 * richardson(q, last),
            "{name} {}",
            coarse.names[q]
        );
        assert!(
            coarse.drift(q, last) > 1e3 * worst,
            "{name} {}: moves {:e}, laws drift {worst:e}",
            coarse.names[q],
            coarse.drift(q, last)
        );
    }
}

#[test]
fn hidden_shift_network() {
    check("s2_2221_hidden");
}

#[test]
fn two_linear_network_with_local_mixing_law() {
    check("s4_2232_two_linear");
}

/// The flow on 300 data points (issue 16): the default (automatic) step keeps every law within
/// the tolerance and says how it was chosen; a forced large step is reported.
#[test]
fn automatic_step_on_300_points() {
    use fibers_conserve::flow::LAW_DRIFT_TOLERANCE;
    let path = format!(
        "{}/../../fixtures/conserve/s2_2221_hidden.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let net = fibers_net::json::read_network(Path::new(&path)).expect("fixture");
    let a = analyse(&net, None, &Options::default()).unwrap();
    let data = Dataset::seeded(&net, 300, 1);
    let opts = FlowOptions {
        steps: 400,
        record_every: 4,
        ..FlowOptions::default()
    };
    let rec = a.flow(&data, &opts);
    assert!(rec.dt < 1e-3, "step {}", rec.dt);
    assert!(rec.step_reason.contains("curvature"), "{}", rec.step_reason);
    assert!(!rec.unstable());
    for q in (0..rec.names.len()).filter(|&q| rec.conserved[q]) {
        assert!(
            rec.max_drift(q) < LAW_DRIFT_TOLERANCE,
            "{}: {:e}",
            rec.names[q],
            rec.max_drift(q)
        );
    }
    assert!(
        rec.drift_warnings().is_empty(),
        "{:?}",
        rec.drift_warnings()
    );
    // Something still moves: the demonstration is not frozen.
    assert!((0..rec.names.len()).any(|q| !rec.conserved[q] && rec.max_drift(q) > 1e-6));

    let forced = a.flow(
        &data,
        &FlowOptions {
            dt: 1e-3,
            adapt: false,
            ..opts
        },
    );
    assert_eq!(forced.dt, 1e-3);
    assert!(forced.step_reason.contains("fixed by --dt"));
    let warnings = forced.drift_warnings();
    assert!(!warnings.is_empty());
    assert!(warnings[0].contains("more than the integration error allows"));
}
