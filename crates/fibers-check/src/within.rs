//! Near-equivalence certificates: `max_{x ∈ box} ‖f_A(x) − f_B(x)‖_∞ ≤ ε` (verdict `within`)
//! or a point of the box where the difference exceeds `ε` (verdict `not-within`).
//!
//! A `within` certificate carries an *alignment*: permutations and positive scales of the two
//! hidden layers of B. The checker builds the symmetric image `B*` of B itself (positive
//! rescaling and permutation of ReLU neurons never change the function, so `f_{B*} = f_B` by
//! construction), then bounds `|f_A − f_{B*}|` on every cell of a uniform grid of the box by
//! interval propagation of the parameter differences, in exact rational arithmetic with outward
//! rounding to the dyadic grid `2^-precision` (sound whatever the precision). The certificate
//! is accepted iff the recomputed bound is at most the claimed bound and the claimed bound is at
//! most `ε`. The format is documented in `docs/near.md`.

use crate::network_hash;
use crate::types::Rejection;
use fibers_exact::{Integer, Rational};
use fibers_net::json::{
    rational_from_value, rational_to_value, vector_from_value, vector_to_value,
};
use fibers_net::{Layer, LoadError, Network};
use serde_json::{Map, Value};

/// The `format` field of a near-equivalence certificate.
pub const FORMAT: &str = "fibers-near-certificate";
/// The version this checker reads.
pub const VERSION: u64 = 1;
/// The largest number of grid cells the checker accepts.
pub const MAX_CELLS: u64 = 1 << 16;
/// The largest `precision` (bits after the binary point) the checker accepts.
pub const MAX_PRECISION: u32 = 4096;

/// A box `lo ≤ x ≤ hi` (coordinate-wise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputBox {
    /// Lower corner.
    pub lo: Vec<Rational>,
    /// Upper corner.
    pub hi: Vec<Rational>,
}

impl InputBox {
    /// Whether `x` lies in the box.
    pub fn contains(&self, x: &[Rational]) -> bool {
        x.len() == self.lo.len()
            && x.iter()
                .zip(self.lo.iter().zip(&self.hi))
                .all(|(v, (l, h))| l <= v && v <= h)
    }
}

/// Permutation and positive scales of one hidden layer of B: neuron `i` of `B*` is neuron
/// `permutation[i]` of B with its incoming weights and bias multiplied by `scales[i] > 0` and
/// its outgoing weights divided by `scales[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerAlignment {
    /// `permutation[i]`: the neuron of B that becomes neuron `i` of `B*`.
    pub permutation: Vec<usize>,
    /// Positive scales.
    pub scales: Vec<Rational>,
}

impl LayerAlignment {
    /// The identity on `n` neurons.
    pub fn identity(n: usize) -> Self {
        LayerAlignment {
            permutation: (0..n).collect(),
            scales: vec![Rational::one(); n],
        }
    }
}

/// The symmetry taking B to `B*`: one [`LayerAlignment`] per hidden layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alignment {
    /// Layer 1.
    pub layer1: LayerAlignment,
    /// Layer 2.
    pub layer2: LayerAlignment,
}

/// The claim of a near-equivalence certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NearClaim {
    /// `‖f_A − f_B‖_∞ ≤ bound ≤ tolerance` on the box.
    Within {
        /// The symmetry taking B to `B*`.
        alignment: Alignment,
        /// Cells per coordinate of the uniform grid of the box.
        grid: Vec<u64>,
        /// Bits after the binary point of the outward rounding.
        precision: u32,
        /// The claimed bound.
        bound: Rational,
    },
    /// `‖f_A(x) − f_B(x)‖_∞ > tolerance` at `x` in the box.
    NotWithin {
        /// The witness.
        x: Vec<Rational>,
    },
}

/// A near-equivalence certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearCertificate {
    /// SHA-256 of network A ([`crate::network_hash`]).
    pub a_sha256: String,
    /// SHA-256 of network B.
    pub b_sha256: String,
    /// `ε`.
    pub tolerance: Rational,
    /// The box.
    pub input_box: InputBox,
    /// The claim and its evidence.
    pub claim: NearClaim,
    /// Free text naming the producer (ignored by the checker).
    pub producer: Option<String>,
}

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

/// Applies one layer alignment: `inc` is the layer whose rows are the neurons, `out` the next
/// layer whose columns are their outgoing weights.
fn align_layer(
    inc: &Layer,
    out: &Layer,
    al: &LayerAlignment,
    name: &str,
) -> Result<(Layer, Layer), Rejection> {
    let n = inc.bias.len();
    if al.permutation.len() != n || al.scales.len() != n {
        return reject(format!(
            "alignment.{name}: {} permutation entries and {} scales for {n} neurons",
            al.permutation.len(),
            al.scales.len()
        ));
    }
    let mut seen = vec![false; n];
    for (i, &p) in al.permutation.iter().enumerate() {
        if p >= n || seen[p] {
            return reject(format!(
                "alignment.{name}.permutation[{i}] = {p} is out of range or repeated"
            ));
        }
        seen[p] = true;
    }
    if let Some(i) = al.scales.iter().position(|s| !s.is_positive()) {
        return reject(format!("alignment.{name}.scales[{i}] is not positive"));
    }
    let weight = (0..n)
        .map(|i| {
            let s = &al.scales[i];
            inc.weight[al.permutation[i]]
                .iter()
                .map(|w| w * s)
                .collect()
        })
        .collect();
    let bias = (0..n)
        .map(|i| &inc.bias[al.permutation[i]] * &al.scales[i])
        .collect();
    let inv: Vec<Rational> = al
        .scales
        .iter()
        .map(|s| s.recip().expect("positive"))
        .collect();
    let out_weight = out
        .weight
        .iter()
        .map(|row| (0..n).map(|i| &row[al.permutation[i]] * &inv[i]).collect())
        .collect();
    Ok((
        Layer { weight, bias },
        Layer {
            weight: out_weight,
            bias: out.bias.clone(),
        },
    ))
}

/// The symmetric image `B*` of `b` under `al` (checks that both permutations are bijections and
/// every scale is positive; `f_{B*} = f_B` then holds exactly).
pub fn apply_alignment(b: &Network, al: &Alignment) -> Result<Network, Rejection> {
    let [l1, l2, l3] = b.layers();
    let (n1, l2a) = align_layer(l1, l2, &al.layer1, "layer1")?;
    let (n2, n3) = align_layer(&l2a, l3, &al.layer2, "layer2")?;
    Network::new(b.arch(), [n1, n2, n3]).map_err(Rejection)
}

/// Rounds down to the grid `2^-p`.
fn down(r: &Rational, scale: &Rational) -> Rational {
    Rational::from_integer((r * scale).floor()) / scale
}

/// Rounds up to the grid `2^-p`.
fn up(r: &Rational, scale: &Rational) -> Rational {
    Rational::from_integer((r * scale).ceil()) / scale
}

/// A closed interval `[lo, hi]`.
#[derive(Clone, Debug)]
struct Iv {
    lo: Rational,
    hi: Rational,
}

impl Iv {
    fn point(r: Rational) -> Iv {
        Iv {
            lo: r.clone(),
            hi: r,
        }
    }
    fn relu(&self) -> Iv {
        let z = Rational::zero();
        Iv {
            lo: self.lo.max_ref(&z).clone(),
            hi: self.hi.max_ref(&z).clone(),
        }
    }
    fn meet(&self, o: &Iv) -> Iv {
        Iv {
            lo: self.lo.max_ref(&o.lo).clone(),
            hi: self.hi.min_ref(&o.hi).clone(),
        }
    }
}

/// `bias + Σ_j c_j · iv_j`, rounded outward to `2^-p`.
fn affine(coef: &[Rational], bias: &Rational, ivs: &[Iv], scale: &Rational) -> Iv {
    let mut lo = down(bias, scale);
    let mut hi = up(bias, scale);
    for (c, iv) in coef.iter().zip(ivs) {
        match c.signum() {
            1 => {
                lo += down(&(c * &iv.lo), scale);
                hi += up(&(c * &iv.hi), scale);
            }
            -1 => {
                lo += down(&(c * &iv.hi), scale);
                hi += up(&(c * &iv.lo), scale);
            }
            _ => {}
        }
    }
    Iv { lo, hi }
}

/// `Σ_j (a_j − b_j) · iv_j + (bias_a − bias_b)`, rounded outward.
fn diff_affine(la: &Layer, lb: &Layer, i: usize, ivs: &[Iv], scale: &Rational) -> Iv {
    let coef: Vec<Rational> = la.weight[i]
        .iter()
        .zip(&lb.weight[i])
        .map(|(x, y)| x - y)
        .collect();
    affine(&coef, &(&la.bias[i] - &lb.bias[i]), ivs, scale)
}

/// One hidden layer: the intervals of the activations of A and B* and of their difference,
/// given those of the layer below (`x` for both networks' inputs, `d` for the difference).
fn hidden(
    la: &Layer,
    lb: &Layer,
    ha: &[Iv],
    hb: &[Iv],
    dh: &[Iv],
    scale: &Rational,
) -> (Vec<Iv>, Vec<Iv>, Vec<Iv>) {
    let zero = Rational::zero();
    let mut out_a = Vec::with_capacity(la.bias.len());
    let mut out_b = Vec::with_capacity(la.bias.len());
    let mut out_d = Vec::with_capacity(la.bias.len());
    for i in 0..la.bias.len() {
        let ya = affine(&la.weight[i], &la.bias[i], ha, scale);
        let yb = affine(&lb.weight[i], &lb.bias[i], hb, scale);
        // y_A − y_B = ΔW h_A + W_B (h_A − h_B) + Δb = ΔW h_B + W_A (h_A − h_B) + Δb.
        let t1 = {
            let p = diff_affine(la, lb, i, ha, scale);
            let q = affine(&lb.weight[i], &zero, dh, scale);
            Iv {
                lo: p.lo + q.lo,
                hi: p.hi + q.hi,
            }
        };
        let t2 = {
            let p = diff_affine(la, lb, i, hb, scale);
            let q = affine(&la.weight[i], &zero, dh, scale);
            Iv {
                lo: p.lo + q.lo,
                hi: p.hi + q.hi,
            }
        };
        let dy = t1.meet(&t2).meet(&Iv {
            lo: &ya.lo - &yb.hi,
            hi: &ya.hi - &yb.lo,
        });
        let (ra, rb) = (ya.relu(), yb.relu());
        // σ is monotone and 1-Lipschitz: σ(a) − σ(b) lies between 0 and a − b.
        let dr = Iv {
            lo: dy.lo.min_ref(&zero).clone(),
            hi: dy.hi.max_ref(&zero).clone(),
        }
        .meet(&Iv {
            lo: &ra.lo - &rb.hi,
            hi: &ra.hi - &rb.lo,
        });
        out_a.push(ra);
        out_b.push(rb);
        out_d.push(dr);
    }
    (out_a, out_b, out_d)
}

/// An upper bound on `max_{x ∈ cell} ‖f_A(x) − f_{B*}(x)‖_∞` by interval propagation of the
/// parameter differences (both networks must have the same architecture), rounded outward to
/// the grid `2^-precision`.
pub fn cell_bound(a: &Network, bstar: &Network, cell: &InputBox, precision: u32) -> Rational {
    let scale = Rational::from_integer(Integer::pow2(precision));
    let x: Vec<Iv> = cell
        .lo
        .iter()
        .zip(&cell.hi)
        .map(|(l, h)| Iv {
            lo: l.clone(),
            hi: h.clone(),
        })
        .collect();
    let d0: Vec<Iv> = x.iter().map(|_| Iv::point(Rational::zero())).collect();
    let (a1, b1, d1) = hidden(&a.layers()[0], &bstar.layers()[0], &x, &x, &d0, &scale);
    let (a2, b2, d2) = hidden(&a.layers()[1], &bstar.layers()[1], &a1, &b1, &d1, &scale);
    // The output layer has no ReLU: bound the difference of the outputs directly.
    let (la, lb) = (&a.layers()[2], &bstar.layers()[2]);
    let zero = Rational::zero();
    let mut best = Rational::zero();
    for i in 0..la.bias.len() {
        let p = diff_affine(la, lb, i, &a2, &scale);
        let q = affine(&lb.weight[i], &zero, &d2, &scale);
        let r = diff_affine(la, lb, i, &b2, &scale);
        let s = affine(&la.weight[i], &zero, &d2, &scale);
        let dy = Iv {
            lo: p.lo + q.lo,
            hi: p.hi + q.hi,
        }
        .meet(&Iv {
            lo: r.lo + s.lo,
            hi: r.hi + s.hi,
        });
        let m = dy.lo.abs().max_ref(&dy.hi.abs()).clone();
        if m > best {
            best = m;
        }
    }
    best
}

/// The cells of the uniform grid with `grid[k]` cells along coordinate `k`.
pub fn grid_cells(b: &InputBox, grid: &[u64]) -> Vec<InputBox> {
    let n = b.lo.len();
    let total: u64 = grid.iter().product();
    let mut cells = Vec::with_capacity(total as usize);
    let mut idx = vec![0u64; n];
    for _ in 0..total {
        let mut lo = Vec::with_capacity(n);
        let mut hi = Vec::with_capacity(n);
        for k in 0..n {
            let w = &b.hi[k] - &b.lo[k];
            let g = Rational::from(grid[k] as i64);
            lo.push(&b.lo[k] + &(&w * &Rational::from(idx[k] as i64)) / &g);
            hi.push(&b.lo[k] + &(&w * &Rational::from(idx[k] as i64 + 1)) / &g);
        }
        cells.push(InputBox { lo, hi });
        for k in 0..n {
            idx[k] += 1;
            if idx[k] < grid[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    cells
}

/// The bound over the whole box: the largest [`cell_bound`] over the grid cells.
pub fn box_bound(
    a: &Network,
    bstar: &Network,
    b: &InputBox,
    grid: &[u64],
    precision: u32,
) -> Rational {
    grid_cells(b, grid)
        .iter()
        .map(|c| cell_bound(a, bstar, c, precision))
        .fold(Rational::zero(), |m, v| if v > m { v } else { m })
}

/// `max_o |f_A(x)_o − f_B(x)_o|`, exactly.
pub fn difference_at(a: &Network, b: &Network, x: &[Rational]) -> Rational {
    a.eval(x)
        .iter()
        .zip(b.eval(x))
        .map(|(p, q)| (p - &q).abs())
        .fold(Rational::zero(), |m, v| if v > m { v } else { m })
}

/// Checks that `cert` proves its claim for exactly the networks `a` and `b`; `Ok(true)` for a
/// proved `within`, `Ok(false)` for a proved `not-within`.
pub fn check_near(
    cert: &NearCertificate,
    a: &Network,
    b: &Network,
    check_hashes: bool,
) -> Result<bool, Rejection> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return reject(format!(
            "networks A {aa} and B {ab} differ in input or output width"
        ));
    }
    if check_hashes {
        for (name, h, net) in [("A", &cert.a_sha256, a), ("B", &cert.b_sha256, b)] {
            if *h != network_hash(net) {
                return reject(format!(
                    "the certificate was made for another network {name}"
                ));
            }
        }
    }
    let bx = &cert.input_box;
    if bx.lo.len() != aa.n0 || bx.hi.len() != aa.n0 {
        return reject(format!("box: the input dimension is {}", aa.n0));
    }
    if let Some(k) = (0..aa.n0).find(|&k| bx.lo[k] > bx.hi[k]) {
        return reject(format!("box: lo[{k}] > hi[{k}]"));
    }
    if cert.tolerance.is_negative() {
        return reject("tolerance: negative");
    }
    match &cert.claim {
        NearClaim::NotWithin { x } => {
            if !bx.contains(x) {
                return reject("witness.x is not in the box");
            }
            if difference_at(a, b, x) <= cert.tolerance {
                return reject("the witness does not exceed the tolerance: ‖f_A(x) − f_B(x)‖ ≤ ε");
            }
            Ok(false)
        }
        NearClaim::Within {
            alignment,
            grid,
            precision,
            bound,
        } => {
            if aa != ab {
                return reject(format!(
                    "a within certificate needs equal architectures (A {aa}, B {ab})"
                ));
            }
            if *bound > cert.tolerance {
                return reject("the claimed bound exceeds the tolerance");
            }
            if grid.len() != aa.n0 || grid.contains(&0) {
                return reject("grid: one positive count per input coordinate");
            }
            let cells = grid
                .iter()
                .try_fold(1u64, |p, &g| p.checked_mul(g))
                .filter(|&c| c <= MAX_CELLS);
            if cells.is_none() {
                return reject(format!("grid: more than {MAX_CELLS} cells"));
            }
            if *precision > MAX_PRECISION {
                return reject(format!("precision: more than {MAX_PRECISION} bits"));
            }
            let bstar = apply_alignment(b, alignment)?;
            let recomputed = box_bound(a, &bstar, bx, grid, *precision);
            if recomputed > *bound {
                return reject(format!(
                    "the recomputed bound {} exceeds the claimed bound {}",
                    recomputed.to_f64_lossy(),
                    bound.to_f64_lossy()
                ));
            }
            Ok(true)
        }
    }
}

// ---------------------------------------------------------------------------------------
// JSON

fn layer_alignment_to_value(l: &LayerAlignment) -> Value {
    serde_json::json!({
        "permutation": l.permutation,
        "scales": vector_to_value(&l.scales),
    })
}

/// The JSON form of a near-equivalence certificate (see `docs/near.md`).
pub fn near_to_value(c: &NearCertificate) -> Value {
    let mut m = Map::new();
    m.insert("format".into(), Value::from(FORMAT));
    m.insert("version".into(), Value::from(VERSION));
    let verdict = match c.claim {
        NearClaim::Within { .. } => "within",
        NearClaim::NotWithin { .. } => "not-within",
    };
    m.insert("verdict".into(), Value::from(verdict));
    if let Some(p) = &c.producer {
        m.insert("producer".into(), Value::from(p.as_str()));
    }
    m.insert(
        "networks".into(),
        serde_json::json!({"a": {"sha256": c.a_sha256}, "b": {"sha256": c.b_sha256}}),
    );
    m.insert("tolerance".into(), rational_to_value(&c.tolerance));
    m.insert(
        "box".into(),
        serde_json::json!({"lo": vector_to_value(&c.input_box.lo), "hi": vector_to_value(&c.input_box.hi)}),
    );
    match &c.claim {
        NearClaim::Within {
            alignment,
            grid,
            precision,
            bound,
        } => {
            m.insert("bound".into(), rational_to_value(bound));
            m.insert("grid".into(), serde_json::json!(grid));
            m.insert("precision".into(), Value::from(*precision));
            m.insert(
                "alignment".into(),
                serde_json::json!({
                    "layer1": layer_alignment_to_value(&alignment.layer1),
                    "layer2": layer_alignment_to_value(&alignment.layer2),
                }),
            );
        }
        NearClaim::NotWithin { x } => {
            m.insert(
                "witness".into(),
                serde_json::json!({"x": vector_to_value(x)}),
            );
        }
    }
    Value::Object(m)
}

/// Whether a JSON value is a near-equivalence certificate (its `format` field).
pub fn is_near_certificate(v: &Value) -> bool {
    v.get("format").and_then(Value::as_str) == Some(FORMAT)
}

fn field<'v>(v: &'v Value, key: &str, place: &str, src: &str) -> Result<&'v Value, LoadError> {
    v.get(key)
        .ok_or_else(|| LoadError::new(src, place, format!("missing field \"{key}\"")))
}

fn usize_list(v: &Value, place: &str, src: &str) -> Result<Vec<u64>, LoadError> {
    v.as_array()
        .ok_or_else(|| LoadError::new(src, place, "expected an array of integers"))?
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.as_u64().ok_or_else(|| {
                LoadError::new(
                    src,
                    format!("{place}[{i}]"),
                    "expected a non-negative integer",
                )
            })
        })
        .collect()
}

fn layer_alignment_from_value(
    v: &Value,
    place: &str,
    src: &str,
) -> Result<LayerAlignment, LoadError> {
    let p = usize_list(
        field(v, "permutation", place, src)?,
        &format!("{place}.permutation"),
        src,
    )?;
    let scales = vector_from_value(
        field(v, "scales", place, src)?,
        src,
        &format!("{place}.scales"),
    )?;
    Ok(LayerAlignment {
        permutation: p.into_iter().map(|x| x as usize).collect(),
        scales,
    })
}

/// Reads a near-equivalence certificate; errors name the place.
pub fn near_from_value(v: &Value, src: &str) -> Result<NearCertificate, LoadError> {
    let top = "top level";
    if !is_near_certificate(v) {
        return Err(LoadError::new(
            src,
            "format",
            format!("not a near-equivalence certificate (expected \"{FORMAT}\")"),
        ));
    }
    if field(v, "version", top, src)?.as_u64() != Some(VERSION) {
        return Err(LoadError::new(
            src,
            "version",
            format!("unsupported version (this checker reads version {VERSION})"),
        ));
    }
    let nets = field(v, "networks", top, src)?;
    let hash = |k: &str| -> Result<String, LoadError> {
        let n = field(nets, k, "networks", src)?;
        field(n, "sha256", &format!("networks.{k}"), src)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| LoadError::new(src, format!("networks.{k}.sha256"), "expected a string"))
    };
    let tolerance = rational_from_value(field(v, "tolerance", top, src)?, src, "tolerance")?;
    let bx = field(v, "box", top, src)?;
    let input_box = InputBox {
        lo: vector_from_value(field(bx, "lo", "box", src)?, src, "box.lo")?,
        hi: vector_from_value(field(bx, "hi", "box", src)?, src, "box.hi")?,
    };
    let claim = match field(v, "verdict", top, src)?.as_str() {
        Some("within") => {
            let al = field(v, "alignment", top, src)?;
            let precision = field(v, "precision", top, src)?
                .as_u64()
                .filter(|&p| p <= u64::from(MAX_PRECISION))
                .ok_or_else(|| {
                    LoadError::new(
                        src,
                        "precision",
                        format!("expected an integer ≤ {MAX_PRECISION}"),
                    )
                })? as u32;
            NearClaim::Within {
                alignment: Alignment {
                    layer1: layer_alignment_from_value(
                        field(al, "layer1", "alignment", src)?,
                        "alignment.layer1",
                        src,
                    )?,
                    layer2: layer_alignment_from_value(
                        field(al, "layer2", "alignment", src)?,
                        "alignment.layer2",
                        src,
                    )?,
                },
                grid: usize_list(field(v, "grid", top, src)?, "grid", src)?,
                precision,
                bound: rational_from_value(field(v, "bound", top, src)?, src, "bound")?,
            }
        }
        Some("not-within") => {
            let w = field(v, "witness", top, src)?;
            NearClaim::NotWithin {
                x: vector_from_value(field(w, "x", "witness", src)?, src, "witness.x")?,
            }
        }
        _ => {
            return Err(LoadError::new(
                src,
                "verdict",
                "expected \"within\" or \"not-within\"",
            ))
        }
    };
    Ok(NearCertificate {
        a_sha256: hash("a")?,
        b_sha256: hash("b")?,
        tolerance,
        input_box,
        claim,
        producer: v.get("producer").and_then(Value::as_str).map(str::to_owned),
    })
}
