//! Reading PyTorch-style checkpoints without misreading them (issue 16, item 1): layers found by
//! name in order, other depths refused with exit 2, `bias=False` behind `--zero-bias`, pickles
//! refused with a message, per-file names `PATH:KEYS`, and JSON float literals read as the
//! floats they denote with `--json-floats`.

mod statedict;

use statedict::*;

fn net(seed: u64) -> Vec<Linear> {
    random_mlp(&[3, 4, 3, 2], &mut Rng(seed))
}

#[test]
fn four_linear_layers_are_refused_with_exit_2() {
    let dir = TempDir::new("imp4");
    // nn.Sequential(Linear(4,3), ReLU(), Linear(3,3), ReLU(), Linear(3,3), ReLU(), Linear(3,2))
    let layers = random_mlp(&[4, 3, 3, 3, 2], &mut Rng(7));
    let p = dir.file(
        "deep.safetensors",
        &safetensors_bytes(&layers, &["0", "2", "4", "6"]),
    );
    let (code, out, err) = run(&["eval", &p, "--x", "1,2,3,4"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&p), "{err}");
    assert!(err.contains("found 4 Linear layers (0, 2, 4, 6)"), "{err}");
    assert!(err.contains("exactly three"), "{err}");
    // Two layers too.
    let p = dir.file(
        "shallow.safetensors",
        &safetensors_bytes(&layers[..2], &["0", "2"]),
    );
    let (code, _, err) = run(&["classify", &p]);
    assert_eq!(code, 2);
    assert!(err.contains("found 2 Linear layers"), "{err}");
}

#[test]
fn two_files_with_different_names_are_compared() {
    let dir = TempDir::new("impnames");
    let a = net(11);
    let mut b = a.clone();
    permute_scale(&mut b, 0, &[2, 0, 3, 1], &[2.0, 0.5, 1.0, 4.0]);
    permute_scale(&mut b, 1, &[1, 2, 0], &[0.25, 1.0, 2.0]);
    let pa = dir.file(
        "a.safetensors",
        &safetensors_bytes(&a, &["fc1", "fc2", "fc3"]),
    );
    // DistributedDataParallel names, Dropout between (indices 0, 3, 6), and 10 after 9.
    let pb = dir.file(
        "b.safetensors",
        &safetensors_bytes(&b, &["module.net.0", "module.net.3", "module.net.10"]),
    );
    let (code, out, err) = run(&["equiv", &pa, &pb]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("equivalent"), "{out}");
    // Explicit per-file names: PATH:KEYS, one file's names each.
    let (code, out, err) = run(&[
        "equiv",
        &format!("{pa}:fc1,fc2,fc3"),
        &format!("{pb}:module.net.0,module.net.3,module.net.10"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("equivalent"), "{out}");
    // A wrong name in one file is reported for that file.
    let (code, _, err) = run(&["equiv", &format!("{pa}:fc1,fc2,fc9"), &pb]);
    assert_eq!(code, 2);
    assert!(err.contains("fc9.weight: no such tensor"), "{err}");
}

#[test]
fn bias_false_needs_zero_bias() {
    let dir = TempDir::new("impbias");
    let mut a = net(5);
    a[1].bias = None;
    let p = dir.file(
        "nobias.safetensors",
        &safetensors_bytes(&a, &["0", "2", "4"]),
    );
    let (code, _, err) = run(&["eval", &p, "--x", "1,0,0"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("2.weight: the layer 2 has no bias (bias=False?); pass --zero-bias"),
        "{err}"
    );
    let mut z = a.clone();
    z[1].bias = Some(vec![0.0; 3]);
    let pz = dir.file("zero.safetensors", &safetensors_bytes(&z, &["0", "2", "4"]));
    let (code, out, err) = run(&["eval", &p, "--x", "1,-1/2,3", "--zero-bias"]);
    assert_eq!(code, 0, "{err}");
    let (_, expected, _) = run(&["eval", &pz, "--x", "1,-1/2,3"]);
    assert_eq!(out, expected);
}

#[test]
fn torch_pickles_are_refused_with_advice() {
    let dir = TempDir::new("imppt");
    for (name, bytes) in [
        ("model.pt", &b"PK\x03\x04archive/data.pkl"[..]),
        ("legacy.pth", &b"\x80\x02\x8a\x0alZ\xfc"[..]),
    ] {
        let p = dir.file(name, bytes);
        let (code, _, err) = run(&["eval", &p, "--x", "1"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("a PyTorch pickle"), "{err}");
        assert!(err.contains("save_file(model.state_dict()"), "{err}");
        assert!(!err.contains("UTF-8"), "{err}");
    }
}

#[test]
fn float_literal_json_copy_is_equivalent_with_json_floats_f32() {
    let dir = TempDir::new("impfloat");
    let a = net(23);
    let mut b = a.clone();
    permute_scale(&mut b, 0, &[1, 0, 2, 3], &[2.0, 1.0, 0.5, 1.0]);
    let pa = dir.file("a.safetensors", &safetensors_bytes(&a, &["0", "2", "4"]));
    let pb = dir.file("b.json", float_literal_json(&b).as_bytes());
    // Read as exact decimals, the copy is another function, and a warning says why.
    let (code, out, err) = run(&["equiv", &pa, &pb]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("not equivalent"), "{out}");
    assert!(
        err.contains("look like the shortest decimal of a binary float"),
        "{err}"
    );
    assert!(err.contains("--json-floats f32"), "{err}");
    // Read as the f32 each literal denotes: the same network up to symmetry, certified.
    let cert = dir.0.join("c.json");
    let (code, out, err) = run(&[
        "equiv",
        &pa,
        &pb,
        "--json-floats",
        "f32",
        "--cert",
        cert.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("equivalent"), "{out}");
    assert!(!err.contains("warning"), "{err}");
    let (code, _, err) = run(&[
        "check",
        cert.to_str().unwrap(),
        &pa,
        &pb,
        "--json-floats",
        "f32",
    ]);
    assert_eq!(code, 0, "{err}");
}
