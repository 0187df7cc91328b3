//! `fibers eval` against an evaluation written separately here: its own JSON number reader
//! and its own arithmetic (num-rational directly, not fibers-exact), on every bundled network
//! fixture at many rational points.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn number(v: &Value) -> BigRational {
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

struct Net {
    layers: Vec<(Vec<Vec<BigRational>>, Vec<BigRational>)>,
}

fn read(path: &Path) -> Option<Net> {
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

fn eval(net: &Net, x: &[BigRational]) -> Vec<BigRational> {
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

fn network_fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") && read(&p).is_some() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A small deterministic generator of rational points with mixed signs and denominators.
fn points(n0: usize, count: usize, seed: u64) -> Vec<Vec<BigRational>> {
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

#[test]
fn eval_matches_independent_evaluation_on_every_fixture() {
    let fixtures = network_fixtures();
    assert!(
        fixtures.len() >= 3,
        "expected bundled network fixtures, found {fixtures:?}"
    );
    let mut checked = 0;
    for path in &fixtures {
        let net = read(path).unwrap();
        let n0 = net.layers[0].0.first().map_or(0, |r| r.len());
        if n0 == 0 {
            continue;
        }
        for x in points(n0, 12, checked as u64 + 7) {
            let xs: Vec<String> = x.iter().map(|r| r.to_string()).collect();
            let out = Command::new(env!("CARGO_BIN_EXE_fibers"))
                .args([
                    "eval",
                    path.to_str().unwrap(),
                    "--json",
                    "--x",
                    &xs.join(","),
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let got: Vec<BigRational> =
                v["output"].as_array().unwrap().iter().map(number).collect();
            assert_eq!(got, eval(&net, &x), "{} at {xs:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 36);
}
