"""Long calls: time budget, progress callable, Ctrl-C (SIGINT) while the GIL is released."""

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import fibers

np = pytest.importorskip("numpy")

SLOW = textwrap.dedent(
    """
    import numpy as np, fibers
    rng = np.random.default_rng(0)
    arch = (3, 10, 10, 1)
    A = [rng.standard_normal(s) for s in [(10, 3), (10,), (10, 10), (10,), (1, 10), (1,)]]
    p = rng.permutation(10)
    a = fibers.Network.from_numpy(*A)
    b = fibers.Network.from_numpy(A[0][p], A[1][p], A[2][:, p], A[3], A[4], A[5])
    """
)


def slow_pair():
    ns = {}
    exec(SLOW, ns)
    return ns["a"], ns["b"]


def test_timeout_and_progress():
    a, b = slow_pair()
    msgs = []
    t = time.monotonic()
    with pytest.raises(fibers.BudgetExhausted, match="timeout"):
        fibers.equiv(a, b, method="tree", timeout=1.0, progress=msgs.append)
    assert time.monotonic() - t < 30
    assert msgs and msgs[-1].startswith("nodes explored")


def test_node_budget():
    a, b = slow_pair()
    with pytest.raises(fibers.BudgetExhausted, match=r"undecided: the node budget \(5\) ran out"):
        fibers.equiv(a, b, method="tree", budget=5)


def test_gil_released():
    a, b = slow_pair()
    ticks = []
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    th = threading.Thread(target=counter)
    th.start()
    try:
        with pytest.raises(fibers.BudgetExhausted):
            fibers.equiv(a, b, method="tree", timeout=1.0)
    finally:
        stop.set()
        th.join()
    assert len(ticks) > 20  # the other thread ran during the call


def test_ctrl_c_interrupts():
    code = SLOW + textwrap.dedent(
        """
        import sys, time
        print("start", flush=True)
        t = time.monotonic()
        try:
            fibers.equiv(a, b, method="tree")
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted %.2f" % (time.monotonic() - t), flush=True)
        """
    )
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "start"
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert out.startswith("interrupted"), out


# Calls without a progress callback (canon, classify) or with few (the bounds of conserve) run
# on a worker thread while the calling thread checks Ctrl-C and the time budget every 20 ms.
BIG = textwrap.dedent(
    """
    import numpy as np, fibers
    rng = np.random.default_rng(0)
    n = 256   # canon takes ~10 s here, classify ~5 s (release build)
    A = [rng.standard_normal(s) for s in [(n, n), (n,), (n, n), (n,), (10, n), (10,)]]
    a = fibers.Network.from_numpy(*A)
    """
)
NO_TICKS = [
    (BIG, "fibers.canon(a, timeout=0.5)"),
    (BIG, "fibers.classify(a, timeout=0.5)"),
    # The certified bounds on the conservation laws report progress only between their phases;
    # on the digits network they now finish in well under a second, so the wide float64
    # network (its exact weights alone make every phase take seconds) is the long call.
    (BIG, "fibers.conserve(a, timeout=0.5)"),
]


@pytest.mark.parametrize("setup,call", NO_TICKS, ids=["canon", "classify", "conserve"])
def test_timeout_without_progress_ticks(setup, call):
    # The time budget stops the call: it raises instead of returning the (finished) result.
    # In a process of its own: the abandoned computation finishes in the background, which
    # would slow the tests that follow.
    code = setup + textwrap.dedent(
        f"""
        try:
            {call}
            print("finished")
        except fibers.BudgetExhausted as e:
            print(e)
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.stdout.strip() == "timeout: no answer within 0.5 s", (r.stdout, r.stderr)


@pytest.mark.parametrize("setup,call", NO_TICKS, ids=["canon", "classify", "conserve"])
def test_ctrl_c_without_progress_ticks(setup, call):
    call = call.replace(", timeout=0.5", "")
    code = setup + textwrap.dedent(
        f"""
        import sys, time
        print("start", flush=True)
        try:
            {call}
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        """
    )
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "start"
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    sent = time.monotonic()
    line = p.stdout.readline().strip()
    latency = time.monotonic() - sent
    p.communicate(timeout=120)
    assert line == "interrupted", line
    print(f"{call}: interrupted {latency:.3f} s after SIGINT")
