//! The `pdflatex` harness of the LaTeX tests.
//!
//! Without `pdflatex` on the PATH a test prints a message and passes, unless the environment
//! variable `FIBERS_REQUIRE_PDFLATEX=1` is set (as in CI), in which case a missing `pdflatex`
//! fails it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `pdflatex` runs.
pub fn pdflatex_available() -> bool {
    Command::new("pdflatex")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Whether the test should go on: `true` when `pdflatex` is available; `false` (with a message)
/// when it is not and not required; panics when it is required (`FIBERS_REQUIRE_PDFLATEX=1`)
/// and missing.
pub fn pdflatex_or_skip() -> bool {
    let required = std::env::var("FIBERS_REQUIRE_PDFLATEX").is_ok_and(|v| v == "1");
    if pdflatex_available() {
        return true;
    }
    assert!(
        !required,
        "FIBERS_REQUIRE_PDFLATEX=1 but pdflatex is not available"
    );
    println!("skipping: pdflatex not found (set FIBERS_REQUIRE_PDFLATEX=1 to require it)");
    false
}

/// A fresh scratch directory `fibers-<name>-<pid>` in the temporary directory.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fibers-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes `doc` to `dir/name.tex`, compiles it with `pdflatex` and asserts that a non-empty
/// `name.pdf` results (the log is shown on failure). Returns pdflatex's `name.log`.
pub fn compile(dir: &Path, name: &str, doc: &str) -> String {
    let tex = format!("{name}.tex");
    std::fs::write(dir.join(&tex), doc).expect("write tex");
    let out = Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", &tex])
        .current_dir(dir)
        .output()
        .expect("run pdflatex");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pdflatex failed on {name}\n{doc}\n--- log ---\n{log}"
    );
    let pdf = std::fs::metadata(dir.join(format!("{name}.pdf"))).expect("pdf exists");
    assert!(pdf.len() > 0);
    std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_else(|_| log.into_owned())
}

/// The widths in pt by which boxes overflow, from the `Overfull \hbox (12.3pt too wide)`
/// lines of a pdflatex log.
pub fn overfull_hboxes(log: &str) -> Vec<f64> {
    log.lines()
        .filter_map(|l| l.strip_prefix("Overfull \\hbox ("))
        .filter_map(|l| l.split_once("pt too wide"))
        .filter_map(|(x, _)| x.parse().ok())
        .collect()
}

/// Whether `pdftoppm` runs; like [`pdflatex_or_skip`], a missing tool skips the test with a
/// message unless `FIBERS_REQUIRE_PDFLATEX=1`.
pub fn pdftoppm_or_skip() -> bool {
    let required = std::env::var("FIBERS_REQUIRE_PDFLATEX").is_ok_and(|v| v == "1");
    let ok = Command::new("pdftoppm")
        .arg("-v")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return true;
    }
    assert!(
        !required,
        "FIBERS_REQUIRE_PDFLATEX=1 but pdftoppm (poppler-utils) is not available"
    );
    println!("skipping: pdftoppm not found (set FIBERS_REQUIRE_PDFLATEX=1 to require it)");
    false
}

/// Renders the first page of `dir/name.pdf` with `pdftoppm -png -r 50` and returns the PNG's
/// width and height in pixels (A4 is 413 × 585, letter 425 × 550).
pub fn first_page_png_size(dir: &Path, name: &str) -> (u32, u32) {
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(format!("{name}.pdf"))
        .arg(format!("{name}-page1"))
        .current_dir(dir)
        .output()
        .expect("run pdftoppm");
    assert!(out.status.success(), "pdftoppm failed on {name}");
    let png = std::fs::read(dir.join(format!("{name}-page1.png"))).expect("png exists");
    assert!(png.len() > 24 && &png[1..4] == b"PNG", "not a PNG");
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    (be(16), be(20))
}
