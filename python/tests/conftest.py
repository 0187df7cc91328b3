"""Shared fixtures: the repository's bundled networks and the `fibers` CLI to compare with."""

import glob
import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures")


def fixture_networks():
    """Every bundled JSON network (strata, networks, pairs, conservation examples)."""
    pats = ["strata/*.json", "networks/*.json", "pairs/*/*.json", "conserve/*.json"]
    out = []
    for p in pats:
        out += sorted(glob.glob(os.path.join(FIXTURES, p)))
    return out


def fixture_pairs():
    return sorted(p for p in glob.glob(os.path.join(FIXTURES, "pairs", "*")) if os.path.isdir(p))


def short(path):
    return os.path.relpath(path, FIXTURES)


def _find_cli():
    env = os.environ.get("FIBERS_CLI")
    if env:
        return env
    for profile in ("release", "debug"):
        p = os.path.join(ROOT, "target", profile, "fibers")
        if os.path.exists(p):
            return p
    if shutil.which("cargo"):
        subprocess.run(
            ["cargo", "build", "-q", "-p", "fibers-cli", "--bin", "fibers"], cwd=ROOT, check=True
        )
        return os.path.join(ROOT, "target", "debug", "fibers")
    return None


@pytest.fixture(scope="session")
def cli():
    """Runs the fibers CLI: cli(*args) -> CompletedProcess (text)."""
    exe = _find_cli()
    if exe is None or not os.path.exists(exe):
        pytest.skip("the fibers CLI is not built (set FIBERS_CLI or build target/release/fibers)")

    def run(*args, check=False):
        r = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError(f"fibers {' '.join(map(str, args))}: exit {r.returncode}: {r.stderr}")
        return r

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    def run(*args):
        r = cli(*args)
        assert r.returncode in (0, 3), r.stderr
        return json.loads(r.stdout)

    return run
