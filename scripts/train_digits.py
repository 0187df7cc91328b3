"""Trains the (64, 32, 16, 10) ReLU MLP of `fixtures/models/digits-64-32-16-10.safetensors` on
scikit-learn's 8×8 digits (the dataset ships with scikit-learn; nothing is downloaded).

numpy and scikit-learn only (no torch): plain mini-batch SGD with momentum on the softmax
cross-entropy, fixed seed, inputs scaled to [0, 1]. The weights are saved as float32 with
`nn.Sequential`-style names (`0.weight`, `0.bias`, `2.weight`, `2.bias`, `4.weight`, `4.bias`)
through the `safetensors` package's numpy API, so `fibers` reads them like a PyTorch export.

    python3 -m pip install numpy scikit-learn safetensors
    python3 scripts/train_digits.py [OUT]   # default: fixtures/models/digits-64-32-16-10.safetensors
"""
import sys

import numpy as np
from safetensors.numpy import save_file
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
WIDTHS = (64, 32, 16, 10)


def forward(params, x):
    (w1, b1), (w2, b2), (w3, b3) = params
    h1 = np.maximum(x @ w1.T + b1, 0.0)
    h2 = np.maximum(h1 @ w2.T + b2, 0.0)
    return h1, h2, h2 @ w3.T + b3


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fixtures/models/digits-64-32-16-10.safetensors"
    rng = np.random.default_rng(SEED)
    digits = load_digits()
    x = digits.data.astype(np.float64) / 16.0
    y = digits.target
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    params = []
    for fan_in, fan_out in zip(WIDTHS[:-1], WIDTHS[1:]):
        w = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        params.append([w, np.zeros(fan_out)])
    vel = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    lr, mom, batch = 0.05, 0.9, 32
    onehot = np.eye(10)
    for epoch in range(60):
        order = rng.permutation(len(xtr))
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            xb, yb = xtr[idx], onehot[ytr[idx]]
            h1, h2, logits = forward(params, xb)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            g3 = (p - yb) / len(idx)
            g2 = (g3 @ params[2][0]) * (h2 > 0)
            g1 = (g2 @ params[1][0]) * (h1 > 0)
            grads = [(g1.T @ xb, g1.sum(0)), (g2.T @ h1, g2.sum(0)), (g3.T @ h2, g3.sum(0))]
            for l, (gw, gb) in enumerate(grads):
                vel[l][0] = mom * vel[l][0] - lr * gw
                vel[l][1] = mom * vel[l][1] - lr * gb
                params[l][0] += vel[l][0]
                params[l][1] += vel[l][1]
    acc = (forward(params, xte)[2].argmax(1) == yte).mean()
    print(f"test accuracy {acc:.4f} on {len(yte)} held-out digits")
    tensors = {}
    for l, (w, b) in enumerate(params):
        tensors[f"{2 * l}.weight"] = np.ascontiguousarray(w.astype(np.float32))
        tensors[f"{2 * l}.bias"] = np.ascontiguousarray(b.astype(np.float32))
    save_file(tensors, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
