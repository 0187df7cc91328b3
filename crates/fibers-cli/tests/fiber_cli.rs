//! `fibers fiber`, `fibers fundim` and `fibers sample`: outputs, exit statuses (0 success,
//! 2 bad input, 3 budget), and agreement between the three commands.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn fibers(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(args)
        .output()
        .expect("run fibers")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("fibers-bottleneck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn fiber_text_json_latex() {
    let net = fixture("conserve/s2_2221_hidden.json");
    // The polynomial description.
    let o = fibers(&["fiber", &net, "--parts"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains("fiber description in polynomial size"), "{t}");
    assert!(
        t.contains("local dimension: 5 (certified: bounds met"),
        "{t}"
    );
    assert!(t.contains("sum of the factors' dimensions: 5"), "{t}");
    let o = fibers(&["fiber", &net, "--parts", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert_eq!(v["dimension"], 5);
    assert_eq!(v["description"]["product_dimension"], 5);
    assert_eq!(v["description"]["kind"], "bottleneck");
    // The exhaustive list of role assignments.
    let o = fibers(&["fiber", &net, "--parts", "--exhaustive"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains("kind: bottleneck"), "{t}");
    assert!(t.contains("dimension: 5 "), "{t}");
    assert!(t.contains("docs/theory.md §8 formula: 5"), "{t}");
    assert!(t.contains("D - functional dimension: 15 - 10 = 5"), "{t}");

    let o = fibers(&["fiber", &net, "--format", "json", "--parts", "--exhaustive"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    assert_eq!(v["dimension"], 5);
    assert_eq!(v["kind"], "bottleneck");
    assert!(v.get("member").is_none());
    let set = &v["description"]["set"];
    assert_eq!(set["variables"].as_array().unwrap().len(), 15);
    assert_eq!(set["union"].as_array().unwrap().len(), 1);
    assert_eq!(v["components"], "4");

    for extra in [&[][..], &["--exhaustive", "--no-fundim"][..]] {
        let mut args = vec!["fiber", &net, "--format", "latex", "--parts"];
        args.extend_from_slice(extra);
        let o = fibers(&args);
        assert_eq!(code(&o), 0);
        let l = stdout(&o);
        assert!(l.starts_with("\\documentclass{article}"));
        assert!(l.contains("\\begin{theorem}") && l.trim_end().ends_with("\\end{document}"));
    }
}

#[test]
fn member_yes_with_witness_and_no_with_input() {
    let net = fixture("strata/two-linear.json");
    // A sample of the fiber is a member, with its witness.
    let o = fibers(&["sample", &net, "--count", "4", "--seed", "1", "--parts"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(lines.len(), 4);
    let b = scratch("member.json", &lines[3]);
    let o = fibers(&[
        "fiber",
        &net,
        "--member",
        &b,
        "--format",
        "json",
        "--no-fundim",
        "--parts",
        "--exhaustive",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["member"], true);
    let w = &v["membership"]["witness"];
    assert_eq!(w["layer1_rows"].as_array().unwrap().len(), 2);
    assert_eq!(w["layer2_neurons"].as_array().unwrap().len(), 3);
    assert!(w["part"].as_str().unwrap().starts_with("s > 0"), "{w}");
    // The counterexample fixture: in the fiber, with a shifted layer-1 bias.
    let a = fixture("counterexamples/hidden-shift-via-linear-capacity/a.json");
    let b2 = fixture("counterexamples/hidden-shift-via-linear-capacity/b.json");
    let o = fibers(&[
        "fiber",
        &a,
        "--member",
        &b2,
        "--no-fundim",
        "--parts",
        "--exhaustive",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("member: yes (decided by description)"));
    assert!(
        stdout(&o).contains("hidden shift s = 4/3"),
        "{}",
        stdout(&o)
    );
    // A perturbed copy is not a member: an input where the functions differ.
    let mut n: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net).unwrap()).unwrap();
    n["layers"][2]["bias"][0] = serde_json::json!("1/7");
    let c = scratch("perturbed.json", &n.to_string());
    let o = fibers(&[
        "fiber",
        &net,
        "--member",
        &c,
        "--format",
        "json",
        "--no-fundim",
        "--parts",
        "--exhaustive",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["member"], false);
    assert!(v["membership"]["counter_input"].is_array(), "{v}");
    assert_eq!(v["membership"]["description_counterexample"], false);
}

#[test]
fn bad_input_is_exit_2_with_one_line() {
    let net = fixture("strata/all-crossing.json");
    let other_arch = fixture("strata/two-linear.json");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["fiber".into(), "/nonexistent/net.json".into()],
            "/nonexistent/net.json",
        ),
        (
            vec![
                "fiber".into(),
                net.clone(),
                "--member".into(),
                other_arch.clone(),
            ],
            "differs",
        ),
        (
            vec![
                "fiber".into(),
                scratch(
                    "bad.json",
                    "{\"architecture\": [2, 2, 2, 1], \"layers\": []}",
                ),
            ],
            "layers",
        ),
        (
            vec!["fiber".into(), net.clone(), "--format".into(), "pdf".into()],
            "pdf",
        ),
        (
            vec!["fundim".into(), "/nonexistent/n.json".into()],
            "/nonexistent/n.json",
        ),
        (
            vec!["sample".into(), net.clone(), "--count".into(), "x".into()],
            "count",
        ),
    ];
    for (args, needle) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = fibers(&a);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(needle), "{args:?}: {e}");
        // Option values are checked by clap (its own message format); file problems are
        // one line naming the place.
        let clap = args.iter().any(|a| a == "--format" || a == "--count");
        if !clap {
            assert_eq!(e.trim_end().lines().count(), 1, "{args:?}: {e}");
        }
    }
}

/// A valid network is never bad input: where an identically zero neuron makes f
/// non-differentiable in the parameters, `fundim` leaves that region out (docs/theory.md §12,
/// Definition 12.1) and says so (issue 15; it used to exit 2).
#[test]
fn fundim_answers_where_f_is_not_differentiable_somewhere() {
    for args in [
        vec!["fundim", "WIDE"],
        vec!["fundim", "WIDE", "--exhaustive"],
    ] {
        let wide = fixture("strata/wide.json");
        let a: Vec<&str> = args
            .iter()
            .map(|x| if *x == "WIDE" { wide.as_str() } else { *x })
            .collect();
        let o = fibers(&a);
        assert_eq!(code(&o), 0, "{a:?}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("1 of the 14 linear regions left out"), "{out}");
    }
}

#[test]
fn budgets_give_exit_3() {
    let o = fibers(&[
        "fiber",
        &fixture("strata/flip.json"),
        "--max-parts",
        "5",
        "--no-fundim",
        "--parts",
        "--exhaustive",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-parts"));
    let o = fibers(&[
        "fundim",
        &fixture("strata/all-crossing.json"),
        "--max-regions",
        "3",
        "--exhaustive",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
}

#[test]
fn fundim_agrees_with_the_fiber_dimension() {
    for f in [
        "strata/all-crossing.json",
        "strata/one-dead.json",
        "conserve/s8_2242_three_linear.json",
    ] {
        let o = fibers(&["fundim", &fixture(f), "--json", "--check", "--exhaustive"]);
        assert_eq!(code(&o), 0, "{f}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["agree"], true, "{f}: {v}");
        assert_eq!(
            v["corank"].as_u64().unwrap() + v["rank"].as_u64().unwrap(),
            v["parameters"].as_u64().unwrap()
        );
        // The default (bounds that meet) gives the same number, certified.
        let o = fibers(&["fundim", &fixture(f), "--json", "--check"]);
        assert_eq!(code(&o), 0, "{f}: {}", stderr(&o));
        let b: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(b["certified_by"], "bounds met", "{f}: {b}");
        assert_eq!(b["functional_dimension"], v["rank"], "{f}: {b}");
        assert_eq!(b["fiber_dimension"], v["corank"], "{f}: {b}");
    }
}

#[test]
fn samples_are_certified_and_members() {
    for f in [
        "strata/relay-1d.json",
        "strata/constant.json",
        "strata/one-dead.json",
    ] {
        let net = fixture(f);
        let o = fibers(&["sample", &net, "--count", "9", "--seed", "5", "--certify"]);
        assert_eq!(code(&o), 0, "{f}: {}", stderr(&o));
        let out = stdout(&o);
        assert_eq!(out.lines().count(), 9);
        for (i, line) in out.lines().enumerate() {
            let p = scratch(&format!("s{i}.json"), line);
            let m = fibers(&[
                "fiber",
                &net,
                "--member",
                &p,
                "--format",
                "json",
                "--no-fundim",
                "--parts",
                "--exhaustive",
            ]);
            let v: serde_json::Value = serde_json::from_str(&stdout(&m)).unwrap();
            assert_eq!(v["member"], true, "{f} sample {i}");
        }
    }
    // Without a description: samples of the M1-M3 orbit, with a note.
    let o = fibers(&["sample", &fixture("strata/wide.json"), "--count", "2"]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("no description"));
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn summary_is_polynomial_and_certified() {
    let net = fixture("conserve/s2_2221_hidden.json");
    let o = fibers(&["fiber", &net]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.starts_with("Theorem (the fiber of θ"), "{t}");
    assert!(t.contains("M7 hidden shift of layer-1 neuron 0"), "{t}");
    assert!(
        t.contains("local dimension: 5 (certified: bounds met"),
        "{t}"
    );
    assert!(t.contains("the whole fiber: `--parts`"), "{t}");
    let o = fibers(&["fiber", &net, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["dimension"], 5);
    assert_eq!(v["dimension_certified_by"], "bounds met");
    assert_eq!(v["parts_listed"], false);
    // Membership through the fast path: a relabelled copy is a member, a perturbed one is not.
    let a = fixture("strata/two-linear.json");
    let o = fibers(&["sample", &a, "--count", "2", "--seed", "3"]);
    let b = scratch("fast-member.json", stdout(&o).lines().nth(1).unwrap());
    let o = fibers(&["fiber", &a, "--member", &b, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["member"], true, "{v}");
    let a = fixture("pairs/flip-uncompensated/a.json");
    let b = fixture("pairs/flip-uncompensated/b.json");
    let o = fibers(&["fiber", &a, "--member", &b]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains(": no (certified: fast path"),
        "{}",
        stdout(&o)
    );
}

/// The trained-like (2, 2, 8, 1) network (weights with four decimals): the text output leads
/// with the summary (the part containing θ and the certified dimension within 40 lines).
#[test]
fn trained_network_text_leads_with_summary() {
    let net = fixture("networks/trained-2-2-8-1.json");
    let o = fibers(&["fiber", &net]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let head: Vec<&str> = text.lines().take(40).collect();
    assert!(head[0].starts_with("Theorem"), "{text}");
    for needle in [
        "symmetry group at θ:",
        "the part containing θ:",
        "local dimension: 20 (certified: bounds met",
    ] {
        assert!(
            head.iter().any(|l| l.contains(needle)),
            "{needle:?} not in the first 40 lines:\n{text}"
        );
    }
}

/// The LaTeX of the trained-like network leads with the summary theorem, typesets symbols in
/// math mode, compiles with pdflatex without overfull lines, and its first page renders at A4
/// or letter width (`pdftoppm -png -r 50`).
#[test]
fn trained_network_latex_fits_the_page() {
    use fibers_testkit::latex::{
        compile, first_page_png_size, overfull_hboxes, pdflatex_or_skip, pdftoppm_or_skip,
        scratch_dir,
    };
    let net = fixture("networks/trained-2-2-8-1.json");
    let o = fibers(&["fiber", "--format", "latex", &net]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc = stdout(&o);
    let summary = doc
        .find("\\begin{theorem}[Summary]")
        .expect("summary theorem");
    let part = doc
        .find("\\begin{theorem}\\label{thm:factored}")
        .expect("the polynomial description");
    assert!(summary < part, "the summary comes before the description");
    assert!(doc[summary..].contains("is $20$, certified"), "{doc}");
    assert!(doc.contains("$\\lambda_{j}$"), "{doc}");
    assert!(
        !doc.contains("lambda\\_"),
        "ASCII symbol names left:\n{doc}"
    );
    assert!(!doc.contains("mu\\_"), "ASCII symbol names left:\n{doc}");
    if !pdflatex_or_skip() {
        return;
    }
    let dir = scratch_dir("trained-latex");
    let log = compile(&dir, "trained", &doc);
    let over: Vec<f64> = overfull_hboxes(&log)
        .into_iter()
        .filter(|w| *w > 2.0)
        .collect();
    assert!(over.is_empty(), "overfull lines (pt): {over:?}\n{doc}");
    if pdftoppm_or_skip() {
        let (w, h) = first_page_png_size(&dir, "trained");
        assert!((405..=430).contains(&w), "page width {w} px at 50 dpi");
        assert!((540..=600).contains(&h), "page height {h} px at 50 dpi");
    }
    std::fs::remove_dir_all(&dir).ok();
}
