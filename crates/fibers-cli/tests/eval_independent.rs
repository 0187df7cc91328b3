//! `fibers eval` against an evaluation written separately (`fibers_testkit::independent`: its
//! own JSON number reader and its own arithmetic, num-rational directly, not fibers-exact), on
//! every bundled network fixture at many rational points.

use fibers_testkit::independent::{eval, network_fixtures, number, points, read};
use num_rational::BigRational;
use serde_json::Value;
use std::process::Command;

#[test]
fn eval_matches_independent_evaluation_on_every_fixture() {
    let fixtures = network_fixtures();
    assert!(
        fixtures.len() >= 3,
        "expected bundled network fixtures, found {fixtures:?}"
    );
    let mut checked = 0;
    for path in &fixtures {
        let net = read(path).unwrap();
        let n0 = net.layers[0].0.first().map_or(0, |r| r.len());
        if n0 == 0 {
            continue;
        }
        for x in points(n0, 12, checked as u64 + 7) {
            let xs: Vec<String> = x.iter().map(|r| r.to_string()).collect();
            let out = Command::new(env!("CARGO_BIN_EXE_fibers"))
                .args([
                    "eval",
                    path.to_str().unwrap(),
                    "--json",
                    "--x",
                    &xs.join(","),
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let got: Vec<BigRational> =
                v["output"].as_array().unwrap().iter().map(number).collect();
            assert_eq!(got, eval(&net, &x), "{} at {xs:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 36);
}
