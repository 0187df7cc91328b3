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
pub mod render;
pub mod search;
pub mod testing;

use fibers_check::within::{
    apply_alignment, box_bound, Alignment, InputBox, LayerAlignment, NearCertificate, NearClaim,
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
    /// The largest number of grid cells used to tighten the upper bound.
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
            precision: 64,
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
    /// The grid of the upper bound.
    pub grid: Vec<u64>,
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

/// The grid with about `cells` cells, equal counts (powers of two) on every coordinate.
fn grid_with(n0: usize, level: u32) -> Vec<u64> {
    vec![1u64 << level; n0]
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
    let bstar = apply_alignment(b, &alignment)
        .map_err(|r| NearError(format!("internal error: alignment rejected: {r}")))?;
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
    let witness = search::search(a, b, bx, opts.samples, 4, opts.seed);
    let mut level = 0u32;
    let mut grid = grid_with(aa.n0, 0);
    let mut upper = box_bound(a, &bstar, bx, &grid, opts.precision);
    // Tighten on finer grids while it pays (at least 10% per level) and the cell budget allows,
    // unless a point already exceeds the tolerance.
    let tighten = witness.difference <= opts.tolerance;
    while tighten && level < 64 {
        let next = grid_with(aa.n0, level + 1);
        let cells = next
            .iter()
            .try_fold(1u64, |p, &g| p.checked_mul(g))
            .unwrap_or(u64::MAX);
        if cells > opts.max_cells {
            break;
        }
        level += 1;
        let u = box_bound(a, &bstar, bx, &next, opts.precision);
        let pays = &u * &Rational::ratio(10, 9) < upper;
        if u < upper {
            upper = u;
            grid = next;
        }
        if !pays {
            break;
        }
    }
    let verdict = if matches!(exact, ExactAnswer::Equivalent(_)) {
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
            grid: grid.clone(),
            precision: opts.precision,
            bound: upper.clone(),
        }),
        NearVerdict::NotWithin => Some(NearClaim::NotWithin {
            x: witness.x.clone(),
        }),
        _ => None,
    };
    let certificate = claim.map(|claim| NearCertificate {
        a_sha256: network_hash(a),
        b_sha256: network_hash(b),
        tolerance: opts.tolerance.clone(),
        input_box: bx.clone(),
        claim,
        producer: Some(PRODUCER.into()),
    });
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
        grid,
        witness,
        certificate,
    })
}
