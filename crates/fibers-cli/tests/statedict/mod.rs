//! PyTorch-style state dicts written in tests with the `safetensors` crate: `Linear` layers
//! under any names, f32 values, optional biases; and small helpers to run the binary.
#![allow(dead_code)]

use safetensors::tensor::{Dtype, TensorView};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One `Linear` layer: weight `[out][in]` and optional bias.
#[derive(Clone, Debug)]
pub struct Linear {
    /// Rows of the weight.
    pub weight: Vec<Vec<f32>>,
    /// The bias (`None` for `bias=False`).
    pub bias: Option<Vec<f32>>,
}

/// A small deterministic generator (xorshift), for reproducible f32 weights.
pub struct Rng(pub u64);

impl Rng {
    /// The next value in `[-1, 1)`, a multiple of 2^-10 (so f32 and short decimals agree).
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) % 2048) as f32 / 1024.0 - 1.0
    }
    /// A random f32 with many significant bits (like a trained weight).
    pub fn trained(&mut self) -> f32 {
        let a = self.next();
        let b = self.next();
        a + b / 3000.0
    }
}

/// A random MLP with the given widths, values like trained weights.
pub fn random_mlp(widths: &[usize], rng: &mut Rng) -> Vec<Linear> {
    widths
        .windows(2)
        .map(|w| Linear {
            weight: (0..w[1])
                .map(|_| (0..w[0]).map(|_| rng.trained()).collect())
                .collect(),
            bias: Some((0..w[1]).map(|_| rng.trained()).collect()),
        })
        .collect()
}

/// Permutes the hidden units of layer `l` (between `layers[l]` and `layers[l+1]`) by `perm`
/// and scales new unit `i` by `scale[i]` (a power of two, so f32 stays exact).
pub fn permute_scale(layers: &mut [Linear], l: usize, perm: &[usize], scale: &[f32]) {
    let old = layers.to_vec();
    for (i, &p) in perm.iter().enumerate() {
        layers[l].weight[i] = old[l].weight[p].iter().map(|v| v * scale[i]).collect();
        if let (Some(b), Some(ob)) = (&mut layers[l].bias, &old[l].bias) {
            b[i] = ob[p] * scale[i];
        }
        for (r, row) in layers[l + 1].weight.iter_mut().enumerate() {
            row[i] = old[l + 1].weight[r][p] / scale[i];
        }
    }
}

/// The safetensors bytes of `layers`, layer `k` named `prefixes[k]` (`"0"`, `"fc1"`,
/// `"module.3"`, ...), as f32 tensors.
pub fn safetensors_bytes(layers: &[Linear], prefixes: &[&str]) -> Vec<u8> {
    let mut data: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (l, p) in layers.iter().zip(prefixes) {
        let rows = l.weight.len();
        let cols = l.weight.first().map_or(0, Vec::len);
        let bytes = l
            .weight
            .iter()
            .flatten()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        data.push((format!("{p}.weight"), vec![rows, cols], bytes));
        if let Some(b) = &l.bias {
            let bytes = b.iter().flat_map(|v| v.to_le_bytes()).collect();
            data.push((format!("{p}.bias"), vec![rows], bytes));
        }
    }
    let views: Vec<(String, TensorView<'_>)> = data
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

/// The JSON network of three layers, every number written as Python's `json.dumps` writes
/// the float of `tensor.tolist()`: the shortest decimal of the f32 widened to f64.
pub fn float_literal_json(layers: &[Linear]) -> String {
    let num = |v: f32| {
        let s = format!("{:?}", f64::from(v));
        s
    };
    let arch = [
        layers[0].weight[0].len(),
        layers[0].weight.len(),
        layers[1].weight.len(),
        layers[2].weight.len(),
    ];
    let mut out = format!(
        "{{\"architecture\": [{}, {}, {}, {}], \"layers\": [",
        arch[0], arch[1], arch[2], arch[3]
    );
    for (k, l) in layers.iter().enumerate() {
        let rows: Vec<String> = l
            .weight
            .iter()
            .map(|r| {
                format!(
                    "[{}]",
                    r.iter().map(|&v| num(v)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        let bias: Vec<String> = l.bias.as_ref().unwrap().iter().map(|&v| num(v)).collect();
        out.push_str(&format!(
            "{}{{\"weight\": [{}], \"bias\": [{}]}}",
            if k == 0 { "" } else { ", " },
            rows.join(", "),
            bias.join(", ")
        ));
    }
    out.push_str("]}");
    out
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory.
    pub fn new(tag: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("fibers-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    /// Writes `bytes` to `name` in the directory; its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.0.join(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    }
    /// The path of the directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// (exit status, stdout, stderr) of the `fibers` binary.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fibers"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
