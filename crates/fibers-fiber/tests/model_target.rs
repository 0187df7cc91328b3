//! The closed form of the target data after a hidden shift (`Model::target`) equals the
//! canonical data of the realised network shifted by M7, on the strata fixtures and on random
//! parameters with a hidden layer-1 neuron; and the canonical coordinates agree with the
//! canonical form of `fibers-bottleneck`.

mod common;

use common::*;
use fibers_bottleneck::canonical::{canonicalize, CanonicalForm};
use fibers_exact::Rational;
use fibers_fiber::model::{Branch, Model};
use fibers_net::Architecture;
use fibers_testkit::moves::{self, Lcg, Role};

fn check(m: &Model, rng: &mut Lcg) -> usize {
    let mut checked = 0;
    let zero = Rational::zero();
    let base = m.target(m.branch_of(None)).at(&zero);
    assert_eq!(base, m.data, "s = 0 gives the canonical data");
    for h in &m.hidden {
        let shifts = [
            Rational::ratio(1, 3),
            rng.positive(),
            rng.positive() * Rational::from(5),
        ];
        for s in shifts {
            let branch = m.branch_of(Some((h.neuron, &s)));
            assert!(m.branches().contains(&branch));
            assert_eq!(branch.neuron(), Some(h.neuron));
            let closed = m.target(branch).at(&s);
            let slow = m.target_by_shift(h.neuron, &s);
            assert_eq!(closed, slow, "s = {s}, branch {branch:?}\n{:?}", m.net);
            checked += 1;
        }
        if m.shift_creates_kink(h.neuron) {
            // A positive shift creates one more kink.
            assert_eq!(
                m.target(Branch::Positive(h.neuron)).kinks.len(),
                m.data.kinks.len() + 1
            );
        }
    }
    checked
}

#[test]
fn closed_form_matches_the_shifted_realisation() {
    let mut rng = Lcg::new(77);
    let mut checked = 0;
    let mut with_hidden = 0;
    for (_, net) in fixture_networks("strata") {
        if let Ok(m) = Model::new(&net) {
            with_hidden += usize::from(!m.hidden.is_empty());
            checked += check(&m, &mut rng);
        }
    }
    let archs = [
        Architecture::new(2, 2, 3, 1),
        Architecture::new(3, 2, 3, 2),
        Architecture::new(3, 3, 4, 1),
        Architecture::new(2, 1, 3, 1),
    ];
    for i in 0..if cfg!(debug_assertions) { 40 } else { 400 } {
        let arch = archs[i % archs.len()];
        let roles: Vec<Role> = (0..arch.n2)
            .map(|_| match rng.below(5) {
                0 => Role::Linear,
                1 => Role::Dead,
                _ => Role::Crossing,
            })
            .collect();
        let mut net = moves::random_network_with_roles(&mut rng, arch, &roles);
        if rng.coin() {
            net = moves::make_hidden(&net, rng.below(arch.n1));
        }
        if let Ok(m) = Model::new(&net) {
            with_hidden += usize::from(!m.hidden.is_empty());
            checked += check(&m, &mut rng);
        }
    }
    assert!(with_hidden >= 10, "too few hidden cases: {with_hidden}");
    assert!(checked >= 30, "too few checks: {checked}");
}

#[test]
fn canonical_coordinates_agree_with_fibers_bottleneck() {
    for (name, net) in fixture_networks("strata") {
        let (Ok(m), Ok(c)) = (Model::new(&net), canonicalize(&net)) else {
            continue;
        };
        if let CanonicalForm::Bottleneck { rows, data, .. } = &c.form {
            assert_eq!(&m.data, data, "{name}");
            for (j, r) in rows.iter().enumerate() {
                assert_eq!(m.layer1.weight[j], r.weight, "{name} row {j}");
                assert_eq!(m.layer1.bias[j], r.bias, "{name} row {j}");
            }
        }
    }
}
