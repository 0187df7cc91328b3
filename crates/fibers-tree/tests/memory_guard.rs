//! The memory guard of the branch tree (issue 15): past the limit the search stops undecided,
//! never with a verdict. In a test binary of its own, since the limit is process-wide.

use fibers_net::Network;
use fibers_tree::{run, set_max_memory, Outcome, TreeOptions};

/// A `[n0, 1, n2, 1]` network whose layer-2 neurons split along the layer-1 neuron.
fn wide(n0: usize, n2: usize) -> Network {
    let w1: Vec<String> = (0..n0).map(|i| ((i % 3) as i64 - 1).to_string()).collect();
    let w2: Vec<String> = (0..n2).map(|k| format!("[{}]", k % 3 + 1)).collect();
    let b2: Vec<String> = (0..n2).map(|k| format!("-{}", k + 1)).collect();
    let w3: Vec<String> = (0..n2).map(|_| "1".to_string()).collect();
    let text = format!(
        r#"{{"architecture":[{n0},1,{n2},1],"layers":[{{"weight":[[{}]],"bias":[1]}},{{"weight":[{}],"bias":[{}]}},{{"weight":[[{}]],"bias":[0]}}]}}"#,
        w1.join(","),
        w2.join(","),
        b2.join(","),
        w3.join(",")
    );
    fibers_net::json::network_from_str(&text, "wide").expect("valid network")
}

#[test]
fn memory_limit_stops_undecided_then_decides_when_raised() {
    let a = wide(300, 12);
    set_max_memory(100_000);
    let r = run(&a, &a, &TreeOptions::default(), &mut |_| {}).expect("runs");
    assert!(matches!(r.outcome, Outcome::Undecided), "{:?}", r.stats);
    assert!(r.stats.out_of_memory);
    set_max_memory(fibers_tree::DEFAULT_MAX_MEMORY);
    let r = run(&a, &a, &TreeOptions::default(), &mut |_| {}).expect("runs");
    assert!(
        matches!(r.outcome, Outcome::Equivalent { .. }),
        "{:?}",
        r.stats
    );
    assert!(!r.stats.out_of_memory);
}
