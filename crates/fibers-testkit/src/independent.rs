//! An evaluator written apart from `fibers-net`: its own JSON number reader and its own
//! arithmetic (num-rational directly, not fibers-exact), to test exact evaluation against.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A JSON number (integer, decimal, exponent) or string `"p/q"`, read exactly.
pub fn number(v: &Value) -> BigRational {
    let s = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => panic!("not a number: {v}"),
    };
    if let Some((p, q)) = s.split_once('/') {
        return BigRational::new(p.trim().parse().unwrap(), q.trim().parse().unwrap());
    }
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().unwrap()),
        None => (&s[..], 0),
    };
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant.strip_prefix('+').unwrap_or(mant)),
    };
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    let digits: BigInt = format!("{ip}{fp}").parse().unwrap();
    let e = exp - fp.len() as i32;
    let ten = BigRational::from_integer(BigInt::from(10));
    let mut r = BigRational::from_integer(digits);
    for _ in 0..e.unsigned_abs() {
        r = if e > 0 { r * &ten } else { r / &ten };
    }
    if neg {
        -r
    } else {
        r
    }
}

/// A network as read by [`read`]: `(weight rows, bias)` per layer.
pub struct Net {
    /// The three layers.
    pub layers: Vec<(Vec<Vec<BigRational>>, Vec<BigRational>)>,
}

/// Reads a network file of the JSON format (`None` if it is not one).
pub fn read(path: &Path) -> Option<Net> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let layers = v.get("layers")?.as_array()?;
    v.get("architecture")?;
    Some(Net {
        layers: layers
            .iter()
            .map(|l| {
                let w = l["weight"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_array().unwrap().iter().map(number).collect())
                    .collect();
                let b = l["bias"].as_array().unwrap().iter().map(number).collect();
                (w, b)
            })
            .collect(),
    })
}

/// Evaluates `net` at `x` (ReLU after layers 1 and 2).
pub fn eval(net: &Net, x: &[BigRational]) -> Vec<BigRational> {
    let mut h = x.to_vec();
    for (idx, (w, b)) in net.layers.iter().enumerate() {
        let mut next: Vec<BigRational> = w
            .iter()
            .zip(b)
            .map(|(row, bi)| {
                row.iter()
                    .zip(&h)
                    .fold(bi.clone(), |acc, (a, c)| acc + a * c)
            })
            .collect();
        if idx < 2 {
            for t in next.iter_mut() {
                if t.is_negative() {
                    *t = BigRational::zero();
                }
            }
        }
        h = next;
    }
    h
}

/// Every network file below `fixtures/` of the workspace except `fixtures/repro/`, sorted.
pub fn network_fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                // `fixtures/repro` holds adversarial inputs (widths of 2^20, 20,000-digit
                // numbers) for the resource tests, not networks to evaluate at many points.
                if p.file_name().is_some_and(|n| n != "repro") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "json") && read(&p).is_some() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `count` seeded rational points in `R^{n0}` with mixed signs and denominators.
pub fn points(n0: usize, count: usize, seed: u64) -> Vec<Vec<BigRational>> {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as i64
    };
    (0..count)
        .map(|_| {
            (0..n0)
                .map(|_| {
                    BigRational::new(BigInt::from(next() % 41 - 20), BigInt::from(next() % 7 + 1))
                })
                .collect()
        })
        .collect()
}
