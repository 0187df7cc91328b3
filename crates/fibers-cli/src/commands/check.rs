//! `fibers check CERT A B`: the independent certificate checker.

use crate::commands::equiv::load_pair;
use crate::error::CliError;
use crate::output::outln;
use clap::Args;
use fibers_check::{certificate_from_str, check, Certificate, CheckOptions, Verdict};
use std::path::{Path, PathBuf};

/// Check that a certificate proves its verdict for exactly the networks in A and B.
///
/// Exit status 0 if it does, 1 if it does not, 2 on unreadable or malformed input.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Certificate file (JSON, as written by `fibers equiv --cert`).
    pub cert: PathBuf,
    /// First network file.
    pub a: PathBuf,
    /// Second network file.
    pub b: PathBuf,
    /// Do not compare the content hashes in the certificate with the networks (the proof is
    /// checked against the files either way; the hashes only give an early, friendly error).
    #[arg(long)]
    pub ignore_hashes: bool,
    /// Print one JSON object instead of plain text.
    #[arg(long)]
    pub json: bool,
    /// Print what the checker parsed (the certificate rewritten from its parsed form, with
    /// every number in lowest terms), then check it. Compare with the file to see what is
    /// being checked.
    #[arg(long)]
    pub dump: bool,
}

/// Reads a certificate file; errors name the file and the place.
pub fn read_certificate(path: &Path) -> Result<Certificate, CliError> {
    let source = path.display().to_string();
    let text = fibers_net::json::read_text(path)?;
    Ok(certificate_from_str(&text, &source)?)
}

/// Runs `fibers check`.
pub fn run(args: &CheckArgs) -> Result<(), CliError> {
    if let Some(v) = crate::commands::near::read_near_certificate(&args.cert)? {
        return crate::commands::near::run_check(args, &v);
    }
    let cert = read_certificate(&args.cert)?;
    if args.dump {
        print!("{}", fibers_check::certificate_to_string(&cert));
    }
    let (a, b) = load_pair(&args.a, &args.b)?;
    let opts = CheckOptions {
        check_hashes: !args.ignore_hashes,
    };
    match check(&cert, &a, &b, opts) {
        Ok(v) => {
            let claim = match v {
                Verdict::Equivalent => "equivalent",
                Verdict::NotEquivalent => "not equivalent",
            };
            if args.json {
                outln!(
                    "{}",
                    serde_json::json!({"valid": true, "verdict": v.as_str()})
                )?;
            } else {
                outln!(
                    "ok: {} proves that {} and {} are {claim}",
                    args.cert.display(),
                    args.a.display(),
                    args.b.display()
                )?;
            }
            Ok(())
        }
        Err(r) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::json!({"valid": false, "verdict": cert.verdict.as_str(), "reason": r.0})
                )?;
            }
            Err(CliError::Failed(format!(
                "{}: rejected: {r}",
                args.cert.display()
            )))
        }
    }
}
