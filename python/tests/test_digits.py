"""The trained digits network (fixtures/models/digits-64-32-16-10.safetensors, 2778
parameters) from Python: the fiber and the functional dimension are certified by the bounds
the CLI uses by default (the former exhaustive paths enumerate exponentially many regions
here), and equal the CLI's answers. No timing is asserted; on this network each call takes
well under a second in a release build."""

import os

import pytest

import fibers
from conftest import FIXTURES

DIGITS = os.path.join(FIXTURES, "models", "digits-64-32-16-10.safetensors")


def _check(net, cli_json):
    assert net.arch == (64, 32, 16, 10)
    f = fibers.fiber(net)
    expected = cli_json("fiber", DIGITS, "--format", "json")
    assert f.certified and f.certified_by == "bounds met"
    assert f.data == expected
    assert f.dimension == expected["dimension"] is not None
    d = fibers.fundim(net)
    expected = cli_json("fundim", DIGITS, "--json")
    assert d.certified and d.how == "bounds met"
    assert d.data == expected
    assert d.value == expected["functional_dimension"]
    assert d.fiber_dimension == f.dimension == d.parameters - d.value
    # The summary theorem in LaTeX is polynomial too.
    assert "\\begin{theorem}[Summary]" in f.latex(parts=False)
    assert f._repr_latex_().startswith("$")


def test_digits_from_safetensors(cli_json):
    _check(fibers.Network.from_safetensors(DIGITS), cli_json)


def test_digits_from_torch(cli_json):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 10),
    )
    model.load_state_dict(st.load_file(DIGITS))
    net = fibers.Network.from_torch(model)
    assert net == fibers.Network.from_safetensors(DIGITS)
    _check(net, cli_json)
    # A permuted copy lies in the fiber (certified fast path).
    p = torch.randperm(32, generator=torch.Generator().manual_seed(1))
    copy = torch.nn.Sequential(
        torch.nn.Linear(64, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 10),
    )
    with torch.no_grad():
        copy[0].weight.copy_(model[0].weight[p])
        copy[0].bias.copy_(model[0].bias[p])
        copy[2].weight.copy_(model[2].weight[:, p])
        copy[2].bias.copy_(model[2].bias)
        copy[4].weight.copy_(model[4].weight)
        copy[4].bias.copy_(model[4].bias)
    m = fibers.fiber(net).membership(copy)
    assert m["member"] is True and m["member_certified_by"].startswith("fast path")
