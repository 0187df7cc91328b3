//! Every LaTeX theorem compiles with `pdflatex`: each reviewed LaTeX snapshot
//! (`tests/snapshots/*latex*.snap`, exactly as stored), and the documents of every fixture with
//! a membership paragraph added.
//!
//! Without `pdflatex` on the PATH the test prints a message and passes, unless the environment
//! variable `FIBERS_REQUIRE_PDFLATEX=1` is set (as in CI), in which case a missing `pdflatex`
//! fails it (the harness is `fibers_testkit::latex`).

mod common;

use common::*;
use fibers_fiber::render::{member_latex, to_latex, RenderOptions};
use fibers_fiber::{describe, DescribeOptions, MemberOptions};
use fibers_testkit::latex::{compile, pdflatex_or_skip, scratch_dir};

#[test]
fn every_fiber_theorem_compiles() {
    if !pdflatex_or_skip() {
        return;
    }
    let dir = scratch_dir("fiber-latex");
    // The stored snapshots, byte for byte after the insta header.
    let snaps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut compiled = 0;
    for e in std::fs::read_dir(&snaps).expect("snapshot directory") {
        let p = e.expect("entry").path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.contains("__latex_") && name.ends_with(".snap")) {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("read snapshot");
        let body = text
            .splitn(3, "---\n")
            .nth(2)
            .expect("an insta header between two --- lines");
        compile(&dir, &format!("snap{compiled}"), body);
        compiled += 1;
    }
    assert!(compiled >= 13, "only {compiled} LaTeX snapshots");
    let mut all = fixture_networks("strata");
    all.extend(fixture_networks("conserve"));
    let ropts = RenderOptions { max_parts_shown: 4 };
    // With a membership paragraph (member and non-member), on one fixture per kind.
    for (name, net) in all.into_iter().filter(|(n, _)| {
        matches!(
            n.as_str(),
            "all-crossing" | "relay-1d" | "constant" | "wide" | "s2_2221_hidden"
        )
    }) {
        let d = describe(&net, &DescribeOptions::default(), &mut |_, _| {}).expect("describe");
        let mut doc = to_latex(&d, &ropts);
        assert!(doc.starts_with("\\documentclass{article}"));
        // The network against itself permuted, and against a perturbed copy.
        let mut rng = fibers_testkit::moves::Lcg::new(3);
        let other = fibers_testkit::moves::random_permute(&net, &mut rng);
        let bad = fibers_testkit::moves::perturb(&net, 0, &fibers_exact::Rational::ratio(1, 3));
        for (tag, o) in [("member", other), ("nonmember", bad)] {
            let r = d
                .membership(&o, &MemberOptions::default(), &mut |_| {})
                .expect("membership");
            let end = doc.rfind("\\end{document}").expect("end");
            let mut with = doc.clone();
            with.insert_str(end, &member_latex(&r));
            compile(&dir, &format!("{name}-{tag}"), &with);
        }
        doc.clear();
    }
    std::fs::remove_dir_all(&dir).ok();
}
