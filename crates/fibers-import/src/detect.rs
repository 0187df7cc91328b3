//! Finding the `Linear` layers of a state dict by their names and shapes.
//!
//! A PyTorch state dict of a multilayer perceptron holds, for each `Linear` layer, a tensor
//! `P.weight` of shape `[out, in]` and (unless the layer was made with `bias=False`) a tensor
//! `P.bias` of shape `[out]`. The prefixes `P` can be anything: `0`, `2`, `4` for
//! `nn.Sequential(Linear, ReLU, Linear, ReLU, Linear)`, `0`, `3`, `5` when `Dropout` modules sit
//! between, `fc1`, `fc2`, `fc3` for named attributes, all of them preceded by `module.` when the
//! model was wrapped in `DistributedDataParallel` (or `_orig_mod.` by `torch.compile`).
//!
//! [`detect_layers`] groups the tensors by prefix, orders the layers by their prefixes compared
//! naturally (numbers by value, so `fc2` comes before `fc10` and `2` before `10`), and accepts
//! exactly three layers. It refuses, rather than guesses, when any tensor is not the weight or
//! bias of a `Linear` layer (a `BatchNorm`'s `running_mean`, a 1-D `LayerNorm` weight, a 4-D
//! convolution kernel), when a bias has no weight, and when there are not exactly three layers.
//! (The state dict does not record the activations: a ReLU between the layers is assumed.)

use crate::safetensors::LayerNames;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Wrappers whose prefix is dropped before the layers are ordered (`module.` from
/// `DataParallel`/`DistributedDataParallel`, `_orig_mod.` from `torch.compile`).
const WRAPPERS: [&str; 2] = ["module.", "_orig_mod."];

/// `name` without wrapper prefixes.
fn unwrapped(name: &str) -> &str {
    let mut s = name;
    loop {
        match WRAPPERS.iter().find_map(|w| s.strip_prefix(w)) {
            Some(rest) => s = rest,
            None => return s,
        }
    }
}

/// Compares two names with runs of digits compared by value (`fc2 < fc10`, `layers.2 <
/// layers.10`), other characters as bytes.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let i = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let j = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (u, v) = (trim_zeros(&x[..i]), trim_zeros(&y[..j]));
                let o = u.len().cmp(&v.len()).then_with(|| u.cmp(v));
                if o != Ordering::Equal {
                    return o;
                }
                x = &x[i..];
                y = &y[j..];
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let k = d.iter().take_while(|&&c| c == b'0').count();
    &d[k.min(d.len().saturating_sub(1))..]
}

/// The three `Linear` layers of a state dict, in order, from its tensor names and ranks
/// (`(name, number of dimensions)`).
///
/// `Err((place, message))` when the tensors are not exactly three `Linear` layers; a layer
/// without a bias is an error unless `zero_bias` (then its [`LayerNames::bias`] is `None`).
pub fn detect_layers(
    tensors: &[(String, usize)],
    zero_bias: bool,
) -> Result<[LayerNames; 3], (String, String)> {
    // prefix (unwrapped) -> (weight name, bias name)
    let mut layers: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    let mut sorted: Vec<&(String, usize)> = tensors.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, rank) in sorted {
        let short = unwrapped(name);
        let (prefix, is_weight) = if let Some(p) = short.strip_suffix("weight") {
            (p, true)
        } else if let Some(p) = short.strip_suffix("bias") {
            (p, false)
        } else {
            return Err((
                name.escape_debug().to_string(),
                format!(
                    "not the weight or bias of a Linear layer (rank {rank}); fibers reads state \
                     dicts of three Linear layers with ReLU between, nothing else"
                ),
            ));
        };
        if !(prefix.is_empty() || prefix.ends_with('.')) {
            return Err((
                name.escape_debug().to_string(),
                "not the weight or bias of a Linear layer (expected a name ending in \
                 \".weight\" or \".bias\")"
                    .to_string(),
            ));
        }
        let want = if is_weight { 2 } else { 1 };
        if *rank != want {
            return Err((
                name.escape_debug().to_string(),
                format!(
                    "a tensor of rank {rank}: not the {} of a Linear layer (expected rank \
                     {want}; normalisation, embedding and convolution layers are not read)",
                    if is_weight { "weight" } else { "bias" }
                ),
            ));
        }
        let key = prefix.trim_end_matches('.').to_string();
        let entry = layers.entry(key).or_default();
        if is_weight {
            entry.0 = Some(name.clone());
        } else {
            entry.1 = Some(name.clone());
        }
    }
    let mut found: Vec<(String, String, Option<String>)> = Vec::with_capacity(layers.len());
    for (prefix, (w, b)) in layers {
        let Some(w) = w else {
            let b = b.expect("a bias");
            return Err((
                b.escape_debug().to_string(),
                "a bias without a weight: not a Linear layer".to_string(),
            ));
        };
        if b.is_none() && !zero_bias {
            return Err((
                w.escape_debug().to_string(),
                format!(
                    "the layer {} has no bias (bias=False?); pass --zero-bias to read its bias \
                     as zero",
                    display_prefix(&prefix)
                ),
            ));
        }
        found.push((prefix, w, b));
    }
    found.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    if found.len() != 3 {
        let list: Vec<String> = found.iter().map(|l| display_prefix(&l.0)).collect();
        let what = if found.is_empty() {
            "no Linear layers".to_string()
        } else {
            format!(
                "{} Linear layer{} ({})",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                list.join(", ")
            )
        };
        return Err((
            "tensors".to_string(),
            format!(
                "found {what}: fibers reads networks of exactly three Linear layers \
                 (n0 -> n1 -> n2 -> n3 with ReLU between); other depths are not supported"
            ),
        ));
    }
    let mut it = found
        .into_iter()
        .map(|(_, weight, bias)| LayerNames { weight, bias });
    Ok(std::array::from_fn(|_| it.next().expect("three layers")))
}

fn display_prefix(p: &str) -> String {
    if p.is_empty() {
        "(unnamed)".to_string()
    } else {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(names: &[(&str, usize)]) -> Vec<(String, usize)> {
        names.iter().map(|(n, r)| (n.to_string(), *r)).collect()
    }

    fn weights(l: &[LayerNames; 3]) -> Vec<&str> {
        l.iter().map(|x| x.weight.as_str()).collect()
    }

    #[test]
    fn natural_order() {
        assert_eq!(natural_cmp("fc2", "fc10"), Ordering::Less);
        assert_eq!(natural_cmp("10", "9"), Ordering::Greater);
        assert_eq!(natural_cmp("layers.02", "layers.3"), Ordering::Less);
    }

    #[test]
    fn sequential_with_dropout_and_ddp() {
        let l = detect_layers(
            &t(&[
                ("module.10.weight", 2),
                ("module.10.bias", 1),
                ("module.0.weight", 2),
                ("module.0.bias", 1),
                ("module.3.weight", 2),
                ("module.3.bias", 1),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(
            weights(&l),
            ["module.0.weight", "module.3.weight", "module.10.weight"]
        );
    }

    #[test]
    fn four_layers_and_foreign_tensors_are_refused() {
        let e = detect_layers(
            &t(&[
                ("0.weight", 2),
                ("0.bias", 1),
                ("2.weight", 2),
                ("2.bias", 1),
                ("4.weight", 2),
                ("4.bias", 1),
                ("6.weight", 2),
                ("6.bias", 1),
            ]),
            false,
        )
        .unwrap_err();
        assert!(e.1.contains("found 4 Linear layers (0, 2, 4, 6)"), "{e:?}");
        let e = detect_layers(&t(&[("fc1.weight", 2), ("bn.running_mean", 1)]), false).unwrap_err();
        assert_eq!(e.0, "bn.running_mean");
        let e = detect_layers(&t(&[("bn.weight", 1)]), false).unwrap_err();
        assert!(e.1.contains("rank 1"), "{e:?}");
    }

    #[test]
    fn missing_bias_needs_the_flag() {
        let names = t(&[
            ("fc1.weight", 2),
            ("fc2.weight", 2),
            ("fc2.bias", 1),
            ("fc3.weight", 2),
            ("fc3.bias", 1),
        ]);
        let e = detect_layers(&names, false).unwrap_err();
        assert!(e.1.contains("--zero-bias"), "{e:?}");
        let l = detect_layers(&names, true).unwrap();
        assert_eq!(l[0].bias, None);
        assert_eq!(l[1].bias.as_deref(), Some("fc2.bias"));
    }
}
