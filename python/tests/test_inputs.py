"""Inputs and outputs: torch modules and state dicts (any names), safetensors, NumPy, JSON;
exactness; bad input named by place."""

import json
import os
import struct
from fractions import Fraction

import pytest

import fibers
from conftest import FIXTURES

np = pytest.importorskip("numpy")

MODELS = os.path.join(FIXTURES, "models")


def arrays(seed=0, dtype=np.float32, arch=(3, 5, 4, 2)):
    rng = np.random.default_rng(seed)
    n0, n1, n2, n3 = arch
    shapes = [(n1, n0), (n1,), (n2, n1), (n2,), (n3, n2), (n3,)]
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def test_from_numpy_is_exact_and_round_trips_bits():
    A = arrays(dtype=np.float32)
    net = fibers.Network.from_numpy(*A)
    assert net.arch == (3, 5, 4, 2)
    # Each parameter is the exact rational the float32 denotes ...
    W1 = net.layers[0][0]
    assert W1[1][2] == Fraction(float(A[0][1, 2]))
    assert W1[1][2].denominator & (W1[1][2].denominator - 1) == 0  # a power of two
    # ... and comes back bit for bit.
    for x, y in zip(A, net.to_numpy(np.float32)):
        assert x.tobytes() == y.tobytes()
    for x, y in zip(arrays(dtype=np.float64), fibers.Network.from_numpy(*arrays(dtype=np.float64)).to_numpy()):
        assert x.tobytes() == y.tobytes()


def test_from_numpy_exact_values_and_json_round_trip():
    net = fibers.Network.from_numpy(
        [[Fraction(1, 3), "2/7"]], [0], [[1]], [Fraction(-1, 2)], [[3]], ["5"]
    )
    assert net.layers[0][0][0] == [Fraction(1, 3), Fraction(2, 7)]
    again = fibers.Network.from_json(net.to_json())
    assert again == net and again.hash == net.hash
    assert net([Fraction(3), Fraction(0)]) == [Fraction(3 * 1 * (1 - Fraction(1, 2)) + 5)]


def test_from_json_path_and_string():
    path = os.path.join(FIXTURES, "networks", "tiny.json")
    a = fibers.Network.from_json(path)
    with open(path) as f:
        b = fibers.Network.from_json(f.read())
    assert a == b


@pytest.mark.parametrize("name", ["seq_f32", "seq_f64", "fc_f16"])
def test_from_safetensors_matches_cli(name, cli, tmp_path):
    path = os.path.join(MODELS, f"{name}.safetensors")
    # Without keys: the Linear layers are found by name and shape (fc_f16 has custom names).
    net = fibers.Network.from_safetensors(path)
    out = tmp_path / "net.json"
    keys = ["--keys", "fc1,fc2,fc3"] if name == "fc_f16" else []
    r = cli("convert", path, out, *keys)
    assert r.returncode == 0, r.stderr
    assert net == fibers.Network.from_json(out)
    with open(os.path.join(MODELS, f"{name}.expected")) as f:
        expected = json.load(f)["network"]
    assert net == fibers.Network.from_json(json.dumps(expected))


def test_safetensors_round_trip(tmp_path):
    pytest.importorskip("safetensors")
    net = fibers.Network.from_numpy(*arrays(3, np.float64))
    p = tmp_path / "n.safetensors"
    net.to_safetensors(p)
    assert fibers.Network.from_safetensors(p) == net


def test_pickle_round_trip():
    import pickle

    net = fibers.Network.from_numpy(*arrays(4))
    assert pickle.loads(pickle.dumps(net)) == net


# ---- bad input, with the place named -----------------------------------------------------


def test_bad_json_names_the_place():
    with pytest.raises(fibers.BadInput) as e:
        fibers.Network.from_json('{"layers": [{"weight": [[1]], "bias": ["1/0"]}]}', name="x.json")
    assert "x.json" in str(e.value)
    path = os.path.join(FIXTURES, "networks", "does-not-exist.json")
    with pytest.raises(fibers.BadInput, match="does-not-exist.json"):
        fibers.Network.from_json(path)


def test_bad_numbers_name_the_tensor():
    A = arrays()
    A[2] = A[2].copy()
    A[2][1, 3] = np.nan
    with pytest.raises(fibers.BadInput, match=r"W2\[1\]\[3\]"):
        fibers.Network.from_numpy(*A)
    B = arrays()
    B[3] = B[3][:-1]
    with pytest.raises(fibers.BadInput, match="b2"):
        fibers.Network.from_numpy(*B)
    C = arrays()
    C[2] = C[2][:, :-1]
    with pytest.raises(fibers.BadInput, match="W2"):
        fibers.Network.from_numpy(*C)


def test_bad_safetensors_names_the_file(tmp_path):
    p = tmp_path / "broken.safetensors"
    p.write_bytes(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(fibers.BadInput, match="broken.safetensors"):
        fibers.Network.from_safetensors(p)


def test_state_dict_with_other_depth_is_refused():
    A = arrays()
    sd = {"a.weight": A[0], "a.bias": A[1], "b.weight": A[2], "b.bias": A[3]}
    with pytest.raises(fibers.BadInput, match="found 2: a.weight"):
        fibers.Network.from_torch(sd)


def test_equiv_width_mismatch_is_bad_input():
    a = fibers.Network.from_numpy(*arrays(arch=(3, 5, 4, 2)))
    b = fibers.Network.from_numpy(*arrays(arch=(2, 5, 4, 2)))
    with pytest.raises(fibers.BadInput, match="input widths"):
        fibers.equiv(a, b)
    with pytest.raises(fibers.BadInput, match="method"):
        fibers.equiv(a, a, method="quick")


def test_imports_without_torch_and_sympy():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['sympy'] = None\n"
        "import fibers; a = fibers.Network.from_json(%r); print(bool(fibers.equiv(a, a)))"
        % os.path.join(FIXTURES, "networks", "tiny.json")
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "True", r.stderr


# ---- torch --------------------------------------------------------------------------------


def test_from_torch_sequential_and_back():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    seq = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
        torch.nn.Linear(4, 2),
    )
    net = fibers.Network.from_torch(seq)
    assert net.arch == (3, 5, 4, 2)
    assert net == fibers.Network.from_torch(seq.state_dict())
    back = net.to_torch()
    for p, q in zip(seq.parameters(), back.parameters()):
        assert p.dtype == q.dtype == torch.float32
        assert torch.equal(p, q)  # same bits
    assert net.layers[0][0][0][0] == Fraction(seq[0].weight[0, 0].item())


def test_from_torch_custom_names_and_forward_check():
    torch = pytest.importorskip("torch")

    class Custom(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Linear(2, 6)
            self.mixer = torch.nn.Linear(6, 3)
            self.readout = torch.nn.Linear(3, 1)

        def forward(self, x):
            return self.readout(torch.relu(self.mixer(torch.relu(self.encoder(x)))))

    torch.manual_seed(1)
    m = Custom()
    net = fibers.Network.from_torch(m)
    assert net.arch == (2, 6, 3, 1)
    assert net == fibers.Network.from_torch(m.state_dict())
    assert net == fibers.Network.from_torch(m.double())  # float64 module, same values

    class Tanh(Custom):
        def forward(self, x):
            return self.readout(torch.tanh(self.mixer(torch.relu(self.encoder(x)))))

    with pytest.raises(fibers.BadInput, match="Tanh: its forward pass is not"):
        fibers.Network.from_torch(Tanh())


def test_from_torch_refuses_other_depths():
    torch = pytest.importorskip("torch")
    deep = torch.nn.Sequential(*[torch.nn.Linear(3, 3) for _ in range(4)])
    with pytest.raises(fibers.BadInput, match="found 4"):
        fibers.Network.from_torch(deep)


def test_laws_on_torch_tensors_keep_autograd():
    torch = pytest.importorskip("torch")
    path = os.path.join(FIXTURES, "conserve", "s2_2221_hidden.json")
    net = fibers.Network.from_json(path)
    laws = fibers.conserve(net)
    model = net.to_torch(torch.float64)
    for law in laws:
        v = law(model)
        assert isinstance(v, torch.Tensor)
        assert abs(v.item() - float(law.exact(net))) < 1e-9
    total = sum(law(model) for law in laws)
    if isinstance(total, torch.Tensor) and total.requires_grad:
        total.backward()


def test_law_to_sympy():
    sympy = pytest.importorskip("sympy")
    net = fibers.Network.from_json(os.path.join(FIXTURES, "conserve", "s2_2221_hidden.json"))
    for law in fibers.conserve(net):
        e = law.to_sympy()
        subs = {}
        for (W, b) in [(0, 0)]:
            pass
        layers = net.layers
        for s in e.free_symbols:
            n = s.name
            l = int(n[1]) - 1
            idx = [int(t) for t in n[2:].strip("[]").split("][")]
            v = layers[l][0][idx[0]][idx[1]] if n[0] == "W" else layers[l][1][idx[0]]
            subs[s] = sympy.Rational(v.numerator, v.denominator)
        assert e.subs(subs) == sympy.Rational(law.exact(net).numerator, law.exact(net).denominator)
        assert law._repr_latex_().startswith("$")
