"""Overhead of the Python layer: `fibers.equiv`, `fibers.canon` and `fibers.fiber` (the summary)
against the same work
through the Rust library (crates/fibers-py/examples/overhead.rs), on fixture pairs, in one
run (release builds; best of 15 short timed loops each, in alternating rounds).

    python python/bench/overhead.py [REPEATS]

Prints the time per call through Rust, through the native module (`fibers._native`, which
returns dicts) and through the Python API (which builds the Verdict/Canon/Fiber objects), and
the ratios.
"""

import os
import subprocess
import sys
import time

import fibers
from fibers import _native

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAIRS = ["permuted-scaled", "negative-scaling", "flip-compensated", "wide-perturbed", "relay"]


def best_of(f, repeats):
    best = float("inf")
    for _ in range(15):
        t = time.perf_counter()
        for _ in range(repeats):
            f()
        best = min(best, (time.perf_counter() - t) / repeats)
    return best


def main(repeats=20, rounds=5):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "overhead")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "fibers-py", "--example",
                        "overhead"], cwd=ROOT, check=True)
    paths = []
    for p in PAIRS:
        d = os.path.join(ROOT, "fixtures", "pairs", p)
        paths += [os.path.join(d, "a.json"), os.path.join(d, "b.json")]
    # Rounds alternate between the Rust baseline and the Python calls, keeping the best time
    # of each, so that load from other processes affects both alike.
    rust, native, api = {}, {}, {}
    nets = {}
    for i, p in enumerate(PAIRS):
        a = fibers.Network.from_json(paths[2 * i])
        b = fibers.Network.from_json(paths[2 * i + 1])
        nets[p] = (a, b)
    for _ in range(rounds):
        out = subprocess.run([exe, str(repeats), *paths], capture_output=True, text=True,
                             check=True)
        for line in out.stdout.splitlines():
            what, path, secs = line.split()
            p = os.path.basename(os.path.dirname(path))
            rust[(what, p)] = min(rust.get((what, p), 1e9), float(secs))
        for p, (a, b) in nets.items():
            calls = {
                "equiv": (lambda: _native.equiv(a._net, b._net), lambda: fibers.equiv(a, b)),
                "canon": (lambda: _native.canon(a._net), lambda: fibers.canon(a)),
                "fiber": (lambda: _native.fiber(a._net).data(), lambda: fibers.fiber(a)),
            }
            for what, (raw, full) in calls.items():
                native[(what, p)] = min(native.get((what, p), 1e9), best_of(raw, repeats))
                api[(what, p)] = min(api.get((what, p), 1e9), best_of(full, repeats))
    print(f"{'call':26s} {'Rust':>10s} {'native':>10s} {'API':>10s} {'native/Rust':>11s} "
          f"{'API/Rust':>9s}")
    worst = 0.0
    for p in PAIRS:
        for what in ("equiv", "canon", "fiber"):
            k = (what, p)
            r, n, f = rust[k], native[k], api[k]
            worst = max(worst, f / r)
            print(f"{what + ' ' + p:26s} {r * 1e6:8.1f}us {n * 1e6:8.1f}us {f * 1e6:8.1f}us "
                  f"{n / r:11.3f} {f / r:9.3f}")
    print(f"worst API/Rust ratio {worst:.3f}")
    return worst


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
