#!/usr/bin/env bash
# Benchmark of the default decision (`equiv`, method auto: the symmetry normal form, the
# bottleneck fast path, then the region-wise decision of docs/theory.md §11) and of the
# region-wise decision alone against the branch tree and z3, in one run, on equivalent pairs
# (permutation + positive scaling), near misses, and equivalent pairs that are not a relabelling.
#
#   scripts/bench_regions.sh [TIMEOUT_SECONDS]      (default 60 s per run)
#
# Builds the release binary, installs z3-solver from PyPI into a virtual environment under
# target/ (not in CI), writes the pairs to target/bench-regions/, and prints markdown tables:
# seconds per run (wall clock, `timeout` per run), the ratio z3 / regions where z3 answers,
# and how the cost of `--method regions` grows with n1 at n0 = 2 and with n0 at n1 = 8.
# Whole commands include process start, parsing and (for `fibers equiv`) the checker's
# re-verification of the certificate; "in-process" columns are the median over REPS runs (after
# one untimed warm-up run) of
# `fibers_regions::run` alone and of the checker alone (the `time_regions` example), of
# `fibers_decide::decide` with method auto (the `time_decide` example), and the
# seconds z3 spends in `check()` alone (no Python start, no import, no encoding).
#
#   REPS=3 scripts/bench_regions.sh 20
set -euo pipefail
cd "$(dirname "$0")/.."
TIMEOUT=${1:-60}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
REPS=${REPS:-3}
cargo build --release -q -p fibers-cli
cargo build --release -q -p fibers-regions --example time_regions
cargo build --release -q -p fibers-decide --example time_decide
FIBERS=$CARGO_TARGET_DIR/release/fibers
INPROC=$CARGO_TARGET_DIR/release/examples/time_regions
INAUTO=$CARGO_TARGET_DIR/release/examples/time_decide
DIR=$CARGO_TARGET_DIR/bench-regions
mkdir -p "$DIR"
VENV=$CARGO_TARGET_DIR/z3-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q z3-solver
fi
PY=$VENV/bin/python

# Seeded pairs: A with small integer weights; B = A with both hidden layers permuted and
# positively rescaled; the near miss perturbs one layer-2 weight of B by 1/1000; "mv" pairs
# (A2, MV) are equivalent without being a relabelling (see the comment in `gen`).
gen() { # n0 n1 n2 n3 seed
  python3 - "$@" "$DIR" <<'PY'
import json, random, sys
from fractions import Fraction as F
n0, n1, n2, n3, seed = map(int, sys.argv[1:6]); out = sys.argv[6]
rng = random.Random(seed)
def nz():
    while True:
        v = rng.randint(-5, 5)
        if v: return F(v)
def mat(r, c): return [[nz() for _ in range(c)] for _ in range(r)]
A = [(mat(n1, n0), [nz() for _ in range(n1)]), (mat(n2, n1), [nz() for _ in range(n2)]),
     (mat(n3, n2), [nz() for _ in range(n3)])]
p1, p2 = list(range(n1)), list(range(n2)); rng.shuffle(p1); rng.shuffle(p2)
s1 = [F(rng.randint(1, 4), rng.randint(1, 3)) for _ in range(n1)]
s2 = [F(rng.randint(1, 4), rng.randint(1, 3)) for _ in range(n2)]
(W1, b1), (W2, b2), (W3, b3) = A
# Unit i of B's layer 1 is unit p1[i] of A scaled by s1[i]; layer 2 likewise.
BW1 = [[s1[i] * w for w in W1[p1[i]]] for i in range(n1)]; Bb1 = [s1[i] * b1[p1[i]] for i in range(n1)]
BW2 = [[s2[k] * W2[p2[k]][p1[i]] / s1[i] for i in range(n1)] for k in range(n2)]
Bb2 = [s2[k] * b2[p2[k]] for k in range(n2)]
BW3 = [[W3[o][p2[k]] / s2[k] for k in range(n2)] for o in range(n3)]
B = [(BW1, Bb1), (BW2, Bb2), (BW3, list(b3))]
NM = [(BW1, Bb1), ([r[:] for r in BW2], Bb2), (BW3, list(b3))]
NM[1][0][0][0] += F(1, 1000)
def dump(net, name):
    s = lambda x: str(x) if x.denominator != 1 else int(x)
    d = {"architecture": [n0, len(net[0][0]), len(net[1][0]), n3],
         "layers": [{"weight": [[s(x) for x in r] for r in W], "bias": [s(x) for x in b]} for W, b in net]}
    json.dump(d, open(f"{out}/{name}", "w"))
tag = f"{n0}-{n1}-{n2}-{n3}"
dump(A, f"{tag}-a.json"); dump(B, f"{tag}-eq.json"); dump(NM, f"{tag}-nm.json")
# "mv": an equivalent pair that is not a relabelling. A2 = A with layer-2 neurons 0 and 1
# always active (nonnegative rows, positive biases: layer-1 outputs are >= 0). MV is A2 after
# (i) moving neuron 0's bias into b3 (it stays active), (ii) a linear block change between
# the two always-active neurons (row0 += row1 / 2, bias0 += bias1 / 2, col1 -= col0 / 2), (iii) splitting layer-1
# neuron 0 into two positive multiples (1 and 2) sharing its outgoing column (1/3, 2/3), then
# relabelled like B (the split copy goes last in layer 1).
if n2 >= 2:
    W2a = [r[:] for r in W2]; b2a = b2[:]
    for k in (0, 1):
        W2a[k] = [F(rng.randint(1, 5)) for _ in range(n1)]; b2a[k] = F(rng.randint(1, 5))
    A2 = [(W1, b1), (W2a, b2a), (W3, b3)]
    M2 = [r[:] for r in W2a]; m2 = b2a[:]; M3 = [r[:] for r in W3]; m3 = b3[:]
    for o in range(n3):
        m3[o] += M3[o][0] * m2[0]
    m2[0] = F(0)
    al = F(1, 2)
    M2[0] = [x + al * y for x, y in zip(M2[0], M2[1])]; m2[0] += al * m2[1]
    for o in range(n3):
        M3[o][1] -= al * M3[o][0]
    # split layer-1 neuron 0: copies with factors 1 and 2, outgoing columns 1/3 and (2/3)/2
    M1 = [r[:] for r in W1] + [[2 * w for w in W1[0]]]; m1 = b1[:] + [2 * b1[0]]
    M2 = [[r[0] / 3] + r[1:] + [r[0] / 3] for r in M2]
    q1 = list(range(n1 + 1)); rng.shuffle(q1); q2 = list(range(n2)); rng.shuffle(q2)
    t1 = [F(rng.randint(1, 4), rng.randint(1, 3)) for _ in range(n1 + 1)]
    t2 = [F(rng.randint(1, 4), rng.randint(1, 3)) for _ in range(n2)]
    CW1 = [[t1[i] * w for w in M1[q1[i]]] for i in range(n1 + 1)]; cb1 = [t1[i] * m1[q1[i]] for i in range(n1 + 1)]
    CW2 = [[t2[k] * M2[q2[k]][q1[i]] / t1[i] for i in range(n1 + 1)] for k in range(n2)]
    cb2 = [t2[k] * m2[q2[k]] for k in range(n2)]
    CW3 = [[M3[o][q2[k]] / t2[k] for k in range(n2)] for o in range(n3)]
    dump(A2, f"{tag}-a2.json"); dump([(CW1, cb1), (CW2, cb2), (CW3, m3)], f"{tag}-mv.json")
PY
}

# Seconds of one run, or ">TIMEOUT"; the verdict goes to $DIR/last.
run() {
  local start end
  start=$(date +%s.%N)
  timeout "$TIMEOUT" "$@" >"$DIR/last" 2>/dev/null || true
  end=$(date +%s.%N)
  if grep -q "^equivalent\|^not.equivalent" "$DIR/last"; then
    echo "$end - $start" | bc -l | xargs printf "%.3f"
  else
    printf ">%s" "$TIMEOUT"
  fi
}
# run for z3, keeping its stderr (the seconds in check()).
run_z3() {
  local start end
  start=$(date +%s.%N)
  timeout "$TIMEOUT" "$PY" scripts/z3_equiv.py "$@" >"$DIR/last" 2>"$DIR/z3err" || true
  end=$(date +%s.%N)
  if grep -q "^equivalent\|^not.equivalent" "$DIR/last"; then
    echo "$end - $start" | bc -l | xargs printf "%.3f"
  else
    printf ">%s" "$TIMEOUT"
  fi
}
verdict() { # "equivalent", "not-equivalent" or "-" (fibers prints "not equivalent")
  local v
  v=$(grep -o -m1 "^not.equivalent\|^equivalent" "$DIR/last" | sed 's/not.equivalent/not-equivalent/')
  echo "${v:--}"
}
ratio() { # z3 regions
  case "$1$2" in *">"*|*-*) echo "-";; *) echo "$1 / $2" | bc -l | xargs printf "%.0f×";; esac
}
# In-process seconds of the decision and of the check: "DECIDE CHECK", or "- -" on timeout.
inproc() { # a b
  local out
  out=$(timeout "$((TIMEOUT * REPS))" "$INPROC" "$1" "$2" "$REPS" 2>/dev/null || true)
  if [ -n "$out" ]; then echo "$out" | awk '{printf "%.6f %.6f", $3, $6}'; else echo "- -"; fi
}
# The default decision (`--method auto`) in-process: "PROCEDURE DECIDE CHECK", or "- - -".
inauto() { # a b
  local out
  out=$(timeout "$((TIMEOUT * REPS))" "$INAUTO" "$1" "$2" "$REPS" 2>/dev/null || true)
  if [ -n "$out" ]; then echo "$out" | awk '{printf "%s %.6f %.6f", $3, $5, $8}'; else echo "- - -"; fi
}
# Seconds z3 spent in check() on the last z3 run, or "-".
z3check() {
  local v
  v=$(grep -o "z3-check-seconds [0-9.]*" "$DIR/z3err" 2>/dev/null | awk '{print $2}')
  if [ -n "$v" ] && grep -q "^equivalent\|^not.equivalent" "$DIR/last"; then printf "%.4f" "$v"; else echo "-"; fi
}

echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores."
echo
echo "| architecture | pair | auto (s) | decided by | auto decide, in-process (s) | auto check, in-process (s) | regions (s) | regions decide, in-process (s) | regions check, in-process (s) | tree (s) | z3 (s) | z3 check() (s) | verdict | z3 / auto, whole commands | z3 check() / auto decide | z3 check() / regions decide |"
echo "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |"
for arch in "2 6 6 1" "4 8 8 1" "6 8 8 1" "2 32 32 1" "2 64 64 1" "3 32 32 2" "10 8 20 2"; do
  set -- $arch
  gen "$@" 7
  tag="$1-$2-$3-$4"
  for kind in eq nm mv; do
    a=$DIR/$tag-a.json; b=$DIR/$tag-$kind.json
    if [ "$kind" = mv ]; then a=$DIR/$tag-a2.json; fi
    u=$(run "$FIBERS" equiv "$a" "$b"); uv=$(verdict)
    read -r up ud uc <<<"$(inauto "$a" "$b")"
    r=$(run "$FIBERS" equiv "$a" "$b" --method regions); rv=$(verdict)
    read -r di ci <<<"$(inproc "$a" "$b")"
    t=$(run "$FIBERS" equiv "$a" "$b" --method tree); tv=$(verdict)
    z=$(run_z3 "$a" "$b"); zv=$(verdict); zc=$(z3check)
    if [ "$rv" != "-" ] && [ "$rv" != "$uv" ]; then echo "DISAGREEMENT auto/regions on $tag $kind"; exit 1; fi
    if [ "$tv" != "-" ] && [ "$tv" != "$uv" ]; then echo "DISAGREEMENT auto/tree on $tag $kind"; exit 1; fi
    if [ "$zv" != "-" ] && [ "$zv" != "$uv" ]; then echo "DISAGREEMENT auto/z3 on $tag $kind"; exit 1; fi
    echo "| ($1, $2, $3, $4) | $kind | $u | $up | $ud | $uc | $r | $di | $ci | $t | $z | $zc | $uv | $(ratio "$z" "$u") | $(ratio "$zc" "$ud") | $(ratio "$zc" "$di") |"
  done
done

echo
echo "Cost of \`--method regions\` (equivalent pairs) as n1 = n2 grows at n0 = 2:"
echo
echo "| n1 | regions (s) | decide, in-process (s) | check, in-process (s) |"
echo "| ---: | ---: | ---: | ---: |"
for n1 in 4 8 16 32 64 96 128; do
  gen 2 "$n1" "$n1" 1 11
  a=$DIR/2-$n1-$n1-1-a.json; b=$DIR/2-$n1-$n1-1-eq.json
  read -r di ci <<<"$(inproc "$a" "$b")"
  echo "| $n1 | $(run "$FIBERS" equiv "$a" "$b" --method regions) | $di | $ci |"
done
echo
echo "Cost of \`--method regions\` (equivalent pairs) as n0 grows at n1 = n2 = 8:"
echo
echo "| n0 | regions (s) | decide, in-process (s) | check, in-process (s) |"
echo "| ---: | ---: | ---: | ---: |"
for n0 in 1 2 3 4 5 6 7 8; do
  gen "$n0" 8 8 1 13
  a=$DIR/$n0-8-8-1-a.json; b=$DIR/$n0-8-8-1-eq.json
  read -r di ci <<<"$(inproc "$a" "$b")"
  echo "| $n0 | $(run "$FIBERS" equiv "$a" "$b" --method regions) | $di | $ci |"
done
