//! One fixture per stratum (`fixtures/strata/`): classification and canonical form, as
//! reviewed insta snapshots, plus the equalities of canonical forms the moves imply.

use fibers_fiber::{canonicalize, classify};
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
