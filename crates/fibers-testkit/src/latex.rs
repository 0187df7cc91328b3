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
/// `name.pdf` results (the log is shown on failure).
pub fn compile(dir: &Path, name: &str, doc: &str) {
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
}
