#!/usr/bin/env bash
# Benchmarks of `fibers fiber`, `fibers fundim` (certified by bounds) and `fibers conserve`
# against `fibers canon` of the same network in the same run (release build), on the digits
# model, random networks, and a width-doubling series.
#
#   scripts/bench_fiber.sh [--quick]
#
# Needs python3 with numpy and safetensors (random networks are written as float32
# safetensors with a fixed seed) and a release build (`cargo build --release -p fibers-cli`).
# Prints Markdown tables: wall seconds per command (CPU seconds in parentheses; the fairer
# number on a loaded machine) and the ratio of CPU times to `canon` of the same network in the
# same run (`-` when `canon` takes under 0.05 s CPU). `WITH_CONSERVE=1` adds
# `conserve`; `TIMEOUT` (default 120 s) bounds every command.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FIBERS_BIN:-${CARGO_TARGET_DIR:-target}/release/fibers}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TIMEOUT=${TIMEOUT:-120}

gen() { # gen NAME n0 n1 n2 n3 seed
  python3 - "$TMP/$1.safetensors" "$2" "$3" "$4" "$5" "$6" <<'PY'
import sys
import numpy as np
from safetensors.numpy import save_file
out, *w = sys.argv[1:]
n0, n1, n2, n3, seed = map(int, w)
rng = np.random.default_rng(seed)
t = {}
for l, (a, b) in enumerate([(n0, n1), (n1, n2), (n2, n3)]):
    t[f"{2*l}.weight"] = rng.normal(0, 1 / np.sqrt(a), size=(b, a)).astype(np.float32)
    t[f"{2*l}.bias"] = rng.normal(0, 0.1, size=b).astype(np.float32)
save_file(t, out)
PY
}

secs() { # secs CMD... -> "wall cpu" seconds (or ">TIMEOUT")
  if /usr/bin/time -f "%e %U %S" -o "$TMP/time" timeout "$TIMEOUT" "$@" >"$TMP/out" 2>"$TMP/err"; then
    python3 -c "w,u,s=open('$TMP/time').read().split()[-3:]; print(f'{float(w):.2f} {float(u)+float(s):.2f}')"
  else
    echo ">$TIMEOUT -"
  fi
}

# ratio T C: CPU time of T over CPU time of C (both "wall cpu"), "-" when C is below 0.05 s CPU.
ratio() { python3 -c "t,c='$1'.split(),'$2'.split(); print('-' if t[0].startswith('>') or float(c[1]) < 0.05 else f'{float(t[1])/float(c[1]):.1f}')"; }

row() { # row LABEL FILE [commands...]
  local label=$1 f=$2
  shift 2
  local c cw; c=$(secs "$BIN" canon "$f"); cw=${c%% *}
  local line="| $label | $cw (${c##* })"
  for cmd in "$@"; do
    local t tw
    case $cmd in
      fiber) t=$(secs "$BIN" fiber "$f") ;;
      fundim) t=$(secs "$BIN" fundim "$f" --max-regions 0) ;;
      conserve) t=$(secs "$BIN" conserve "$f") ;;
    esac
    tw=${t%% *}
    local cert=""
    if [[ ! $t == ">"* ]] && grep -q "certified: bounds met" "$TMP/out"; then cert=" ✓"; fi
    line="$line | $tw (${t##* })$cert, $(ratio "$t" "$c")×"
  done
  echo "$line |"
}

cmds=(fiber fundim)
[[ ${WITH_CONSERVE:-0} == 1 ]] && cmds+=(conserve)
echo "| network | canon, s (CPU) | $(printf '%s, s (CPU), ×canon | ' "${cmds[@]}")"
echo "|---|---:|$(printf -- '---:|%.0s' "${cmds[@]}")"
row "digits (64, 32, 16, 10)" fixtures/models/digits-64-32-16-10.safetensors "${cmds[@]}"
gen r128 128 64 64 10 1
row "random (128, 64, 64, 10)" "$TMP/r128.safetensors" "${cmds[@]}"
if [[ ${1:-} != --quick ]]; then
  gen r784 784 256 128 10 1
  row "random (784, 256, 128, 10)" "$TMP/r784.safetensors" "${cmds[@]}"
fi
echo
echo "Width doubling (every hidden and input width doubles, n3 = 10; random float32 networks):"
echo
echo "| widths | canon, s (CPU) | $(printf '%s, s (CPU), ×canon | ' "${cmds[@]}")"
echo "|---|---:|$(printf -- '---:|%.0s' "${cmds[@]}")"
for k in 1 2 4 8 16; do
  gen d$k $((16*k)) $((8*k)) $((4*k)) 10 $k
  row "($((16*k)), $((8*k)), $((4*k)), 10)" "$TMP/d$k.safetensors" "${cmds[@]}"
done
