"""The dedup of a zoo of safetensors checkpoints on Dask (dask.bag, local process scheduler)
gives the same classes as the in-process run (examples/python/dask_dedup.py)."""

import os
import sys

import pytest

pytest.importorskip("dask.bag")
pytest.importorskip("safetensors")
pytest.importorskip("numpy")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))
import dask_dedup  # noqa: E402


def test_dask_dedup_same_classes(tmp_path):
    paths = dask_dedup.make_zoo(str(tmp_path), bases=6, copies=3)
    assert len(paths) == 6 * 5
    distributed = dask_dedup.dask_dedup(paths, scheduler="processes", num_workers=2)
    local = dask_dedup.in_process_dedup(paths)
    assert distributed == local
    # Each base with its three permuted copies is one class; each perturbed copy its own.
    assert sorted(len(c) for c in local) == [1] * 6 + [4] * 6
