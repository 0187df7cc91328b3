#!/usr/bin/env bash
# The whole test suite, on both arithmetic backends (pure Rust, then GMP).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FIBERS_REQUIRE_PDFLATEX=1
echo "== tests, num-bigint backend ==" >&2
cargo test --release --workspace
echo "== tests, GMP backend ==" >&2
cargo test --release --workspace --features fibers-exact/gmp
echo "== Python package (pip install ./python, pytest) ==" >&2
bash scripts/test-python.sh
