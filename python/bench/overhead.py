"""Overhead of the Python layer: `fibers.equiv` and `fibers.canon` against the same work
through the Rust library (crates/fibers-py/examples/overhead.rs), on fixture pairs, in one
run (release builds; best of 3 timed loops each).

    python python/bench/overhead.py [REPEATS]

Prints the time per call both ways and the ratio; the Python call should be within 10%
(ratio <= 1.10) wherever the work itself takes more than a few microseconds.
"""

import os
import subprocess
import sys
import time

import fibers

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAIRS = ["permuted-scaled", "negative-scaling", "flip-compensated", "wide-perturbed", "relay"]


def best_of(f, repeats):
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(repeats):
            f()
        best = min(best, (time.perf_counter() - t) / repeats)
    return best


def main(repeats=200):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "overhead")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "fibers-py", "--example",
                        "overhead"], cwd=ROOT, check=True)
    paths = []
    for p in PAIRS:
        d = os.path.join(ROOT, "fixtures", "pairs", p)
        paths += [os.path.join(d, "a.json"), os.path.join(d, "b.json")]
    out = subprocess.run([exe, str(repeats), *paths], capture_output=True, text=True, check=True)
    rust = {}
    for line in out.stdout.splitlines():
        what, path, secs = line.split()
        rust[(what, path)] = float(secs)
    print(f"{'call':28s} {'Rust':>12s} {'Python':>12s} {'ratio':>7s}")
    worst = 0.0
    for i, p in enumerate(PAIRS):
        a_path, b_path = paths[2 * i], paths[2 * i + 1]
        a, b = fibers.Network.from_json(a_path), fibers.Network.from_json(b_path)
        for what, f in [("equiv", lambda: fibers.equiv(a, b)), ("canon", lambda: fibers.canon(a))]:
            py = best_of(f, repeats)
            r = rust[(what, a_path)]
            ratio = py / r
            worst = max(worst, ratio)
            print(f"{what + ' ' + p:28s} {r * 1e6:10.1f}us {py * 1e6:10.1f}us {ratio:7.3f}")
    print(f"worst ratio {worst:.3f}")
    return worst


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
