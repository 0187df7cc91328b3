//! Near-equivalence of float checkpoints (see `docs/near.md`).
//!
//! Given networks A and B of the same architecture and a box of inputs:
//! - [`align::find_alignment`] recovers the permutations and positive scales of B's hidden layers
//!   that bring B closest to A (a floating-point *search* over candidate symmetries);
//! - the symmetric image `B*` of B under them is built exactly
//!   ([`fibers_check::within::apply_alignment`]), so `f_{B*} = f_B`, and `‖B* − A‖` is measured
//!   exactly;
//! - an upper bound on `max_{x ∈ box} ‖f_A(x) − f_B(x)‖_∞` is computed in exact rational
//!   arithmetic by interval propagation of the parameter differences (refined on a grid of the
//!   box when the input dimension is small), and a lower bound by the best point found in the
//!   box ([`search`]), evaluated exactly;
//! - [`near`] gives the verdict `equivalent` (the exact decision), `within ε` (with a
//!   certificate the checker re-verifies, [`fibers_check::within`]), `not within ε` (with a
//!   witness certificate) or `undecided` (both bounds printed).

pub mod align;
pub mod bound;
pub mod render;
pub mod search;
pub mod testing;

use fibers_check::within::{
    apply_alignment, split_cell, Alignment, InputBox, LayerAlignment, NearCertificate, NearClaim,
};
use fibers_check::{network_hash, Certificate};
use fibers_decide::{DecideOptions, Outcome};
use fibers_exact::Rational;
use fibers_net::Network;

/// The producer name written into certificates.
pub const PRODUCER: &str = concat!("fibers-near ", env!("CARGO_PKG_VERSION"));

/// Options of [`near`].
#[derive(Clone, Debug)]
pub struct NearOptions {
    /// `ε`: the tolerance on `‖f_A − f_B‖_∞` over the box.
    pub tolerance: Rational,
    /// The box.
    pub input_box: InputBox,
    /// The largest number of cells the box may be split into to tighten the upper bound (the
    /// widest coordinate of the worst cell is halved while that pays).
    pub max_cells: u64,
    /// Bits after the binary point of the outward rounding in the bound.
    pub precision: u32,
    /// Candidate points ranked in the search for the lower bound.
    pub samples: usize,
    /// Seed of the search.
    pub seed: u64,
    /// Run the exact equivalence decision first (with `max_nodes` as its tree budget).
    pub exact: bool,
    /// Node budget of the exact decision's branch tree.
    pub max_nodes: Option<u64>,
}

impl NearOptions {
    /// Default options for a tolerance and a box.
    pub fn new(tolerance: Rational, input_box: InputBox) -> Self {
        NearOptions {
            tolerance,
            input_box,
            max_cells: 256,
            precision: 48,
            samples: 2000,
            seed: 1,
            exact: true,
            max_nodes: Some(2000),
        }
    }
}

/// The answer of the exact decision.
#[derive(Clone, Debug)]
pub enum ExactAnswer {
    /// `f_A = f_B` everywhere, with the certificate of `fibers equiv`.
    Equivalent(Box<Certificate>),
    /// Not equivalent (some input separates them).
    NotEquivalent,
    /// The exact decision did not finish within its budget.
    Undecided,
    /// Not run.
    Skipped,
}

/// The verdict of [`near`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NearVerdict {
    /// `f_A = f_B` exactly.
    Equivalent,
    /// `‖f_A − f_B‖_∞ ≤ ε` on the box (certified).
    Within,
    /// Some point of the box has `‖f_A − f_B‖_∞ > ε` (certified by the witness).
    NotWithin,
    /// `lower ≤ ε < upper`: the bounds do not decide.
    Undecided,
}

impl NearVerdict {
    /// `"equivalent"`, `"within"`, `"not-within"` or `"undecided"`.
    pub fn as_str(self) -> &'static str {
        match self {
            NearVerdict::Equivalent => "equivalent",
            NearVerdict::Within => "within",
            NearVerdict::NotWithin => "not-within",
            NearVerdict::Undecided => "undecided",
        }
    }
}

/// Everything [`near`] found.
#[derive(Clone, Debug)]
pub struct NearReport {
    /// The verdict.
    pub verdict: NearVerdict,
    /// The tolerance.
    pub tolerance: Rational,
    /// The box.
    pub input_box: InputBox,
    /// Whether the rows matched one to one (else the identity alignment is used).
    pub matched: bool,
    /// The smallest cosine between matched rows, per hidden layer.
    pub min_cosine: [f64; 2],
    /// The alignment used.
    pub alignment: Alignment,
    /// The symmetric image of B under the alignment (`f_{B*} = f_B`).
    pub bstar: Network,
    /// `max |B* − A|` over all parameters, exactly.
    pub param_max: Rational,
    /// `‖B* − A‖_2 / ‖A‖_2` (for display).
    pub param_rel: f64,
    /// The exact decision.
    pub exact: ExactAnswer,
    /// Certified upper bound on `max_{box} ‖f_A − f_B‖_∞`.
    pub upper: Rational,
    /// The partition of the box behind the upper bound (preorder, see
    /// [`NearClaim::Within`]).
    pub splits: Vec<i64>,
    /// The number of cells of the partition.
    pub cells: usize,
    /// The best point found and its exact difference (the lower bound).
    pub witness: search::Witness,
    /// The near-equivalence certificate (`within` or `not-within`).
    pub certificate: Option<NearCertificate>,
}

/// Why [`near`] cannot run (bad input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearError(pub String);

impl std::fmt::Display for NearError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NearError {}

/// The identity alignment of a network.
pub fn identity_alignment(n: &Network) -> Alignment {
    let a = n.arch();
    Alignment {
        layer1: LayerAlignment::identity(a.n1),
        layer2: LayerAlignment::identity(a.n2),
        shifts: Vec::new(),
    }
}

/// `(max |p − q|, ‖p − q‖_2 / ‖p‖_2)` over the parameters.
pub fn param_distance(a: &Network, b: &Network) -> (Rational, f64) {
    let (pa, pb) = (a.params(), b.params());
    let mut max = Rational::zero();
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (p, q) in pa.iter().zip(&pb) {
        let d = (p - q).abs();
        let f = d.to_f64_lossy();
        num += f * f;
        let g = p.to_f64_lossy();
        den += g * g;
        if d > max {
            max = d;
        }
    }
    let rel = if den > 0.0 {
        (num / den).sqrt()
    } else {
        num.sqrt()
    };
    (max, rel)
}

/// `r · (1 + 2^-12)` rounded up to 24 significant bits (`r ≥ 0`).
fn round_up_short(r: &Rational) -> Rational {
    if r.is_zero() {
        return r.clone();
    }
    let v = r * &Rational::ratio(4097, 4096);
    // The float estimate only picks the grid (clamped; the loop below corrects it upwards).
    let lg = v.to_f64_lossy().log2();
    let lg = if lg.is_finite() {
        lg.floor() as i32
    } else if lg < 0.0 {
        -1100
    } else {
        1100
    };
    let mut e = lg.clamp(-1100, 1100) - 23;
    let pow = |e: i32| {
        let p = Rational::from_integer(fibers_exact::Integer::pow2(e.unsigned_abs()));
        if e >= 0 {
            p
        } else {
            p.recip().expect("nonzero")
        }
    };
    // Keep at most 24 bits even if the float estimate was off.
    while (&v * &pow(-e)).ceil() >= fibers_exact::Integer::pow2(24) {
        e += 1;
    }
    Rational::from_integer((&v * &pow(-e)).ceil()) * pow(e)
}

/// A node of the partition of the box: a cell with its bound, or a split into two halves.
enum Node {
    Leaf(InputBox, Rational),
    Split(i64, usize, usize),
}

/// The preorder encoding of the subtree at `i`.
fn preorder(nodes: &[Node], i: usize, out: &mut Vec<i64>) {
    match &nodes[i] {
        Node::Leaf(..) => out.push(-1),
        Node::Split(k, l, r) => {
            out.push(*k);
            preorder(nodes, *l, out);
            preorder(nodes, *r, out);
        }
    }
}

/// The bound over the box by the producer's own bound ([`bound::Bounder`]), splitting the
/// widest coordinate of the worst cell while the cell budget allows and the split pays (the
/// worst bound drops by at least 1%). Returns the bound and the preorder partition.
fn split_search(
    bounder: &bound::Bounder,
    bx: &InputBox,
    max_cells: u64,
    stop_below: Option<&Rational>,
) -> (Rational, Vec<i64>, usize) {
    let mut nodes = vec![Node::Leaf(bx.clone(), bounder.bound(bx))];
    let mut leaves = 1u64;
    loop {
        let (worst, wb) = nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| match n {
                Node::Leaf(_, b) => Some((i, b.clone())),
                _ => None,
            })
            .max_by(|p, q| p.1.cmp(&q.1))
            .expect("a leaf");
        if leaves >= max_cells || stop_below.is_some_and(|t| wb <= *t) {
            break;
        }
        let Node::Leaf(cell, _) = &nodes[worst] else {
            unreachable!()
        };
        let k = (0..cell.lo.len())
            .max_by(|&p, &q| (&cell.hi[p] - &cell.lo[p]).cmp(&(&cell.hi[q] - &cell.lo[q])))
            .expect("n0 ≥ 1");
        let (l, r) = split_cell(cell, k);
        let (bl, br) = (bounder.bound(&l), bounder.bound(&r));
        let pays = bl.max_ref(&br) * &Rational::ratio(100, 99) <= wb;
        let (il, ir) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::Leaf(l, bl));
        nodes.push(Node::Leaf(r, br));
        nodes[worst] = Node::Split(k as i64, il, ir);
        leaves += 1;
        if !pays {
            break;
        }
    }
    let upper = nodes
        .iter()
        .filter_map(|n| match n {
            Node::Leaf(_, b) => Some(b.clone()),
            _ => None,
        })
        .max()
        .expect("a leaf");
    let mut splits = Vec::new();
    preorder(&nodes, 0, &mut splits);
    (upper, splits, leaves as usize)
}

/// Decides `‖f_A − f_B‖_∞ ≤ ε` on the box (see the crate documentation).
pub fn near(a: &Network, b: &Network, opts: &NearOptions) -> Result<NearReport, NearError> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa != ab {
        return Err(NearError(format!(
            "near-equivalence needs equal architectures (A is {aa}, B is {ab})"
        )));
    }
    let bx = &opts.input_box;
    if bx.lo.len() != aa.n0 || bx.hi.len() != aa.n0 {
        return Err(NearError(format!(
            "the box has {} coordinates, the input dimension is {}",
            bx.lo.len(),
            aa.n0
        )));
    }
    if let Some(k) = (0..aa.n0).find(|&k| bx.lo[k] > bx.hi[k]) {
        return Err(NearError(format!("the box has lo > hi at coordinate {k}")));
    }
    if opts.tolerance.is_negative() {
        return Err(NearError("the tolerance is negative".into()));
    }
    let matching = align::find_alignment(a, b);
    let (matched, min_cosine, alignment) = match &matching {
        Some(m) => (
            true,
            [m.layer1.min_cosine, m.layer2.min_cosine],
            m.alignment(),
        ),
        None => (false, [f64::NAN, f64::NAN], identity_alignment(b)),
    };
    let mut alignment = alignment;
    let bstar = apply_alignment(b, &alignment)
        .map_err(|r| NearError(format!("internal error: alignment rejected: {r}")))?;
    // Hidden shifts (Theorem 5.7) where they bring a layer-1 bias of B* to A's.
    alignment.shifts = align::find_shifts(a, &bstar);
    let bstar = if alignment.shifts.is_empty() {
        bstar
    } else {
        apply_alignment(b, &alignment)
            .map_err(|r| NearError(format!("internal error: alignment rejected: {r}")))?
    };
    let (param_max, param_rel) = param_distance(a, &bstar);
    let exact = if param_max.is_zero() || opts.exact {
        let dopts = DecideOptions {
            max_nodes: opts.max_nodes,
            ..DecideOptions::default()
        };
        match fibers_decide::decide(a, b, &dopts) {
            Ok(r) => match r.outcome {
                Outcome::Equivalent { certificate } => {
                    ExactAnswer::Equivalent(Box::new(certificate))
                }
                Outcome::NotEquivalent { .. } => ExactAnswer::NotEquivalent,
                Outcome::Undecided => ExactAnswer::Undecided,
            },
            Err(e) => return Err(NearError(format!("{e:?}"))),
        }
    } else {
        ExactAnswer::Skipped
    };
    let witness = search::search(a, b, bx, opts.samples, 2, opts.seed);
    let bounder = bound::Bounder::new(a, &bstar);
    // Split only while no point already exceeds the tolerance.
    // Splitting pays in low input dimension only (a cell costs a whole bound).
    let max_cells = if witness.difference <= opts.tolerance && aa.n0 <= 16 {
        opts.max_cells.max(1)
    } else {
        1
    };
    let (upper, splits, cells) = if a.layers() == bstar.layers() {
        (Rational::zero(), vec![-1], 1)
    } else {
        let (u, s, c) = split_search(&bounder, bx, max_cells, None);
        // The claimed bound: a little above the producer's value, with 24 significant bits, so
        // that the checker's own computation (other roundings) stays below it.
        (round_up_short(&u), s, c)
    };
    let mut verdict = if matches!(exact, ExactAnswer::Equivalent(_)) {
        NearVerdict::Equivalent
    } else if upper <= opts.tolerance {
        NearVerdict::Within
    } else if witness.difference > opts.tolerance {
        NearVerdict::NotWithin
    } else {
        NearVerdict::Undecided
    };
    let claim = match verdict {
        NearVerdict::Within => Some(NearClaim::Within {
            alignment: alignment.clone(),
            splits: splits.clone(),
            precision: opts.precision,
            bound: upper.clone(),
        }),
        NearVerdict::NotWithin => Some(NearClaim::NotWithin {
            x: witness.x.clone(),
        }),
        _ => None,
    };
    let mut certificate = claim.map(|claim| NearCertificate {
        a_sha256: network_hash(a),
        b_sha256: network_hash(b),
        tolerance: opts.tolerance.clone(),
        input_box: bx.clone(),
        claim,
        producer: Some(PRODUCER.into()),
    });
    // Validate before emitting: the checker recomputes the bound with its own code and its own
    // roundings (in units of 2^-precision); if that lands above the claim, a finer precision is
    // tried. A certificate the checker rejects is never returned.
    if let Some(cert) = certificate.as_mut() {
        let mut ok = false;
        for extra in [0u32, 16, 48] {
            if let NearClaim::Within { precision, .. } = &mut cert.claim {
                *precision = opts.precision + extra;
            }
            if fibers_check::within::check_near(cert, a, b, false).is_ok() {
                ok = true;
                break;
            }
            if !matches!(cert.claim, NearClaim::Within { .. }) {
                break;
            }
        }
        if !ok {
            certificate = None;
            verdict = NearVerdict::Undecided;
        }
    }
    Ok(NearReport {
        verdict,
        tolerance: opts.tolerance.clone(),
        input_box: bx.clone(),
        matched,
        min_cosine,
        alignment,
        bstar,
        param_max,
        param_rel,
        exact,
        upper,
        splits,
        cells,
        witness,
        certificate,
    })
}
