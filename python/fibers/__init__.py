"""Exact, certified decisions about the parameter symmetries of three-layer ReLU networks.

``f(x) = W3 relu(W2 relu(W1 x + b1) + b2) + b3`` with exact rational parameters: floats are
read as the exact rationals they denote, every verdict carries a certificate that the
independent checker re-verifies, and no floating point enters a decision.

Quick start::

    import fibers
    a = fibers.Network.from_torch(model)          # any module with three Linear layers
    b = fibers.Network.from_safetensors("other.safetensors")
    v = fibers.equiv(a, b)                        # Verdict: bool(v), v.method, v.witness
    fibers.check(v.certificate, a, b)             # re-verified by the checker
    fibers.canon(a).hash                          # canonical form hash (bottleneck networks)
    fibers.fiber(a)                               # the fiber {theta' : f_theta' = f_theta}
    laws = fibers.conserve(a)                     # conservation laws, callable on parameters

NumPy, PyTorch, safetensors, SymPy and Dask are optional: each is imported by the functions
that need it. The guide is docs/python.md in the repository.
"""

from __future__ import annotations

import html
import json
import os
import re
import struct
import sys
import warnings
from fractions import Fraction
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._native import BadInput, BudgetExhausted, FibersError, InternalError

__all__ = [
    "Network",
    "Verdict",
    "CheckResult",
    "Canon",
    "Classification",
    "Fiber",
    "FunDim",
    "Law",
    "Conservation",
    "DedupResult",
    "equiv",
    "check",
    "canon",
    "classify",
    "fiber",
    "fundim",
    "conserve",
    "sample",
    "dedup",
    "batch_equiv",
    "FibersError",
    "BadInput",
    "BudgetExhausted",
    "InternalError",
]

__version__ = "0.1.0"

PathLike = Union[str, "os.PathLike[str]"]
Progress = Union[None, bool, Callable[[str], Any]]


def _frac(v: Any) -> Fraction:
    return Fraction(v) if not isinstance(v, str) else Fraction(v)


def _fracs(v: Optional[Sequence[Any]]) -> Optional[List[Fraction]]:
    return None if v is None else [_frac(x) for x in v]


def _progress(p: Progress) -> Optional[Callable[[str], Any]]:
    """None/False: silent; True: a status line on stderr; a callable: called with a message."""
    if p is None or p is False:
        return None
    if p is True:

        def show(msg: str) -> None:
            sys.stderr.write("\r\x1b[K" + msg)
            sys.stderr.flush()

        return show
    if callable(p):
        return p
    raise BadInput(f"progress: expected None, a bool or a callable, found {type(p).__name__}")


def _end_progress(p: Progress) -> None:
    if p is True:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


_SEQUENTIAL_NAMES = ["W1", "b1", "W2", "b2", "W3", "b3"]


def _natural_key(name: str) -> List[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _order_layers(
    weights: List[Tuple[str, Tuple[int, ...]]], source: str
) -> List[int]:
    """The order of three weight matrices that chains (W2 has W1's rows as columns, ...):
    the given order if it chains, else the unique chaining order."""
    from itertools import permutations

    def chains(order: Sequence[int]) -> bool:
        s = [weights[i][1] for i in order]
        return s[1][1] == s[0][0] and s[2][1] == s[1][0]

    if chains((0, 1, 2)):
        return [0, 1, 2]
    ok = [list(p) for p in permutations(range(3)) if chains(p)]
    if len(ok) == 1:
        return ok[0]
    shapes = ", ".join(f"{n} {list(s)}" for n, s in weights)
    raise BadInput(
        f"{source}: the weight matrices {shapes} do not chain into a three-layer network "
        f"({'no' if not ok else 'more than one'} order of the layers fits their shapes)"
    )


def _find_linear(
    items: Sequence[Tuple[str, Any]], shape_of: Callable[[Any], Tuple[int, ...]], source: str,
    natural: bool,
) -> List[Tuple[str, Any, str, Any]]:
    """From named tensors, the three (weight name, weight, bias name, bias) of the Linear
    layers: every 2-D tensor `P.weight` (or `P.W`...) with a 1-D `P.bias`."""
    names = dict(items)
    weights = [
        (n, t) for n, t in items if n.endswith("weight") and len(shape_of(t)) == 2
    ]
    if natural:
        weights.sort(key=lambda nt: _natural_key(nt[0]))
    if len(weights) != 3:
        found = ", ".join(f"{n} {list(shape_of(t))}" for n, t in weights) or "none"
        raise BadInput(
            f"{source}: expected the three Linear layers of a three-layer ReLU network "
            f"(2-D '*weight' tensors), found {len(weights)}: {found}"
        )
    order = _order_layers([(n, tuple(shape_of(t))) for n, t in weights], source)
    out = []
    for i in order:
        wn, w = weights[i]
        bn = wn[: -len("weight")] + "bias"
        b = names.get(bn)
        if b is not None and tuple(shape_of(b)) != (shape_of(w)[0],):
            raise BadInput(
                f"{source}: {bn}: expected shape [{shape_of(w)[0]}], found {list(shape_of(b))}"
            )
        out.append((wn, w, bn, b))
    return out


def _tensor_values(t: Any) -> Any:
    """A torch tensor, NumPy array or nested list as nested Python numbers, exactly (float
    tensors of any width widen to float64 without rounding)."""
    if t is None:
        return None
    mod = type(t).__module__
    if mod.startswith("torch"):
        t = t.detach().cpu()
        if t.is_floating_point():
            t = t.double()
        return t.tolist()
    if hasattr(t, "tolist") and hasattr(t, "dtype"):
        import numpy as np

        a = np.asarray(t)
        if a.dtype.kind == "f":
            a = a.astype(np.float64)
        return a.tolist()
    return t


def _shape(t: Any) -> Tuple[int, ...]:
    if hasattr(t, "shape"):
        return tuple(int(s) for s in t.shape)
    if isinstance(t, (list, tuple)):
        if len(t) and isinstance(t[0], (list, tuple)):
            return (len(t), len(t[0]))
        return (len(t),)
    return ()


class Network:
    """A three-layer ReLU network ``W3 relu(W2 relu(W1 x + b1) + b2) + b3`` with exact
    rational parameters.

    Build one with :meth:`from_torch`, :meth:`from_safetensors`, :meth:`from_numpy` or
    :meth:`from_json`; floats are read as the exact rationals they denote (a float32 weight
    round-trips to the same bits)."""

    __slots__ = ("_net", "name")

    def __init__(self, native: "_native.Net", name: Optional[str] = None) -> None:
        self._net = native
        self.name = name

    # ---- inputs -------------------------------------------------------------------------

    @classmethod
    def from_json(cls, path_or_str: Union[PathLike, str], name: Optional[str] = None) -> "Network":
        """A network from a JSON network file (path) or its text (a string starting with
        ``{``)."""
        if isinstance(path_or_str, str) and path_or_str.lstrip().startswith("{"):
            source = name or "<json>"
            return cls(_native.Net.from_json(path_or_str, source), name)
        path = os.fspath(path_or_str)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise BadInput(f"{path}: file: {e.strerror or e}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadInput(f"{path}: byte {e.start}: not valid UTF-8 text") from None
        return cls(_native.Net.from_json(text, path), name or os.path.basename(path))

    @classmethod
    def from_safetensors(
        cls, path: PathLike, keys: Optional[Sequence[str]] = None, name: Optional[str] = None
    ) -> "Network":
        """A network from a safetensors state dict. Without ``keys`` (the six tensor names W1,
        b1, W2, b2, W3, b3) the three Linear layers are found by their names (``*.weight`` /
        ``*.bias``) and shapes, whatever the names."""
        path = os.fspath(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise BadInput(f"{path}: file: {e.strerror or e}") from None
        if keys is None:
            keys = _safetensors_keys(data, path)
        return cls(
            _native.Net.from_safetensors(data, path, list(keys)),
            name or os.path.basename(path),
        )

    @classmethod
    def from_numpy(
        cls, W1: Any, b1: Any, W2: Any, b2: Any, W3: Any, b3: Any, name: Optional[str] = None
    ) -> "Network":
        """A network from its six arrays (NumPy arrays, torch tensors or nested lists of
        floats, ints, ``Fraction`` or ``"p/q"`` strings), weights in PyTorch's ``[out, in]``
        layout. ``None`` for a bias means zeros."""
        arrays = [W1, b1, W2, b2, W3, b3]
        return cls._from_arrays(arrays, _SEQUENTIAL_NAMES, name or "<arrays>", name)

    @classmethod
    def _from_arrays(
        cls, arrays: Sequence[Any], names: Sequence[str], source: str, name: Optional[str]
    ) -> "Network":
        vals = [_tensor_values(a) for a in arrays]
        layers = []
        for l in range(3):
            w, b = vals[2 * l], vals[2 * l + 1]
            if not isinstance(w, list) or (w and not isinstance(w[0], list)):
                raise BadInput(
                    f"{source}: {names[2 * l]}: expected a 2-D array, found shape "
                    f"{list(_shape(arrays[2 * l]))}"
                )
            if b is None:
                b = [0] * len(w)
            if not isinstance(b, list) or (b and isinstance(b[0], list)):
                raise BadInput(
                    f"{source}: {names[2 * l + 1]}: expected a 1-D array, found shape "
                    f"{list(_shape(arrays[2 * l + 1]))}"
                )
            if len(b) != len(w):
                raise BadInput(
                    f"{source}: {names[2 * l + 1]}: expected {len(w)} entries (the rows of "
                    f"{names[2 * l]}), found {len(b)}"
                )
            layers.append((w, b))
        return cls(_native.Net.from_values(layers, source, list(names)), name)

    @classmethod
    def from_torch(cls, module_or_state_dict: Any, name: Optional[str] = None) -> "Network":
        """A network from a PyTorch module (``nn.Sequential`` or any module with exactly three
        ``nn.Linear`` layers, found in order whatever their names) or a state dict.

        For a module, its forward pass is compared with the three-layer ReLU network at a few
        inputs; a module that computes something else (other activations, skip connections)
        is refused with :class:`BadInput`."""
        obj = module_or_state_dict
        if isinstance(obj, Mapping):
            items = list(obj.items())
            source = name or "state_dict"
            found = _find_linear(items, _shape, source, natural=False)
            arrays = []
            names = []
            for wn, w, bn, b in found:
                arrays += [w, b]
                names += [wn, bn]
            return cls._from_arrays(arrays, names, source, name)
        try:
            import torch
        except ImportError:  # pragma: no cover - only without torch
            raise BadInput("from_torch: expected a state dict (torch is not installed)") from None
        if not isinstance(obj, torch.nn.Module):
            raise BadInput(
                f"from_torch: expected a torch.nn.Module or a state dict, found "
                f"{type(obj).__name__}"
            )
        source = name or type(obj).__name__
        linears = [(n, m) for n, m in obj.named_modules() if isinstance(m, torch.nn.Linear)]
        if len(linears) != 3:
            found_s = ", ".join(
                f"{n or '(root)'} {list(m.weight.shape)}" for n, m in linears
            ) or "none"
            raise BadInput(
                f"{source}: expected the three Linear layers of a three-layer ReLU network, "
                f"found {len(linears)}: {found_s}"
            )
        arrays = []
        names = []
        for n, m in linears:
            arrays += [m.weight, m.bias]
            names += [f"{n}.weight", f"{n}.bias"]
        net = cls._from_arrays(arrays, names, source, name)
        net._check_forward(obj, source)
        return net

    def _check_forward(self, module: Any, source: str) -> None:
        """Compares the module's forward pass with the network at a few inputs (a sanity
        check of the architecture, in float64; never part of a decision)."""
        import torch

        n0 = self.arch[0]
        g = torch.Generator().manual_seed(0)
        x = torch.randn(16, n0, generator=g, dtype=torch.float64)
        p = next(iter(module.parameters()), None)
        dtype = p.dtype if p is not None else torch.float32
        try:
            with torch.no_grad():
                y = module(x.to(dtype)).double()
        except Exception as e:  # the module does not take (batch, n0) inputs
            raise BadInput(
                f"{source}: its forward pass fails on inputs of shape [16, {n0}]: {e}"
            ) from None
        ref = self._float_forward(x)
        scale = 1.0 + float(ref.abs().max())
        tol = (1e-3 if dtype in (torch.float16, torch.bfloat16) else 1e-4) * scale
        if tuple(y.shape) != tuple(ref.shape) or float((y - ref).abs().max()) > tol:
            raise BadInput(
                f"{source}: its forward pass is not W3 relu(W2 relu(W1 x + b1) + b2) + b3 of "
                f"its three Linear layers (other activations or connections?)"
            )

    def _float_forward(self, x: Any) -> Any:
        import torch

        (W1, b1), (W2, b2), (W3, b3) = [
            (torch.tensor(w, dtype=torch.float64).reshape(len(b), -1),
             torch.tensor(b, dtype=torch.float64))
            for w, b in self._net.floats()
        ]
        h = torch.relu(x @ W1.T + b1)
        h = torch.relu(h @ W2.T + b2)
        return h @ W3.T + b3

    # ---- outputs ------------------------------------------------------------------------

    @property
    def arch(self) -> Tuple[int, int, int, int]:
        """The widths ``(n0, n1, n2, n3)``."""
        return self._net.arch()

    @property
    def layers(self) -> List[Tuple[List[List[Fraction]], List[Fraction]]]:
        """The exact parameters: ``[(W1, b1), (W2, b2), (W3, b3)]`` of ``Fraction``."""
        return [
            ([[Fraction(x) for x in row] for row in w], [Fraction(x) for x in b])
            for w, b in self._net.values()
        ]

    def to_json(self, path: Optional[PathLike] = None) -> str:
        """The JSON network file text (exact); written to ``path`` when given."""
        text = self._net.to_json()
        if path is not None:
            with open(os.fspath(path), "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def to_numpy(self, dtype: Any = None) -> Tuple[Any, ...]:
        """``(W1, b1, W2, b2, W3, b3)`` as NumPy arrays (default float64: each parameter
        rounded to the nearest float64, so a network read from floats gives them back
        bit for bit)."""
        import numpy as np

        dtype = np.float64 if dtype is None else dtype
        out = []
        for w, b in self._net.floats():
            out.append(np.array(w, dtype=np.float64).reshape(len(b), -1).astype(dtype))
            out.append(np.array(b, dtype=np.float64).astype(dtype))
        return tuple(out)

    def to_torch(self, dtype: Any = None) -> Any:
        """An ``nn.Sequential(Linear, ReLU, Linear, ReLU, Linear)`` with these parameters
        (default float32; each parameter is rounded to the nearest float64, then cast)."""
        import torch

        dtype = torch.float32 if dtype is None else dtype
        n0, n1, n2, n3 = self.arch
        seq = torch.nn.Sequential(
            torch.nn.Linear(n0, n1), torch.nn.ReLU(),
            torch.nn.Linear(n1, n2), torch.nn.ReLU(),
            torch.nn.Linear(n2, n3),
        ).to(dtype)
        arrays = self.to_numpy()
        with torch.no_grad():
            for i, lin in enumerate([seq[0], seq[2], seq[4]]):
                lin.weight.copy_(torch.from_numpy(arrays[2 * i]).to(dtype))
                lin.bias.copy_(torch.from_numpy(arrays[2 * i + 1]).to(dtype))
        return seq

    def to_safetensors(self, path: PathLike, dtype: Any = None) -> None:
        """Writes an ``nn.Sequential`` state dict (``0.weight`` ... ``4.bias``), float64 by
        default."""
        import numpy as np
        from safetensors.numpy import save_file

        arrays = self.to_numpy(np.float64 if dtype is None else dtype)
        keys = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
        save_file(dict(zip(keys, arrays)), os.fspath(path), metadata={"format": "pt"})

    def __call__(self, x: Sequence[Any]) -> List[Fraction]:
        """The exact output at an exact input (floats read exactly)."""
        return [Fraction(v) for v in self._net.eval(list(_tensor_values(x)))]

    @property
    def hash(self) -> str:
        """SHA-256 of the exact parameters (the content hash certificates name)."""
        return self._net.content_hash()

    def fingerprint(self) -> str:
        """The exact outputs at fixed probe points: equal for equivalent networks (networks
        with different fingerprints are not equivalent)."""
        return self._net.fingerprint()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Network) and self._net == other._net

    def __hash__(self) -> int:
        return hash(self.hash)

    def __reduce__(self) -> Any:
        return (_network_from_json_text, (self._net.to_json(), self.name))

    def __repr__(self) -> str:
        n = f" {self.name!r}" if self.name else ""
        return f"<fibers.Network{n} {'-'.join(map(str, self.arch))}>"


def _network_from_json_text(text: str, name: Optional[str]) -> Network:
    return Network(_native.Net.from_json(text, name or "<pickle>"), name)


def _safetensors_keys(data: bytes, source: str) -> List[str]:
    """The six tensor names of the three Linear layers in a safetensors file."""
    if len(data) < 8:
        raise BadInput(f"{source}: header: file too short for a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise BadInput(f"{source}: header: header length {n} exceeds the file size")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadInput(f"{source}: header: not a JSON object ({e})") from None
    if not isinstance(header, dict):
        raise BadInput(f"{source}: header: not a JSON object")
    items = [(k, tuple(v.get("shape", ()))) for k, v in header.items()
             if k != "__metadata__" and isinstance(v, dict)]
    found = _find_linear(items, lambda s: s, source, natural=True)
    keys: List[str] = []
    for wn, _, bn, b in found:
        if b is None:
            raise BadInput(f"{source}: {bn}: tensor not found (the bias of {wn})")
        keys += [wn, bn]
    return keys


NetworkLike = Union[Network, PathLike, Any]


def _net(x: Any, what: str = "network") -> Network:
    """A Network from a Network, a path (.json or .safetensors), a torch module or a state
    dict."""
    if isinstance(x, Network):
        return x
    if isinstance(x, (str, os.PathLike)):
        p = os.fspath(x)
        if p.lower().endswith(".safetensors"):
            return Network.from_safetensors(p)
        return Network.from_json(p)
    if isinstance(x, Mapping) or type(x).__module__.startswith("torch"):
        return Network.from_torch(x)
    if isinstance(x, (tuple, list)) and len(x) == 6:
        return Network.from_numpy(*x)
    raise BadInput(f"{what}: expected a fibers.Network, a path, a torch module or a state "
                   f"dict, found {type(x).__name__}")


# ---- equiv, check ------------------------------------------------------------------------


class Verdict:
    """A certified verdict of :func:`equiv`: true when the networks are equivalent.

    ``verdict`` is ``"equivalent"``, ``"not-equivalent"`` (with ``witness``, an input where
    the outputs ``output_a`` and ``output_b`` differ, as Fractions) or ``"undecided"`` (only
    from :func:`batch_equiv`); ``certificate`` is the JSON text that :func:`check` and
    ``fibers check`` verify; ``method`` says which procedure decided."""

    def __init__(self, data: Dict[str, Any], certificate: Optional[str]) -> None:
        self.data = data
        self.verdict: str = data["verdict"]
        self.equivalent: Optional[bool] = (
            None if self.verdict not in ("equivalent", "not-equivalent")
            else self.verdict == "equivalent"
        )
        self.method: Optional[str] = data.get("method")
        self.fallback: Optional[str] = data.get("fallback")
        self.found_by: Optional[str] = data.get("found_by")
        self.certificate: Optional[str] = certificate or None

    # The Fractions are made when first asked for (parsing them costs more than a small
    # decision).
    @property
    def witness(self) -> Optional[List[Fraction]]:
        """An input where the two networks differ (not-equivalent verdicts), exact."""
        return _fracs(self.data.get("witness"))

    @property
    def output_a(self) -> Optional[List[Fraction]]:
        """``f_a(witness)``, exact."""
        return _fracs(self.data.get("output_a"))

    @property
    def output_b(self) -> Optional[List[Fraction]]:
        """``f_b(witness)``, exact."""
        return _fracs(self.data.get("output_b"))

    @property
    def stats(self) -> Dict[str, Any]:
        """The branch tree's counts (``nodes``, ``leaves``, ``splits``, ``fixes``, ``lps``,
        ``probes``) where it ran."""
        return {k: self.data[k] for k in ("nodes", "leaves", "splits", "fixes", "lps", "probes")
                if k in self.data}

    def __bool__(self) -> bool:
        return bool(self.equivalent)

    def save_certificate(self, path: PathLike) -> None:
        """Writes the certificate (check it with ``fibers check CERT A B``)."""
        if self.certificate is None:
            raise BadInput("no certificate (undecided, or certificates=False)")
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(self.certificate)

    def _lines(self) -> List[str]:
        out = [self.verdict.replace("-", " ")]
        if self.witness is not None:
            out.append("witness x = [" + ", ".join(map(str, self.witness)) + "]")
            out.append("  f_A(x) = [" + ", ".join(map(str, self.output_a or [])) + "]")
            out.append("  f_B(x) = [" + ", ".join(map(str, self.output_b or [])) + "]")
        if self.method:
            fb = f" (witness found by {self.found_by})" if self.found_by else ""
            out.append(f"method: {self.method}{fb}")
        if self.fallback:
            out.append(f"fast path fell back to the tree: {self.fallback}")
        if self.certificate:
            out.append(f"certificate: {len(self.certificate)} bytes of JSON (checked)")
        return out

    def __repr__(self) -> str:
        return "<fibers.Verdict " + "; ".join(self._lines()) + ">"

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        color = {"equivalent": "#1a7f37", "not-equivalent": "#cf222e"}.get(self.verdict, "#9a6700")
        lines = self._lines()
        body = "<br>".join(html.escape(l) for l in lines[1:])
        return (f'<div><b style="color:{color}">{html.escape(lines[0])}</b>'
                f'<div style="font-family:monospace">{body}</div></div>')


def equiv(
    a: NetworkLike,
    b: NetworkLike,
    method: str = "auto",
    budget: Optional[int] = None,
    timeout: Optional[float] = None,
    progress: Progress = None,
) -> Verdict:
    """Decides exactly whether ``a`` and ``b`` compute the same function on all of R^n0
    (as ``fibers equiv``), with a certificate already re-verified by the checker.

    ``method``: ``"auto"`` (exact probe points, the symmetry normal forms, the bottleneck fast
    path, then the region-wise decision, then the branch tree), ``"symmetry"`` or ``"fast"`` (one fast path
    only; they may give up, raising :class:`BudgetExhausted` with the reason), ``"regions"``
    or ``"tree"``. ``budget``: give up after this many branch-tree nodes; ``timeout``: after this
    many seconds (both raise :class:`BudgetExhausted`). ``progress``: True for a status line
    on stderr, or a callable taking a message. Releases the GIL; Ctrl-C interrupts it."""
    a, b = _net(a, "a"), _net(b, "b")
    try:
        data, cert = _native.equiv(a._net, b._net, method, budget, timeout, _progress(progress))
    finally:
        _end_progress(progress)
    return Verdict(data, cert)


class CheckResult:
    """The checker's answer: true when the certificate proves its verdict for these
    networks; ``reason`` says why not."""

    def __init__(self, valid: bool, verdict: str, reason: Optional[str]) -> None:
        self.valid = valid
        self.verdict = verdict
        self.reason = reason

    def __bool__(self) -> bool:
        return self.valid

    def __repr__(self) -> str:
        if self.valid:
            return f"<fibers.CheckResult ok: proves {self.verdict}>"
        return f"<fibers.CheckResult rejected: {self.reason}>"


def check(
    certificate: Union[str, Verdict, PathLike],
    a: NetworkLike,
    b: NetworkLike,
    check_hashes: bool = True,
) -> CheckResult:
    """Checks a certificate (JSON text, a path to one, or a :class:`Verdict`) against two
    networks with the independent checker (as ``fibers check``)."""
    source = "certificate"
    if isinstance(certificate, Verdict):
        if certificate.certificate is None:
            raise BadInput("certificate: the verdict carries no certificate")
        text = certificate.certificate
    elif isinstance(certificate, str) and certificate.lstrip().startswith("{"):
        text = certificate
    else:
        source = os.fspath(certificate)
        try:
            with open(source, "r", encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise BadInput(f"{source}: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise BadInput(f"{source}: not valid UTF-8 text") from None
    a, b = _net(a, "a"), _net(b, "b")
    return CheckResult(*_native.check_certificate(text, a._net, b._net, check_hashes, source))


# ---- canon, classify ---------------------------------------------------------------------


class Canon:
    """The canonical form of the function of a network (as ``fibers canon``): two generic
    bottleneck networks are equivalent iff their hashes are equal. ``generic`` is False (and
    ``hash`` None) when a genericity condition fails; ``condition`` names it."""

    def __init__(self, data: Dict[str, Any], net: Network, form: Any = None) -> None:
        self._data = data
        self._lazy_form = form
        self._form: Optional[Dict[str, Any]] = data.get("form")
        self._source = net
        self.generic: bool = data["status"] == "canonical"
        self.hash: Optional[str] = data.get("hash")
        self.kind: Optional[str] = data.get("kind")
        self.text: str = data.get("text") or f"not generic: {data.get('message')}\n"
        self.condition: Optional[str] = data.get("condition")
        self.detail: Optional[str] = data.get("detail")

    @property
    def form(self) -> Optional[Dict[str, Any]]:
        """The canonical form as JSON (``fibers canon --json``'s ``form``), None when not
        generic; made into Python objects when first asked for."""
        if self._form is None and self._lazy_form is not None:
            self._form = self._lazy_form.get()
        return self._form

    @property
    def data(self) -> Dict[str, Any]:
        """The JSON of ``fibers canon --json``."""
        d = dict(self._data)
        if self.generic:
            d["form"] = self.form
        return d

    def network(self) -> Network:
        """A representative network of the canonical form (bottleneck forms only)."""
        return Network(_native.canon_network(self._source._net))

    def __repr__(self) -> str:
        if self.generic:
            return f"<fibers.Canon {self.kind} sha256 {self.hash}>"
        return f"<fibers.Canon not generic: {self._data.get('message')}>"

    def __str__(self) -> str:
        return self.text + (f"sha256 {self.hash}\n" if self.hash else "")


def canon(a: NetworkLike, timeout: Optional[float] = None) -> Canon:
    """The canonical form of ``a``'s function, with ``.hash`` (as ``fibers canon``).
    Releases the GIL; Ctrl-C and ``timeout`` (seconds, then :class:`BudgetExhausted`)
    interrupt it."""
    a = _net(a)
    data, form = _native.canon(a._net, timeout)
    return Canon(data, a, form)


class Classification:
    """Roles of a network's neurons on the orthant and every genericity condition (as
    ``fibers classify``); ``data`` is the JSON of ``fibers classify --json``."""

    def __init__(self, data: Dict[str, Any], text: str) -> None:
        self.data = data
        self.text = text

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def classify(a: NetworkLike, timeout: Optional[float] = None) -> Classification:
    """Classifies ``a`` (as ``fibers classify``). Releases the GIL; Ctrl-C and ``timeout``
    (seconds, then :class:`BudgetExhausted`) interrupt it."""
    data, text = _native.classify(_net(a)._net, timeout)
    return Classification(data, text)


# ---- fiber, fundim, sample ---------------------------------------------------------------


def _latex_math(doc: str) -> str:
    """The displayed formulas of a LaTeX document (``gather*``/``align*`` environments, which
    Jupyter's MathJax renders), after the definition of the fiber."""
    found = [m.group(0) for m in re.finditer(
        r"\\begin\{(gather\*|align\*|equation\*)\}.*?\\end\{\1\}", doc, re.S)]
    head = "$\\operatorname{Fib}(\\theta) = \\{\\theta' : f_{\\theta'} = f_\\theta\\}$"
    return "\n".join([head] + found)


class Fiber:
    """The fiber ``{theta' : f_theta' = f_theta}`` of a parameter (as ``fibers fiber``).

    By default the polynomial summary: ``stratum``, ``symmetries`` (the symmetry group at
    theta), ``dimension`` (the local dimension, certified by bounds on the functional
    dimension that meet; ``None`` when they do not, then ``dimension_bounds`` gives both),
    ``certified`` and ``certified_by``. With ``exhaustive=True`` (the CLI's ``--parts``) the
    full description: also ``kind`` and ``parts`` (one dict per component family).
    ``contains(b)``, ``latex()``; ``data`` is the JSON of ``fibers fiber --format json``
    (``--parts`` with ``exhaustive``)."""

    def __init__(self, native: "_native.FiberDesc", net: Network) -> None:
        self._d = native
        self.network = net
        self.exhaustive: bool = native.exhaustive
        self.data: Dict[str, Any] = native.data()
        self.stratum: Optional[str] = self.data.get("stratum")
        self.dimension: Optional[int] = self.data.get("dimension")
        if self.exhaustive:
            self.kind: Optional[str] = self.data.get("kind")
            self.parts: List[Dict[str, Any]] = (
                (self.data.get("description") or {}).get("parts") or [])
            self.symmetries: List[Any] = self.data.get("symmetries") or []
            self.certified_by: str = (self.data.get("dimension_source") or "open"
                                      if self.dimension is not None else "open")
            self.dimension_bounds: Tuple[Optional[int], Optional[int]] = (
                self.dimension, self.dimension)
        else:
            self.kind = None
            self.parts = []
            self.symmetries = self.data.get("symmetries") or []
            self.certified_by = self.data.get("dimension_certified_by") or "open"
            b = self.data.get("fundim_bounds") or {}
            d = self.data.get("parameters")
            if "lower" in b:
                # D - fd: the upper bound on fd gives the lower bound on the dimension.
                self.dimension_bounds = (d - b["upper"], d - b["lower"])
            else:
                self.dimension_bounds = (None, None)
        self.certified: bool = self.dimension is not None

    def membership(
        self, b: NetworkLike, budget: Optional[int] = None, timeout: Optional[float] = None,
        progress: Progress = None,
    ) -> Dict[str, Any]:
        """Decides exactly whether ``b`` lies in the fiber (as ``fibers fiber --member``): a
        dict with ``member``. By default by the certified fast decision of ``f_a = f_b``
        (``member_certified_by``, ``member_witness`` an input where they differ); when that
        gives up, or with ``exhaustive``, by the description, with the witnessing
        permutations, scalings and roles (or ``counter_input``)."""
        b = _net(b, "b")
        try:
            r = json.loads(self._d.member(b._net, budget, timeout, _progress(progress)))
        finally:
            _end_progress(progress)
        if r.get("description_counterexample"):
            warnings.warn("counterexample to docs/theory.md: the branch tree proves the network "
                          "is in the fiber, but the description (docs/theory.md §8) excludes it")
        return r

    def contains(self, b: NetworkLike, budget: Optional[int] = None,
                 timeout: Optional[float] = None) -> bool:
        """Whether ``b`` lies in the fiber (exact; see :meth:`membership`)."""
        return bool(self.membership(b, budget, timeout)["member"])

    def __contains__(self, b: NetworkLike) -> bool:
        return self.contains(b)

    def text(self, show_parts: int = 12) -> str:
        """Plain text (as ``fibers fiber``, or ``fibers fiber --parts``)."""
        return self._d.text(show_parts)

    def latex(self, show_parts: int = 12, parts: bool = True, timeout: Optional[float] = None,
              progress: Progress = None) -> str:
        """A complete LaTeX document (as ``fibers fiber --format latex``): the summary theorem,
        then the full description of every part (computed here if not yet: exponential in the
        widths; ``timeout``, ``progress`` as for :func:`fiber`). ``parts=False``: the summary
        theorem alone (polynomial)."""
        try:
            return self._d.latex(show_parts, parts, timeout, _progress(progress))
        finally:
            _end_progress(progress)

    def _repr_latex_(self) -> str:
        if not self.exhaustive:
            # The summary (polynomial); the full description is only computed on request.
            d = self.data
            head = ("$\\operatorname{Fib}(\\theta) = \\{\\theta' : f_{\\theta'} = "
                    "f_\\theta\\}$, architecture $(%s)$, $D = %d$" % (
                        ", ".join(map(str, d["architecture"])), d["parameters"]))
            if self.dimension is not None:
                dim = ("$\\dim_\\theta \\operatorname{Fib}(\\theta) = %d$ (certified: %s)"
                       % (self.dimension, self.certified_by))
            elif self.dimension_bounds[0] is not None:
                dim = ("$%d \\le \\dim_\\theta \\operatorname{Fib}(\\theta) \\le %d$ "
                       "(open: the bounds do not meet)" % self.dimension_bounds)
            else:
                dim = "$\\dim_\\theta \\operatorname{Fib}(\\theta)$ open"
            return head + "\n\n" + dim
        return _latex_math(self.latex())

    def __repr__(self) -> str:
        return self.text()


def fiber(
    a: NetworkLike,
    exhaustive: bool = False,
    max_parts: int = 20_000,
    max_regions: Optional[int] = 4096,
    max_points: int = 64,
    timeout: Optional[float] = None,
    progress: Progress = None,
) -> Fiber:
    """The fiber of ``a`` (as ``fibers fiber``): the polynomial summary, its dimension
    certified by bounds (``max_points``: random activation regions sampled for them, at most).

    ``exhaustive=True`` (as ``fibers fiber --parts``): the full description, every role
    assignment enumerated (exponential in the widths); ``max_parts`` bounds them
    (:class:`BudgetExhausted` beyond), ``max_regions`` the functional dimension by
    enumeration (None: not computed). Releases the GIL; Ctrl-C interrupts it."""
    a = _net(a)
    try:
        d = _native.fiber(a._net, exhaustive, max_parts, max_regions, max_points, timeout,
                          _progress(progress))
    finally:
        _end_progress(progress)
    return Fiber(d, a)


class FunDim:
    """The functional dimension (as ``fibers fundim --json``; ``data`` is that JSON, its keys
    also attributes): ``value`` (the functional dimension, ``None`` when open), ``certified``
    and ``how`` (``"bounds met"``, ``"exhaustive (every linear region)"`` or ``"open"``),
    ``lower`` and ``upper`` (the bounds; equal when certified), ``parameters`` D and
    ``fiber_dimension`` (D - value where f is differentiable in the parameters)."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self.data = data
        for k, v in data.items():
            setattr(self, k, v)
        self.how: str = data.get("certified_by", "open")
        if "rank" in data:  # exhaustive
            self.value: Optional[int] = data["rank"]
        else:
            self.value = data.get("functional_dimension")
        self.certified: bool = self.value is not None
        b = data.get("bounds") or {}
        if self.value is not None:
            self.lower: Optional[int] = self.value
            self.upper: Optional[int] = self.value
        else:
            self.lower, self.upper = b.get("lower"), b.get("upper")

    def __repr__(self) -> str:
        if self.certified:
            return (f"<fibers.FunDim {self.value} (certified: {self.how}), D = "
                    f"{self.data.get('parameters')}>")
        return (f"<fibers.FunDim open: between {self.lower} and {self.upper}, D = "
                f"{self.data.get('parameters')}>")


def fundim(
    a: NetworkLike, exhaustive: bool = False, max_points: int = 64, max_regions: int = 4096,
    timeout: Optional[float] = None, progress: Progress = None,
) -> FunDim:
    """Functional dimension of ``a`` (as ``fibers fundim``): certified by a lower and an
    upper bound that meet (polynomial; ``max_points`` random activation regions at most),
    else by enumerating every linear region (``max_regions``; 0: no fallback). When neither
    finishes, the result is open (``certified`` False) with both bounds.

    ``exhaustive=True`` (as ``fibers fundim --exhaustive``): every linear region, compared
    with the described fiber (:class:`BudgetExhausted` beyond ``max_regions``)."""
    a = _net(a)
    try:
        data = _native.fundim(a._net, exhaustive, max_points, max_regions, timeout,
                              _progress(progress), a.name or "network")
    finally:
        _end_progress(progress)
    return FunDim(data)


def sample(a: NetworkLike, n: int = 10, seed: int = 1, max_parts: int = 20_000,
           timeout: Optional[float] = None, progress: Progress = None) -> List[Network]:
    """``n`` parameters drawn from every part of the fiber of ``a`` (as ``fibers sample``),
    reproducible from ``seed``."""
    a = _net(a)
    if n < 0 or seed < 0:
        raise BadInput("sample: n and seed must be non-negative")
    try:
        nets, note = _native.sample(a._net, n, seed, max_parts, timeout, _progress(progress))
    finally:
        _end_progress(progress)
    if note:
        warnings.warn(note)
    return [Network(x) for x in nets]


# ---- conservation laws -------------------------------------------------------------------


def _param_arrays(params: Any) -> List[Any]:
    """``[W1, b1, W2, b2, W3, b3]`` from a Network, a torch module, a state dict or a
    sequence of six arrays; tensors are kept as they are (autograd works through a law)."""
    if isinstance(params, Network):
        return list(params.to_numpy())
    if isinstance(params, (tuple, list)) and len(params) == 6:
        return list(params)
    if isinstance(params, Mapping):
        found = _find_linear(list(params.items()), _shape, "parameters", natural=False)
        out = []
        for _, w, _, b in found:
            out += [w, b]
        return out
    mod = type(params).__module__
    if mod.startswith("torch"):
        import torch

        linears = [m for m in params.modules() if isinstance(m, torch.nn.Linear)]
        if len(linears) != 3:
            raise BadInput(f"parameters: expected 3 Linear layers, found {len(linears)}")
        out = []
        for m in linears:
            out += [m.weight, m.bias]
        return out
    raise BadInput(f"parameters: expected a Network, a torch module, a state dict or six "
                   f"arrays, found {type(params).__name__}")


class Law:
    """A conservation law of gradient flow: a polynomial ``Q(theta)`` with ``dQ/dt = 0`` along
    the flow (in the activation patterns given by ``scope``).

    Call it on parameters — a torch module, a state dict, six arrays (torch tensors or NumPy)
    or a :class:`Network` — to get its value (a 0-d tensor, keeping autograd, or a float), e.g.
    to log it during training. ``to_sympy()`` gives the exact polynomial as a SymPy
    expression; ``latex`` (and ``_repr_latex_``) its LaTeX."""

    def __init__(self, data: Dict[str, Any], terms: Dict[str, Any]) -> None:
        self.data = data
        self.name: str = data["name"]
        self.scope: Any = data.get("scope")
        self.text: str = data.get("text", "")
        self.latex: str = terms["latex"]
        self.terms: List[Tuple[Fraction, List[Tuple[Any, int]]]] = [
            (Fraction(c), [(tuple(p) if isinstance(p, list) else p, e) for p, e in powers])
            for c, powers in terms["terms"]
        ]

    def __call__(self, params: Any) -> Any:
        arrays = _param_arrays(params)
        total: Any = 0.0
        for c, powers in self.terms:
            t: Any = float(c)
            for p, e in powers:
                if not isinstance(p, tuple):
                    raise BadInput(f"law {self.name}: variable {p} is not a parameter")
                if p[0] == "W":
                    v = arrays[2 * (p[1] - 1)][p[2], p[3]]
                else:
                    v = arrays[2 * (p[1] - 1) + 1][p[2]]
                t = t * (v if e == 1 else v ** e)
            total = total + t
        return total

    def exact(self, net: Network) -> Fraction:
        """The exact value at a network's parameters."""
        layers = net.layers
        total = Fraction(0)
        for c, powers in self.terms:
            t = c
            for p, e in powers:
                w, b = layers[p[1] - 1]
                t *= (w[p[2]][p[3]] if p[0] == "W" else b[p[2]]) ** e
            total += t
        return total

    def to_sympy(self) -> Any:
        """The polynomial as a SymPy expression in symbols ``W1[j][i]``, ``b1[j]``, ..."""
        import sympy

        expr = sympy.Integer(0)
        for c, powers in self.terms:
            t = sympy.Rational(c.numerator, c.denominator)
            for p, e in powers:
                name = f"W{p[1]}[{p[2]}][{p[3]}]" if p[0] == "W" else f"b{p[1]}[{p[2]}]"
                t = t * sympy.Symbol(name, real=True) ** e
            expr = expr + t
        return expr

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex}$"

    def __repr__(self) -> str:
        return f"<fibers.Law {self.name}: {self.text}>"


class Conservation:
    """The conservation laws of gradient flow at a parameter (as ``fibers conserve --json``):
    ``laws`` (independent, exactly verified); the number of independent laws between
    ``lower`` and ``upper``, ``certified`` when they meet (``how``: ``"bounds met"``, or
    ``"exhaustive"`` with ``exhaustive=True``, else ``"open"``); ``data`` the full JSON."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self.data = data
        terms = {t["name"]: t for t in data.get("law_terms", [])}
        self.laws: List[Law] = [Law(l, terms[l["name"]]) for l in data.get("laws", [])
                                if l.get("name") in terms]
        c = (data.get("certification") or {}).get("law_count") or {}
        self.mode: str = data.get("mode", "bounds")
        self.certified: bool = bool(c.get("certified"))
        self.how: str = c.get("how", "open")
        self.lower: int = c.get("lower", len(self.laws))
        self.upper: int = c.get("upper", len(self.laws))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.laws)

    def __len__(self) -> int:
        return len(self.laws)

    def __getitem__(self, i: int) -> Law:
        return self.laws[i]

    def __call__(self, params: Any) -> Dict[str, Any]:
        """Every law's value at ``params``, by name."""
        return {l.name: l(params) for l in self.laws}

    def _repr_latex_(self) -> str:
        rows = " \\\\ ".join(f"\\text{{{l.name}}}: & {l.latex}" for l in self.laws)
        return f"$$\\begin{{aligned}} {rows} \\end{{aligned}}$$"

    def __repr__(self) -> str:
        count = (f"{self.lower} (certified: {self.how})" if self.certified
                 else f"open, between {self.lower} and {self.upper}")
        return (f"<fibers.Conservation {len(self.laws)} laws, independent laws: {count}: "
                + "; ".join(f"{l.name} = {l.text}" for l in self.laws) + ">")


def _data_json(data: Any, source: str) -> Tuple[str, str]:
    if isinstance(data, (str, os.PathLike)) and not str(data).lstrip().startswith("{"):
        p = os.fspath(data)
        try:
            with open(p, "r", encoding="utf-8") as f:
                return f.read(), p
        except OSError as e:
            raise BadInput(f"{p}: file: {e.strerror or e}") from None
    if isinstance(data, str):
        return data, source
    if isinstance(data, Mapping):
        x, y = data["x"], data["y"]
    else:
        x, y = data
    conv = lambda rows: [[str(Fraction(v)) for v in row] for row in _tensor_values(rows)]
    return json.dumps({"x": conv(x), "y": conv(y)}), source


def conserve(a: NetworkLike, data: Any = None, exhaustive: bool = False, max_level: int = 8,
             max_patterns: int = 2000, max_brackets: int = 64, seed: int = 1,
             timeout: Optional[float] = None, progress: Progress = None) -> Conservation:
    """Conservation laws of gradient flow at ``a`` (as ``fibers conserve``). ``data``: a
    dataset (``(X, Y)`` arrays, ``{"x": ..., "y": ...}``, JSON text or a path); the laws then
    respect the activation patterns of its points; without it, every linear region.

    By default the number of independent laws is certified by two bounds that meet, without
    enumerating linear regions (``max_patterns`` sampled activation patterns, ``max_brackets``
    brackets of fields, ``seed``). ``exhaustive=True`` (as ``fibers conserve --exhaustive``):
    every linear region and the Lie algebra up to ``max_level`` (exponential in the input
    width). Releases the GIL; Ctrl-C interrupts it."""
    a = _net(a)
    text, source = (None, "data") if data is None else _data_json(data, "data")
    if seed < 0:
        raise BadInput("conserve: seed must be non-negative")
    try:
        out = _native.conserve(a._net, text, exhaustive, max_level, max_patterns, max_brackets,
                               seed, timeout, _progress(progress), source)
    finally:
        _end_progress(progress)
    return Conservation(out)


# ---- many networks -----------------------------------------------------------------------


class DedupResult:
    """Functional-equivalence classes (as ``fibers batch dedup``): ``labels[i]`` is the class
    of network i, ``classes`` the member indices of each class (classes numbered by their
    first member), ``records`` one dict per network (how it was placed)."""

    def __init__(self, records: List[Dict[str, Any]]) -> None:
        self.records = records
        self.labels: List[int] = [r["class"] for r in records]
        classes: Dict[int, List[int]] = {}
        for i, c in enumerate(self.labels):
            classes.setdefault(c, []).append(i)
        self.classes: List[List[int]] = [classes[c] for c in sorted(classes)]

    def __repr__(self) -> str:
        return f"<fibers.DedupResult {len(self.labels)} networks in {len(self.classes)} classes>"


def dedup(networks: Iterable[NetworkLike], budget: Optional[int] = None,
          timeout: Optional[float] = None, progress: Progress = None) -> DedupResult:
    """Groups networks into functional-equivalence classes, in process (as ``fibers batch
    dedup``): by canonical form where generic (each membership confirmed by a checked
    certificate), else by certified pairwise decisions."""
    nets = [_net(n) for n in networks]
    try:
        out = _native.dedup([n._net for n in nets], budget, timeout, _progress(progress))
    finally:
        _end_progress(progress)
    return DedupResult(json.loads(out))


def batch_equiv(pairs: Iterable[Tuple[NetworkLike, NetworkLike]], method: str = "auto",
                budget: Optional[int] = None, certificates: bool = False,
                timeout: Optional[float] = None, progress: Progress = None) -> List[Verdict]:
    """Certified verdicts for many pairs, in parallel across cores (as ``fibers batch
    equiv``); a pair whose node budget ran out gets ``verdict == "undecided"``."""
    ps = [(_net(a, "a"), _net(b, "b")) for a, b in pairs]
    try:
        out = _native.batch_equiv([(a._net, b._net) for a, b in ps], method, budget,
                                  certificates, timeout, _progress(progress))
    finally:
        _end_progress(progress)
    return [Verdict(json.loads(d), c) for d, c in out]


def backend() -> str:
    """The exact-arithmetic backend compiled in."""
    return _native.backend()
