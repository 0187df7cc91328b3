//! The properties checked on every fuzz input, shared by the cargo-fuzz targets
//! (`fuzz_targets/*.rs`) and by the stable replay and mutation tests
//! (`crates/fibers-cli/tests/fuzz_regressions.rs`, which include this file by path).
//!
//! Each function panics exactly when a property fails; a panic is a finding.

use fibers_check::{certificate_from_str, check, CheckOptions, Verdict};
use fibers_import::{network_from_safetensors, network_to_safetensors, KeyMap, Rounding};
use fibers_net::json::{network_from_str, network_to_string, network_to_value};
use fibers_net::Network;
use std::sync::OnceLock;

/// The JSON network reader on arbitrary bytes: never panics, errors are one line naming the
/// file, and an accepted network writes back (both writers) and reads back as itself.
pub fn json_network(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match network_from_str(text, "fuzz.json") {
        Ok(net) => {
            for written in [network_to_string(&net), network_to_value(&net).to_string()] {
                let again =
                    network_from_str(&written, "again.json").expect("a written network reads back");
                assert_eq!(again, net, "round trip through {written}");
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "one-line message: {msg:?}");
            assert!(msg.starts_with("fuzz.json: "), "names the file: {msg:?}");
        }
    }
}

/// The safetensors reader on arbitrary bytes, with the default names and with `a,b,c`: never
/// panics, errors are one line naming the file; an accepted network exports to f64 without
/// rounding (every f16, bf16, f32 and f64 value is an f64) and reads back as itself.
pub fn safetensors_network(data: &[u8]) {
    for keys in [
        KeyMap::default(),
        KeyMap::parse("a,b,c").expect("valid keys"),
    ] {
        match network_from_safetensors(data, "fuzz.safetensors", &keys) {
            Ok(net) => {
                let out = network_to_safetensors(&net, &keys, Rounding::Exact)
                    .expect("values read from floats are f64 values");
                assert_eq!(out.rounded, 0);
                let again = network_from_safetensors(&out.bytes, "again.safetensors", &keys)
                    .expect("a written network reads back");
                assert_eq!(again, net);
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains('\n'), "one-line message: {msg:?}");
                assert!(msg.starts_with("fuzz.safetensors: "), "{msg:?}");
            }
        }
    }
}

macro_rules! pair {
    ($name:literal, $equivalent:expr) => {
        (
            include_str!(concat!("../fixtures/pairs/", $name, "/a.json")),
            include_str!(concat!("../fixtures/pairs/", $name, "/b.json")),
            $equivalent,
        )
    };
}

/// The pairs of `fixtures/pairs/` in name order, with their true verdicts.
const PAIRS: [(&str, &str, bool); 9] = [
    pair!("flip-compensated", true),
    pair!("flip-uncompensated", false),
    pair!("hidden-shift-at-tmin", true),
    pair!("hidden-shift-below-tmin", false),
    pair!("negative-scaling", false),
    pair!("permuted-scaled", true),
    pair!("relay", true),
    pair!("wide-permuted-dead", true),
    pair!("wide-perturbed", false),
];

#[allow(clippy::type_complexity)]
fn pairs() -> &'static Vec<(Network, Network, Verdict)> {
    static NETS: OnceLock<Vec<(Network, Network, Verdict)>> = OnceLock::new();
    NETS.get_or_init(|| {
        PAIRS
            .iter()
            .map(|(a, b, eq)| {
                let verdict = if *eq {
                    Verdict::Equivalent
                } else {
                    Verdict::NotEquivalent
                };
                (
                    network_from_str(a, "a.json").expect("fixture"),
                    network_from_str(b, "b.json").expect("fixture"),
                    verdict,
                )
            })
            .collect()
    })
}

/// The certificate reader and the trusted checker. The first byte picks a pair of
/// `fixtures/pairs/`, the rest is the certificate text. Never panics, messages are one line,
/// and the checker never accepts a verdict other than the pair's true one (the soundness
/// oracle: the equivalent pairs are equivalent by construction, the others have witnesses).
/// Hashes are not compared, so that mutated certificates reach the kernel.
pub fn certificate(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (a, b, truth) = &pairs()[pick as usize % PAIRS.len()];
    let cert = match certificate_from_str(text, "fuzz.cert.json") {
        Ok(c) => c,
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "one-line message: {msg:?}");
            return;
        }
    };
    let opts = CheckOptions {
        check_hashes: false,
    };
    match check(&cert, a, b, opts) {
        Ok(v) => assert_eq!(v, *truth, "the checker accepted a false verdict"),
        Err(r) => assert!(!r.0.contains('\n'), "one-line rejection: {:?}", r.0),
    }
}
