#!/usr/bin/env bash
# The main job: certified verdicts on the bundled example networks (fixtures/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --release -q -p fibers-cli -- demo "$@"
