"""Deduplicate a zoo of safetensors checkpoints with Dask (`dask.bag`, local scheduler), with
the same classes as the in-process `fibers.dedup`.

    python examples/python/dask_dedup.py [ZOO_DIR]

Two distributed stages: (1) every checkpoint is read and fingerprinted (its exact outputs at
fixed probe points; equivalent networks have equal fingerprints); (2) every group of equal
fingerprints is deduplicated by `fibers.dedup` (canonical forms and checked certificates). The
groups are independent, so the classes are those of one in-process run. On a cluster, the same
code runs under `dask.distributed` (create a `Client` first).
"""

import glob
import os
import sys
import tempfile

import numpy as np

import fibers


def make_zoo(directory, bases=6, copies=3, seed=0):
    """Writes a zoo of checkpoints: random base networks (bottleneck 3-3-4-2 and wide 3-5-4-2),
    copies of each with permuted hidden units and power-of-two rescalings (the same function,
    exactly representable in float64), and a few perturbed copies (different functions)."""
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    k = 0
    for b in range(bases):
        n1 = 3 if b % 2 == 0 else 5
        arch = (3, n1, 4, 2)
        shapes = [(arch[1], arch[0]), (arch[1],), (arch[2], arch[1]), (arch[2],),
                  (arch[3], arch[2]), (arch[3],)]
        A = [np.round(rng.standard_normal(s) * 8) / 8 for s in shapes]
        variants = [A] + [_permute_scale(A, rng) for _ in range(copies)]
        nudged = [a.copy() for a in _permute_scale(A, rng)]
        nudged[4][0, 0] += 0.25
        variants.append(nudged)
        for v in variants:
            net = fibers.Network.from_numpy(*v)
            net.to_safetensors(os.path.join(directory, f"ckpt{k:03d}.safetensors"))
            k += 1
    return sorted(glob.glob(os.path.join(directory, "*.safetensors")))


def _permute_scale(A, rng):
    W1, b1, W2, b2, W3, b3 = A
    p1, p2 = rng.permutation(W1.shape[0]), rng.permutation(W2.shape[0])
    s1 = 2.0 ** rng.integers(-2, 3, W1.shape[0])
    s2 = 2.0 ** rng.integers(-2, 3, W2.shape[0])
    return [W1[p1] * s1[:, None], b1[p1] * s1,
            W2[p2][:, p1] / s1[None, :] * s2[:, None], b2[p2] * s2,
            W3[:, p2] / s2[None, :], b3.copy()]


def _fingerprint(item):
    i, path = item
    return fibers.Network.from_safetensors(path).fingerprint(), i, path


def _dedup_group(members):
    """The classes (lists of zoo indices) of one group of equal fingerprints."""
    nets = [fibers.Network.from_safetensors(p) for _, p in members]
    r = fibers.dedup(nets)
    return [[members[j][0] for j in cls] for cls in r.classes]


def dask_dedup(paths, scheduler="processes", num_workers=2):
    """The equivalence classes of the checkpoints (lists of indices into `paths`, sorted)."""
    import dask.bag as db

    items = list(enumerate(paths))
    keyed = db.from_sequence(items, npartitions=max(1, min(len(items), 4 * num_workers)))
    prints = keyed.map(_fingerprint).compute(scheduler=scheduler, num_workers=num_workers)
    groups = {}
    for key, i, path in prints:
        groups.setdefault(key, []).append((i, path))
    ordered = [sorted(g) for g in groups.values()]
    classes = (
        db.from_sequence(ordered, npartitions=max(1, min(len(ordered), 4 * num_workers)))
        .map(_dedup_group)
        .flatten()
        .compute(scheduler=scheduler, num_workers=num_workers)
    )
    return sorted(sorted(c) for c in classes)


def in_process_dedup(paths):
    r = fibers.dedup([fibers.Network.from_safetensors(p) for p in paths])
    return sorted(sorted(c) for c in r.classes)


def main(directory=None):
    directory = directory or tempfile.mkdtemp(prefix="fibers-zoo-")
    paths = make_zoo(directory)
    distributed = dask_dedup(paths)
    local = in_process_dedup(paths)
    print(f"{len(paths)} checkpoints in {directory}: {len(distributed)} classes with Dask, "
          f"{len(local)} in process, {'the same' if distributed == local else 'DIFFERENT'}")
    return paths, distributed, local


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
