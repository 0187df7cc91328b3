//! The exact LP enumeration of linear regions against sampling: every pattern seen at a
//! sampled point (off the kinks) is enumerated, and every enumerated region's witness point
//! realises its pattern strictly.

use fibers_conserve::model::Pattern;
use fibers_conserve::regions::linear_regions;
use fibers_net::random::{random_network, random_point, Lcg};
use fibers_net::Architecture;

#[test]
fn enumeration_contains_every_sampled_pattern() {
    for (arch, seed) in [
        (Architecture::new(2, 2, 2, 1), 1),
        (Architecture::new(2, 3, 3, 1), 2),
        (Architecture::new(3, 2, 4, 2), 3),
        (Architecture::new(1, 3, 2, 1), 4),
    ] {
        let mut rng = Lcg::new(seed);
        let net = random_network(arch, &mut rng);
        let set = linear_regions(&net, 4096).unwrap();
        for (p, w) in set.patterns.iter().zip(&set.witnesses) {
            let (q, kink) = Pattern::at(&net, w);
            assert!(!kink, "witness on a kink");
            assert_eq!(&q, p);
        }
        let mut seen = 0;
        for _ in 0..400 {
            let x = random_point(arch.n0, &mut rng);
            let (p, kink) = Pattern::at(&net, &x);
            if !kink {
                seen += 1;
                assert!(
                    set.patterns.contains(&p),
                    "{arch} seed {seed}: {p} at {x:?} missing"
                );
            }
        }
        assert!(seen > 300);
    }
}
