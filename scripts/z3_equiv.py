#!/usr/bin/env python3
"""Decide f_A = f_B with z3 (the peer of `fibers equiv` in scripts/bench_regions.sh).

Encodes `exists x: f_A(x) != f_B(x)` over the reals, every ReLU as an if-then-else, every
parameter as an exact rational. Prints `equivalent` (unsat), `not-equivalent` (sat) or
`unknown`, and on stderr the seconds spent in the solver's `check()` alone (without Python's
start, the z3 import and the encoding). Usage: z3_equiv.py A.json B.json
"""
import json
import sys
import time
from fractions import Fraction

import z3


def num(v):
    return Fraction(str(v)) if not isinstance(v, str) else Fraction(v)


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d["architecture"], d["layers"]


def relu(e):
    return z3.If(e > 0, e, z3.RealVal(0))


def q(fr):
    return z3.Q(fr.numerator, fr.denominator)


def forward(layers, xs):
    h = xs
    for li, layer in enumerate(layers):
        out = []
        for row, b in zip(layer["weight"], layer["bias"]):
            s = q(num(b))
            for w, x in zip(row, h):
                w = num(w)
                if w != 0:
                    s = s + q(w) * x
            out.append(s if li == 2 else relu(s))
        h = out
    return h


def main():
    (aa, la), (ab, lb) = load(sys.argv[1]), load(sys.argv[2])
    xs = [z3.Real(f"x{i}") for i in range(aa[0])]
    fa, fb = forward(la, xs), forward(lb, xs)
    s = z3.Solver()
    s.add(z3.Or([p != r for p, r in zip(fa, fb)]))
    t0 = time.perf_counter()
    r = s.check()
    print(f"z3-check-seconds {time.perf_counter() - t0:.6f}", file=sys.stderr)
    if r == z3.unsat:
        print("equivalent")
    elif r == z3.sat:
        print("not-equivalent")
    else:
        print("unknown")


if __name__ == "__main__":
    main()
