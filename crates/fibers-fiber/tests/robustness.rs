//! No panic on small, degenerate or zero-width networks: every entry point (description,
//! rendering, membership, sampling, functional dimension) returns a value or an error.

use fibers_exact::Rational;
use fibers_fiber::render::{to_json, to_latex, to_text, RenderOptions};
use fibers_fiber::sample::sample_parts;
use fibers_fiber::{describe, functional_dimension, DescribeOptions, FunDimOptions, MemberOptions};
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::{self, Lcg};

fn degenerate(rng: &mut Lcg, arch: Architecture) -> Network {
    let mut p = moves::random_network(rng, arch).params();
    for x in p.iter_mut() {
        match rng.below(5) {
            0 => *x = Rational::zero(),
            1 => *x = Rational::one(),
            _ => {}
        }
    }
    Network::from_params(arch, &p).expect("length")
}

#[test]
fn no_panic_anywhere() {
    let mut rng = Lcg::new(31337);
    let count = if cfg!(debug_assertions) { 60 } else { 400 };
    let opts = DescribeOptions {
        max_parts: 2000,
        fundim: Some(FunDimOptions { max_regions: 200 }),
    };
    for i in 0..count {
        let arch = Architecture::new(
            1 + rng.below(3),
            rng.below(4),
            rng.below(5),
            1 + rng.below(2),
        );
        let net = if i % 2 == 0 {
            degenerate(&mut rng, arch)
        } else {
            moves::random_network(&mut rng, arch)
        };
        let d = describe(&net, &opts, &mut |_, _| {}).expect("no internal error");
        let _ = to_text(&d, &RenderOptions::default());
        let _ = to_json(&d);
        let _ = to_latex(&d, &RenderOptions::default());
        let _ = functional_dimension(&net, &FunDimOptions { max_regions: 200 }, &mut |_| {});
        let other = moves::random_permute(&net, &mut rng);
        let r = d
            .membership(
                &other,
                &MemberOptions {
                    max_nodes: Some(20_000),
                },
                &mut |_| {},
            )
            .expect("no internal error");
        assert_ne!(r.member, Some(false), "a permutation is always a member");
        if let Some(frame) = &d.frame {
            let keys: Vec<_> = d.parts.iter().map(|p| p.key.clone()).collect();
            let samples = sample_parts(frame, &keys, 3, 7, &mut |_| {});
            for (j, s) in samples.into_iter().enumerate() {
                let s = s.unwrap_or_else(|| {
                    panic!(
                        "sampling part {} failed for\n{}",
                        keys[j % keys.len()],
                        fibers_net::json::network_to_string(&net)
                    )
                });
                assert_eq!(s.arch(), arch);
            }
        }
    }
}
