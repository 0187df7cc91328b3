//! The closer's machine-integer second step: on an equivalent pair that is not a relabelling
//! (a compensated flip and a split, `fixtures/bench/`), cells are closed with LP-fixed layer-2
//! neurons found in `i128`, and the certificate passes the checker.

use fibers_check::{check, CheckOptions};
use fibers_net::Network;
use fibers_regions::cell::Closer;
use fibers_regions::cells::layer1_cells;
use fibers_regions::{run, Outcome, TreeOptions};
use std::path::PathBuf;

fn load(dir: &str, file: &str) -> Network {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/bench")
        .join(dir)
        .join(file);
    fibers_net::json::read_network(&p).expect("fixture")
}

#[test]
fn flip_and_split_cells_are_fixed_in_machine_integers() {
    let (a, b) = (
        load("flip-split-4-8-8-1", "a.json"),
        load("flip-split-4-8-8-1", "b.json"),
    );
    let mut closer = Closer::new(&a, &b);
    let (tree, _) = layer1_cells(
        &a,
        &b,
        None,
        Vec::new(),
        &mut |c| closer.close(c),
        &mut |_| {},
    );
    assert!(tree.is_ok(), "every cell closes");
    let st = &closer.stats;
    assert!(st.with_fixes > 0, "{st:?}");
    assert_eq!(st.small_fixes, st.with_fixes, "{st:?}");

    let report = run(&a, &b, &TreeOptions::default(), &mut |_| {}).expect("runs");
    let Outcome::Equivalent { certificate } = report.outcome else {
        panic!("the pair is equivalent")
    };
    check(&certificate, &a, &b, CheckOptions::default()).expect("the certificate checks");
}
