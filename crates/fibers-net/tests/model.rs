//! Properties of the network model: JSON round trips, parameter vectors, evaluation.

use fibers_exact::Rational;
use fibers_net::json::{network_from_str, network_to_string, network_to_value};
use fibers_net::random::{random_network, random_point, Lcg};
use fibers_net::{Architecture, Network};
use proptest::prelude::*;

fn arch_strategy() -> impl Strategy<Value = Architecture> {
    (1usize..4, 0usize..4, 0usize..4, 1usize..3)
        .prop_map(|(a, b, c, d)| Architecture::new(a, b, c, d))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn json_round_trip(arch in arch_strategy(), seed in any::<u64>()) {
        let net = random_network(arch, &mut Lcg::new(seed));
        let text = network_to_string(&net);
        prop_assert_eq!(&network_from_str(&text, "t").unwrap(), &net);
        let compact = network_to_value(&net).to_string();
        prop_assert_eq!(&network_from_str(&compact, "t").unwrap(), &net);
    }

    #[test]
    fn params_round_trip(arch in arch_strategy(), seed in any::<u64>()) {
        let net = random_network(arch, &mut Lcg::new(seed));
        let p = net.params();
        prop_assert_eq!(p.len(), arch.param_count());
        prop_assert_eq!(arch.param_names().len(), arch.param_count());
        prop_assert_eq!(Network::from_params(arch, &p).unwrap(), net);
    }

    /// Permuting hidden neurons and scaling them by positive factors keeps the function.
    #[test]
    fn permutation_and_positive_scaling_keep_values(seed in any::<u64>()) {
        let mut rng = Lcg::new(seed);
        let arch = Architecture::new(2, 3, 3, 2);
        let net = random_network(arch, &mut rng);
        let mut moved = net.clone();
        // swap layer-1 neurons 0 and 2
        moved.layer_mut(1).weight.swap(0, 2);
        moved.layer_mut(1).bias.swap(0, 2);
        for row in moved.layer_mut(2).weight.iter_mut() { row.swap(0, 2); }
        // scale layer-2 neuron 1 by 3/2
        let s = Rational::ratio(3, 2);
        for w in moved.layer_mut(2).weight[1].iter_mut() { *w *= &s; }
        moved.layer_mut(2).bias[1] *= &s;
        for row in moved.layer_mut(3).weight.iter_mut() { row[1] /= &s; }
        for _ in 0..8 {
            let x = random_point(2, &mut rng);
            prop_assert_eq!(net.eval(&x), moved.eval(&x));
        }
    }
}

#[test]
fn decimal_literals_are_exact() {
    let text = r#"{"architecture":[1,1,1,1],"layers":[
        {"weight":[[0.1]],"bias":["-0.125"]},{"weight":[[1e1]],"bias":[0]},{"weight":[["2/3"]],"bias":[1]}]}"#;
    let net = network_from_str(text, "t").unwrap();
    assert_eq!(net.w1()[0][0], Rational::ratio(1, 10));
    assert_eq!(net.b1()[0], Rational::ratio(-1, 8));
    assert_eq!(net.w2()[0][0], Rational::from(10));
    // f(5) = 2/3 * 10 * (1/2 - 1/8) + 1 = 2/3 * 15/4 + 1 = 7/2
    assert_eq!(net.eval(&[Rational::from(5)]), vec![Rational::ratio(7, 2)]);
}

#[test]
fn negative_scaling_changes_the_function() {
    let text = r#"{"architecture":[1,1,1,1],"layers":[
        {"weight":[[1]],"bias":[0]},{"weight":[[1]],"bias":[0]},{"weight":[[1]],"bias":[0]}]}"#;
    let net = network_from_str(text, "t").unwrap();
    let mut neg = net.clone();
    neg.layer_mut(1).weight[0][0] = Rational::from(-1);
    neg.layer_mut(2).weight[0][0] = Rational::from(-1);
    assert_ne!(
        net.eval(&[Rational::from(1)]),
        neg.eval(&[Rational::from(1)])
    );
}
