//! One fixture per stratum (`fixtures/strata/`): classification and canonical form, as
//! reviewed insta snapshots, plus the equalities of canonical forms the moves imply.

use fibers_bottleneck::{canonicalize, classify};
use fibers_net::json::read_network;
use std::path::PathBuf;

fn fixture(name: &str) -> fibers_net::Network {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../fixtures/strata/{name}.json"));
    read_network(&p).expect("fixture reads")
}

fn report(name: &str) -> String {
    let net = fixture(name);
    let mut s = classify(&net).to_text();
    s.push_str("---\n");
    match canonicalize(&net) {
        Ok(c) => {
            s.push_str(&c.form.text());
            s.push_str(&format!("sha256 {}\n", c.form.hash()));
        }
        Err(e) => s.push_str(&format!("not generic: {e}\n")),
    }
    s
}

macro_rules! stratum {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!($name, report($name));
        }
    };
}

stratum!(all_crossing, "all-crossing");
stratum!(hidden, "hidden");
stratum!(hidden_at_tmin, "hidden-at-tmin");
stratum!(one_linear, "one-linear");
stratum!(two_linear, "two-linear");
stratum!(one_dead, "one-dead");
stratum!(flip, "flip");
stratum!(split, "split");
stratum!(relay_1d, "relay-1d");
stratum!(constant, "constant");
stratum!(wide, "wide");
stratum!(non_generic_parallel_rows, "non-generic-parallel-rows");
stratum!(non_generic_irrelevant, "non-generic-irrelevant");

fn hash(name: &str) -> String {
    canonicalize(&fixture(name)).expect("generic").form.hash()
}

#[test]
fn moves_keep_the_canonical_form() {
    // flip (M5 with compensation) and split (M6) of neuron 0 of all-crossing.
    assert_eq!(hash("all-crossing"), hash("flip"));
    assert_eq!(hash("all-crossing"), hash("split"));
    // The hidden shift M7 to t_min.
    assert_eq!(hash("hidden"), hash("hidden-at-tmin"));
    // Different functions, different forms.
    assert_ne!(hash("all-crossing"), hash("one-dead"));
    assert_ne!(hash("all-crossing"), hash("one-linear"));
}

/// At `t_min` a second layer-1 neuron can become hidden (every kink through its facet passes
/// through the corner): both shifts are symmetries, confirmed by the exact branch tree.
#[test]
fn two_shift_branches_meet_at_t_min() {
    use fibers_bottleneck::layer1::{
        check_hidden_condition, hidden_shift, hidden_threshold, layer1_roles, realise, Layer1Role,
    };
    use fibers_bottleneck::OrthantData;
    use fibers_exact::Rational;
    use fibers_tree::{Outcome, TreeOptions};
    let net = fixture("hidden-at-tmin");
    let d = OrthantData::of_network(&net);
    let roles = layer1_roles(&d).expect("roles");
    assert_eq!(roles, vec![Layer1Role::Hidden, Layer1Role::Hidden]);
    let tree = TreeOptions::default();
    for h in 0..2 {
        let (flip, t) = hidden_threshold(&d, h).expect("hidden");
        assert_eq!(t, Rational::zero());
        let r = realise(net.layer(1), net.arch().n0, &d, &flip);
        let shift = Rational::from(2);
        check_hidden_condition(&r, h, &shift).expect("sign conditions");
        let moved = hidden_shift(&r, h, &shift);
        let rep = fibers_tree::run(&net, &moved, &tree, &mut |_| {}).expect("decides");
        assert!(
            matches!(rep.outcome, Outcome::Equivalent { .. }),
            "neuron {h}"
        );
        // Below t_min = 0 it is a near miss.
        let below = hidden_shift(&r, h, &Rational::from(-1));
        let rep = fibers_tree::run(&net, &below, &tree, &mut |_| {}).expect("decides");
        assert!(
            matches!(rep.outcome, Outcome::NotEquivalent { .. }),
            "neuron {h}"
        );
        assert_eq!(
            canonicalize(&moved).expect("generic").form,
            canonicalize(&net).expect("generic").form
        );
    }
}
