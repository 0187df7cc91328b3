//! The checker: recomputes every claim of a certificate from the two networks.
//!
//! [`check`] handles the verdict, the witness and the chain of steps, and hands each step to
//! the module of its kind: [`crate::tree`] (branch trees), [`crate::bottleneck`] or
//! [`crate::normal_form`]. A new step
//! kind is one more variant of [`StepBody`] and one more arm in the `match` below.

use crate::network_hash;
use crate::types::{Certificate, Rejection, StepBody, Verdict};
use fibers_net::Network;

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

/// Options of [`check`].
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    /// Compare the content hashes in the certificate with the networks (a friendly early
    /// error; soundness does not depend on it). Tests turn it off to exercise the kernel.
    pub check_hashes: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { check_hashes: true }
    }
}

/// Checks that `cert` proves its verdict for exactly the networks `a` and `b`.
///
/// `Ok(verdict)` iff it does. The networks must have the same input and output widths (callers
/// report a mismatch as bad input before calling; here it is a rejection).
pub fn check(
    cert: &Certificate,
    a: &Network,
    b: &Network,
    opts: CheckOptions,
) -> Result<Verdict, Rejection> {
    let (aa, ab) = (a.arch(), b.arch());
    if aa.n0 != ab.n0 || aa.n3 != ab.n3 {
        return reject(format!(
            "networks A {aa} and B {ab} differ in input or output width"
        ));
    }
    if opts.check_hashes {
        for (name, info, net) in [("A", &cert.a, a), ("B", &cert.b, b)] {
            let h = network_hash(net);
            if info.sha256 != h {
                return reject(format!(
                    "the certificate was made for another network {name} (sha256 {} in the \
                     certificate, {h} for the file)",
                    short(&info.sha256)
                ));
            }
        }
    }
    match cert.verdict {
        Verdict::NotEquivalent => {
            if cert.proof.is_some() {
                return reject("a not-equivalent certificate carries a proof of equivalence");
            }
            let Some(w) = &cert.witness else {
                return reject("a not-equivalent certificate needs a witness");
            };
            if w.x.len() != aa.n0 {
                return reject(format!(
                    "witness.x has {} entries, the input dimension is {}",
                    w.x.len(),
                    aa.n0
                ));
            }
            let fa = a.eval(&w.x);
            let fb = b.eval(&w.x);
            if fa == fb {
                return reject("the witness does not separate the networks: f_A(x) = f_B(x)");
            }
            if w.output_a.as_ref().is_some_and(|o| *o != fa) {
                return reject("witness.output_a is not f_A(x)");
            }
            if w.output_b.as_ref().is_some_and(|o| *o != fb) {
                return reject("witness.output_b is not f_B(x)");
            }
            Ok(Verdict::NotEquivalent)
        }
        Verdict::Equivalent => {
            if cert.witness.is_some() {
                return reject("an equivalent certificate carries a witness");
            }
            let Some(proof) = &cert.proof else {
                return reject("an equivalent certificate needs a proof");
            };
            if proof.steps.is_empty() {
                return reject("the proof has no steps");
            }
            let last = proof.steps.len() - 1;
            let mut current = a;
            for (i, step) in proof.steps.iter().enumerate() {
                let target = match (&step.network, i == last) {
                    (None, true) => b,
                    (Some(n), false) => n,
                    (Some(_), true) => {
                        return reject(format!(
                            "proof.steps[{i}]: the last step must not carry a network (its \
                             target is B)"
                        ))
                    }
                    (None, false) => {
                        return reject(format!(
                            "proof.steps[{i}]: an intermediate step must carry its target network"
                        ))
                    }
                };
                let (ca, ta) = (current.arch(), target.arch());
                if ca.n0 != ta.n0 || ca.n3 != ta.n3 {
                    return reject(format!(
                        "proof.steps[{i}]: networks {ca} and {ta} differ in input or output width"
                    ));
                }
                match &step.body {
                    StepBody::BranchTree(t) => {
                        crate::tree::check_branch_tree(t, current, target)
                            .map_err(|r| Rejection(format!("proof.steps[{i}]: {}", r.0)))?
                    }
                    StepBody::Bottleneck(s) => crate::bottleneck::check_step(s, current, target)
                        .map_err(|r| Rejection(format!("proof.steps[{i}]: {}", r.0)))?,
                    StepBody::NormalForm(n) => {
                        crate::normal_form::check_step(n, current, target)
                            .map_err(|r| Rejection(format!("proof.steps[{i}]: {}", r.0)))?
                    }
                }
                current = target;
            }
            Ok(Verdict::Equivalent)
        }
    }
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}
