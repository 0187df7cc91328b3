//! `fibers fiber NET`: the fiber of a parameter as an object — stratum, symmetries,
//! semi-algebraic description, local dimension, components — as text, JSON or a LaTeX
//! theorem; with `--member NET2`, the exact (certified) decision whether NET2 lies in it.

use crate::error::CliError;
use crate::load;
use crate::output::{out, outln};
use crate::progress::Progress;
use clap::{Args, ValueEnum};
use fibers_fiber::render::{self, RenderOptions};
use fibers_fiber::{
    describe, factored, summarize, BoundsOptions, DescribeOptions, Description, FunDimOptions,
    MemberOptions,
};
use fibers_net::Network;
use std::path::{Path, PathBuf};

/// Describe the fiber {θ' : f_θ' = f_θ} of a network's parameter.
#[derive(Args, Debug)]
pub struct FiberArgs {
    /// Network file (the parameter θ).
    pub net: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Decide exactly whether this network (same architecture) lies in the fiber, with the
    /// witnessing permutations, scalings, shift and roles (or an input where they differ).
    #[arg(long, value_name = "NET2")]
    pub member: Option<PathBuf>,
    /// Stop enumerating role assignments after this many candidates (exit 3 if reached).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub max_parts: usize,
    /// Node budget of the branch tree used by --member outside the description (exit 3 if
    /// reached).
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<u64>,
    /// Region budget of the functional dimension (skipped with a note when reached).
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub max_regions: usize,
    /// Do not compute the functional dimension.
    #[arg(long)]
    pub no_fundim: bool,
    /// The description of the whole fiber in polynomial size: one role template per layer-2
    /// neuron with the coupling equations (no role assignment enumerated), the canonical data,
    /// and the part containing θ as a product of per-neuron factors. Without it (text and
    /// JSON) the output is the summary: symmetry group, the part containing θ, and its
    /// dimension certified by bounds. LaTeX always gives the summary and this description.
    #[arg(long)]
    pub parts: bool,
    /// With --parts or --format latex: the exhaustive description instead, every role
    /// assignment listed as a semi-algebraic set (exponential in the widths) and the
    /// functional dimension by enumerating linear regions.
    #[arg(long)]
    pub exhaustive: bool,
    /// Random activation regions sampled for the dimension bounds, at most.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_points: usize,
    /// Write out at most this many parts in full in text and LaTeX (JSON has all).
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub show_parts: usize,
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text.
    Text,
    /// One JSON object.
    Json,
    /// A complete LaTeX document stating the fiber as a theorem.
    Latex,
}

/// Describes the fiber of `net` with a progress spinner.
pub fn describe_with_progress(
    net: &Network,
    max_parts: usize,
    fundim: Option<FunDimOptions>,
) -> Result<Description, CliError> {
    let mut p = Progress::new();
    let opts = DescribeOptions { max_parts, fundim };
    let d = describe(net, &opts, &mut |stage, n| {
        p.update(|| match stage {
            "parts" => format!("role assignments examined: {n}"),
            _ => format!("linear regions found: {n}"),
        })
    });
    p.finish();
    d.map_err(|e| CliError::Failed(format!("internal error: {}", e.0)))
}

/// Loads NET2 and checks that it has the architecture of θ.
pub fn load_same_arch(path: &Path, net: &Network, net_path: &Path) -> Result<Network, CliError> {
    let other = load::network(path)?;
    if other.arch() != net.arch() {
        return Err(CliError::BadInput(format!(
            "{}: architecture {} differs from {} of {}; the fiber lives in the parameter space \
             of one architecture",
            path.display(),
            other.arch(),
            net.arch(),
            net_path.display()
        )));
    }
    Ok(other)
}

/// Runs `fibers fiber`.
pub fn run(args: &FiberArgs) -> Result<(), CliError> {
    let net = load::network(&args.net)?;
    let other = match &args.member {
        Some(p) => Some(load_same_arch(p, &net, &args.net)?),
        None => None,
    };
    // Membership of B in Fib(A) is exactly f_A = f_B: the certified fast decision of the
    // bottleneck path answers it in polynomial time; the description's branch tree is the
    // fallback.
    let mut fast_member = None;
    if let Some(o) = &other {
        match fibers_bottleneck::certified::fast(&net, o) {
            Ok((decision, method)) => fast_member = Some((decision, method)),
            Err(reason) => eprintln!("fibers: fast path gave up ({reason}); using the description"),
        }
    }
    if !args.parts && args.format != Format::Latex && (other.is_none() || fast_member.is_some()) {
        let mut p = Progress::new();
        let s = summarize(
            &net,
            &BoundsOptions {
                max_points: args.max_points,
                seed: 1,
            },
            &mut |m| p.update(|| format!("dimension bounds: {m}")),
        );
        p.finish();
        let member = fast_member.as_ref().map(|(d, method)| {
            let yes = matches!(d, fibers_tree::Outcome::Equivalent { .. });
            let witness = match d {
                fibers_tree::Outcome::NotEquivalent { witness, .. } => {
                    Some(witness.iter().map(ToString::to_string).collect::<Vec<_>>())
                }
                _ => None,
            };
            (yes, *method, witness)
        });
        match args.format {
            Format::Json => {
                let mut v = s.to_json();
                if let Some((yes, method, witness)) = &member {
                    v["member"] = serde_json::json!(yes);
                    v["member_certified_by"] = serde_json::json!(format!(
                        "fast path ({method}); the certificate is re-checked by `fibers check`"
                    ));
                    if let Some(w) = witness {
                        v["member_witness"] = serde_json::json!(w);
                    }
                }
                outln!("{v}")?;
            }
            _ => {
                crate::output::text(format_args!("{}", s.to_text()))?;
                if let Some((yes, method, witness)) = &member {
                    outln!(
                        "member {}: {} (certified: fast path, {method}; f_A = f_B decided with a certificate the checker re-verifies)",
                        args.member.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                        if *yes { "yes" } else { "no" }
                    )?;
                    if let Some(w) = witness {
                        outln!("  an input where the functions differ: ({})", w.join(", "))?;
                    }
                }
            }
        }
        return Ok(());
    }
    if !args.exhaustive && (other.is_none() || fast_member.is_some()) {
        // --parts or LaTeX: the polynomial description.
        let mut p = Progress::new();
        let sm = summarize(
            &net,
            &BoundsOptions {
                max_points: args.max_points,
                seed: 1,
            },
            &mut |m| p.update(|| format!("dimension bounds: {m}")),
        );
        p.finish();
        let fd = factored(&net);
        let member_line = fast_member.as_ref().map(|(d, method)| {
            (
                matches!(d, fibers_tree::Outcome::Equivalent { .. }),
                *method,
            )
        });
        match args.format {
            Format::Json => {
                let mut v = sm.to_json();
                v["parts_listed"] = serde_json::json!(false);
                v["description"] = fd.to_json();
                if let Some((yes, method)) = member_line {
                    v["member"] = serde_json::json!(yes);
                    v["member_certified_by"] = serde_json::json!(format!(
                        "fast path ({method}); the certificate is re-checked by `fibers check`"
                    ));
                }
                outln!("{v}")?;
            }
            Format::Text => {
                crate::output::text(format_args!("{}", sm.to_text()))?;
                out!("{}", fd.to_text())?;
                if let Some((yes, method)) = member_line {
                    outln!(
                        "member {}: {} (certified: fast path, {method})",
                        args.member
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                        if yes { "yes" } else { "no" }
                    )?;
                }
            }
            Format::Latex => {
                let mut doc = render::factored_latex(&fd, Some(&sm));
                if let Some((yes, method)) = member_line {
                    let end = doc.rfind("\\end{document}").unwrap_or(doc.len());
                    doc.insert_str(
                        end,
                        &format!(
                            "\\paragraph{{Membership of a second parameter $\\theta'$.}} \
                             $\\theta' {} \\operatorname{{Fib}}(\\theta)$, decided by the \
                             certified fast path ({method}).\n",
                            if yes { "\\in" } else { "\\notin" }
                        ),
                    );
                }
                out!("{doc}")?;
            }
        }
        return Ok(());
    }
    let fundim = (!args.no_fundim).then_some(FunDimOptions {
        max_regions: args.max_regions,
    });
    let d = describe_with_progress(&net, args.max_parts, fundim)?;
    let report = match &other {
        Some(o) => {
            let mut p = Progress::new();
            let r = d.membership(
                o,
                &MemberOptions {
                    max_nodes: args.max_nodes,
                },
                &mut |s| {
                    p.update(|| {
                        format!(
                            "branch tree: nodes {}, leaves {}, LPs {}",
                            s.nodes, s.leaves, s.lps
                        )
                    })
                },
            );
            p.finish();
            Some(r.map_err(|e| CliError::Failed(format!("internal error: {}", e.0)))?)
        }
        None => None,
    };
    let ropts = RenderOptions {
        max_parts_shown: args.show_parts,
    };
    let hidden = d.model.as_ref().is_some_and(|m| !m.hidden.is_empty());
    match args.format {
        Format::Text => {
            out!("{}", render::to_text(&d, &ropts))?;
            if let Some(r) = &report {
                out!("{}", render::member_text(r, hidden))?;
            }
        }
        Format::Json => {
            let mut v = render::to_json(&d);
            if let Some(r) = &report {
                render::add_member_json(&mut v, r);
            }
            outln!("{v}")?;
        }
        Format::Latex => {
            let mut p = Progress::new();
            let sm = summarize(
                &net,
                &BoundsOptions {
                    max_points: args.max_points,
                    seed: 1,
                },
                &mut |m| p.update(|| format!("dimension bounds: {m}")),
            );
            p.finish();
            let mut doc = render::to_latex_with_summary(&d, Some(&sm), &ropts);
            if let Some(r) = &report {
                let end = doc.rfind("\\end{document}").unwrap_or(doc.len());
                doc.insert_str(end, &render::member_latex(r));
            }
            out!("{doc}")?;
        }
    }
    if let Some(r) = &report {
        if r.description_counterexample {
            eprintln!(
                "fibers: counterexample to docs/theory.md: the branch tree proves {} is in the fiber, but \
                 the description (docs/theory.md §8) excludes it",
                args.member
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
        }
        if r.member.is_none() {
            return Err(CliError::Undecided(
                "undecided: the branch tree's node budget (--max-nodes) ran out".into(),
            ));
        }
    }
    if d.truncated {
        return Err(CliError::Undecided(format!(
            "the description is truncated: more than {} role assignments (--max-parts)",
            args.max_parts
        )));
    }
    Ok(())
}
