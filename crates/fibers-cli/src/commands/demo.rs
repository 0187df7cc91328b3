//! `fibers demo`: certified verdicts on the bundled pairs of `fixtures/pairs/`.
//!
//! Every pair is decided, its certificate written to a temporary directory, read back from
//! disk and checked by the independent checker; the report says whether each verdict is the
//! one the pair was built to have.

use crate::commands::equiv::run_decide;
use crate::error::CliError;
use clap::Args;
use fibers::check::{certificate_from_str, certificate_to_string, check, CheckOptions, Verdict};
use fibers::net::json::network_from_str;
use fibers::{DecideOptions, Outcome};
use std::path::PathBuf;
use std::time::Instant;

/// Show certified verdicts on bundled example pairs (certificates re-checked from disk).
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Keep the certificates in this directory instead of a temporary one.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// One bundled pair: name, what it is, the expected verdict, and the two network files.
struct Pair {
    name: &'static str,
    what: &'static str,
    expect: Verdict,
    a: &'static str,
    b: &'static str,
}

macro_rules! pair {
    ($name:literal, $what:literal, $expect:expr) => {
        Pair {
            name: $name,
            what: $what,
            expect: $expect,
            a: include_str!(concat!("../../../../fixtures/pairs/", $name, "/a.json")),
            b: include_str!(concat!("../../../../fixtures/pairs/", $name, "/b.json")),
        }
    };
}

fn pairs() -> Vec<Pair> {
    use Verdict::*;
    vec![
        pair!(
            "permuted-scaled",
            "neurons permuted and rescaled by positive factors (M1, M2)",
            Equivalent
        ),
        pair!(
            "flip-compensated",
            "a neuron flipped, its affine term supplied by two new linear neurons (M5)",
            Equivalent
        ),
        pair!(
            "flip-uncompensated",
            "near miss: the same flip without compensation",
            NotEquivalent
        ),
        pair!(
            "negative-scaling",
            "near miss: a layer-1 neuron scaled by -2",
            NotEquivalent
        ),
        pair!(
            "hidden-shift-at-tmin",
            "a hidden layer-1 neuron shifted to t_min (M7)",
            Equivalent
        ),
        pair!(
            "hidden-shift-below-tmin",
            "near miss: the shift 1/4 below t_min",
            NotEquivalent
        ),
        pair!(
            "relay",
            "n1 = 1: the kink handed from layer 1 to layer 2 (relay)",
            Equivalent
        ),
        pair!(
            "wide-permuted-dead",
            "wide (n1 > n0): permuted, rescaled, dead neuron changed (M1-M3)",
            Equivalent
        ),
        pair!(
            "wide-perturbed",
            "near miss: one weight of the previous pair off by 1/100",
            NotEquivalent
        ),
    ]
}

/// Runs `fibers demo`.
pub fn run(args: &DemoArgs) -> Result<(), CliError> {
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("fibers-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", dir.display())))?;
    println!("fibers demo: exact, certified equivalence decisions on bundled pairs");
    println!(
        "(certificates in {}, each re-read and checked by the independent checker)\n",
        dir.display()
    );
    println!(
        "{:<24} {:<28} {:<15} {:<42} checked",
        "pair", "architectures", "verdict", "evidence"
    );
    let mut failures = 0;
    for p in pairs() {
        let src_a = format!("fixtures/pairs/{}/a.json", p.name);
        let src_b = format!("fixtures/pairs/{}/b.json", p.name);
        let a = network_from_str(p.a, &src_a)?;
        let b = network_from_str(p.b, &src_b)?;
        let start = Instant::now();
        let report = run_decide(&a, &b, &DecideOptions::default())?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let s = &report.stats;
        let (cert, evidence) = match &report.outcome {
            Outcome::Equivalent { certificate } => (
                certificate,
                if report.method == "tree" {
                    format!("tree: {} nodes, {} leaves", s.nodes, s.leaves)
                } else {
                    format!("{}: {}", report.method, certificate_steps(certificate))
                },
            ),
            Outcome::NotEquivalent {
                witness,
                certificate,
            } => {
                let xs: Vec<String> = witness.iter().map(|r| r.to_string()).collect();
                (certificate, format!("witness x = ({})", xs.join(", ")))
            }
            Outcome::Undecided => {
                return Err(CliError::Failed(format!("{}: undecided", p.name)));
            }
        };
        let path = dir.join(format!("{}.cert.json", p.name));
        std::fs::write(&path, certificate_to_string(cert))
            .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))?;
        let reread = certificate_from_str(&text, &path.display().to_string())?;
        let checked = check(&reread, &a, &b, CheckOptions::default());
        let ok = checked == Ok(p.expect);
        if !ok {
            failures += 1;
        }
        let verdict = cert.verdict.as_str().replace('-', " ");
        println!(
            "{:<24} {:<28} {:<15} {:<42} {}",
            p.name,
            format!("{} vs {}", a.arch(), b.arch()),
            verdict,
            evidence,
            match (&checked, ok) {
                (Ok(_), true) => format!("ok ({ms:.0} ms)"),
                (Ok(_), false) => "UNEXPECTED VERDICT".to_string(),
                (Err(r), _) => format!("REJECTED: {r}"),
            }
        );
        println!("{:<24} {}", "", p.what);
    }
    println!();
    if failures > 0 {
        return Err(CliError::Failed(format!(
            "{failures} pair(s) did not get their expected, checked verdict"
        )));
    }
    println!("all verdicts as expected; every certificate passed the checker.");
    println!(
        "try: fibers equiv A B --cert OUT  then  fibers check OUT A B   (files in fixtures/pairs/)"
    );
    Ok(())
}

/// The step kinds of an equivalence certificate's chain, e.g. `relabel + canonical-data`.
fn certificate_steps(cert: &fibers::check::Certificate) -> String {
    let kinds: Vec<&str> = cert
        .proof
        .iter()
        .flat_map(|p| p.steps.iter().map(|s| s.body.kind()))
        .collect();
    kinds.join(" + ")
}
