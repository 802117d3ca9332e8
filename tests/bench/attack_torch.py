"""FGSM and PGD-10 at eps 0.1, and DeepFool, in PyTorch float64 on the weights of a udl classifier file,
on Fashion-MNIST's first N test images: the reference bench_attack's speed mode is set
against. usage: attack_torch.py MODEL [N] [REPS] [THREADS]. Prints RESULT lines."""
import gzip
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from model_file import read_model  # noqa: E402

DIR = "/usr/share/datasets/fashion-mnist/"


def load_test(n):
    x = np.frombuffer(gzip.open(DIR + "t10k-images-idx3-ubyte.gz").read()[16:], np.uint8)
    y = np.frombuffer(gzip.open(DIR + "t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)
    return (torch.from_numpy(x.reshape(-1, 784)[:n] / 255.0),
            torch.from_numpy(y[:n].astype(np.int64)))


def load_net(path):
    kind, f = read_model(path)
    assert kind == 7, "not a udl classifier"
    act = {0: torch.sigmoid, 1: torch.tanh, 2: torch.relu}[int(f["activation"])]
    layers = [(torch.from_numpy(f["W%d" % l].copy()), torch.from_numpy(f["b%d" % l][0].copy()))
              for l in range(int(f["layers"]))]

    def logits(x):
        for w, b in layers[:-1]:
            x = act(x @ w + b)
        w, b = layers[-1]
        return x @ w + b
    return logits


def grad_of_loss(net, x, y):
    x = x.detach().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(net(x), y, reduction="sum")
    (g,) = torch.autograd.grad(loss, x)
    return g


def fgsm(net, x, y, eps):
    return (x + eps * grad_of_loss(net, x, y).sign()).clamp(0, 1)


def pgd(net, x, y, eps, steps, gen):
    step = 2.5 * eps / steps
    adv = (x + eps * (2 * torch.rand(x.shape, dtype=x.dtype, generator=gen) - 1)).clamp(0, 1)
    for _ in range(steps):
        adv = adv + step * grad_of_loss(net, adv, y).sign()
        adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0, 1)
    return adv


def deepfool(net, x, steps=50, overshoot=0.02):
    """Moosavi-Dezfooli et al.'s multi-class DeepFool as udl runs it: from each row's point,
    the nearest boundary of the linearised classifier from its original class, a step
    just past it (the steps summed, times 1 + overshoot, clipped to [0, 1]), on the rows
    whose label has not changed yet."""
    adv, r = x.clone(), torch.zeros_like(x)
    active = torch.arange(x.shape[0])
    orig = None
    for it in range(steps + 1):
        xa = adv[active].detach().requires_grad_(True)
        scores = net(xa)
        k = scores.shape[1]
        grads = torch.stack([torch.autograd.grad(scores[:, c].sum(), xa, retain_graph=c < k - 1)[0]
                             for c in range(k)])
        scores = scores.detach()
        label = scores.argmax(1)
        if orig is None:
            orig = label.clone()
        o = orig[active]
        keep = (label == o) & (it < steps)
        if not keep.any():
            break
        rows = torch.arange(len(active))
        w = grads - grads[o, rows].unsqueeze(0)
        f = scores.t() - scores[rows, o].unsqueeze(0)
        norm = w.flatten(2).norm(dim=2)
        dist = f.abs() / (norm + 1e-300)
        dist[o, rows] = float("inf")
        best = dist.argmin(0)
        wb, fb, nb = w[best, rows], f[best, rows], norm[best, rows]
        step = ((fb.abs() + 1e-4) / nb ** 2).unsqueeze(1) * wb
        idx = active[keep]
        r[idx] += step[keep]
        adv[idx] = (x[idx] + (1 + overshoot) * r[idx]).clamp(0, 1)
        active = idx
    return adv


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    x, y = load_test(n)
    net = load_net(path)
    gen = torch.Generator().manual_seed(1)
    for name, attack in (("fgsm", lambda: fgsm(net, x, y, 0.1)),
                         ("pgd10", lambda: pgd(net, x, y, 0.1, 10, gen)),
                         ("deepfool", lambda: deepfool(net, x))):
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            adv = attack()
            best = min(best, time.perf_counter() - t)
        with torch.no_grad():
            acc = (net(adv).argmax(1) == y).double().mean().item()
        print("torch %s on %d images%s: %.3f s (best of %d, %d threads, OMP_WAIT_POLICY=%s),"
              " accuracy %.4f" % (name, n, "" if name == "deepfool" else " at eps 0.1", best,
                                  reps, torch.get_num_threads(),
                                  os.environ.get("OMP_WAIT_POLICY", "default"), acc))
        print("RESULT torch_%s_seconds=%.4f" % (name, best))


main()
