//! `fibers demo`: certified verdicts on the bundled pairs of `fixtures/pairs/`.
//!
//! Every pair is decided, its certificate written to a temporary directory, read back from
//! disk and checked by the independent checker; the report says whether each verdict is the
//! one the pair was built to have.

use crate::commands::equiv::run_decide;
use crate::error::CliError;
use crate::output::outln;
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

/// The corpus of expected verdicts, in the order the demo shows the pairs.
const EXPECTED: &str = include_str!("../../../../fixtures/pairs/expected.json");

/// One bundled pair: name, what it is, the expected verdict, and the two network files.
struct Pair {
    name: String,
    what: String,
    expect: Verdict,
    a: &'static str,
    b: &'static str,
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        /// The two network files of a bundled pair.
        fn files(name: &str) -> Option<(&'static str, &'static str)> {
            match name {
                $($name => Some((
                    include_str!(concat!("../../../../fixtures/pairs/", $name, "/a.json")),
                    include_str!(concat!("../../../../fixtures/pairs/", $name, "/b.json")),
                )),)*
                _ => None,
            }
        }
    };
}

bundled!(
    "permuted-scaled",
    "flip-compensated",
    "flip-uncompensated",
    "negative-scaling",
    "hidden-shift-at-tmin",
    "hidden-shift-below-tmin",
    "relay",
    "wide-permuted-dead",
    "wide-perturbed",
);

/// The pairs of `fixtures/pairs/expected.json` (bundled into the binary).
fn pairs() -> Result<Vec<Pair>, CliError> {
    let bad =
        |m: String| CliError::Failed(format!("internal error: fixtures/pairs/expected.json: {m}"));
    let v: serde_json::Value = serde_json::from_str(EXPECTED).map_err(|e| bad(e.to_string()))?;
    let list = v["pairs"]
        .as_array()
        .ok_or_else(|| bad("no pairs".into()))?;
    list.iter()
        .map(|p| {
            let field = |k: &str| {
                p[k].as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(format!("a pair without \"{k}\"")))
            };
            let name = field("name")?;
            let (a, b) = files(&name).ok_or_else(|| bad(format!("{name} is not bundled")))?;
            let expect = match field("verdict")?.as_str() {
                "equivalent" => Verdict::Equivalent,
                "not-equivalent" => Verdict::NotEquivalent,
                v => return Err(bad(format!("{name}: unknown verdict {v}"))),
            };
            Ok(Pair {
                what: field("what")?,
                name,
                expect,
                a,
                b,
            })
        })
        .collect()
}

/// Runs `fibers demo`.
pub fn run(args: &DemoArgs) -> Result<(), CliError> {
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("fibers-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", dir.display())))?;
    outln!("fibers demo: exact, certified equivalence decisions on bundled pairs")?;
    outln!(
        "(certificates in {}, each re-read and checked by the independent checker)\n",
        dir.display()
    )?;
    outln!(
        "{:<24} {:<28} {:<15} {:<42} checked",
        "pair",
        "architectures",
        "verdict",
        "evidence"
    )?;
    let mut failures = 0;
    for p in pairs()? {
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
                } else if report.method == "regions" {
                    format!("regions: {} nodes, {} cells", s.nodes, s.leaves)
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
        outln!(
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
        )?;
        outln!("{:<24} {}", "", p.what)?;
    }
    outln!()?;
    if failures > 0 {
        return Err(CliError::Failed(format!(
            "{failures} pair(s) did not get their expected, checked verdict"
        )));
    }
    outln!("all verdicts as expected; every certificate passed the checker.")?;
    outln!(
        "try: fibers equiv A B --cert OUT  then  fibers check OUT A B   (files in fixtures/pairs/)"
    )?;
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
