//! The LaTeX of sample systems, wrapped by `latex_document`, compiles with `pdflatex`.
//!
//! Without `pdflatex` on the PATH the test prints a message and passes, unless the
//! environment variable `FIBERS_REQUIRE_PDFLATEX=1` is set (as in CI), in which case a missing
//! `pdflatex` fails it.

mod common;

use common::*;
use fibers_semialg::latex_document;
use std::path::PathBuf;
use std::process::Command;

fn pdflatex_available() -> bool {
    Command::new("pdflatex")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fibers-semialg-latex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

#[test]
fn sample_document_compiles_with_pdflatex() {
    let required = std::env::var("FIBERS_REQUIRE_PDFLATEX").is_ok_and(|v| v == "1");
    if !pdflatex_available() {
        assert!(
            !required,
            "FIBERS_REQUIRE_PDFLATEX=1 but pdflatex is not available"
        );
        println!("skipping: pdflatex not found (set FIBERS_REQUIRE_PDFLATEX=1 to require it)");
        return;
    }
    let h = scaling_law(0, 2, 3);
    let doc = latex_document([
        fiber_system().to_latex(),
        h.to_latex() + " = \\mathrm{const}",
        relu_graph().to_latex(),
        scaling_field(0, 2, 3).to_latex(),
        // A power of a primed variable and a Greek subscript.
        (common::var(&fibers_semialg::Var::new("x'")).pow(2)
            - common::var(&fibers_semialg::Var::new("lambda_1")) * q(-7, 3))
        .to_latex(),
    ]);
    assert!(doc.starts_with("\\documentclass{article}\n\\usepackage{amsmath,amssymb}"));
    let dir = scratch_dir();
    std::fs::write(dir.join("sample.tex"), &doc).expect("write sample.tex");
    let out = Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "sample.tex"])
        .current_dir(&dir)
        .output()
        .expect("run pdflatex");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pdflatex failed on\n{doc}\n--- log ---\n{log}"
    );
    let pdf = std::fs::metadata(dir.join("sample.pdf")).expect("sample.pdf exists");
    assert!(pdf.len() > 0);
    std::fs::remove_dir_all(&dir).ok();
}
