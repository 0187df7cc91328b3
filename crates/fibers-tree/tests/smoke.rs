//! Smoke test: a permuted and rescaled copy is equivalent, a negative layer-1 scaling is not.
use fibers_check::{check, CheckOptions, Verdict};
use fibers_net::Architecture;
use fibers_testkit::moves::*;
use fibers_tree::{run, Outcome, TreeOptions};

#[test]
fn smoke() {
    let mut rng = Lcg::new(7);
    for arch in [
        Architecture::new(2, 2, 2, 1),
        Architecture::new(2, 4, 3, 1),
        Architecture::new(3, 3, 4, 2),
    ] {
        let a = random_network(&mut rng, arch);
        let b = random_positive_scaling(&random_permute(&a, &mut rng), &mut rng);
        let r = run(&a, &b, &TreeOptions::default(), &mut |_| {}).unwrap();
        eprintln!("{arch} {:?}", r.stats);
        let Outcome::Equivalent { certificate } = r.outcome else {
            panic!("not eq")
        };
        assert_eq!(
            check(&certificate, &a, &b, CheckOptions::default()),
            Ok(Verdict::Equivalent)
        );
        let c = scale_layer1(&a, 0, &fibers_exact::Rational::from(-2));
        let r = run(&a, &c, &TreeOptions::default(), &mut |_| {}).unwrap();
        let Outcome::NotEquivalent { certificate, .. } = r.outcome else {
            panic!("eq")
        };
        assert_eq!(
            check(&certificate, &a, &c, CheckOptions::default()),
            Ok(Verdict::NotEquivalent)
        );
    }
}
