"""The reference for bench_dnn mode=speed: fine-tuning of the same classifier in PyTorch,
float64, the same layers (784-1000-750-500-10 sigmoid by default, softmax cross-entropy),
SGD with momentum 0.9 at rate 0.1, shuffled mini-batches, on the 60,000 Fashion-MNIST
training images. An untimed warm-up of 20 batches, then EPOCHS timed epochs per batch size.
usage: dnn_torch.py IMAGES LABELS BATCHES(comma list) [EPOCHS] [THREADS] [LAYERS]
Prints RESULT lines for run_dnn.sh; the OpenMP wait policy is the caller's environment."""
import gzip
import os
import sys
import time

import numpy as np
import torch


def idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = np.frombuffer(raw[4:4 + 4 * dims], dtype=">u4")
    return np.frombuffer(raw[4 + 4 * dims:], dtype=np.uint8).reshape(shape[0], -1)


images, labels, batches = sys.argv[1], sys.argv[2], [int(b) for b in sys.argv[3].split(",")]
epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
hidden = [int(h) for h in sys.argv[6].split(",")] if len(sys.argv) > 6 else [1000, 750, 500]
torch.set_num_threads(threads)
x = torch.from_numpy(idx(images).astype(np.float64) / 255.0)
y = torch.from_numpy(idx(labels).reshape(-1).astype(np.int64))
sizes = [x.shape[1]] + hidden + [10]
policy = os.environ.get("OMP_WAIT_POLICY", "default")


def epoch(net, opt, loss_fn, bs, gen, n_rows):
    order = torch.randperm(n_rows, generator=gen)
    total = 0.0
    for first in range(0, n_rows, bs):
        rows = order[first:first + bs]
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(x[rows]), y[rows])
        loss.backward()
        opt.step()
        total += loss.item()
    return total / ((n_rows + bs - 1) // bs)


flops = 6.0 * sum(a * b for a, b in zip(sizes, sizes[1:])) * x.shape[0]
for bs in batches:
    torch.manual_seed(1)
    layers = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers += [torch.nn.Linear(a, b), torch.nn.Sigmoid()]
    layers.append(torch.nn.Linear(sizes[-2], sizes[-1]))  # softmax is inside the loss
    net = torch.nn.Sequential(*layers).double()
    with torch.no_grad():  # udl's start: Glorot's uniform range, 4 x for sigmoid layers
        for i, a, b in zip(range(0, 2 * len(sizes), 2), sizes, sizes[1:]):
            r = (4.0 if i + 1 < len(layers) else 1.0) * (6.0 / (a + b)) ** 0.5
            net[i].weight.uniform_(-r, r)
            net[i].bias.zero_()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(1)
    epoch(net, opt, loss_fn, bs, gen, 20 * bs)  # warm-up, untimed (the first rows)
    t0 = time.perf_counter()
    for _ in range(epochs):
        last = epoch(net, opt, loss_fn, bs, gen, x.shape[0])
    secs = (time.perf_counter() - t0) / epochs
    print(f"  PyTorch {torch.__version__} float64, {threads} threads, OMP_WAIT_POLICY={policy}, "
          f"batch {bs}: {secs:.2f} s an epoch, {flops / secs / 1e9:.1f} GFLOP/s; "
          f"last epoch's loss {last:.4f}")
    print(f"RESULT batch={bs} policy={policy} torch_seconds={secs:.3f}")
