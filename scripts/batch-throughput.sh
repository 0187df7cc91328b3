#!/usr/bin/env bash
# Throughput of `fibers batch equiv` on N seeded small pairs (default 10000; the generator is
# crates/fibers-cli/examples/gen_pairs.rs): pairs per second on 1 thread and on all cores
# (RAYON_NUM_THREADS, best of 3 runs each), CPU time per pair, and a check that the outputs
# are identical. "cores busy" is CPU time over wall time: below the thread count, other work on
# the machine took the cores (the load average is printed too).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
cargo build --release -q -p fibers-cli --bin fibers --example gen_pairs
dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$dir/examples/gen_pairs" "$n" > "$tmp/pairs.jsonl"
cores="$(nproc)"
echo "batch equiv: $n pairs, $cores cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for t in 1 "$cores"; do
  best=""
  for _ in 1 2 3; do
    TIMEFORMAT='%R %U %S'
    out="$( { time RAYON_NUM_THREADS="$t" \
      "$dir/fibers" batch equiv "$tmp/pairs.jsonl" --quiet -o "$tmp/out$t.jsonl"; } 2>&1 | tail -1)"
    read -r real user sys <<< "$out"
    if [ -z "$best" ] || awk -v a="$real" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
      best="$real $user $sys"
    fi
  done
  read -r real user sys <<< "$best"
  awk -v n="$n" -v t="$t" -v r="$real" -v u="$user" -v s="$sys" 'BEGIN{
    printf "  %d thread%s: %.2f s wall, %.0f pairs/s, %.3f ms CPU per pair, %.2f cores busy\n",
      t, (t==1?"":"s"), r, n/r, 1000*(u+s)/n, (u+s)/r }'
done
cmp -s "$tmp/out1.jsonl" "$tmp/out$cores.jsonl" && echo "  outputs identical on 1 and $cores threads"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
