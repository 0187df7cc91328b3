//! Safetensors files written with the `safetensors` crate's own serializer, from known float
//! values, load as the exact rationals those floats denote and evaluate exactly.
//!
//! The expected rationals and outputs were computed independently (Python's `fractions` on the
//! packed floats), not with any code of this crate.

use fibers_exact::Rational;
use fibers_import::{network_from_safetensors, KeyMap};
use safetensors::tensor::{Dtype, TensorView};

/// Decimal values written into the six tensors (W1 2×2, b1, W2 2×2, b2, W3 1×2, b3).
const VALUES: [&[f64]; 6] = [
    &[0.1, -0.3, 2.5, 0.001],
    &[0.7, -1.1],
    &[1.5, -0.2, 0.3, 0.9],
    &[-0.05, 0.4],
    &[1.25, -0.6],
    &[0.01],
];
const SHAPES: [&[usize]; 6] = [&[2, 2], &[2], &[2, 2], &[2], &[1, 2], &[1]];
const NAMES: [&str; 6] = [
    "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
];

fn encode(dtype: Dtype, v: &[f64]) -> Vec<u8> {
    let mut out = Vec::new();
    for &x in v {
        match dtype {
            Dtype::F32 => out.extend((x as f32).to_le_bytes()),
            Dtype::F16 => out.extend(half::f16::from_f64(x).to_le_bytes()),
            Dtype::BF16 => out.extend(half::bf16::from_f32(x as f32).to_le_bytes()),
            Dtype::F64 => out.extend(x.to_le_bytes()),
            _ => unreachable!(),
        }
    }
    out
}

/// A safetensors file with the six tensors in the given dtypes and names.
fn file(dtypes: [Dtype; 6], names: [&str; 6]) -> Vec<u8> {
    let data: Vec<Vec<u8>> = (0..6).map(|i| encode(dtypes[i], VALUES[i])).collect();
    let views: Vec<(String, TensorView<'_>)> = (0..6)
        .map(|i| {
            (
                names[i].to_string(),
                TensorView::new(dtypes[i], SHAPES[i].to_vec(), &data[i]).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

fn q(s: &str) -> Rational {
    s.parse().unwrap()
}

fn check(dtype: Dtype, params: [&str; 15], at_1_2: &str, at_3_m13: &str) {
    let bytes = file([dtype; 6], NAMES);
    let net = network_from_safetensors(&bytes, "model.safetensors", &KeyMap::default()).unwrap();
    assert_eq!(net.arch(), fibers_net::Architecture::new(2, 2, 2, 1));
    let expected: Vec<Rational> = params.iter().map(|s| q(s)).collect();
    assert_eq!(net.params(), expected, "{dtype}");
    assert_eq!(net.eval(&[q("1"), q("2")]), vec![q(at_1_2)], "{dtype}");
    assert_eq!(net.eval(&[q("3"), q("-1/3")]), vec![q(at_3_m13)], "{dtype}");
}

#[test]
fn f32_entries_are_exact() {
    // 0.1f32 is 13421773/134217728, not 1/10.
    check(
        Dtype::F32,
        [
            "13421773/134217728",
            "-5033165/16777216",
            "5/2",
            "8589935/8589934592",
            "11744051/16777216",
            "-9227469/8388608",
            "3/2",
            "-13421773/67108864",
            "5033165/16777216",
            "7549747/8388608",
            "-13421773/268435456",
            "13421773/33554432",
            "5/4",
            "-5033165/8388608",
            "5368709/536870912",
        ],
        "-309206959068891841896457/302231454903657293676544",
        "-2105789654920891880332749/604462909807314587353088",
    );
}

#[test]
fn f16_entries_are_exact() {
    check(
        Dtype::F16,
        [
            "819/8192",
            "-1229/4096",
            "5/2",
            "1049/1048576",
            "717/1024",
            "-563/512",
            "3/2",
            "-819/4096",
            "1229/4096",
            "1843/2048",
            "-819/16384",
            "819/2048",
            "5/4",
            "-1229/2048",
            "1311/131072",
        ],
        "-2250338952159/2199023255552",
        "-15321188756331/4398046511104",
    );
}

#[test]
fn bf16_entries_are_exact() {
    check(
        Dtype::BF16,
        [
            "205/2048",
            "-77/256",
            "5/2",
            "131/131072",
            "179/256",
            "-141/128",
            "3/2",
            "-205/1024",
            "77/256",
            "115/128",
            "-205/4096",
            "205/512",
            "5/4",
            "-77/128",
            "41/4096",
        ],
        "-1098996501/1073741824",
        "-7493381829/2147483648",
    );
}

#[test]
fn f64_entries_are_exact() {
    check(
        Dtype::F64,
        [
            "3602879701896397/36028797018963968",
            "-5404319552844595/18014398509481984",
            "5/2",
            "1152921504606847/1152921504606846976",
            "3152519739159347/4503599627370496",
            "-2476979795053773/2251799813685248",
            "3/2",
            "-3602879701896397/18014398509481984",
            "5404319552844595/18014398509481984",
            "8106479329266893/9007199254740992",
            "-3602879701896397/72057594037927936",
            "3602879701896397/9007199254740992",
            "5/4",
            "-5404319552844595/9007199254740992",
            "5764607523034235/576460752303423488",
        ],
        "-47847459043856002296138791550194140809207659744945/\
         46768052394588893382517914646921056628989841375232",
        "-977565473733702783095778017550651875913864244121095/\
         280608314367533360295107487881526339773939048251392",
    );
}

#[test]
fn mixed_dtypes_and_custom_names() {
    let names = [
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
        "fc3.weight",
        "fc3.bias",
    ];
    let bytes = file(
        [
            Dtype::F32,
            Dtype::F16,
            Dtype::BF16,
            Dtype::F64,
            Dtype::F32,
            Dtype::F16,
        ],
        names,
    );
    let keys = KeyMap::parse("fc1,fc2,fc3").unwrap();
    let net = network_from_safetensors(&bytes, "m.safetensors", &keys).unwrap();
    assert_eq!(net.w1()[0][0], q("13421773/134217728")); // f32
    assert_eq!(net.b1()[1], q("-563/512")); // f16
    assert_eq!(net.w2()[0][1], q("-205/1024")); // bf16
    assert_eq!(net.b2()[0], q("-3602879701896397/72057594037927936")); // f64
    assert_eq!(net.b3()[0], q("1311/131072")); // f16
                                               // The default names are not in this file.
    let e = network_from_safetensors(&bytes, "m.safetensors", &KeyMap::default()).unwrap_err();
    assert_eq!(e.place, "0.weight");
    assert!(e.message.contains("fc1.bias, fc1.weight"), "{e}");
}

/// Extremes of each format: subnormals, the largest finite values, signed zero.
#[test]
fn extremes_are_exact() {
    let one = 1u64;
    let cases: Vec<(Dtype, Vec<u8>, Rational)> = vec![
        // smallest f16 subnormal 2^-24, largest f16 65504
        (
            Dtype::F16,
            0x0001u16.to_le_bytes().to_vec(),
            q(&format!("1/{}", one << 24)),
        ),
        (Dtype::F16, 0x7bffu16.to_le_bytes().to_vec(), q("65504")),
        (Dtype::F16, 0x8000u16.to_le_bytes().to_vec(), q("0")),
        // smallest bf16 subnormal 2^-133
        (
            Dtype::BF16,
            0x0001u16.to_le_bytes().to_vec(),
            q("2").pow(-133).unwrap(),
        ),
        // largest f32: (2^24 - 1) 2^104
        (
            Dtype::F32,
            f32::MAX.to_le_bytes().to_vec(),
            q("340282346638528859811704183484516925440"),
        ),
        // smallest f64 subnormal 2^-1074
        (
            Dtype::F64,
            1u64.to_le_bytes().to_vec(),
            q("2").pow(-1074).unwrap(),
        ),
        (Dtype::F64, (-0.0f64).to_le_bytes().to_vec(), q("0")),
    ];
    for (dtype, b1, expected) in cases {
        let data: Vec<Vec<u8>> = (0..5).map(|i| encode(Dtype::F32, VALUES[i])).collect();
        let mut views: Vec<(String, TensorView<'_>)> = (0..5)
            .map(|i| {
                (
                    NAMES[i].to_string(),
                    TensorView::new(Dtype::F32, SHAPES[i].to_vec(), &data[i]).unwrap(),
                )
            })
            .collect();
        views.push((
            "4.bias".to_string(),
            TensorView::new(dtype, vec![1], &b1).unwrap(),
        ));
        let bytes = safetensors::serialize(views, None).unwrap();
        let net = network_from_safetensors(&bytes, "m", &KeyMap::default()).unwrap();
        assert_eq!(net.b3()[0], expected, "{dtype}");
    }
}

#[test]
fn nan_and_infinities_are_named() {
    let bad: [(f32, &str); 3] = [
        (f32::NAN, "NaN is not a number"),
        (f32::INFINITY, "+inf is not a finite number"),
        (f32::NEG_INFINITY, "-inf is not a finite number"),
    ];
    for (v, msg) in bad {
        let mut w2 = encode(Dtype::F32, VALUES[2]);
        // W2[1][0]
        w2[8..12].copy_from_slice(&v.to_le_bytes());
        let data: Vec<Vec<u8>> = (0..6).map(|i| encode(Dtype::F32, VALUES[i])).collect();
        let views: Vec<(String, TensorView<'_>)> = (0..6)
            .map(|i| {
                let d = if i == 2 { &w2 } else { &data[i] };
                (
                    NAMES[i].to_string(),
                    TensorView::new(Dtype::F32, SHAPES[i].to_vec(), d).unwrap(),
                )
            })
            .collect();
        let bytes = safetensors::serialize(views, None).unwrap();
        let e =
            network_from_safetensors(&bytes, "model.safetensors", &KeyMap::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("model.safetensors: 2.weight[1][0]: {msg}")
        );
    }
    // A NaN in f16 and in a bias.
    let mut b1 = encode(Dtype::F16, VALUES[1]);
    b1[2..4].copy_from_slice(&half::f16::NAN.to_le_bytes());
    let data: Vec<Vec<u8>> = (0..6).map(|i| encode(Dtype::F16, VALUES[i])).collect();
    let views: Vec<(String, TensorView<'_>)> = (0..6)
        .map(|i| {
            let d = if i == 1 { &b1 } else { &data[i] };
            (
                NAMES[i].to_string(),
                TensorView::new(Dtype::F16, SHAPES[i].to_vec(), d).unwrap(),
            )
        })
        .collect();
    let bytes = safetensors::serialize(views, None).unwrap();
    let e = network_from_safetensors(&bytes, "m.safetensors", &KeyMap::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "m.safetensors: 0.bias[1]: NaN is not a number"
    );
}
