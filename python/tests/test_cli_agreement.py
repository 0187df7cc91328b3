"""Every function against the CLI on the bundled fixtures: same verdicts, same hashes, same
JSON, certificates accepted both ways."""

import json
import os

import pytest

import fibers
from conftest import FIXTURES, fixture_networks, fixture_pairs, short

NETS = fixture_networks()
PAIRS = fixture_pairs()


@pytest.mark.parametrize("pair", PAIRS, ids=short)
def test_equiv_and_certificates(pair, cli, cli_json, tmp_path):
    a_path, b_path = os.path.join(pair, "a.json"), os.path.join(pair, "b.json")
    cert_cli = tmp_path / "cli.cert.json"
    expected = cli_json("equiv", a_path, b_path, "--json", "--cert", cert_cli)
    a, b = fibers.Network.from_json(a_path), fibers.Network.from_json(b_path)
    v = fibers.equiv(a, b)
    assert v.verdict == expected["verdict"]
    assert bool(v) == (expected["verdict"] == "equivalent")
    assert v.method == expected["method"]
    assert v.fallback == expected.get("fallback")
    if "witness" in expected:
        # The CLI shortens its witness (a nearby point with fewer digits, re-certified); both
        # must separate the two networks.
        assert len(v.witness) == len(expected["witness"])
        xc = [fibers.Fraction(x) for x in expected["witness"]]
        assert a(xc) != b(xc)
        assert v.output_a == a(v.witness) and v.output_b == b(v.witness)
        assert v.output_a != v.output_b
    # The Python certificate passes `fibers check`, and the CLI's passes fibers.check.
    cert_py = tmp_path / "py.cert.json"
    v.save_certificate(cert_py)
    r = cli("check", cert_py, a_path, b_path)
    assert r.returncode == 0, r.stderr
    assert fibers.check(str(cert_cli), a, b)
    assert fibers.check(v, a, b).verdict == expected["verdict"]
    # A certificate is refused for the wrong networks (swap b for a when they differ).
    if a != b:
        bad = fibers.check(v.certificate, a, a)
        assert not bad and bad.reason


@pytest.mark.parametrize("pair", PAIRS, ids=short)
def test_equiv_tree_method(pair, cli_json):
    a_path, b_path = os.path.join(pair, "a.json"), os.path.join(pair, "b.json")
    expected = cli_json("equiv", a_path, b_path, "--json", "--method", "tree")
    v = fibers.equiv(a_path, b_path, method="tree")
    assert (v.verdict, v.method) == (expected["verdict"], expected["method"])
    assert v.stats["nodes"] == expected["nodes"]


@pytest.mark.parametrize("path", NETS, ids=short)
def test_canon_hash(path, cli, cli_json):
    expected = cli_json("canon", path, "--json")
    c = fibers.canon(path)
    assert c.generic == (expected["status"] == "canonical")
    if c.generic:
        assert c.form == expected["form"]
        text = cli("canon", path, check=True).stdout
        assert f"sha256 {c.hash}" in text
        assert str(c) == text
    else:
        assert c.condition == expected["condition"] and c.hash is None


@pytest.mark.parametrize("path", NETS, ids=short)
def test_classify(path, cli, cli_json):
    c = fibers.classify(path)
    assert c.data == cli_json("classify", path, "--json")
    assert c.text == cli("classify", path, check=True).stdout


@pytest.mark.parametrize("path", NETS, ids=short)
def test_fiber(path, cli, cli_json):
    # The default: the polynomial summary, its dimension certified by bounds (as the CLI).
    f = fibers.fiber(path)
    expected = cli_json("fiber", path, "--format", "json")
    assert f.data == expected
    assert f.text() == cli("fiber", path, check=True).stdout
    assert f.certified == (expected["dimension"] is not None)
    assert f.certified_by == expected["dimension_certified_by"]
    assert f.dimension == expected["dimension"]
    lo, hi = f.dimension_bounds
    if f.certified:
        assert lo == hi == f.dimension
    # The LaTeX document is the CLI's exhaustive one: the summary theorem, then the list of
    # role assignments (the CLI's default LaTeX is the polynomial description).
    r = cli("fiber", path, "--format", "latex", "--exhaustive")
    if r.returncode == 0:
        doc = f.latex()
        assert doc == r.stdout
        assert "\\begin{theorem}[Summary]" in doc
    summary_doc = f.latex(parts=False)
    assert "\\begin{theorem}[Summary]" in summary_doc
    assert summary_doc.rstrip().endswith("\\end{document}")
    assert f._repr_latex_().startswith("$")
    # The network itself lies in its fiber.
    assert f.contains(path)


@pytest.mark.parametrize("path", NETS, ids=short)
def test_fiber_exhaustive(path, cli, cli_json):
    f = fibers.fiber(path, exhaustive=True)
    assert f.data == cli_json("fiber", path, "--parts", "--exhaustive", "--format", "json")
    assert f.text() == cli("fiber", path, "--parts", "--exhaustive", check=True).stdout
    # (The LaTeX document is the same in both modes; test_fiber compares it with the CLI's.)
    assert f.latex().rstrip().endswith("\\end{document}")
    assert f._repr_latex_().strip()
    assert f.contains(path)


def test_fiber_membership_against_cli(cli_json):
    for pair in PAIRS:
        a_path, b_path = os.path.join(pair, "a.json"), os.path.join(pair, "b.json")
        a, b = fibers.Network.from_json(a_path), fibers.Network.from_json(b_path)
        if a.arch != b.arch:
            continue
        for exhaustive, flags in ((False, ()), (True, ("--parts", "--exhaustive"))):
            expected = cli_json("fiber", a_path, "--member", b_path, "--format", "json", *flags)
            got = fibers.fiber(a, exhaustive=exhaustive).membership(b)
            assert "member" in got
            for k, v in got.items():
                if k in expected:
                    assert v == expected[k], (pair, exhaustive, k)
            assert got["member"] == bool(fibers.equiv(a, b))


@pytest.mark.parametrize("path", NETS, ids=short)
def test_fundim(path, cli):
    # The default: certified bounds, falling back to the enumeration (as the CLI).
    r = cli("fundim", path, "--json")
    if r.returncode == 2:
        with pytest.raises(fibers.BadInput) as e:
            fibers.fundim(path)
        assert os.path.basename(path) in str(e.value)
        return
    assert r.returncode in (0, 3), r.stderr
    expected = json.loads(r.stdout)
    got = fibers.fundim(path)
    assert got.data == expected
    assert got.certified == (r.returncode == 0) == (expected["functional_dimension"] is not None)
    assert got.how == expected["certified_by"]
    if got.certified:
        assert got.lower == got.upper == got.value == expected["functional_dimension"]
    else:
        assert (got.lower, got.upper) == (expected["bounds"]["lower"], expected["bounds"]["upper"])


@pytest.mark.parametrize("path", NETS, ids=short)
def test_fundim_exhaustive(path, cli):
    r = cli("fundim", path, "--exhaustive", "--json")
    if r.returncode == 2:
        with pytest.raises(fibers.BadInput) as e:
            fibers.fundim(path, exhaustive=True)
        assert os.path.basename(path) in str(e.value)
        return
    assert r.returncode == 0, r.stderr
    got = fibers.fundim(path, exhaustive=True)
    assert got.data == json.loads(r.stdout)
    assert got.certified and got.value == got.rank


CONSERVE = sorted(p for p in NETS if "/conserve/" in p) + [
    os.path.join(FIXTURES, "strata", "hidden.json")
]


def _check_laws(c, path):
    # Every law evaluates (in floats, from NumPy arrays) to its exact value.
    net = fibers.Network.from_json(path)
    for law in c:
        assert abs(law(net) - float(law.exact(net))) <= 1e-9 * (1 + abs(float(law.exact(net))))


@pytest.mark.parametrize("path", CONSERVE, ids=short)
def test_conserve(path, cli_json):
    # The default: the law count certified by bounds (as the CLI).
    c = fibers.conserve(path)
    data = dict(c.data)
    data.pop("law_terms")
    expected = cli_json("conserve", path, "--json")
    assert data == expected
    cert = expected["certification"]["law_count"]
    assert (c.certified, c.how, c.lower, c.upper) == (
        cert["certified"], cert["how"], cert["lower"], cert["upper"])
    assert c.mode == "bounds" and len(c) == cert["lower"]
    _check_laws(c, path)


@pytest.mark.parametrize("path", CONSERVE, ids=short)
def test_conserve_exhaustive(path, cli_json):
    c = fibers.conserve(path, exhaustive=True)
    data = dict(c.data)
    data.pop("law_terms")
    assert data == cli_json("conserve", path, "--exhaustive", "--json")
    assert c.mode == "exhaustive"
    _check_laws(c, path)


@pytest.mark.parametrize("exhaustive", [False, True])
def test_conserve_with_data(cli_json, exhaustive):
    path = os.path.join(FIXTURES, "conserve", "s1_2221_crossing.json")
    data = os.path.join(FIXTURES, "conserve", "data", "s1_constant_region.json")
    c = fibers.conserve(path, data=data, exhaustive=exhaustive)
    d = dict(c.data)
    d.pop("law_terms")
    flags = ["--exhaustive"] if exhaustive else []
    assert d == cli_json("conserve", path, *flags, "--data", data, "--json")


@pytest.mark.parametrize("path", [p for p in NETS if "/strata/" in p], ids=short)
def test_sample(path, cli):
    r = cli("sample", path, "--parts", "--count", "4", "--seed", "7")
    assert r.returncode == 0, r.stderr
    expected = [json.loads(l) for l in r.stdout.splitlines()]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = fibers.sample(path, 4, seed=7)
    assert [json.loads(n.to_json()) for n in got] == expected


def test_dedup_against_cli(cli, tmp_path):
    # A zoo: every fixture network, plus samples from the fibers of two of them.
    import warnings

    nets = [fibers.Network.from_json(p) for p in NETS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nets += fibers.sample(NETS[0], 3, seed=2) + fibers.sample(PAIRS[0] + "/a.json", 3, seed=3)
    lines = tmp_path / "zoo.jsonl"
    lines.write_text("".join(json.dumps(json.loads(n.to_json())) + "\n" for n in nets))
    r = cli("batch", "dedup", lines, "--quiet")
    assert r.returncode == 0, r.stderr
    expected = [json.loads(l) for l in r.stdout.splitlines()]
    got = fibers.dedup(nets)
    assert got.labels == [e["class"] for e in expected]
    for g, e in zip(got.records, expected):
        assert g["representative"] == e["representative"] - 1  # the CLI counts lines from 1
        assert g["sha256"] == e.get("sha256")


def test_batch_equiv_matches_equiv():
    pairs = [(os.path.join(p, "a.json"), os.path.join(p, "b.json")) for p in PAIRS]
    got = fibers.batch_equiv(pairs, certificates=True)
    for (a, b), v in zip(pairs, got):
        w = fibers.equiv(a, b)
        assert (v.verdict, v.method) == (w.verdict, w.method)
        assert fibers.check(v, a, b)


def test_budget_exhausted_message(cli):
    pair = os.path.join(FIXTURES, "pairs", "wide-permuted-dead")
    a, b = pair + "/a.json", pair + "/b.json"
    r = cli("equiv", a, b, "--method", "tree", "--max-nodes", "1")
    if r.returncode != 3:
        pytest.skip("decided within one node")
    with pytest.raises(fibers.BudgetExhausted) as e:
        fibers.equiv(a, b, method="tree", budget=1)
    assert str(e.value) in r.stderr


@pytest.mark.parametrize("pair", PAIRS, ids=short)
def test_equiv_fast_method(pair):
    a, b = os.path.join(pair, "a.json"), os.path.join(pair, "b.json")
    auto = fibers.equiv(a, b)
    if auto.method == "symmetry":
        pytest.skip("decided by the symmetry normal forms, before the fast path")
    if auto.method == "probe" and auto.fallback is None:
        # Refuted at auto's probe points before the fast path ran: the fast path alone agrees
        # on the verdict (with its own witness) or gives up off its stratum.
        try:
            assert fibers.equiv(a, b, method="fast").verdict == auto.verdict
        except fibers.BudgetExhausted as e:
            assert "the fast path gave up: " in str(e)
        return
    if auto.fallback is None:
        v = fibers.equiv(a, b, method="fast")
        assert (v.verdict, v.method) == (auto.verdict, auto.method)
    else:
        with pytest.raises(fibers.BudgetExhausted, match="the fast path gave up: "):
            fibers.equiv(a, b, method="fast")


@pytest.mark.parametrize("pair", PAIRS, ids=short)
def test_equiv_symmetry_and_regions_methods(pair, cli, cli_json):
    a, b = os.path.join(pair, "a.json"), os.path.join(pair, "b.json")
    auto = fibers.equiv(a, b)
    # The region-wise decision alone: the CLI's verdict and method, and auto's verdict.
    expected = cli_json("equiv", a, b, "--json", "--method", "regions")
    v = fibers.equiv(a, b, method="regions")
    assert (v.verdict, v.method) == (expected["verdict"], expected["method"])
    assert v.verdict == auto.verdict
    # The symmetry normal forms alone: decide as the CLI does, or give up with its reason.
    r = cli("equiv", a, b, "--method", "symmetry")
    if r.returncode == 0:
        s = fibers.equiv(a, b, method="symmetry")
        assert s.verdict == "equivalent" == auto.verdict
        assert fibers.check(s, a, b)
    else:
        assert r.returncode == 3
        with pytest.raises(fibers.BudgetExhausted, match="the symmetry path gave up: "):
            fibers.equiv(a, b, method="symmetry")
