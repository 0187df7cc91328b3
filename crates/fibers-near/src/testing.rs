//! Float checkpoints for tests and benchmarks: random float networks, float32 rounding, and
//! float32 copies made by an arbitrary positive rescaling and permutation (no decision depends
//! on this module).

use fibers_exact::Rational;
use fibers_net::random::Lcg;
use fibers_net::{Architecture, Network};

fn uniform(rng: &mut Lcg) -> f64 {
    // 53 random bits in [0, 1).
    let hi = u64::from(rng.next_u32()) << 22;
    let lo = u64::from(rng.next_u32() >> 9);
    ((hi | lo) as f64) / ((1u64 << 53) as f64)
}

fn from_f64s(arch: Architecture, v: &[f64]) -> Network {
    let p: Vec<Rational> = v
        .iter()
        .map(|&x| Rational::from_f64_exact(x).expect("finite"))
        .collect();
    Network::from_params(arch, &p).expect("length matches")
}

fn to_f64s(n: &Network) -> Vec<f64> {
    n.params().iter().map(Rational::to_f64_lossy).collect()
}

/// A network with `f64` entries, weights uniform in `±1/√fan_in`, biases in `±0.1`, as a
/// freshly initialised checkpoint would have (exact rationals of those floats).
pub fn random_f64_network(arch: Architecture, seed: u64) -> Network {
    let mut rng = Lcg::new(seed);
    let mut v = Vec::with_capacity(arch.param_count());
    for l in 0..3 {
        let (rows, cols) = arch.weight_shape(l + 1);
        let r = 1.0 / (cols as f64).sqrt();
        for _ in 0..rows * cols {
            v.push((2.0 * uniform(&mut rng) - 1.0) * r);
        }
        for _ in 0..rows {
            v.push((2.0 * uniform(&mut rng) - 1.0) * 0.1);
        }
    }
    from_f64s(arch, &v)
}

/// Every parameter rounded to the nearest `f32` (the float64 → float32 round trip).
pub fn round_f32(n: &Network) -> Network {
    let v: Vec<f64> = to_f64s(n).iter().map(|&x| x as f32 as f64).collect();
    from_f64s(n.arch(), &v)
}

/// A float32 copy of `a` made by a random permutation and random positive scales (in
/// `[1/2, 2]`, not powers of two) of both hidden layers, computed in `f64` and rounded to `f32`.
/// Returns the copy and, per hidden layer, the permutation that aligns it back to `a`
/// (`perm[i]`: the neuron of the copy that corresponds to neuron `i` of `a`).
pub fn scaled_permuted_f32(a: &Network, seed: u64) -> (Network, [Vec<usize>; 2]) {
    let (n, back, _) = scaled_permuted(a, seed, true);
    (n, back)
}

/// The copy of [`scaled_permuted_f32`] before (`f32` true) or without the rounding to `f32`
/// (a float64 checkpoint), with the permutations aligning it back to `a` and the scales applied
/// (`scales[l][j]`: the factor on neuron `j` of the copy).
pub fn scaled_permuted(
    a: &Network,
    seed: u64,
    f32: bool,
) -> (Network, [Vec<usize>; 2], [Vec<f64>; 2]) {
    let mut rng = Lcg::new(seed ^ 0x5eed);
    let arch = a.arch();
    let f = |r: &Rational| r.to_f64_lossy();
    let mut w: Vec<Vec<Vec<f64>>> = a
        .layers()
        .iter()
        .map(|l| l.weight.iter().map(|r| r.iter().map(f).collect()).collect())
        .collect();
    let mut b: Vec<Vec<f64>> = a
        .layers()
        .iter()
        .map(|l| l.bias.iter().map(f).collect())
        .collect();
    let mut back: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    let mut applied: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for (l, n) in [(0usize, arch.n1), (1, arch.n2)] {
        // sigma[j]: the neuron of a that becomes neuron j of the copy.
        let mut sigma: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (rng.next_u32() as usize) % (i + 1);
            sigma.swap(i, j);
        }
        let c: Vec<f64> = (0..n).map(|_| 0.5 + 1.5 * uniform(&mut rng)).collect();
        let nw: Vec<Vec<f64>> = (0..n)
            .map(|j| w[l][sigma[j]].iter().map(|x| x * c[j]).collect())
            .collect();
        let nb: Vec<f64> = (0..n).map(|j| b[l][sigma[j]] * c[j]).collect();
        let out: Vec<Vec<f64>> = w[l + 1]
            .iter()
            .map(|row| (0..n).map(|j| row[sigma[j]] / c[j]).collect())
            .collect();
        w[l] = nw;
        b[l] = nb;
        w[l + 1] = out;
        let mut inv = vec![0; n];
        for (j, &s) in sigma.iter().enumerate() {
            inv[s] = j;
        }
        back[l] = inv;
        applied[l] = c;
    }
    let mut v = Vec::new();
    for l in 0..3 {
        for row in &w[l] {
            v.extend(row.iter().map(|&x| if f32 { x as f32 as f64 } else { x }));
        }
        v.extend(b[l].iter().map(|&x| if f32 { x as f32 as f64 } else { x }));
    }
    (from_f64s(arch, &v), back, applied)
}
