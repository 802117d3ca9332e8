"""The references for bench_rbm: one epoch of scikit-learn's BernoulliRBM (PCD-1, its only
method) and of a float64 CD-1 RBM written with PyTorch tensors, on the same data, sizes and
batches. usage: rbm_reference.py IMAGES HIDDEN [torch-threads ...]"""
import gzip
import sys
import time

import numpy as np

images, hidden = sys.argv[1], int(sys.argv[2])
threads = [int(t) for t in sys.argv[3:]] or [1, 2]
with gzip.open(images, "rb") if images.endswith(".gz") else open(images, "rb") as f:
    raw = f.read()
n, rows, cols = np.frombuffer(raw[4:16], dtype=">u4")
x = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, rows * cols).astype(np.float64) / 255.0

try:
    from sklearn.neural_network import BernoulliRBM
    rbm = BernoulliRBM(n_components=hidden, batch_size=100, n_iter=1, learning_rate=0.1,
                       random_state=0)
    t0 = time.perf_counter()
    rbm.fit(x)
    secs = time.perf_counter() - t0
    print(f"  scikit-learn BernoulliRBM (PCD-1): {secs:.2f} s an epoch")
    print(f"RESULT sklearn_seconds={secs:.3f}")
except ImportError:
    print("scikit-learn is not installed (Debian: apt-get install python3-sklearn)")

try:
    import torch
except ImportError:
    print("PyTorch is not installed (Debian: apt-get install python3-torch)")
    sys.exit(0)


def torch_cd1_epoch(data, w, b, c, gen, lr=0.1, momentum=0.9):
    """One epoch of CD-1 with momentum, the same products as udl's: five a batch."""
    vw, vb, vc = torch.zeros_like(w), torch.zeros_like(b), torch.zeros_like(c)
    order = torch.randperm(data.shape[0], generator=gen)
    for first in range(0, data.shape[0], 100):
        v0 = data[order[first:first + 100]]
        ph0 = torch.sigmoid(v0 @ w + c)
        h = (torch.rand(ph0.shape, generator=gen, dtype=torch.float64) < ph0).double()
        pv = torch.sigmoid(h @ w.T + b)
        vk = (torch.rand(pv.shape, generator=gen, dtype=torch.float64) < pv).double()
        phk = torch.sigmoid(vk @ w + c)
        n = v0.shape[0]
        gw = (vk.T @ phk - v0.T @ ph0) / n
        vw.mul_(momentum).sub_(lr * gw)
        vb.mul_(momentum).sub_(lr * (vk - v0).mean(0))
        vc.mul_(momentum).sub_(lr * (phk - ph0).mean(0))
        w.add_(vw)
        b.add_(vb)
        c.add_(vc)


data = torch.from_numpy(x)
best = {}
for t in threads:
    torch.set_num_threads(t)
    gen = torch.Generator().manual_seed(0)
    w = 0.01 * torch.randn(x.shape[1], hidden, generator=gen, dtype=torch.float64)
    b = torch.zeros(x.shape[1], dtype=torch.float64)
    c = torch.zeros(hidden, dtype=torch.float64)
    torch_cd1_epoch(data[:1000], w.clone(), b.clone(), c.clone(), gen)  # warm-up
    t0 = time.perf_counter()
    torch_cd1_epoch(data, w, b, c, gen)
    best[t] = time.perf_counter() - t0
    print(f"  PyTorch {torch.__version__} float64 CD-1, {t} thread(s): {best[t]:.2f} s an epoch")
print(f"RESULT torch_seconds={min(best.values()):.3f}")
