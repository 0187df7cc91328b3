//! The polynomial paths of `fibers fiber` and `fibers sample` against the exhaustive ones, on
//! 300 random small networks of every stratum (zero disagreements):
//!
//! - **fiber dimension**: the summary's dimension certified by bounds (`fibers fiber`) equals
//!   `D −` the functional dimension over every linear region, and the exact Jacobian rank of
//!   θ's part of the exhaustive description wherever the docs/theory.md §8 formula's
//!   hypotheses hold (Proposition 8.11 fails at parallel and null neurons); the per-neuron
//!   factors of `fibers fiber --parts` add up to the same number there;
//! - **membership**: the certified fast path (`fibers fiber --member`) and the exhaustive
//!   description with its branch-tree fallback (`--parts --exhaustive --member`) give the same
//!   verdict on a symmetric copy and on a perturbed copy of every network;
//! - **moves**: the hidden-shift (M7) and linear-block (M4) moves of `fibers sample` keep the
//!   function, certified by the exact branch tree.

mod common;

use common::*;
use fibers_exact::Rational;
use fibers_fiber::orbit::{self, Lcg as OLcg};
use fibers_fiber::{
    describe, factored, summarize, BoundsOptions, DescribeOptions, FunDimOptions, Kind,
    MemberOptions,
};
use fibers_net::json::network_to_string;
use fibers_net::{Architecture, Network};
use fibers_testkit::moves::{self, Lcg, Role};
use std::collections::BTreeMap;

fn random_case(rng: &mut Lcg, i: usize) -> Network {
    let archs = [
        Architecture::new(2, 2, 2, 1),
        Architecture::new(2, 2, 3, 2),
        Architecture::new(3, 2, 3, 1),
        Architecture::new(3, 3, 3, 1),
        Architecture::new(2, 2, 4, 2),
        Architecture::new(4, 2, 4, 3),
        Architecture::new(4, 3, 4, 1),
        Architecture::new(3, 1, 3, 2),
    ];
    let arch = archs[i % archs.len()];
    if i % 5 == 4 {
        return moves::random_network(rng, arch);
    }
    let roles: Vec<Role> = (0..arch.n2)
        .map(|_| match rng.below(8) {
            0 => Role::Linear,
            1 => Role::Dead,
            2 => Role::Null,
            _ => Role::Crossing,
        })
        .collect();
    let mut net = moves::random_network_with_roles(rng, arch, &roles);
    if rng.below(4) == 0 {
        net = moves::make_hidden(&net, rng.below(arch.n1));
    }
    net
}

fn count() -> usize {
    300
}

#[test]
fn summary_factors_and_membership_agree_with_the_exhaustive_mode() {
    let mut rng = Lcg::new(20261202);
    let mut orng = OLcg::new(7);
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let n = count();
    for i in 0..n {
        let net = random_case(&mut rng, i);
        let text = network_to_string(&net);
        let d = describe(
            &net,
            &DescribeOptions {
                max_parts: 20_000,
                fundim: Some(FunDimOptions { max_regions: 3000 }),
            },
            &mut |_, _| {},
        )
        .expect("describe");
        let sm = summarize(&net, &BoundsOptions::default(), &mut |_| {});
        let fd = factored(&net);
        // Fiber dimension.
        let certified = sm.dimension();
        let exhaustive = match &d.fundim {
            Some(Ok(f)) if f.non_differentiable_regions == 0 => Some(f.corank()),
            _ => None,
        };
        match (certified, exhaustive) {
            (Some(c), Some(e)) if c != e => failures.push(format!(
                "#{i}: certified dimension {c}, exhaustive D - fd {e}\n{text}"
            )),
            (Some(_), Some(_)) => *tally.entry("dimension = D - fd (exhaustive)").or_default() += 1,
            (None, Some(_)) => *tally.entry("dimension open, exhaustive known").or_default() += 1,
            _ => {
                *tally
                    .entry("dimension: no exhaustive reference")
                    .or_default() += 1
            }
        }
        let formula_applies = d.formula.as_ref().is_some_and(|f| f.applies());
        if d.kind == Kind::Bottleneck && formula_applies {
            if let (Some(c), Some(pd)) = (certified, &d.part_dimension) {
                if c != pd.dimension {
                    failures.push(format!(
                        "#{i}: certified dimension {c}, part dimension {}\n{text}",
                        pd.dimension
                    ));
                } else {
                    *tally.entry("dimension = part dimension").or_default() += 1;
                }
            }
            match (certified, fd.product_dimension()) {
                (Some(c), Some(p)) if c != p => failures.push(format!(
                    "#{i}: certified dimension {c}, product of factors {p}\n{text}"
                )),
                (Some(_), Some(_)) => {
                    *tally.entry("dimension = product of factors").or_default() += 1
                }
                _ => {}
            }
        }
        // Membership: a symmetric copy and a perturbed copy.
        let mut sym = net.clone();
        for _ in 0..4 {
            sym = match orng.below(5) {
                0 => orbit::random_permute(&sym, &mut orng),
                1 => orbit::random_positive_scaling(&sym, &mut orng),
                2 => orbit::dead_change(&sym, &mut orng).unwrap_or(sym),
                3 => orbit::random_hidden_shift(&sym, &mut orng).unwrap_or(sym),
                _ => orbit::random_linear_block(&sym, &mut orng).unwrap_or(sym),
            };
        }
        let bad = moves::perturb(
            &net,
            rng.below(net.arch().param_count()),
            &Rational::ratio(1, 3),
        );
        for (tag, other) in [("symmetric", sym), ("perturbed", bad)] {
            let exhaustive = d
                .membership(&other, &MemberOptions::default(), &mut |_| {})
                .expect("membership")
                .member
                .expect("no budget");
            match fibers_bottleneck::certified::fast(&net, &other) {
                Ok((o, _)) => {
                    let fast = matches!(o, fibers_tree::Outcome::Equivalent { .. });
                    if fast != exhaustive {
                        failures.push(format!(
                            "#{i} {tag}: fast path {fast}, exhaustive {exhaustive}\n{text}\n{}",
                            network_to_string(&other)
                        ));
                    } else {
                        *tally.entry("membership: fast = exhaustive").or_default() += 1;
                    }
                }
                Err(_) => *tally.entry("membership: fast path gave up").or_default() += 1,
            }
            if tag == "symmetric" && !exhaustive {
                failures.push(format!(
                    "#{i}: a symmetric copy is not a member\n{text}\n{}",
                    network_to_string(&other)
                ));
            }
        }
    }
    println!("{n} networks: {tally:#?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        tally
            .get("dimension = D - fd (exhaustive)")
            .copied()
            .unwrap_or(0)
            >= n / 2
    );
    assert!(
        tally
            .get("membership: fast = exhaustive")
            .copied()
            .unwrap_or(0)
            >= n
    );
}

#[test]
fn hidden_shift_and_linear_block_moves_keep_the_function() {
    let mut all = fixture_networks("strata");
    all.extend(fixture_networks("conserve"));
    let mut rng = Lcg::new(99);
    for i in 0..40 {
        all.push((format!("random #{i}"), random_case(&mut rng, i)));
    }
    let mut orng = OLcg::new(11);
    let (mut shifts, mut blocks) = (0, 0);
    for (name, net) in &all {
        for _ in 0..3 {
            if let Some(b) = orbit::random_hidden_shift(net, &mut orng) {
                assert!(
                    referee(net, &b),
                    "{name}: hidden shift changed f\n{}",
                    network_to_string(&b)
                );
                shifts += 1;
            }
            if let Some(b) = orbit::random_linear_block(net, &mut orng) {
                assert!(
                    referee(net, &b),
                    "{name}: linear-block move changed f\n{}",
                    network_to_string(&b)
                );
                assert_ne!(&b, net, "{name}: the move did nothing");
                blocks += 1;
            }
        }
    }
    println!("hidden shifts {shifts}, linear-block moves {blocks}");
    assert!(
        shifts >= 20 && blocks >= 20,
        "shifts {shifts}, blocks {blocks}"
    );
}

/// Below the threshold the shift is refused.
#[test]
fn hidden_shift_below_the_threshold_is_refused() {
    let net = fibers_net::json::read_network(&fixtures().join("strata/hidden.json")).unwrap();
    let h = (0..net.arch().n1)
        .find(|&h| orbit::shift_threshold(&net, h).is_some_and(|t| t.is_some()))
        .expect("a hidden neuron with a threshold");
    let t = orbit::shift_threshold(&net, h).unwrap().unwrap();
    assert!(orbit::hidden_shift(&net, h, &t).is_some());
    assert!(orbit::hidden_shift(&net, h, &(&t - &Rational::one())).is_none());
}
