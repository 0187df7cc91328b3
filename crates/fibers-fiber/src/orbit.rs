//! The orbit moves of docs/theory.md §5 (M1 permutations, M2 positive scalings, M3 dead-neuron
//! changes, M4 linear-block moves, M7 hidden shifts), the role test "hidden" of §4, and the seeded generator that draws them: what
//! `fibers sample` uses to draw parameters from the fiber when there is no description, and
//! what the fiber description uses to permute and test neurons.
//!
//! Every move returns a new network and keeps the function `f`. Randomness comes from [`Lcg`],
//! a small deterministic generator, so every sample is reproducible from its seed.

use fibers_exact::Rational;
use fibers_net::Network;

/// A 64-bit linear congruential generator (Knuth's MMIX constants), output scrambled by
/// taking the high bits. Deterministic and portable; not for cryptography.
#[derive(Clone, Debug)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        let mut g = Lcg(seed ^ 0x9E37_79B9_7F4A_7C15);
        g.next_u64();
        g
    }
    /// The next 64 random bits (the high half of two steps).
    pub fn next_u64(&mut self) -> u64 {
        let mut step = || {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 32
        };
        (step() << 32) | step()
    }
    /// A uniform integer in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// A uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
    /// A fair coin.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
    /// A nonzero rational `p/q` with `1 ≤ |p| ≤ 9`, `q ∈ {1, 2, 3, 4, 5}`.
    pub fn nonzero(&mut self) -> Rational {
        let p = self.range(1, 9) * if self.coin() { 1 } else { -1 };
        Rational::ratio(p, self.range(1, 5))
    }
    /// A positive rational `p/q` with `1 ≤ p ≤ 9`, `q ∈ {1, …, 5}`.
    pub fn positive(&mut self) -> Rational {
        Rational::ratio(self.range(1, 9), self.range(1, 5))
    }
    /// A random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            p.swap(i, self.below(i + 1));
        }
        p
    }
}

/// `(w_k, β_k)` of layer-2 neuron `k`: row `k` of `W2` followed by `b2[k]`.
pub fn incoming(net: &Network, k: usize) -> Vec<Rational> {
    let mut v = net.w2()[k].clone();
    v.push(net.b2()[k].clone());
    v
}

/// Sets `(w_k, β_k)` of layer-2 neuron `k` (row `k` of `W2`, then `b2[k]`).
pub fn set_in(net: &mut Network, k: usize, wb: &[Rational]) {
    let n1 = net.arch().n1;
    let l2 = net.layer_mut(2);
    l2.weight[k] = wb[..n1].to_vec();
    l2.bias[k] = wb[n1].clone();
}

/// `v_k`: column `k` of `W3`.
pub fn outgoing(net: &Network, k: usize) -> Vec<Rational> {
    net.w3().iter().map(|row| row[k].clone()).collect()
}

/// Sets `v_k` (column `k` of `W3`).
pub fn set_out(net: &mut Network, k: usize, v: &[Rational]) {
    for (o, x) in v.iter().enumerate() {
        net.layer_mut(3).weight[o][k] = x.clone();
    }
}

/// **M1**: layer-1 neuron `i` of the result is neuron `p1[i]` of `net`, layer-2 neuron `k` is
/// `p2[k]`. `p1`, `p2` must be permutations of `0..n1`, `0..n2`.
pub fn permute(net: &Network, p1: &[usize], p2: &[usize]) -> Network {
    let a = net.arch();
    let mut out = Network::zeros(a);
    for (i, &src) in p1.iter().enumerate() {
        out.layer_mut(1).weight[i] = net.w1()[src].clone();
        out.layer_mut(1).bias[i] = net.b1()[src].clone();
    }
    for (k, &src) in p2.iter().enumerate() {
        out.layer_mut(2).weight[k] = p1.iter().map(|&j| net.w2()[src][j].clone()).collect();
        out.layer_mut(2).bias[k] = net.b2()[src].clone();
        for o in 0..a.n3 {
            out.layer_mut(3).weight[o][k] = net.w3()[o][src].clone();
        }
    }
    out.layer_mut(3).bias = net.b3().to_vec();
    out
}

/// **M1** with random permutations of both hidden layers.
pub fn random_permute(net: &Network, rng: &mut Lcg) -> Network {
    let a = net.arch();
    permute(net, &rng.permutation(a.n1), &rng.permutation(a.n2))
}

/// **M2** (for `λ > 0`): `(a_j, c_j) → λ(a_j, c_j)`, column `j` of `W2` divided by `λ`.
/// With `λ < 0` this is the near miss "negative layer-1 scaling". Panics if `λ = 0`.
pub fn scale_layer1(net: &Network, j: usize, lambda: &Rational) -> Network {
    let inv = lambda.recip().expect("nonzero factor");
    let mut out = net.clone();
    for x in out.layer_mut(1).weight[j].iter_mut() {
        *x = &*x * lambda;
    }
    out.layer_mut(1).bias[j] = &out.b1()[j] * lambda;
    for row in out.layer_mut(2).weight.iter_mut() {
        row[j] = &row[j] * &inv;
    }
    out
}

/// **M2** for layer 2: `(w_k, β_k) → μ(w_k, β_k)`, `v_k → v_k/μ`. Panics if `μ = 0`.
pub fn scale_layer2(net: &Network, k: usize, mu: &Rational) -> Network {
    let inv = mu.recip().expect("nonzero factor");
    let mut out = net.clone();
    let wb: Vec<Rational> = incoming(net, k).iter().map(|x| x * mu).collect();
    set_in(&mut out, k, &wb);
    let v: Vec<Rational> = outgoing(net, k).iter().map(|x| x * &inv).collect();
    set_out(&mut out, k, &v);
    out
}

/// **M2** with random positive factors on every hidden neuron.
pub fn random_positive_scaling(net: &Network, rng: &mut Lcg) -> Network {
    let a = net.arch();
    let mut out = net.clone();
    for j in 0..a.n1 {
        out = scale_layer1(&out, j, &rng.positive());
    }
    for k in 0..a.n2 {
        out = scale_layer2(&out, k, &rng.positive());
    }
    out
}

/// **M3**: every dead layer-2 neuron gets new random `(w, β) ≤ 0` and a new random `v`; every
/// null neuron (`v = 0`) gets new random `(w, β)`. `None` if there is no dead or null neuron.
pub fn dead_change(net: &Network, rng: &mut Lcg) -> Option<Network> {
    let a = net.arch();
    let mut out = net.clone();
    let mut changed = false;
    for k in 0..a.n2 {
        let wb = incoming(net, k);
        let v_zero = outgoing(net, k).iter().all(Rational::is_zero);
        if v_zero {
            let new: Vec<Rational> = (0..=a.n1).map(|_| rng.nonzero()).collect();
            set_in(&mut out, k, &new);
            changed = true;
        } else if wb.iter().all(|x| !x.is_positive()) {
            let new: Vec<Rational> = (0..=a.n1).map(|_| -rng.positive()).collect();
            set_in(&mut out, k, &new);
            let v: Vec<Rational> = (0..a.n3).map(|_| rng.nonzero()).collect();
            set_out(&mut out, k, &v);
            changed = true;
        }
    }
    changed.then_some(out)
}

/// Whether layer-1 neuron `h` is hidden (docs/theory.md §4): every layer-2 neuron with `v ≠ 0` has
/// `β ≤ 0` and `w_i ≤ 0` for all `i ≠ h`.
pub fn is_hidden(net: &Network, h: usize) -> bool {
    let a = net.arch();
    (0..a.n2).all(|k| {
        outgoing(net, k).iter().all(Rational::is_zero)
            || (!net.b2()[k].is_positive()
                && (0..a.n1).all(|i| i == h || !net.w2()[k][i].is_positive()))
    })
}

/// The threshold of the hidden shift of layer-1 neuron `h` (docs/theory.md §5, Theorem 5.7).
/// When every layer-2 neuron with `v_k ≠ 0` and `w_kh ≠ 0` has `β_k ≤ 0` and `w_ki ≤ 0` for
/// `i ≠ h`: `Some(Some(t_min))` with `t_min = max{β_k / w_kh : v_k ≠ 0, w_kh > 0}` (`≤ 0`),
/// or `Some(None)` when no such neuron has `w_kh > 0` (every shift keeps `f`). `None` when the
/// conditions fail.
pub fn shift_threshold(net: &Network, h: usize) -> Option<Option<Rational>> {
    let a = net.arch();
    let mut t_min: Option<Rational> = None;
    for k in 0..a.n2 {
        let w = &net.w2()[k][h];
        if w.is_zero() || outgoing(net, k).iter().all(Rational::is_zero) {
            continue;
        }
        if net.b2()[k].is_positive() || (0..a.n1).any(|i| i != h && net.w2()[k][i].is_positive()) {
            return None;
        }
        if w.is_positive() {
            let t = &net.b2()[k] / w;
            if t_min.as_ref().is_none_or(|m| t > *m) {
                t_min = Some(t);
            }
        }
    }
    Some(t_min)
}

/// **M7**, the hidden shift of layer-1 neuron `h` by `t` (docs/theory.md §5, Theorem 5.7):
/// `c_h → c_h + t` and `β_k → β_k − w_kh t` for every `k` with `w_kh > 0`. `None` when the
/// conditions of the theorem fail or `t` is below the threshold.
pub fn hidden_shift(net: &Network, h: usize, t: &Rational) -> Option<Network> {
    let t_min = shift_threshold(net, h)?;
    if t_min.as_ref().is_some_and(|m| t < m) {
        return None;
    }
    let mut out = net.clone();
    out.layer_mut(1).bias[h] = &net.b1()[h] + t;
    for k in 0..net.arch().n2 {
        let w = &net.w2()[k][h];
        if w.is_positive() {
            out.layer_mut(2).bias[k] = &net.b2()[k] - &(w * t);
        }
    }
    Some(out)
}

/// **M7** at random: a layer-1 neuron that admits the hidden shift, shifted by its threshold
/// plus a random nonnegative amount (exactly to the threshold one time in four). `None` when
/// no layer-1 neuron admits it.
pub fn random_hidden_shift(net: &Network, rng: &mut Lcg) -> Option<Network> {
    let n1 = net.arch().n1;
    let cands: Vec<(usize, Option<Rational>)> = (0..n1)
        .filter_map(|h| shift_threshold(net, h).map(|t| (h, t)))
        .collect();
    if cands.is_empty() {
        return None;
    }
    let (h, t_min) = &cands[rng.below(cands.len())];
    let base = t_min.clone().unwrap_or_else(|| -rng.positive());
    let t = if rng.below(4) == 0 {
        base
    } else {
        &base + &rng.positive()
    };
    hidden_shift(net, *h, &t)
}

/// Indices of the linear layer-2 neurons: `v_k ≠ 0` and every entry of `(w_k, β_k)` `≥ 0`,
/// some positive.
pub fn linear_neurons(net: &Network) -> Vec<usize> {
    (0..net.arch().n2)
        .filter(|&k| {
            let wb = incoming(net, k);
            !outgoing(net, k).iter().all(Rational::is_zero)
                && wb.iter().all(|x| !x.is_negative())
                && wb.iter().any(Rational::is_positive)
        })
        .collect()
}

/// **M4**, the linear block (docs/theory.md §5, Theorem 5.4), at random: either an exchange
/// between two linear neurons `k, l` (`r_k → r_k + ε r_l`, `v_l → v_l − ε v_k`, `ε > 0`, which
/// keeps every `(w, β) ≥ 0` and `Σ v r^T`), or part of a linear neuron's bias moved into `b3`
/// (`β_k → β'_k ∈ [0, β_k)`, `b3 += v_k (β_k − β'_k)`). `None` without a linear neuron.
pub fn random_linear_block(net: &Network, rng: &mut Lcg) -> Option<Network> {
    let lin = linear_neurons(net);
    if lin.is_empty() {
        return None;
    }
    let mut out = net.clone();
    if lin.len() >= 2 && rng.coin() {
        let i = rng.below(lin.len());
        let j = (i + 1 + rng.below(lin.len() - 1)) % lin.len();
        let (k, l) = (lin[i], lin[j]);
        let eps = rng.positive();
        let rk: Vec<Rational> = incoming(net, k)
            .iter()
            .zip(incoming(net, l))
            .map(|(a, b)| a + &(&b * &eps))
            .collect();
        set_in(&mut out, k, &rk);
        let vl: Vec<Rational> = outgoing(net, l)
            .iter()
            .zip(outgoing(net, k))
            .map(|(a, b)| a - &(&b * &eps))
            .collect();
        set_out(&mut out, l, &vl);
        return Some(out);
    }
    let with_bias: Vec<usize> = lin
        .iter()
        .copied()
        .filter(|&k| net.b2()[k].is_positive())
        .collect();
    if with_bias.is_empty() {
        return None;
    }
    let k = with_bias[rng.below(with_bias.len())];
    let beta = net.b2()[k].clone();
    // β' = β · q with q ∈ {0, 1/5, …, 4/5}.
    let q = Rational::ratio(rng.range(0, 4), 5);
    let new_beta = &beta * &q;
    let moved = &beta - &new_beta;
    let v = outgoing(net, k);
    let n1 = net.arch().n1;
    let mut wb = incoming(net, k);
    wb[n1] = new_beta;
    set_in(&mut out, k, &wb);
    let b3: Vec<Rational> = net
        .b3()
        .iter()
        .zip(&v)
        .map(|(b, x)| b + &(x * &moved))
        .collect();
    out.layer_mut(3).bias = b3;
    Some(out)
}
