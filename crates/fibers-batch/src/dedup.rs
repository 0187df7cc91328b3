//! `batch dedup`: functional equivalence classes, every membership backed by a checked
//! certificate.
//!
//! Lines are placed in input order. A generic network ([`fibers_bottleneck::canonicalize`]
//! succeeds) whose canonical hash is known joins that hash's class; the membership is then
//! verified by a certified decision against the class representative (in parallel, off the
//! ordered path). Anything else is compared by certified pairwise decisions with the candidate
//! representatives: the classes whose networks agree with it at a few small rational points
//! (the *fingerprint*; equivalent networks agree everywhere, so the other classes cannot
//! match). A generic network with a new hash can only match a class without generic members.
//!
//! Fingerprints cost [`FINGERPRINT_POINTS`] exact evaluations and are computed only when they
//! can be used: for non-generic networks, and for a class the first time a non-generic
//! network is compared (generic networks are told apart by their canonical hash alone).

use crate::lines::{network_line, self_check, with_id, Context, Outcome, Status};
use crate::stream::Placed;
use fibers_bottleneck::canonicalize;
use fibers_decide::{decide, DecideOptions, Outcome as Verdict};
use fibers_exact::Rational;
use fibers_net::Network;
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// How many points a fingerprint evaluates.
pub const FINGERPRINT_POINTS: usize = 4;

/// The exact outputs of a network at the fingerprint points, with its input and output widths.
/// Equivalent networks have equal fingerprints.
pub type Fingerprint = (usize, usize, Vec<Vec<Rational>>);

/// The fingerprint points for input width `n0`: the origin, then points with coordinates in
/// `{-2, …, 2}` (short rationals keep the exact evaluation cheap), the same for every network.
pub fn fingerprint_points(n0: usize) -> Vec<Vec<Rational>> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ n0 as u64;
    let mut pts = vec![vec![Rational::zero(); n0]];
    for _ in 1..FINGERPRINT_POINTS {
        pts.push(
            (0..n0)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    Rational::from((state % 5) as i64 - 2)
                })
                .collect(),
        );
    }
    pts
}

/// The fingerprint of a network.
pub fn fingerprint(net: &Network) -> Fingerprint {
    let a = net.arch();
    let outputs = fingerprint_points(a.n0)
        .iter()
        .map(|x| net.eval(x))
        .collect();
    (a.n0, a.n3, outputs)
}

/// One class: its representative (the first network of the class, in input order).
struct Class {
    line: usize,
    /// The representative's `"id"`, if its line had one.
    id: Option<Value>,
    net: Arc<Network>,
    /// Whether some member is generic (then its canonical hash maps here).
    has_generic: bool,
    /// Whether the class is in `by_print` yet.
    printed: bool,
}

impl Class {
    /// How the representative is named in output: its `"id"`, else its line number.
    fn name(&self) -> Value {
        self.id.clone().unwrap_or_else(|| json!(self.line))
    }
}

/// A line read, canonicalized, and (when not generic) fingerprinted, in parallel.
pub struct ReadyLine {
    net: Network,
    obj: Map<String, Value>,
    /// Canonical hash, or the failed genericity condition.
    canon: Result<String, String>,
    print: Option<Fingerprint>,
}

/// The classes found so far (memory grows with the number of classes).
pub struct Dedup {
    opts: DecideOptions,
    classes: Vec<Class>,
    by_hash: HashMap<String, usize>,
    /// The classes of each fingerprint, in class order (only classes with `printed`).
    by_print: HashMap<Fingerprint, Vec<usize>>,
    /// Whether some class has no generic member.
    any_nongeneric: bool,
}

/// The verdict of one certified pairwise decision.
enum Pairwise {
    Equivalent,
    Different,
    Undecided,
}

fn certified(
    n: usize,
    a: &Network,
    b: &Network,
    opts: &DecideOptions,
) -> Result<Pairwise, Outcome> {
    let (x, y) = (a.arch(), b.arch());
    if x.n0 != y.n0 || x.n3 != y.n3 {
        return Ok(Pairwise::Different);
    }
    let report = decide(a, b, opts).map_err(|e| Outcome::internal(n, e))?;
    match &report.outcome {
        Verdict::Equivalent { certificate } => {
            self_check(certificate, a, b).map_err(|e| Outcome::internal(n, e))?;
            Ok(Pairwise::Equivalent)
        }
        Verdict::NotEquivalent { certificate, .. } => {
            self_check(certificate, a, b).map_err(|e| Outcome::internal(n, e))?;
            Ok(Pairwise::Different)
        }
        Verdict::Undecided => Ok(Pairwise::Undecided),
    }
}

impl Dedup {
    /// No classes yet; pairwise decisions use `opts`.
    pub fn new(opts: DecideOptions) -> Self {
        Dedup {
            opts,
            classes: Vec::new(),
            by_hash: HashMap::new(),
            by_print: HashMap::new(),
            any_nongeneric: false,
        }
    }

    /// The parallel first phase of a line: read, canonicalize, fingerprint if not generic.
    pub fn prepare(n: usize, text: &str, cx: &Context) -> Result<ReadyLine, Outcome> {
        let (net, obj) = network_line(n, text, cx)?;
        let canon = canonicalize(&net)
            .map(|c| c.form.hash())
            .map_err(|e| e.to_string());
        let print = canon.is_err().then(|| fingerprint(&net));
        Ok(ReadyLine {
            net,
            obj,
            canon,
            print,
        })
    }

    /// Indexes the fingerprints of every class not indexed yet (in parallel).
    fn print_all(&mut self, pool: &rayon::ThreadPool) {
        let todo: Vec<usize> = (0..self.classes.len())
            .filter(|&c| !self.classes[c].printed)
            .collect();
        if todo.is_empty() {
            return;
        }
        let nets: Vec<Arc<Network>> = todo
            .iter()
            .map(|&c| Arc::clone(&self.classes[c].net))
            .collect();
        let prints: Vec<Fingerprint> =
            pool.install(|| nets.par_iter().map(|n| fingerprint(n)).collect());
        for (c, p) in todo.into_iter().zip(prints) {
            self.classes[c].printed = true;
            self.by_print.entry(p).or_default().push(c);
        }
        for v in self.by_print.values_mut() {
            v.sort_unstable();
        }
    }

    /// Places one line (in input order): a known canonical hash gives a verification job; any
    /// other line is compared with the candidate representatives, in class order.
    pub fn place(&mut self, n: usize, line: ReadyLine, pool: &rayon::ThreadPool) -> Placed {
        let ReadyLine {
            net,
            obj,
            canon,
            print,
        } = line;
        if let Ok(h) = &canon {
            if let Some(&class) = self.by_hash.get(h) {
                return self.verify_job(n, class, net, obj, h.clone());
            }
        }
        let generic = canon.is_ok();
        // Candidates: classes with the same fingerprint (a generic network with a new form
        // can only match a class without generic members).
        let print = if generic && !self.any_nongeneric {
            None
        } else {
            if !generic {
                self.print_all(pool);
            }
            Some(print.unwrap_or_else(|| fingerprint(&net)))
        };
        let candidates: Vec<usize> = print
            .as_ref()
            .and_then(|p| self.by_print.get(p))
            .map(|cs| {
                cs.iter()
                    .copied()
                    .filter(|&c| !(generic && self.classes[c].has_generic))
                    .collect()
            })
            .unwrap_or_default();
        // Decide against the candidates in parallel; once some candidate is equivalent, the
        // later ones are skipped (the first equivalent class in class order wins).
        let first_match = AtomicUsize::new(usize::MAX);
        let classes = &self.classes;
        let opts = &self.opts;
        let results: Vec<Option<Result<Pairwise, Outcome>>> = pool.install(|| {
            candidates
                .par_iter()
                .enumerate()
                .map(|(i, &c)| {
                    if i > first_match.load(Ordering::Relaxed) {
                        return None;
                    }
                    let r = crate::lines::guarded(n, || certified(n, &net, &classes[c].net, opts));
                    if matches!(r, Ok(Pairwise::Equivalent)) {
                        first_match.fetch_min(i, Ordering::Relaxed);
                    }
                    Some(r)
                })
                .collect()
        });
        let mut undecided = Vec::new();
        let mut joined = None;
        let mut decided = 0usize;
        for (&c, r) in candidates.iter().zip(results) {
            let Some(r) = r else { break };
            decided += 1;
            match r {
                Err(o) => return Placed::Done(o),
                Ok(Pairwise::Equivalent) => {
                    joined = Some(c);
                    break;
                }
                Ok(Pairwise::Undecided) => undecided.push(self.classes[c].name()),
                Ok(Pairwise::Different) => {}
            }
        }
        let mut out = json!({
            "generic": generic,
            "sha256": canon.as_ref().ok(),
        });
        if let Err(why) = &canon {
            out["fallback"] = json!(format!(
                "not generic ({why}): certified pairwise decisions against the {} class \
                 representatives that agree with it at the {FINGERPRINT_POINTS} fingerprint \
                 points ({decided} decided)",
                candidates.len()
            ));
        }
        out["compared"] = json!(decided);
        let (class, tag, status) = match joined {
            Some(c) => {
                out["by"] = json!("pairwise");
                out["certificate"] = json!("checked");
                (c, "member", Status::Ok)
            }
            None => {
                let c = self.classes.len();
                self.classes.push(Class {
                    line: n,
                    id: obj.get("id").cloned(),
                    net: Arc::new(net),
                    has_generic: false,
                    printed: print.is_some(),
                });
                if let Some(p) = print {
                    self.by_print.entry(p).or_default().push(c);
                }
                if undecided.is_empty() {
                    (c, "new-class", Status::Ok)
                } else {
                    out["undecided_against"] = json!(undecided);
                    (c, "new-class", Status::Undecided)
                }
            }
        };
        match canon {
            Ok(h) => {
                self.classes[class].has_generic = true;
                self.by_hash.insert(h, class);
            }
            Err(_) => {
                if !self.classes[class].has_generic {
                    self.any_nongeneric = true;
                }
            }
        }
        let rep = &self.classes[class];
        out["class"] = json!(class);
        out["representative"] = rep.name();
        out["representative_line"] = json!(rep.line);
        out["new_class"] = json!(rep.line == n);
        // The class first, for readability.
        let mut ordered = Map::new();
        for k in [
            "class",
            "representative",
            "representative_line",
            "new_class",
        ] {
            ordered.insert(k.to_string(), out[k].take());
        }
        if let Value::Object(rest) = out {
            for (k, v) in rest {
                if !ordered.contains_key(&k) {
                    ordered.insert(k, v);
                }
            }
        }
        Placed::Done(Outcome {
            json: with_id(Value::Object(ordered), &obj),
            status,
            tag,
        })
    }

    /// The job verifying that `net` (same canonical hash as `class`) is equivalent to the
    /// class representative, with a checked certificate.
    fn verify_job(
        &self,
        n: usize,
        class: usize,
        net: Network,
        obj: Map<String, Value>,
        hash: String,
    ) -> Placed {
        let rep = &self.classes[class];
        let (rep_net, rep_name, rep_line) = (Arc::clone(&rep.net), rep.name(), rep.line);
        let opts = self.opts.clone();
        Placed::Later(Box::new(move || {
            let head = |certificate: &str| {
                with_id(
                    json!({
                        "class": class,
                        "representative": rep_name,
                        "representative_line": rep_line,
                        "new_class": false,
                        "generic": true,
                        "sha256": hash,
                        "by": "canonical-form",
                        "certificate": certificate,
                    }),
                    &obj,
                )
            };
            match certified(n, &net, &rep_net, &opts) {
                Err(o) => o,
                Ok(Pairwise::Equivalent) => Outcome::ok(head("checked"), "member"),
                Ok(Pairwise::Different) => Outcome::internal(
                    n,
                    format!(
                        "same canonical form as line {rep_line} but the certified decision \
                         says not equivalent"
                    ),
                ),
                Ok(Pairwise::Undecided) => Outcome {
                    json: head("undecided (--max-nodes)"),
                    status: Status::Undecided,
                    tag: "member",
                },
            }
        }))
    }
}
