#!/usr/bin/env bash
# The Python package's tests: builds `fibers` (python/, PyO3 + maturin) into a virtualenv with
# pytest, NumPy, safetensors, SymPy, Dask and PyTorch (CPU), builds the `fibers` CLI the tests
# compare with, and runs python/tests.
#
#   scripts/test-python.sh [PYTEST ARGS...]
#
# The virtualenv is FIBERS_PY_VENV (default ~/.cache/fibers-py-venv; kept between runs, so
# the large torch download happens once). PyTorch comes from the CPU wheel index when that is
# reachable, else from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${FIBERS_PY_VENV:-$HOME/.cache/fibers-py-venv}"
py="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install maturin pytest numpy safetensors sympy "dask[bag]"
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  "${pip[@]}" install torch --retries 0 --timeout 20 --index-url https://download.pytorch.org/whl/cpu \
    || "${pip[@]}" install torch \
    || echo "test-python: torch not installed: the torch tests will be skipped" >&2
fi
# The CLI the tests compare with (release, as scripts/test.sh builds it).
cargo build --release -q -p fibers-cli --bin fibers
target="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
export FIBERS_CLI="$target/release/fibers"
# Build and install the package as a user would (pip install ./python), sharing the target dir.
CARGO_TARGET_DIR="$target" "${pip[@]}" install --force-reinstall --no-deps ./python
# From the repository root, so that `import fibers` is the installed package (python/fibers
# holds only the Python sources, not the native module).
"$venv/bin/python" -m pytest -q python/tests "$@"
