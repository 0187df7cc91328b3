//! The LaTeX of sample systems, wrapped by `latex_document`, compiles with `pdflatex`.
//!
//! Without `pdflatex` on the PATH the test prints a message and passes, unless the
//! environment variable `FIBERS_REQUIRE_PDFLATEX=1` is set (as in CI), in which case a missing
//! `pdflatex` fails it (the harness is `fibers_testkit::latex`).

mod common;

use common::*;
use fibers_semialg::latex_document;
use fibers_testkit::latex::{compile, pdflatex_or_skip, scratch_dir};

#[test]
fn sample_document_compiles_with_pdflatex() {
    if !pdflatex_or_skip() {
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
    let dir = scratch_dir("semialg-latex");
    compile(&dir, "sample", &doc);
    std::fs::remove_dir_all(&dir).ok();
}
