//! CSV and SVG output of a gradient-flow run ([`crate::flow`]).
//!
//! The SVG is drawn with `plotters` and its SVG backend only, without the `ttf` feature: text
//! is written as SVG `<text>` elements that the viewer renders with its own fonts, so no font
//! library (fontconfig, freetype) is needed to produce it.

use crate::flow::FlowRecord;
use plotters::prelude::*;
use std::path::Path;

/// The smallest drift shown on the logarithmic axis (drifts of exactly 0 are drawn there).
pub const DRIFT_FLOOR: f64 = 1e-17;
/// The largest drift shown on the logarithmic axis.
pub const DRIFT_CEILING: f64 = 1e6;

/// Width and height of the SVG, in pixels.
pub const SVG_SIZE: (u32, u32) = (1100, 760);
/// Width of the legend panel at the right of the drift plot, in pixels.
pub const LEGEND_WIDTH: u32 = 330;
/// Font size of the legend, in pixels.
pub const LEGEND_FONT: u32 = 12;
/// A bound on the width of one character of the legend's sans-serif font, in units of the font
/// size (real fonts average about 0.5–0.55 em); labels are cut to fit the panel under it.
pub const CHAR_WIDTH_EM: f64 = 0.62;

/// Writes the run as CSV: `step, t, loss`, then for each quantity its value and its relative
/// drift (columns `<name>` and `drift <name>`).
pub fn write_csv(rec: &FlowRecord, path: &Path) -> Result<(), String> {
    let mut w = csv::Writer::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut header = vec!["step".to_string(), "t".to_string(), "loss".to_string()];
    for n in &rec.names {
        header.push(n.clone());
    }
    for n in &rec.names {
        header.push(format!("drift {n}"));
    }
    w.write_record(&header)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for r in 0..rec.times.len() {
        let step = (rec.times[r] / rec.dt).round() as u64;
        let mut row = vec![
            step.to_string(),
            format!("{:e}", rec.times[r]),
            format!("{:e}", rec.loss[r]),
        ];
        for q in 0..rec.names.len() {
            row.push(format!("{:e}", rec.values[q][r]));
        }
        for q in 0..rec.names.len() {
            row.push(format!("{:e}", rec.drift(q, r)));
        }
        w.write_record(&row)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    w.flush().map_err(|e| format!("{}: {e}", path.display()))
}

/// Draws the run as an SVG file: on top the relative drift of every quantity (log scale; laws
/// as thin lines in cool colours, non-conserved quantities as thick lines in reds and
/// oranges) with a legend panel at its right (each swatch in its curve's colour and width;
/// labels cut with "..." to fit the panel, the full names are in the CSV), below the loss.
pub fn write_svg(rec: &FlowRecord, title: &str, path: &Path) -> Result<(), String> {
    draw(rec, title, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn draw(rec: &FlowRecord, title: &str, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, SVG_SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(500);
    let (top, legend_area) = top.split_horizontally(SVG_SIZE.0 - LEGEND_WIDTH);
    let tmax = rec.times.last().copied().unwrap_or(1.0).max(1e-12);
    let max_drift = (0..rec.names.len())
        .map(|q| rec.max_drift(q))
        .fold(DRIFT_FLOOR, f64::max);
    // The axis spans at most DRIFT_FLOOR..DRIFT_CEILING; larger (or non-finite) drifts are
    // drawn at the ceiling.
    let ymax = if max_drift.is_finite() {
        (max_drift * 10.0).clamp(1e-2, DRIFT_CEILING)
    } else {
        DRIFT_CEILING
    };
    let mut chart = ChartBuilder::on(&top)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..tmax, (DRIFT_FLOOR..ymax).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("time t")
        .y_desc("relative drift |Q(t) - Q(0)| / S")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()?;
    // Dark, distinguishable colours for the laws; reds and oranges for the rest.
    const LAWS: [(u8, u8, u8); 10] = [
        (31, 119, 180),
        (44, 160, 44),
        (148, 103, 189),
        (23, 190, 207),
        (140, 86, 75),
        (127, 127, 127),
        (188, 189, 34),
        (0, 0, 128),
        (0, 100, 0),
        (227, 119, 194),
    ];
    const OTHERS: [(u8, u8, u8); 5] = [
        (214, 39, 40),
        (255, 127, 14),
        (150, 0, 40),
        (240, 70, 140),
        (120, 40, 0),
    ];
    let (mut laws, mut others) = (0, 0);
    let mut legend: Vec<(RGBAColor, u32, String)> = Vec::new();
    for q in 0..rec.names.len() {
        let (color, width, label) = if rec.conserved[q] {
            let (r, g, b) = LAWS[laws % LAWS.len()];
            laws += 1;
            (
                RGBColor(r, g, b).to_rgba(),
                2,
                format!("law: {}", rec.names[q]),
            )
        } else {
            let (r, g, b) = OTHERS[others % OTHERS.len()];
            others += 1;
            (
                RGBColor(r, g, b).to_rgba(),
                4,
                format!("NOT conserved: {}", rec.names[q]),
            )
        };
        let pts: Vec<(f64, f64)> = (0..rec.times.len())
            .map(|r| {
                let d = rec.drift(q, r);
                let d = if d.is_finite() {
                    d.clamp(DRIFT_FLOOR, ymax)
                } else {
                    ymax
                };
                (rec.times[r], d)
            })
            .collect();
        chart.draw_series(LineSeries::new(pts, color.stroke_width(width)))?;
        legend.push((color, width, label));
    }
    draw_legend(&legend_area, &legend)?;

    let lmax = rec
        .loss
        .iter()
        .copied()
        .filter(|l| l.is_finite())
        .fold(0.0, f64::max)
        .clamp(1e-12, 1e300);
    let note = if rec.pattern_exits.is_empty() {
        "loss along the flow (activation patterns of the data fixed throughout)".to_string()
    } else {
        format!(
            "loss along the flow (a data point left the pattern set at t = {:.4})",
            rec.pattern_exits[0].0
        )
    };
    let mut lchart = ChartBuilder::on(&bottom)
        .caption(note, ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..tmax, 0f64..lmax * 1.05)?;
    lchart
        .configure_mesh()
        .x_desc("time t")
        .y_desc("loss L")
        .draw()?;
    lchart.draw_series(LineSeries::new(
        rec.times.iter().copied().zip(rec.loss.iter().map(|l| {
            if l.is_finite() {
                l.min(lmax)
            } else {
                lmax
            }
        })),
        BLUE.stroke_width(2),
    ))?;
    root.present()?;
    Ok(())
}

/// `label` cut (with "...") to at most `max_chars` characters.
fn fit(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        label.to_string()
    } else {
        let keep: String = label.chars().take(max_chars.saturating_sub(3)).collect();
        format!("{keep}...")
    }
}

/// The legend panel: a framed box of rows `swatch label`, as many rows as fit (then a row
/// "... and N more"), every label cut to fit the panel's width.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(RGBAColor, u32, String)],
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (i32::try_from(w)?, i32::try_from(h)?);
    let font = i32::try_from(LEGEND_FONT)?;
    let row = font + 6;
    let (pad, swatch) = (8, 24);
    let (x0, y0) = (4, 40);
    let x1 = w - 12;
    let text_x = x0 + pad + swatch + 6;
    let max_chars = (f64::from(x1 - pad - text_x) / (CHAR_WIDTH_EM * f64::from(font))) as usize;
    let fit_rows = usize::try_from(((h - 60 - y0 - 2 * pad) / row).max(1))?;
    let shown = if entries.len() <= fit_rows {
        entries.len()
    } else {
        fit_rows - 1
    };
    let rows = shown + usize::from(shown < entries.len());
    let y1 = y0 + 2 * pad + row * i32::try_from(rows)?;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))?;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], BLACK.stroke_width(1)))?;
    let style = ("sans-serif", font).into_font().color(&BLACK);
    for (i, (color, width, label)) in entries.iter().take(shown).enumerate() {
        let y = y0 + pad + row * i32::try_from(i)? + row / 2;
        area.draw(&PathElement::new(
            vec![(x0 + pad, y), (x0 + pad + swatch, y)],
            color.stroke_width(*width),
        ))?;
        area.draw(&Text::new(
            fit(label, max_chars),
            (text_x, y - font / 2),
            style.clone(),
        ))?;
    }
    if shown < entries.len() {
        let y = y0 + pad + row * i32::try_from(shown)?;
        area.draw(&Text::new(
            format!("... and {} more (see the CSV)", entries.len() - shown),
            (text_x, y),
            style,
        ))?;
    }
    Ok(())
}
