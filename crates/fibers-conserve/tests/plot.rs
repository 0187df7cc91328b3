//! The SVG of a flow run: the legend's swatches have the colours and widths of the curves, in
//! order, and the legend (box and text, with a conservative bound on the text's width) stays
//! inside the picture, also with many quantities and long names.

use fibers_conserve::flow::FlowRecord;
use fibers_conserve::plot::{write_svg, CHAR_WIDTH_EM, LEGEND_FONT, SVG_SIZE};

fn record(n: usize) -> FlowRecord {
    let times: Vec<f64> = (0..50).map(|r| f64::from(r) * 0.01).collect();
    FlowRecord {
        names: (0..n)
            .map(|q| {
                format!(
                    "quantity {q} with a rather long name: W2[0][1]*W3[0][0] <-> b2[1] + |theta|^2 {}",
                    "x".repeat(q)
                )
            })
            .collect(),
        conserved: (0..n).map(|q| q % 3 != 2).collect(),
        scales: vec![1.0; n],
        loss: times.iter().map(|t| 2.0 - t).collect(),
        values: (0..n)
            .map(|q| times.iter().map(|t| t * q as f64 * 1e-3).collect())
            .collect(),
        times,
        pattern_exits: Vec::new(),
        dt: 0.01,
        step_reason: "test".into(),
    }
}

fn attr(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    let start = tag.find(&key).unwrap_or_else(|| panic!("{name} in {tag}")) + key.len();
    tag[start..].split('"').next().unwrap().to_string()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn check(n: usize) {
    let path = std::env::temp_dir().join(format!("fibers-plot-{n}-{}.svg", std::process::id()));
    write_svg(&record(n), "title", &path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let width = f64::from(SVG_SIZE.0);
    // Curves (many points) and swatches (two points), coloured (not the black axes).
    let (mut curves, mut swatches) = (Vec::new(), Vec::new());
    for tag in svg.split("<polyline").skip(1) {
        let tag = tag.split("/>").next().unwrap();
        let stroke = attr(tag, "stroke");
        if stroke == "#000000" {
            continue;
        }
        let style = (stroke, attr(tag, "stroke-width"));
        let points = attr(tag, "points").split_whitespace().count();
        if points == 2 {
            swatches.push(style);
        } else {
            curves.push(style);
        }
    }
    // The drift curves, then the loss curve.
    assert_eq!(curves.len(), n + 1);
    assert!(!swatches.is_empty());
    assert!(swatches.len() <= n);
    assert_eq!(
        swatches[..],
        curves[..swatches.len()],
        "swatches differ from the curves"
    );
    if swatches.len() < n {
        assert!(svg.contains("more (see the CSV)"));
    }
    // Every text ends inside the picture.
    let em = CHAR_WIDTH_EM * f64::from(LEGEND_FONT);
    for tag in svg.split("<text").skip(1) {
        let (open, rest) = tag.split_once('>').unwrap();
        if attr(open, "text-anchor") != "start" {
            continue;
        }
        let text = unescape(rest.split("</text>").next().unwrap().trim());
        let x: f64 = attr(open, "x").parse().unwrap();
        let size: f64 = attr(open, "font-size").parse().unwrap();
        if size > f64::from(LEGEND_FONT) {
            continue;
        }
        let right = x + em * text.chars().count() as f64;
        assert!(right <= width, "text {text:?} ends at {right} > {width}");
    }
    // The legend box.
    for tag in svg.split("<rect").skip(2) {
        let tag = tag.split("/>").next().unwrap();
        let x: f64 = attr(tag, "x").parse().unwrap();
        let w: f64 = attr(tag, "width").parse().unwrap();
        assert!(x >= 0.0 && x + w <= width, "rect {tag}");
    }
}

#[test]
fn legend_matches_curves_and_fits() {
    check(5);
}

#[test]
fn legend_with_many_quantities_fits() {
    check(40);
}
