"""The worked example of docs/python.md (examples/python/worked_example.py) as a test: train
in PyTorch, certify a permuted copy, the fiber in LaTeX, laws logged during training with
their measured drift."""

import os
import sys

import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))
import worked_example  # noqa: E402

import fibers  # noqa: E402


def test_worked_example():
    r = worked_example.main(verbose=False)
    assert r["losses"][-1] < r["losses"][0]
    v = r["verdict"]
    # A permuted, rescaled copy: the symmetry normal forms decide before the fast path.
    assert v and v.verdict == "equivalent" and v.method == "symmetry"
    assert "\\begin{document}" in r["latex"] and "Fib" in r["latex"]
    assert r["fiber"].certified and r["fiber"].dimension is not None
    assert "\\begin{theorem}[Summary]" in r["latex"]
    assert r["fiber"]._repr_latex_().startswith("$")
    assert len(r["laws"]) >= 3
    scaling = [row for row in r["drift"] if "scaling" in row[0]]
    assert scaling
    for name, start, d, d_half in r["drift"]:
        # Constant up to the step size: the drift is O(lr) and halves with the step.
        assert d <= 20 * r["lr"], (name, d)
        if d > 1e-12:
            assert 0.4 < d_half / d < 0.6, (name, d, d_half)
        else:
            assert d_half <= 1e-12
