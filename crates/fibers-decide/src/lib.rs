//! The one equivalence decision of fibers: [`decide`] settles `f_A = f_B` on all of
//! `R^{n0}` exactly and returns a [`Decision`] whose certificate `fibers_check` re-verifies
//! from the two networks alone.
//!
//! A [`Method`] names a chain of [`Procedure`]s. Each procedure either decides (a verdict with
//! its certificate) or gives up with a reason, and the next one runs; the last procedure of
//! every chain is complete unless a node budget stops it (then the decision is
//! [`Outcome::Undecided`]). [`Method::Auto`] first compares the normal forms of the two
//! networks under hidden permutations and positive scalings ([`symmetry`], docs/theory.md §5;
//! then the more general [`normal_form`], docs/theory.md §11),
//! then runs the bottleneck fast path (docs/theory.md §7), falls back to the region-wise
//! decision (docs/theory.md §11), and runs the branch tree (docs/theory.md §2) only when the
//! regions stop on the node budget; a further procedure slots
//! in by adding a [`Procedure`] variant, its arm in [`Procedure::run`], and its place in
//! [`Method::procedures`].

pub mod normal_form;
pub mod symmetry;

use fibers_check::Certificate;
use fibers_exact::Rational;
use fibers_net::json::vector_to_value;
use fibers_net::Network;
pub use fibers_tree::{probe_points, DecideError, Outcome, Stats, TreeOptions};

/// How many seeded random points [`Procedure::Probe`] evaluates after the origin and `±e_i`.
pub const AUTO_PROBES: usize = 2;

/// The work budget of [`Procedure::Probe`] in multiply-adds (about a millisecond): it evaluates
/// at most `AUTO_PROBE_WORK / (2·(parameters of A + B))` points, and at least 3.
pub const AUTO_PROBE_WORK: usize = 1 << 22;

/// The name and version written into the certificates of the probe procedure.
pub const PRODUCER: &str = concat!("fibers-decide probe ", env!("CARGO_PKG_VERSION"));
use serde_json::{json, Value};

/// Which procedures [`decide`] runs, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// The symmetry normal forms first, then the fast path, the region-wise decision when it
    /// cannot finish, the branch tree when the regions stop on the node budget.
    #[default]
    Auto,
    /// Only the bottleneck fast path (undecided when it gives up).
    Fast,
    /// Only the branch tree.
    Tree,
    /// Only the region-wise decision (undecided when the node budget runs out).
    Regions,
    /// Only the symmetry normal forms (undecided unless B is A up to hidden permutations,
    /// positive scalings, splits, dead neurons and changes of the always-active block).
    Symmetry,
}

impl Method {
    /// The chain of procedures this method tries, in order.
    pub fn procedures(self) -> &'static [Procedure] {
        match self {
            Method::Auto => &[
                Procedure::Probe,
                Procedure::Symmetry,
                Procedure::Fast,
                Procedure::Regions,
                Procedure::Tree,
            ],
            Method::Fast => &[Procedure::Fast],
            Method::Tree => &[Procedure::Tree],
            Method::Regions => &[Procedure::Regions],
            Method::Symmetry => &[Procedure::Symmetry],
        }
    }

    /// Every method, for tests that run each on one corpus.
    pub const ALL: [Method; 5] = [
        Method::Auto,
        Method::Fast,
        Method::Tree,
        Method::Regions,
        Method::Symmetry,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Fast => "fast",
            Method::Tree => "tree",
            Method::Regions => "regions",
            Method::Symmetry => "symmetry",
        }
    }
}

/// One decision procedure of a [`Method`]'s chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Procedure {
    /// Exact evaluation of both networks at the origin, `±e_i` and [`AUTO_PROBES`] seeded points,
    /// at most [`AUTO_PROBE_WORK`] multiply-adds (`fibers_tree::probe_first`, in machine integers
    /// only: it gives up when the networks or values do not fit): a point where they differ is a
    /// `not-equivalent` certificate; otherwise it gives up quietly (its reason is not reported).
    /// First in `auto`, so near misses are refuted in microseconds before any normal form is
    /// built.
    Probe,
    /// The polynomial bottleneck fast path: canonical forms and a chain of checkable moves, or
    /// a witness (`fibers_bottleneck::certified`); gives up off its stratum.
    Fast,
    /// The exact branch tree over neuron phases (`fibers_tree`); complete up to the node budget.
    Tree,
    /// The region-wise decision (`fibers_regions`, docs/theory.md §11): the cells of the joint
    /// layer-1 arrangement, each closed by comparing the canonical data of the two restricted
    /// networks; complete up to the node budget, and gives up (for the next procedure) only
    /// when the budget runs out in a chain where another procedure follows.
    Regions,
    /// The symmetry normal forms ([`symmetry`]): equal normal forms under hidden permutations
    /// and positive scalings give one `relabel` step; failing that (e.g. when neurons are dead,
    /// removable or split into positive multiples), equal symmetry normal forms
    /// ([`normal_form`], docs/theory.md §11) give one `normal-form` step; otherwise it
    /// gives up (never `not-equivalent`). Its reason for giving up is reported only when no
    /// procedure decides.
    Symmetry,
}

impl Procedure {
    /// The procedure's name in reports: `"symmetry"`, `"fast"`, `"regions"` or `"tree"`.
    pub fn name(self) -> &'static str {
        match self {
            Procedure::Probe => "probe",
            Procedure::Symmetry => "symmetry",
            Procedure::Fast => "fast",
            Procedure::Regions => "regions",
            Procedure::Tree => "tree",
        }
    }
}

/// What one procedure did.
enum Step {
    /// A verdict (or, for a complete procedure, the budget ran out).
    Decided(Box<Decision>),
    /// The procedure cannot decide this pair; the reason.
    GaveUp(String),
}

impl Procedure {
    fn run(
        self,
        a: &Network,
        b: &Network,
        opts: &DecideOptions,
        progress: &mut dyn FnMut(&Stats),
    ) -> Result<Step, DecideError> {
        match self {
            Procedure::Probe => {
                // The origin, ±e_i and the first AUTO_PROBES seeded points, within a budget of
                // multiply-adds and in machine integers only: cheap on equivalent pairs (every
                // point is evaluated); the regions and the tree evaluate all of `opts.probes`
                // (in rationals where needed) before their search.
                let mut t = opts.tree();
                t.probes = t.probes.min(AUTO_PROBES);
                let per_point = 2 * (a.arch().param_count() + b.arch().param_count()).max(1);
                let points = (AUTO_PROBE_WORK / per_point).max(3);
                let r = fibers_tree::probe_first(a, b, &t, points, false);
                let stats = Stats {
                    probes: r.points,
                    ..Stats::default()
                };
                Ok(match r.witness {
                    Some(w) => {
                        let info = fibers_tree::pair_info(a, b)?;
                        let witness = w.x.clone();
                        let certificate = fibers_tree::probe_certificate(&info, w, PRODUCER);
                        Step::Decided(Box::new(Decision {
                            outcome: Outcome::NotEquivalent {
                                certificate,
                                witness,
                            },
                            method: "probe",
                            procedure: Some(self),
                            fallback: None,
                            found_by: Some("probe"),
                            stats,
                        }))
                    }
                    None => Step::GaveUp(format!(
                        "probe: no difference at {} seeded points",
                        r.points
                    )),
                })
            }
            // Relabelling first, then the symmetry normal form (docs/theory.md
            // §11, Proposition 11.8), which also covers splits, dead neurons and changes of the
            // always-active block; the relabelling's reason is kept when both give up.
            Procedure::Symmetry => Ok(
                match symmetry::run(a, b).or_else(|why| normal_form::run(a, b).map_err(|_| why)) {
                    Ok(certificate) => Step::Decided(Box::new(Decision {
                        outcome: Outcome::Equivalent { certificate },
                        method: "symmetry",
                        procedure: Some(self),
                        fallback: None,
                        found_by: None,
                        stats: Stats::default(),
                    })),
                    Err(reason) => Step::GaveUp(reason),
                },
            ),
            Procedure::Fast => Ok(match fibers_bottleneck::certified::fast(a, b) {
                Ok((outcome, method)) => Step::Decided(Box::new(Decision {
                    outcome,
                    method,
                    procedure: Some(self),
                    fallback: None,
                    found_by: None,
                    stats: Stats::default(),
                })),
                Err(reason) => Step::GaveUp(reason),
            }),
            Procedure::Regions => {
                let r = fibers_regions::run(a, b, &opts.tree(), progress)?;
                Ok(Step::Decided(Box::new(Decision {
                    outcome: r.outcome,
                    method: "regions",
                    procedure: Some(self),
                    fallback: None,
                    found_by: r.found_by,
                    stats: r.stats,
                })))
            }
            Procedure::Tree => {
                let r = fibers_tree::run(a, b, &opts.tree(), progress)?;
                Ok(Step::Decided(Box::new(Decision {
                    outcome: r.outcome,
                    method: "tree",
                    procedure: Some(self),
                    fallback: None,
                    found_by: r.found_by,
                    stats: r.stats,
                })))
            }
        }
    }
}

/// Options of [`decide`].
#[derive(Clone, Debug)]
pub struct DecideOptions {
    /// The procedures to run.
    pub method: Method,
    /// Stop the branch tree (undecided) after creating this many nodes.
    pub max_nodes: Option<u64>,
    /// How many seeded random points the branch tree evaluates before its search.
    pub probes: usize,
    /// Seed of those points.
    pub seed: u64,
}

impl Default for DecideOptions {
    fn default() -> Self {
        let t = TreeOptions::default();
        DecideOptions {
            method: Method::Auto,
            max_nodes: t.max_nodes,
            probes: t.probes,
            seed: t.seed,
        }
    }
}

impl DecideOptions {
    /// The options of the branch tree.
    pub fn tree(&self) -> TreeOptions {
        TreeOptions {
            max_nodes: self.max_nodes,
            probes: self.probes,
            seed: self.seed,
        }
    }
}

/// The result of [`decide`]: the verdict with its certificate, which procedure decided, why
/// earlier procedures gave up, and the search counters.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The verdict and its certificate.
    pub outcome: Outcome,
    /// The path that decided: `"symmetry"`, `"bottleneck"`, `"one-dimensional"`,
    /// `"constant"`, `"probe"` (fast path), `"regions"` or `"tree"`; the last procedure tried
    /// when undecided.
    pub method: &'static str,
    /// The procedure that produced the outcome (`None` when every procedure gave up).
    pub procedure: Option<Procedure>,
    /// Why the procedures before the deciding one gave up (joined by `"; "`; the symmetry
    /// pre-check's reason is left out); when every one gave up, why.
    pub fallback: Option<String>,
    /// Where the branch tree's (or the regions') witness came from (`"probe"`: its initial
    /// points; `"search"`).
    pub found_by: Option<&'static str>,
    /// Search counters of the tree or the regions (all zero when neither decided).
    pub stats: Stats,
}

impl Decision {
    /// `"equivalent"`, `"not-equivalent"` or `"undecided"`.
    pub fn verdict(&self) -> &'static str {
        match &self.outcome {
            Outcome::Equivalent { .. } => "equivalent",
            Outcome::NotEquivalent { .. } => "not-equivalent",
            Outcome::Undecided => "undecided",
        }
    }

    /// The certificate (`None` when undecided).
    pub fn certificate(&self) -> Option<&Certificate> {
        match &self.outcome {
            Outcome::Equivalent { certificate } | Outcome::NotEquivalent { certificate, .. } => {
                Some(certificate)
            }
            Outcome::Undecided => None,
        }
    }

    /// The witness input of a `not-equivalent` verdict.
    pub fn witness(&self) -> Option<&[Rational]> {
        match &self.outcome {
            Outcome::NotEquivalent { witness, .. } => Some(witness),
            _ => None,
        }
    }

    /// `f_A(x)` and `f_B(x)` at the witness `x`: from the certificate when it carries them (the
    /// checker compares them with exact evaluations), else evaluated.
    pub fn witness_outputs(
        &self,
        a: &Network,
        b: &Network,
    ) -> Option<(Vec<Rational>, Vec<Rational>)> {
        let x = self.witness()?;
        Some(match self.certificate().and_then(|c| c.witness.as_ref()) {
            Some(w) if w.x == x => match (&w.output_a, &w.output_b) {
                (Some(fa), Some(fb)) => (fa.clone(), fb.clone()),
                _ => (a.eval(x), b.eval(x)),
            },
            _ => (a.eval(x), b.eval(x)),
        })
    }

    /// The JSON report of `fibers equiv --json` and of each `fibers batch equiv` line:
    /// verdict, method, the fallback reason, the tree's counters (only when the tree decided),
    /// and a witness with both outputs, their difference and where it was found.
    pub fn to_json(&self, a: &Network, b: &Network) -> Value {
        let s = &self.stats;
        let mut obj = json!({
            "verdict": self.verdict(),
            "method": self.method,
        });
        if let Some(f) = &self.fallback {
            obj["fallback"] = json!(f);
        }
        // The search counters only when the tree or the regions decided (a fast verdict ran no
        // search).
        if matches!(self.procedure, Some(Procedure::Tree | Procedure::Regions)) {
            obj["nodes"] = json!(s.nodes);
            obj["leaves"] = json!(s.leaves);
            obj["splits"] = json!(s.splits);
            obj["fixes"] = json!(s.cheap_fixes + s.lp_fixes);
            obj["lps"] = json!(s.lps);
            obj["probes"] = json!(s.probes);
        }
        if let (Some(x), Some((fa, fb))) = (self.witness(), self.witness_outputs(a, b)) {
            let diff: Vec<Rational> = fa.iter().zip(&fb).map(|(p, q)| p - q).collect();
            obj["witness"] = vector_to_value(x);
            obj["output_a"] = vector_to_value(&fa);
            obj["output_b"] = vector_to_value(&fb);
            obj["difference"] = vector_to_value(&diff);
            obj["found_by"] = json!(self.found_by.unwrap_or(self.method));
        }
        obj
    }
}

/// Decides `f_A = f_B` on all of `R^{n0}` exactly, with a certificate (see the
/// [crate docs](crate)).
pub fn decide(a: &Network, b: &Network, options: &DecideOptions) -> Result<Decision, DecideError> {
    decide_with_progress(a, b, options, &mut |_| {})
}

/// [`decide`], calling `progress` now and then with the branch tree's counters (for a
/// progress bar).
pub fn decide_with_progress(
    a: &Network,
    b: &Network,
    options: &DecideOptions,
    progress: &mut dyn FnMut(&Stats),
) -> Result<Decision, DecideError> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return Err(DecideError::ArchitectureMismatch(format!(
            "architectures {aa} and {ab} differ in input or output width (n0, n3 must agree)"
        )));
    }
    let mut reasons: Vec<String> = Vec::new();
    // Reasons of the symmetry pre-check: reported only when no procedure decides.
    let mut quiet: Vec<String> = Vec::new();
    let joined = |r: &[String]| (!r.is_empty()).then(|| r.join("; "));
    let chain = options.method.procedures();
    for (i, p) in chain.iter().enumerate() {
        match p.run(a, b, options, progress)? {
            // A budget stop is final only for the last procedure of the chain; otherwise the
            // next one gets its turn (auto: the regions' budget ran out, the tree runs).
            Step::Decided(d) if matches!(d.outcome, Outcome::Undecided) && i + 1 < chain.len() => {
                reasons.push(if d.stats.out_of_memory {
                    format!(
                        "{}: memory limit reached ({} bytes; raise it with --max-memory)",
                        p.name(),
                        fibers_tree::max_memory()
                    )
                } else {
                    format!(
                        "{}: node budget exhausted ({} nodes)",
                        p.name(),
                        d.stats.nodes
                    )
                });
            }
            Step::Decided(mut d) => {
                d.fallback = joined(&reasons);
                return Ok(*d);
            }
            Step::GaveUp(r) if matches!(p, Procedure::Symmetry | Procedure::Probe) => quiet.push(r),
            Step::GaveUp(r) => reasons.push(r),
        }
    }
    quiet.append(&mut reasons);
    let reasons = quiet;
    Ok(Decision {
        outcome: Outcome::Undecided,
        method: chain.last().map_or("fast", |p| p.name()),
        procedure: None,
        fallback: joined(&reasons),
        found_by: None,
        stats: Stats::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fibers_net::json::network_from_str;

    fn pair(name: &str) -> (Network, Network) {
        let dir = format!("{}/../../fixtures/pairs/{name}", env!("CARGO_MANIFEST_DIR"));
        let read = |f: &str| {
            let path = format!("{dir}/{f}");
            network_from_str(&std::fs::read_to_string(&path).expect("fixture"), &path)
                .expect("a network")
        };
        (read("a.json"), read("b.json"))
    }

    /// A wide equivalent pair out of the symmetry path's reach: a compensated flip (M5).
    fn flipped() -> (Network, Network) {
        let (a, _) = pair("wide-permuted-dead");
        let b = fibers_testkit::moves::flip_compensated(&a, 0);
        (a, b)
    }

    #[test]
    fn auto_runs_the_symmetry_path_first() {
        // A dead neuron changed and both layers permuted: no relabelling, one normal-form step.
        let (a, b) = pair("wide-permuted-dead");
        let d = decide(&a, &b, &DecideOptions::default()).unwrap();
        assert_eq!(d.verdict(), "equivalent");
        assert_eq!(d.procedure, Some(Procedure::Symmetry));
        assert!(d.fallback.is_none());
        let cert = d.certificate().expect("a certificate");
        let steps = &cert.proof.as_ref().expect("a proof").steps;
        let kinds: Vec<&str> = steps.iter().map(|s| s.body.kind()).collect();
        assert_eq!(kinds, ["normal-form"]);
        let ok = fibers_check::check(cert, &a, &b, fibers_check::CheckOptions::default());
        assert_eq!(ok, Ok(fibers_check::Verdict::Equivalent));
    }

    #[test]
    fn auto_refutes_a_near_miss_at_a_probe_point_first() {
        let (a, b) = pair("wide-permuted-dead");
        // The output bias moved by 1/1000: the functions differ everywhere.
        let last = a.params().len() - 1;
        let c = fibers_testkit::moves::perturb(&a, last, &Rational::ratio(1, 1000));
        let d = decide(&a, &c, &DecideOptions::default()).unwrap();
        let x = d.witness().expect("a witness").to_vec();
        assert_eq!((d.verdict(), d.method), ("not-equivalent", "probe"));
        assert_eq!(d.procedure, Some(Procedure::Probe));
        assert!(d.fallback.is_none() && d.stats.probes >= 1);
        assert_ne!(a.eval(&x), c.eval(&x));
        let cert = d.certificate().expect("a certificate");
        let ok = fibers_check::check(cert, &a, &c, fibers_check::CheckOptions::default());
        assert_eq!(ok, Ok(fibers_check::Verdict::NotEquivalent));
        // On an equivalent pair the probe gives up quietly: no reason is reported.
        let d = decide(&a, &b, &DecideOptions::default()).unwrap();
        assert_eq!(d.procedure, Some(Procedure::Symmetry));
        assert!(d.fallback.is_none());
    }

    #[test]
    fn auto_runs_the_regions_off_the_fast_path() {
        let (a, b) = flipped();
        let d = decide(&a, &b, &DecideOptions::default()).unwrap();
        assert_eq!(d.verdict(), "equivalent");
        assert_eq!(d.procedure, Some(Procedure::Regions));
        assert_eq!(d.method, "regions");
        assert!(d.fallback.is_some());
    }

    #[test]
    fn the_tree_runs_only_when_the_regions_stop_on_the_budget() {
        let (a, b) = flipped();
        let opts = DecideOptions {
            max_nodes: Some(1),
            ..DecideOptions::default()
        };
        let d = decide(&a, &b, &opts).unwrap();
        let why = d.fallback.as_deref().unwrap_or("");
        assert!(why.contains("regions: node budget exhausted"), "{why}");
        assert_eq!(d.method, "tree");
        // Alone, the regions report the budget stop as undecided.
        let opts = DecideOptions {
            method: Method::Regions,
            ..opts
        };
        let d = decide(&a, &b, &opts).unwrap();
        assert!(matches!(d.outcome, Outcome::Undecided));
        assert_eq!(d.method, "regions");
    }
}
