//! Seeded random networks and the moves of docs/theory.md §5, for differential tests.
//!
//! Every move returns a new network. The symmetries (M1–M7 and the relay) are claimed to keep
//! the function `f`; the near misses ([`scale_layer1`] with a negative factor,
//! [`hidden_shift`] below [`t_min`], [`flip_uncompensated`], [`perturb`]) are expected to
//! change it for generic parameters. The exact decider is the referee for both claims.
//!
//! The production moves M1–M3 (and [`Lcg`]) live in `fibers_fiber::orbit` and are re-exported
//! here, so a test reads every move from one place.

use fibers_exact::Rational;
use fibers_net::{Architecture, Layer, Network};

pub use fibers_fiber::orbit::{
    dead_change, incoming, is_hidden, outgoing, permute, random_permute, random_positive_scaling,
    scale_layer1, scale_layer2, set_in, set_out, Lcg,
};

/// The role a layer-2 neuron is given by [`random_network_with_roles`] (docs/theory.md §4, on the
/// orthant `U`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Mixed signs in `(w, β)`.
    Crossing,
    /// All of `(w, β)` `≥ 0` (here `> 0`).
    Linear,
    /// All of `(w, β)` `≤ 0` (here `< 0`).
    Dead,
    /// Outgoing column `v = 0`.
    Null,
}

/// A random network with all parameters nonzero (generic for small tests).
pub fn random_network(rng: &mut Lcg, arch: Architecture) -> Network {
    let layers = [1, 2, 3].map(|l| {
        let (r, c) = arch.weight_shape(l);
        Layer {
            weight: (0..r)
                .map(|_| (0..c).map(|_| rng.nonzero()).collect())
                .collect(),
            bias: (0..r).map(|_| rng.nonzero()).collect(),
        }
    });
    Network::new(arch, layers).expect("shapes from the architecture")
}

/// A random network whose layer-2 neuron `k` has role `roles[k]` (crossing neurons get at
/// least one positive and one negative entry). `roles.len()` must be `arch.n2`.
pub fn random_network_with_roles(rng: &mut Lcg, arch: Architecture, roles: &[Role]) -> Network {
    assert_eq!(roles.len(), arch.n2, "one role per layer-2 neuron");
    let mut net = random_network(rng, arch);
    for (k, role) in roles.iter().enumerate() {
        set_role(&mut net, k, *role, rng);
    }
    net
}

/// Changes layer-2 neuron `k` to have `role` (this changes `f`; it builds test networks).
pub fn set_role(net: &mut Network, k: usize, role: Role, rng: &mut Lcg) {
    let n1 = net.arch().n1;
    let n3 = net.arch().n3;
    let mut wb: Vec<Rational> = (0..=n1).map(|_| rng.positive()).collect();
    match role {
        Role::Linear => {}
        Role::Dead => wb.iter_mut().for_each(|x| *x = -x.clone()),
        Role::Crossing | Role::Null => {
            for x in wb.iter_mut() {
                if rng.coin() {
                    *x = -x.clone();
                }
            }
            if role == Role::Crossing && n1 + 1 >= 2 {
                // Force one positive and one negative entry.
                let i = rng.below(n1 + 1);
                let mut j = rng.below(n1 + 1);
                if j == i {
                    j = (i + 1) % (n1 + 1);
                }
                wb[i] = wb[i].abs();
                wb[j] = -wb[j].abs();
            }
        }
    }
    set_in(net, k, &wb);
    if role == Role::Null {
        for o in 0..n3 {
            net.layer_mut(3).weight[o][k] = Rational::zero();
        }
    } else if (0..n3).all(|o| net.w3()[o][k].is_zero()) {
        net.layer_mut(3).weight[0][k] = rng.nonzero();
    }
}

/// The role of layer-2 neuron `k` on the orthant (docs/theory.md §4).
pub fn role_of(net: &Network, k: usize) -> Role {
    let wb = incoming(net, k);
    if outgoing(net, k).iter().all(Rational::is_zero) || wb.iter().all(Rational::is_zero) {
        Role::Null
    } else if wb.iter().all(|x| !x.is_positive()) {
        Role::Dead
    } else if wb.iter().all(|x| !x.is_negative()) {
        Role::Linear
    } else {
        Role::Crossing
    }
}

/// **M4**: among the linear layer-2 neurons (`(w, β) ≥ 0`, `v ≠ 0`), moves each `v_k β_k`
/// into `b3` (`β_k → 0`) and mixes pairs: `(w_k, β_k) += α (w_l, β_l)`, `v_l −= α v_k`
/// (`α > 0`), which keeps every neuron linear and the total affine map unchanged.
/// `None` if there is no linear neuron.
pub fn linear_block_change(net: &Network, rng: &mut Lcg) -> Option<Network> {
    let a = net.arch();
    let lin: Vec<usize> = (0..a.n2)
        .filter(|&k| role_of(net, k) == Role::Linear)
        .collect();
    if lin.is_empty() {
        return None;
    }
    let mut out = net.clone();
    for &k in &lin {
        if rng.coin() {
            let v = outgoing(&out, k);
            let beta = out.b2()[k].clone();
            for (o, vo) in v.iter().enumerate() {
                out.layer_mut(3).bias[o] = &out.b3()[o] + &(vo * &beta);
            }
            out.layer_mut(2).bias[k] = Rational::zero();
        }
    }
    if lin.len() >= 2 {
        for _ in 0..lin.len() {
            let k = lin[rng.below(lin.len())];
            let l = lin[rng.below(lin.len())];
            if k == l {
                continue;
            }
            let alpha = rng.positive();
            let wl = incoming(&out, l);
            let wk: Vec<Rational> = incoming(&out, k)
                .iter()
                .zip(&wl)
                .map(|(x, y)| x + &(&alpha * y))
                .collect();
            set_in(&mut out, k, &wk);
            let vk = outgoing(&out, k);
            let vl: Vec<Rational> = outgoing(&out, l)
                .iter()
                .zip(&vk)
                .map(|(x, y)| x - &(&alpha * y))
                .collect();
            set_out(&mut out, l, &vl);
        }
    }
    Some(out)
}

/// Appends `extra` layer-2 neurons with zero parameters (null neurons): `f` is unchanged.
pub fn widen_layer2(net: &Network, extra: usize) -> Network {
    let a = net.arch();
    let arch = Architecture::new(a.n0, a.n1, a.n2 + extra, a.n3);
    let mut out = Network::zeros(arch);
    out.layer_mut(1).weight = net.w1().to_vec();
    out.layer_mut(1).bias = net.b1().to_vec();
    for k in 0..a.n2 {
        out.layer_mut(2).weight[k] = net.w2()[k].clone();
        out.layer_mut(2).bias[k] = net.b2()[k].clone();
        for o in 0..a.n3 {
            out.layer_mut(3).weight[o][k] = net.w3()[o][k].clone();
        }
    }
    out.layer_mut(3).bias = net.b3().to_vec();
    out
}

/// **M5** with compensation: flips `(w_k, β_k) → −(w_k, β_k)` and supplies the lost affine
/// term `v_k (w_k·u + β_k)` with two linear neurons appended to layer 2 (`(w_k⁺, 0)` with
/// outgoing `v_k`, `(w_k⁻, 0)` with `−v_k`; they are linear since `u ≥ 0`) and `b3 += v_k β_k`.
/// The result has `n2 + 2` layer-2 neurons.
pub fn flip_compensated(net: &Network, k: usize) -> Network {
    let a = net.arch();
    let mut out = widen_layer2(net, 2);
    let wb = incoming(net, k);
    let v = outgoing(net, k);
    let flipped: Vec<Rational> = wb.iter().map(|x| -x).collect();
    set_in(&mut out, k, &flipped);
    let pos: Vec<Rational> = wb[..a.n1]
        .iter()
        .map(|x| {
            if x.is_positive() {
                x.clone()
            } else {
                Rational::zero()
            }
        })
        .chain([Rational::zero()])
        .collect();
    let negp: Vec<Rational> = wb[..a.n1]
        .iter()
        .map(|x| {
            if x.is_negative() {
                -x
            } else {
                Rational::zero()
            }
        })
        .chain([Rational::zero()])
        .collect();
    set_in(&mut out, a.n2, &pos);
    set_out(&mut out, a.n2, &v);
    set_in(&mut out, a.n2 + 1, &negp);
    let minus_v: Vec<Rational> = v.iter().map(|x| -x).collect();
    set_out(&mut out, a.n2 + 1, &minus_v);
    for (o, vo) in v.iter().enumerate() {
        out.layer_mut(3).bias[o] = &out.b3()[o] + &(vo * &wb[a.n1]);
    }
    out
}

/// Near miss: the flip of M5 without any compensation.
pub fn flip_uncompensated(net: &Network, k: usize) -> Network {
    let mut out = net.clone();
    let flipped: Vec<Rational> = incoming(net, k).iter().map(|x| -x).collect();
    set_in(&mut out, k, &flipped);
    out
}

/// **M6** split into a slot: layer-2 neuron `slot` (which should be dead or null, so that
/// overwriting it keeps `f`) becomes `μ·(w_k, β_k)` with outgoing `t`, and `v_k → v_k − μ t`.
/// Panics unless `μ > 0`.
pub fn split_into_slot(
    net: &Network,
    k: usize,
    slot: usize,
    mu: &Rational,
    t: &[Rational],
) -> Network {
    assert!(mu.is_positive(), "a split needs a positive factor");
    let mut out = net.clone();
    let wb: Vec<Rational> = incoming(net, k).iter().map(|x| x * mu).collect();
    set_in(&mut out, slot, &wb);
    set_out(&mut out, slot, t);
    let vk: Vec<Rational> = outgoing(net, k)
        .iter()
        .zip(t)
        .map(|(x, ti)| x - &(mu * ti))
        .collect();
    set_out(&mut out, k, &vk);
    out
}

/// Makes layer-1 neuron `h` hidden by flipping to `≤ 0` the signs the definition constrains
/// (this changes `f`; it builds test networks).
pub fn make_hidden(net: &Network, h: usize) -> Network {
    let a = net.arch();
    let mut out = net.clone();
    for k in 0..a.n2 {
        out.layer_mut(2).bias[k] = -out.b2()[k].abs();
        for i in 0..a.n1 {
            if i != h {
                out.layer_mut(2).weight[k][i] = -out.w2()[k][i].abs();
            }
        }
    }
    out
}

/// `t_min = max β_k / w_kh` over layer-2 neurons with `v_k ≠ 0` and `w_kh > 0` (docs/theory.md §5 M7);
/// `None` when there is no such neuron (then every shift keeps `f`).
pub fn t_min(net: &Network, h: usize) -> Option<Rational> {
    (0..net.arch().n2)
        .filter(|&k| {
            net.w2()[k][h].is_positive() && !outgoing(net, k).iter().all(Rational::is_zero)
        })
        .map(|k| &net.b2()[k] / &net.w2()[k][h])
        .max()
}

/// **M7**: `c_h → c_h + t`, `β_k → β_k − w_kh t` for every `k` with `w_kh > 0`. Keeps `f` when
/// `h` is hidden and `t ≥ t_min`; below `t_min` it is a near miss.
pub fn hidden_shift(net: &Network, h: usize, t: &Rational) -> Network {
    fibers_fiber::orbit::shift_unchecked(net, h, t)
}

/// **Relay** (`n1 = 1`): moves `v_k β_k` of every linear neuron into `b3` (M4), after which the
/// layer-1 neuron is hidden when every other neuron with `v ≠ 0` has `β ≤ 0`; then shifts it by
/// `t_min + extra` (M7, `extra ≥ 0`). `None` if `n1 ≠ 1` or the neuron does not become hidden.
pub fn relay(net: &Network, extra: &Rational) -> Option<Network> {
    let a = net.arch();
    if a.n1 != 1 || extra.is_negative() {
        return None;
    }
    let mut out = net.clone();
    for k in 0..a.n2 {
        if role_of(net, k) == Role::Linear {
            let v = outgoing(net, k);
            for (o, vo) in v.iter().enumerate() {
                out.layer_mut(3).bias[o] = &out.b3()[o] + &(vo * &net.b2()[k]);
            }
            out.layer_mut(2).bias[k] = Rational::zero();
        }
    }
    if !is_hidden(&out, 0) {
        return None;
    }
    let t = t_min(&out, 0).unwrap_or_else(Rational::zero) + extra;
    Some(hidden_shift(&out, 0, &t))
}

/// Near miss: parameter `index` (order of [`Network::params`]) plus `delta`.
pub fn perturb(net: &Network, index: usize, delta: &Rational) -> Network {
    let mut p = net.params();
    p[index] = &p[index] + delta;
    Network::from_params(net.arch(), &p).expect("same length")
}

/// The moves [`random_symmetry`] chooses from.
pub const SYMMETRY_MOVES: [&str; 7] = [
    "permute",
    "scale",
    "dead-change",
    "linear-block",
    "flip-compensated",
    "split-into-slot",
    "hidden-shift",
];

/// Applies one random applicable symmetry move; returns the new network and the move's name.
/// Falls back to a permutation when the chosen move does not apply. Moves that widen layer 2
/// (flip with compensation) are used only when `allow_widen`.
pub fn random_symmetry(net: &Network, rng: &mut Lcg, allow_widen: bool) -> (Network, &'static str) {
    let a = net.arch();
    for _ in 0..8 {
        let name = SYMMETRY_MOVES[rng.below(SYMMETRY_MOVES.len())];
        let r = match name {
            "permute" => Some(random_permute(net, rng)),
            "scale" => Some(random_positive_scaling(net, rng)),
            "dead-change" => dead_change(net, rng),
            "linear-block" => linear_block_change(net, rng),
            "flip-compensated" if allow_widen && a.n2 > 0 => {
                let k = rng.below(a.n2);
                Some(flip_compensated(net, k))
            }
            "split-into-slot" => {
                let slots: Vec<usize> = (0..a.n2)
                    .filter(|&k| matches!(role_of(net, k), Role::Dead | Role::Null))
                    .collect();
                let live: Vec<usize> = (0..a.n2)
                    .filter(|&k| !matches!(role_of(net, k), Role::Dead | Role::Null))
                    .collect();
                if slots.is_empty() || live.is_empty() {
                    None
                } else {
                    let s = slots[rng.below(slots.len())];
                    let k = live[rng.below(live.len())];
                    let t: Vec<Rational> = (0..a.n3).map(|_| rng.nonzero()).collect();
                    Some(split_into_slot(net, k, s, &rng.positive(), &t))
                }
            }
            "hidden-shift" => (0..a.n1).find(|&h| is_hidden(net, h)).map(|h| {
                let t = t_min(net, h).unwrap_or_else(Rational::zero)
                    + Rational::ratio(rng.range(0, 6), 2);
                hidden_shift(net, h, &t)
            }),
            _ => None,
        };
        if let Some(n) = r {
            return (n, name);
        }
    }
    (random_permute(net, rng), "permute")
}

/// The network with the given `(weight rows, bias)` of each layer, its architecture read
/// from the shapes.
fn from_layers(n0: usize, layers: [(Vec<Vec<Rational>>, Vec<Rational>); 3]) -> Network {
    let arch = Architecture::new(n0, layers[0].1.len(), layers[1].1.len(), layers[2].1.len());
    let layers = layers.map(|(weight, bias)| Layer { weight, bias });
    Network::new(arch, layers).expect("consistent shapes")
}

/// **Split of a layer-1 neuron**: neuron `i` gets a copy `μ·(w_i, b_i)` (`μ > 0`, appended as
/// neuron `n1`) with a random outgoing column `u`, and `W2[:, i] −= μ u`, so that
/// `σ(z_i) W2[:, i]` is unchanged. The result has `n1 + 1` layer-1 neurons. Panics unless `μ > 0`.
pub fn split_layer1(net: &Network, i: usize, mu: &Rational, rng: &mut Lcg) -> Network {
    assert!(mu.is_positive(), "the split factor must be positive");
    let (mut w1, mut b1) = (net.w1().to_vec(), net.b1().to_vec());
    w1.push(w1[i].iter().map(|x| mu * x).collect());
    b1.push(mu * &b1[i]);
    let mut w2 = net.w2().to_vec();
    for row in &mut w2 {
        let u = rng.nonzero();
        row[i] = &row[i] - &(mu * &u);
        row.push(u);
    }
    from_layers(
        net.arch().n0,
        [
            (w1, b1),
            (w2, net.b2().to_vec()),
            (net.w3().to_vec(), net.b3().to_vec()),
        ],
    )
}

/// Appends a layer-1 neuron that is 0 everywhere (`w = 0`, bias `≤ 0`: zero with probability
/// 1/2) with a random outgoing column: `f` is unchanged. The result has `n1 + 1` layer-1 neurons.
pub fn add_dead_layer1(net: &Network, rng: &mut Lcg) -> Network {
    let (mut w1, mut b1) = (net.w1().to_vec(), net.b1().to_vec());
    w1.push(vec![Rational::zero(); net.arch().n0]);
    b1.push(if rng.coin() {
        Rational::zero()
    } else {
        -rng.positive()
    });
    let mut w2 = net.w2().to_vec();
    for row in &mut w2 {
        row.push(rng.nonzero());
    }
    from_layers(
        net.arch().n0,
        [
            (w1, b1),
            (w2, net.b2().to_vec()),
            (net.w3().to_vec(), net.b3().to_vec()),
        ],
    )
}

/// **Split of a layer-2 neuron** (M6 appending a neuron): neuron `k` gets a copy `μ·(w_k, β_k)`
/// (`μ > 0`, appended as neuron `n2`) with a random outgoing column `t`, and `v_k −= μ t`. The
/// result has `n2 + 1` layer-2 neurons. Panics unless `μ > 0`.
pub fn split_layer2(net: &Network, k: usize, mu: &Rational, rng: &mut Lcg) -> Network {
    assert!(mu.is_positive(), "the split factor must be positive");
    let (mut w2, mut b2) = (net.w2().to_vec(), net.b2().to_vec());
    w2.push(w2[k].iter().map(|x| mu * x).collect());
    b2.push(mu * &b2[k]);
    let mut w3 = net.w3().to_vec();
    for row in &mut w3 {
        let t = rng.nonzero();
        row[k] = &row[k] - &(mu * &t);
        row.push(t);
    }
    from_layers(
        net.arch().n0,
        [
            (net.w1().to_vec(), net.b1().to_vec()),
            (w2, b2),
            (w3, net.b3().to_vec()),
        ],
    )
}

/// The moves the symmetry normal form (docs/theory.md §11, Proposition 11.8) recognises by
/// construction, chosen by [`random_syntactic_symmetry`].
pub const SYNTACTIC_MOVES: [&str; 8] = [
    "permute",
    "scale",
    "split-layer1",
    "dead-layer1",
    "split-layer2",
    "dead-change",
    "linear-block",
    "widen-layer2",
];

/// Applies one random move of [`SYNTACTIC_MOVES`] (a permutation when the chosen move does not
/// apply); returns the new network and the move's name. Hidden widths may grow.
pub fn random_syntactic_symmetry(net: &Network, rng: &mut Lcg) -> (Network, &'static str) {
    let a = net.arch();
    let name = SYNTACTIC_MOVES[rng.below(SYNTACTIC_MOVES.len())];
    let r = match name {
        "permute" => Some(random_permute(net, rng)),
        "scale" => Some(random_positive_scaling(net, rng)),
        "split-layer1" if a.n1 > 0 => {
            let i = rng.below(a.n1);
            Some(split_layer1(net, i, &rng.positive(), rng))
        }
        "dead-layer1" => Some(add_dead_layer1(net, rng)),
        "split-layer2" if a.n2 > 0 => {
            let k = rng.below(a.n2);
            Some(split_layer2(net, k, &rng.positive(), rng))
        }
        "dead-change" => dead_change(net, rng),
        "linear-block" => linear_block_change(net, rng),
        "widen-layer2" => Some(widen_layer2(net, 1)),
        _ => None,
    };
    match r {
        Some(n) => (n, name),
        None => (random_permute(net, rng), "permute"),
    }
}
