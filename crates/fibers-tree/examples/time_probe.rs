//! temp
use fibers_net::Network;
use std::time::Instant;

fn per<T>(reps: u32, mut f: impl FnMut() -> T) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        std::hint::black_box(f());
    }
    t.elapsed().as_secs_f64() / reps as f64 * 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let load = |p: &str| fibers_net::json::read_network(std::path::Path::new(p)).unwrap();
    let (a, b): (Network, Network) = (load(&args[1]), load(&args[2]));
    let reps = 2000;
    let ha = per(reps, || fibers_check::network_hash(&a));
    let hb = per(reps, || fibers_check::network_hash(&b));
    let ts = per(reps, || fibers_net::json::network_to_string(&b));
    let pi = per(reps, || fibers_tree::pair_info(&a, &b).unwrap());
    let pts = fibers_tree::probe_points(a.arch().n0, 24, 1);
    let pp = per(reps, || fibers_tree::probe_points(a.arch().n0, 24, 1));
    let k = pts.iter().position(|x| a.eval(x) != b.eval(x));
    let ev = per(reps / 10, || {
        pts.iter().map(|x| (a.eval(x), b.eval(x))).count()
    }) / pts.len() as f64;
    let info = fibers_tree::pair_info(&a, &b).unwrap();
    let wc = per(reps, || fibers_tree::witness_certificate(&info, &a, &b, pts[0].clone(), "x"));
    println!(
        "hash_a {ha:.2} hash_b {hb:.2} (text_b {ts:.2}) pair_info {pi:.2} points {pp:.2} eval_pair/pt {ev:.2} witness_cert {wc:.2} first_diff {k:?} of {} µs",
        pts.len()
    );
}
