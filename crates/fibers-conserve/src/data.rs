//! Datasets: the JSON file format, and small seeded datasets for demonstrations.
//!
//! ```json
//! {"x": [[1, "1/2"], ["-0.25", 3]],
//!  "y": [["7/3"], [0]]}
//! ```
//!
//! `x` lists the inputs (each of length `n0`), `y` the targets (each of length `n3`), the same
//! number of each, at least one. Numbers are read exactly, as in the network format: JSON
//! integers, `"p/q"` strings, decimal strings, or JSON decimal literals read as written (`0.1` is
//! `1/10`). Other top-level keys are refused (a misspelt key is an error, not ignored).

use fibers_exact::Rational;
use fibers_net::json::{parse_json_text, vector_from_value, vector_to_value};
use fibers_net::random::{random_point, Lcg};
use fibers_net::{LoadError, Network};
use serde_json::Value;
use std::path::Path;

/// A dataset with exact inputs and targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    /// Inputs, each of length `n0`.
    pub x: Vec<Vec<Rational>>,
    /// Targets, each of length `n3`.
    pub y: Vec<Vec<Rational>>,
}

fn rows(v: &Value, key: &str, width: usize, source: &str) -> Result<Vec<Vec<Rational>>, LoadError> {
    let arr = v.as_array().ok_or_else(|| {
        LoadError::new(source, key, "expected an array of rows (arrays of numbers)")
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, r)| {
            let place = format!("{key}[{i}]");
            let row = vector_from_value(r, source, &place)?;
            if row.len() != width {
                return Err(LoadError::new(
                    source,
                    &place,
                    format!("expected {width} numbers, found {}", row.len()),
                ));
            }
            Ok(row)
        })
        .collect()
}

impl Dataset {
    /// Reads a dataset for a network of input width `n0` and output width `n3` from JSON text.
    pub fn from_str(text: &str, n0: usize, n3: usize, source: &str) -> Result<Dataset, LoadError> {
        let v = parse_json_text(text, source)?;
        let obj = v.as_object().ok_or_else(|| {
            LoadError::new(
                source,
                "top level",
                "expected an object {\"x\": ..., \"y\": ...}",
            )
        })?;
        if let Some(k) = obj.keys().find(|k| *k != "x" && *k != "y") {
            return Err(LoadError::new(
                source,
                "top level",
                format!("unknown key \"{k}\" (expected \"x\" and \"y\")"),
            ));
        }
        let get = |k: &str| {
            obj.get(k)
                .ok_or_else(|| LoadError::new(source, "top level", format!("missing key \"{k}\"")))
        };
        let x = rows(get("x")?, "x", n0, source)?;
        let y = rows(get("y")?, "y", n3, source)?;
        if x.len() != y.len() {
            return Err(LoadError::new(
                source,
                "y",
                format!(
                    "expected {} targets (one per input), found {}",
                    x.len(),
                    y.len()
                ),
            ));
        }
        if x.is_empty() {
            return Err(LoadError::new(source, "x", "the dataset is empty"));
        }
        Ok(Dataset { x, y })
    }

    /// Reads a dataset file (see [`Dataset::from_str`]).
    pub fn read(path: &Path, n0: usize, n3: usize) -> Result<Dataset, LoadError> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError::new(&source, "file", e.to_string()))?;
        Dataset::from_str(&text, n0, n3, &source)
    }

    /// `n` seeded inputs with entries `p/q` (`|p| ≤ 20`, `q ≤ 7`, divided by 4, so within
    /// `[-5, 5]`), and targets `f_θ(x) + δ` with `δ` entries `p/q`, `|p| ≤ 1`, `q ≤ 4`: the
    /// flow starts near the network, so that it moves without changing patterns too soon.
    pub fn seeded(net: &Network, n: usize, seed: u64) -> Dataset {
        let arch = net.arch();
        let mut rng = Lcg::new(seed);
        let quarter = Rational::ratio(1, 4);
        let x: Vec<Vec<Rational>> = (0..n)
            .map(|_| {
                random_point(arch.n0, &mut rng)
                    .into_iter()
                    .map(|v| v * &quarter)
                    .collect()
            })
            .collect();
        let y = x
            .iter()
            .map(|xi| {
                net.eval(xi)
                    .into_iter()
                    .map(|v| v + rng.rational(1, 4))
                    .collect()
            })
            .collect();
        Dataset { x, y }
    }

    /// The JSON value in the file format.
    pub fn to_value(&self) -> Value {
        serde_json::json!({
            "x": self.x.iter().map(|r| vector_to_value(r)).collect::<Vec<_>>(),
            "y": self.y.iter().map(|r| vector_to_value(r)).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exactly_and_reports_places() {
        let d = Dataset::from_str(
            r#"{"x": [[1, "1/2"], [0.1, -3]], "y": [[2], ["-7/3"]]}"#,
            2,
            1,
            "d.json",
        )
        .unwrap();
        assert_eq!(d.x[1][0], Rational::ratio(1, 10));
        assert_eq!(d.y[1][0], Rational::ratio(-7, 3));
        let round = Dataset::from_str(&d.to_value().to_string(), 2, 1, "r").unwrap();
        assert_eq!(round, d);
        for (text, want) in [
            (
                r#"{"x": [[1]], "y": [[2]]}"#,
                "d.json: x[0]: expected 2 numbers, found 1",
            ),
            (
                r#"{"x": [[1, 2]], "y": []}"#,
                "d.json: y: expected 1 targets (one per input), found 0",
            ),
            (r#"{"x": [], "y": []}"#, "d.json: x: the dataset is empty"),
            (
                r#"{"x": [[1, 2]], "y": [[2]], "z": 1}"#,
                "d.json: top level: unknown key \"z\" (expected \"x\" and \"y\")",
            ),
            (
                r#"{"x": [[1, "1/0"]], "y": [[2]]}"#,
                "d.json: x[0][1]: zero denominator in \"1/0\"",
            ),
            (r#"{"y": [[2]]}"#, "d.json: top level: missing key \"x\""),
            (
                r#"[1]"#,
                "d.json: top level: expected an object {\"x\": ..., \"y\": ...}",
            ),
        ] {
            let e = Dataset::from_str(text, 2, 1, "d.json").unwrap_err();
            assert_eq!(e.to_string(), want);
        }
    }
}
