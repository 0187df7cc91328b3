#!/usr/bin/env bash
# Fuzzing of the readers: JSON networks, safetensors state dicts, certificates (+ checker).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 60; or FUZZ_SECONDS)
#
# 1. With a nightly toolchain and cargo-fuzz (installed from crates.io when missing), runs each
#    libFuzzer target of fuzz/ for SECONDS_PER_TARGET, starting from fuzz/seeds/<target>, the
#    kept findings in fixtures/fuzz-regressions/<target> and the corpus of earlier runs
#    (fuzz/corpus/<target>, not committed), with the dictionary fuzz/dict/<target>.dict.
#    A finding stops the run and lands in fuzz/artifacts/<target>/: fix it, then copy the input
#    to fixtures/fuzz-regressions/<target>/ so that it is replayed by the test suite for good.
#    libFuzzer's -malloc_limit_mb stops a run on any single allocation above 64 MB (400 bytes
#    per byte of the largest input, 32 KB, is 13 MB).
# 2. Always: the stable replay and mutation harness (crates/fibers-cli/tests/fuzz_regressions.rs)
#    with FIBERS_FUZZ_ITERS mutated inputs per target (default 100000).
# 3. Always: the cost harness (crates/fibers-cli/tests/fuzz_resources.rs), cost-guided
#    mutations for SECONDS_PER_TARGET per target, printing executions and the largest peak heap
#    bytes and ns per input byte (docs/resources.md, "Fuzzing for cost").
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-${FUZZ_SECONDS:-60}}"
declare -A max_len=([json_network]=4096 [safetensors_network]=4096 [certificate]=32768)
have_libfuzzer=0
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  if cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked >/dev/null 2>&1; then
    have_libfuzzer=1
  fi
fi
if [ "$have_libfuzzer" = 1 ]; then
  for t in json_network safetensors_network certificate; do
    echo "== libFuzzer: $t for ${secs}s ==" >&2
    mkdir -p "fuzz/corpus/$t" "fixtures/fuzz-regressions/$t"
    cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" "fixtures/fuzz-regressions/$t" -- \
      -dict="fuzz/dict/$t.dict" -max_total_time="$secs" -max_len="${max_len[$t]}" \
      -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=64 -print_final_stats=1 2>&1 | grep -E '^(Done|stat::|==|#[0-9]+ *DONE)' || true
    if compgen -G "fuzz/artifacts/$t/*" >/dev/null; then
      echo "fuzz: findings in fuzz/artifacts/$t/" >&2
      exit 1
    fi
  done
else
  echo "fuzz: libFuzzer (cargo-fuzz on a nightly toolchain) is not available here;" \
       "running the stable mutation harness only" >&2
fi
echo "== stable replay and mutation harness ==" >&2
FIBERS_FUZZ_ITERS="${FIBERS_FUZZ_ITERS:-100000}" \
  cargo test --release -p fibers-cli --test fuzz_regressions
echo "== cost per input byte ==" >&2
FIBERS_FUZZ_SECONDS="$((secs * 3))" \
  cargo test --release -p fibers-cli --test fuzz_resources -- --ignored --nocapture
