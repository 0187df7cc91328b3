"""Worked example of docs/python.md: train a small MLP in PyTorch, certify a permuted and
rescaled copy equivalent, print its fiber in LaTeX, and log the conservation laws during
training, measuring how far they drift with the step size.

    python examples/python/worked_example.py

(needs `pip install ./python torch`; CPU, a few seconds). Run as a test by
python/tests/test_worked_example.py.
"""

import torch

import fibers


def make_model(seed=0):
    torch.manual_seed(seed)
    # n0 = n1 = 3: a bottleneck network, whose fiber has a complete description.
    return torch.nn.Sequential(
        torch.nn.Linear(3, 3), torch.nn.ReLU(),
        torch.nn.Linear(3, 4), torch.nn.ReLU(),
        torch.nn.Linear(4, 1),
    ).double()


def dataset(n=64, seed=1):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=g, dtype=torch.float64)
    Y = (X[:, :1] - 0.5 * X[:, 1:2]).abs() + 0.1 * X[:, 2:3]
    return X, Y


def train(model, X, Y, lr, steps, laws, log_every=1):
    """Full-batch gradient descent on the mean squared error; returns the loss curve and,
    for every law, its values along training."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses, logs = [], {law.name: [] for law in laws}
    for step in range(steps + 1):
        if step % log_every == 0:
            with torch.no_grad():
                for law in laws:
                    logs[law.name].append(float(law(model)))  # a law is callable on the module
        if step == steps:
            break
        opt.zero_grad()
        loss = ((model(X) - Y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, logs


def drift(values):
    """Largest change of a logged quantity relative to its initial size."""
    v0 = values[0]
    return max(abs(v - v0) for v in values) / max(1.0, abs(v0))


def permuted_copy(model):
    """The same function: hidden units permuted and rescaled by positive factors."""
    import copy

    m = copy.deepcopy(model)
    l1, l2, l3 = m[0], m[2], m[4]
    p1, p2 = torch.tensor([2, 0, 1]), torch.tensor([3, 1, 0, 2])
    s1 = torch.tensor([2.0, 0.5, 4.0], dtype=torch.float64)  # powers of two: exact in floats
    s2 = torch.tensor([0.25, 8.0, 1.0, 2.0], dtype=torch.float64)
    with torch.no_grad():
        l1.weight.copy_(l1.weight[p1] * s1[:, None]); l1.bias.copy_(l1.bias[p1] * s1)
        l2.weight.copy_(l2.weight[p2][:, p1] / s1[None, :] * s2[:, None])
        l2.bias.copy_(l2.bias[p2] * s2)
        l3.weight.copy_(l3.weight[:, p2] / s2[None, :])
    return m


def main(steps=400, lr=0.02, verbose=True):
    say = print if verbose else (lambda *a, **k: None)
    X, Y = dataset()

    # 1. Train.
    model = make_model()
    init = fibers.Network.from_torch(model)
    laws = fibers.conserve(init)          # exact laws at the initial parameter
    losses, logs = train(model, X, Y, lr, steps, laws)
    say(f"trained: loss {losses[0]:.4f} -> {losses[-1]:.4f} in {steps} steps of lr = {lr}")

    # 2. Certify a permuted, rescaled copy equivalent.
    net = fibers.Network.from_torch(model)
    copy = fibers.Network.from_torch(permuted_copy(model))
    verdict = fibers.equiv(net, copy)
    say(verdict)
    assert fibers.check(verdict.certificate, net, copy)

    # 3. The fiber of the trained parameter, in LaTeX.
    fib = fibers.fiber(net)
    say(f"fiber: {fib.stratum}; dimension {fib.dimension} (certified: {fib.certified_by}); "
        f"contains the copy: {fib.contains(copy)}")
    latex = fib.latex()
    say("\n".join(latex.splitlines()[:12]) + "\n...")

    # 4. The laws along training: constant up to the step size. Gradient descent is the
    # Euler scheme of gradient flow, so over the same training time the drift halves when
    # the step halves.
    _, logs_half = train(make_model(), X, Y, lr / 2, 2 * steps, laws)
    rows = []
    for law in laws:
        d, d_half = drift(logs[law.name]), drift(logs_half[law.name])
        rows.append((law.name, logs[law.name][0], d, d_half))
        say(f"  {law.name:28s} start {logs[law.name][0]: .5f}  drift(lr) {d:.2e}  "
            f"drift(lr/2) {d_half:.2e}")
    return {
        "losses": losses, "verdict": verdict, "fiber": fib, "latex": latex, "laws": laws,
        "drift": rows, "lr": lr, "steps": steps,
    }


if __name__ == "__main__":
    main()
