//! Every decision method on every pair of the corpus `fixtures/pairs/` (expected verdicts in
//! `fixtures/pairs/expected.json`), as the regex crate runs every engine on one test corpus:
//! the verdict must be the expected one and `fibers_check` must accept the certificate.
//!
//! A method that gives up leaves the pair undecided; only `fast` may, and only on pairs
//! marked `"fast_path": false`, and `symmetry` on any pair. A new method is added to [`METHODS`] (via `Method::ALL`).

use fibers::check::{check, CheckOptions, Verdict};
use fibers::net::json::read_network;
use fibers::{decide, DecideOptions, Method, Outcome, Procedure};
use serde::Deserialize;
use std::path::PathBuf;

/// The methods run on the corpus.
const METHODS: [Method; Method::ALL.len()] = Method::ALL;

#[derive(Deserialize)]
struct Corpus {
    pairs: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    verdict: String,
    fast_path: bool,
}

fn pairs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pairs")
}

fn corpus() -> Corpus {
    let text = std::fs::read_to_string(pairs_dir().join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is a corpus")
}

#[test]
fn every_pair_directory_has_an_expected_verdict() {
    let c = corpus();
    let mut dirs: Vec<String> = std::fs::read_dir(pairs_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = c.pairs.iter().map(|p| p.name.clone()).collect();
    listed.sort();
    assert_eq!(dirs, listed);
}

#[test]
fn every_method_gives_the_expected_checked_verdict_on_every_pair() {
    let mut decided = 0;
    for p in corpus().pairs {
        let dir = pairs_dir().join(&p.name);
        let a = read_network(&dir.join("a.json")).expect("a.json");
        let b = read_network(&dir.join("b.json")).expect("b.json");
        let want = match p.verdict.as_str() {
            "equivalent" => Verdict::Equivalent,
            "not-equivalent" => Verdict::NotEquivalent,
            v => panic!("{}: unknown verdict {v}", p.name),
        };
        for method in METHODS {
            let opts = DecideOptions {
                method,
                ..DecideOptions::default()
            };
            let d = decide(&a, &b, &opts).expect("same widths");
            let what = format!("{} by {}", p.name, method.name());
            // The symmetry normal forms give up off the orbit of hidden permutations and
            // positive scalings (any pair); when they answer, the checks below apply.
            if method == Method::Symmetry && matches!(d.outcome, Outcome::Undecided) {
                assert!(d.fallback.is_some(), "{what}: no reason");
                continue;
            }
            if method == Method::Fast && !p.fast_path {
                assert!(
                    matches!(d.outcome, Outcome::Undecided) && d.fallback.is_some(),
                    "{what}: the fast path was expected to give up (update fast_path?)"
                );
                continue;
            }
            let cert = d
                .certificate()
                .unwrap_or_else(|| panic!("{what}: undecided"));
            assert_eq!(d.verdict(), p.verdict, "{what}");
            assert_eq!(
                check(cert, &a, &b, CheckOptions::default()),
                Ok(want),
                "{what}: certificate"
            );
            if method == Method::Auto && d.procedure == Some(Procedure::Probe) {
                // Refuted at a probe point before any other procedure ran.
                assert_eq!(d.verdict(), "not-equivalent", "{what}: probe verdict");
                assert!(d.fallback.is_none(), "{what}: fallback");
            } else if method == Method::Auto && d.procedure == Some(Procedure::Symmetry) {
                // Decided by the symmetry normal forms before the fast path ran.
                assert!(d.fallback.is_none(), "{what}: fallback");
            } else if method == Method::Auto {
                let by_fast = d.procedure == Some(Procedure::Fast);
                assert_eq!(by_fast, p.fast_path, "{what}: decided by {}", d.method);
                assert_eq!(d.fallback.is_some(), !p.fast_path, "{what}: fallback");
                // Off the fast path the regions decide (no budget here, so the tree never runs).
                if !p.fast_path {
                    assert_eq!(d.procedure, Some(Procedure::Regions), "{what}: procedure");
                }
            }
            decided += 1;
        }
    }
    assert!(decided >= 20, "only {decided} decisions");
}
