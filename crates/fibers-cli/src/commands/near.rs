//! `fibers equiv A B --tol EPS [--box LO,HI | --box-data FILE]`: near-equivalence of float
//! checkpoints (docs/near.md). The work is in the `fibers-near` crate; this module parses the
//! box, prints the report and writes the certificate.

use crate::commands::equiv::{load_pair, self_check, EquivArgs};
use crate::error::CliError;
use crate::output::{out, outln};
use fibers_check::certificate_to_string;
use fibers_check::within::{check_near, near_to_value, InputBox};
use fibers_exact::Rational;
use fibers_near::{near, render, ExactAnswer, NearOptions, NearVerdict};
use fibers_net::json::{parse_json_text, parse_vector_text, vector_from_value};
use std::path::Path;

fn parse_tol(text: &str) -> Result<Rational, CliError> {
    let t: Rational = text
        .trim()
        .parse()
        .map_err(|e| CliError::BadInput(format!("--tol {text}: {e}")))?;
    if t.is_negative() {
        return Err(CliError::BadInput(format!(
            "--tol {text}: negative tolerance"
        )));
    }
    Ok(t)
}

/// Parses `--box`: `lo,hi` for every coordinate or one `lo,hi` pair per coordinate.
pub fn parse_box(text: &str, n0: usize) -> Result<InputBox, CliError> {
    let v = parse_vector_text(text, "--box")?;
    let (lo, hi): (Vec<Rational>, Vec<Rational>) = if v.len() == 2 {
        (vec![v[0].clone(); n0], vec![v[1].clone(); n0])
    } else if v.len() == 2 * n0 {
        (
            v.iter().step_by(2).cloned().collect(),
            v.iter().skip(1).step_by(2).cloned().collect(),
        )
    } else {
        return Err(CliError::BadInput(format!(
            "--box: expected 2 numbers (lo,hi) or {} (one pair per input), found {}",
            2 * n0,
            v.len()
        )));
    };
    if let Some(k) = (0..n0).find(|&k| lo[k] > hi[k]) {
        return Err(CliError::BadInput(format!(
            "--box: lo > hi at coordinate {k}"
        )));
    }
    Ok(InputBox { lo, hi })
}

/// The bounding box of the points in a data file.
pub fn box_of_data(path: &Path, n0: usize) -> Result<InputBox, CliError> {
    let src = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| CliError::BadInput(format!("{src}: {e}")))?;
    let mut points: Vec<Vec<Rational>> = Vec::new();
    if text.trim_start().starts_with('[') {
        let v = parse_json_text(&text, &src)?;
        let arr = v
            .as_array()
            .ok_or_else(|| CliError::BadInput(format!("{src}: expected an array of points")))?;
        for (i, p) in arr.iter().enumerate() {
            points.push(vector_from_value(p, &src, &format!("[{i}]"))?);
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let joined = l
                .split([',', ' ', '\t'])
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(",");
            points.push(parse_vector_text(
                &joined,
                &format!("{src}: line {}", i + 1),
            )?);
        }
    }
    if points.is_empty() {
        return Err(CliError::BadInput(format!("{src}: no points")));
    }
    for (i, p) in points.iter().enumerate() {
        if p.len() != n0 {
            return Err(CliError::BadInput(format!(
                "{src}: point {} has {} coordinates, the input dimension is {n0}",
                i + 1,
                p.len()
            )));
        }
    }
    let mut lo = points[0].clone();
    let mut hi = points[0].clone();
    for p in &points[1..] {
        for k in 0..n0 {
            if p[k] < lo[k] {
                lo[k] = p[k].clone();
            }
            if p[k] > hi[k] {
                hi[k] = p[k].clone();
            }
        }
    }
    Ok(InputBox { lo, hi })
}

/// Runs `fibers equiv A B --tol EPS`.
pub fn run(args: &EquivArgs, tol: &str) -> Result<(), CliError> {
    let tolerance = parse_tol(tol)?;
    let (a, b) = load_pair(&args.a, &args.b)?;
    let n0 = a.arch().n0;
    let input_box = match (&args.input_box, &args.box_data) {
        (Some(t), None) => parse_box(t, n0)?,
        (None, Some(p)) => box_of_data(p, n0)?,
        _ => {
            return Err(CliError::BadInput(
                "--tol needs the box: --box LO,HI or --box-data FILE".into(),
            ))
        }
    };
    let mut opts = NearOptions::new(tolerance, input_box);
    if args.max_nodes.is_some() {
        opts.max_nodes = args.max_nodes;
    }
    let report = near(&a, &b, &opts).map_err(|e| CliError::BadInput(e.0))?;
    // `near` returns only certificates that passed `fibers_check::within::check_near` (it
    // validates before emitting); the hashes are checked here.
    if let Some(c) = &report.certificate {
        if c.a_sha256 != fibers_check::network_hash(&a)
            || c.b_sha256 != fibers_check::network_hash(&b)
        {
            return Err(CliError::Failed(
                "internal error: the near-equivalence certificate names other networks".into(),
            ));
        }
    }
    if let ExactAnswer::Equivalent(c) = &report.exact {
        self_check(c, &a, &b)?;
    }
    if let Some(path) = &args.cert {
        let text = match (&report.exact, &report.certificate) {
            (ExactAnswer::Equivalent(c), _) => Some(certificate_to_string(c)),
            (_, Some(c)) => Some(format!(
                "{}\n",
                serde_json::to_string_pretty(&near_to_value(c)).unwrap_or_default()
            )),
            _ => None,
        };
        if let Some(text) = text {
            std::fs::write(path, text).map_err(|e| {
                CliError::BadInput(format!("{}: cannot write certificate: {e}", path.display()))
            })?;
        }
    }
    if args.json {
        let mut v = render::to_json(&report);
        if let (Some(p), Some(_)) = (&args.cert, &report.certificate) {
            v["certificate"] = serde_json::json!(p.display().to_string());
        }
        outln!("{v}")?;
    } else {
        out!("{}", render::text(&report))?;
        if let Some(p) = &args.cert {
            if report.verdict != NearVerdict::Undecided {
                outln!("certificate: {} (passes the checker)", p.display())?;
            }
        }
    }
    if report.verdict == NearVerdict::Undecided {
        return Err(CliError::Undecided(format!(
            "undecided: the certified upper bound {} exceeds the tolerance and no point of the box \
             found exceeds it (largest difference found {})",
            render::decimal(&report.upper),
            render::decimal(&report.witness.difference)
        )));
    }
    Ok(())
}

/// Reads `path` as a near-equivalence certificate; `None` when it is another kind of file
/// (then `fibers check` reads it as an equivalence certificate).
pub fn read_near_certificate(
    path: &Path,
) -> Result<Option<fibers_check::within::NearCertificate>, CliError> {
    let src = path.display().to_string();
    // Read within the file-size limit, and tell the format by its `format` field alone (a
    // branch-tree certificate is never held as a JSON value tree).
    let Ok(text) = fibers_net::json::read_text(path) else {
        return Ok(None);
    };
    if fibers_net::json::top_level_string(&text, "format").as_deref()
        != Some(fibers_check::within::FORMAT)
    {
        return Ok(None);
    }
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Ok(None);
    };
    if !fibers_check::within::is_near_certificate(&v) {
        return Ok(None);
    }
    Ok(Some(fibers_check::within::near_from_value(&v, &src)?))
}

/// `fibers check CERT A B` for a near-equivalence certificate.
pub fn run_check(
    args: &crate::commands::check::CheckArgs,
    cert: &fibers_check::within::NearCertificate,
) -> Result<(), CliError> {
    let (a, b) = load_pair(&args.a, &args.b)?;
    let verdict = match cert.claim {
        fibers_check::within::NearClaim::Within { .. } => "within",
        fibers_check::within::NearClaim::NotWithin { .. } => "not-within",
    };
    match check_near(cert, &a, &b, !args.ignore_hashes) {
        Ok(_) => {
            if args.json {
                outln!("{}", serde_json::json!({"valid": true, "verdict": verdict}))?;
            } else {
                outln!(
                    "ok: {} proves that {} and {} are {} {} on the box",
                    args.cert.display(),
                    args.a.display(),
                    args.b.display(),
                    verdict.replace('-', " "),
                    cert.tolerance
                )?;
            }
            Ok(())
        }
        Err(r) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::json!({"valid": false, "verdict": verdict, "reason": r.0})
                )?;
            }
            Err(CliError::Failed(format!(
                "{}: rejected: {r}",
                args.cert.display()
            )))
        }
    }
}
