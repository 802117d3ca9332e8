"""Checks `udl pca` from the outside: NumPy makes the data and recomputes PCA
independently (eigh of the covariance), and every error path is exercised.
usage: test_pca_cli.py UDL_BINARY WORK_DIR"""
import gzip
import json
import struct

import numpy as np

from harness import check, check_errors, finish, path, udl


def run(*args):
    return udl("pca", *args, timeout=120)


def reference(x, k):
    """PCA by NumPy: population covariance, eigh, descending order, udl's sign rule."""
    mean = x.mean(axis=0)
    xc = x - mean
    w, v = np.linalg.eigh(xc.T @ xc / len(x))
    w, v = w[::-1], v[:, ::-1]
    for j in range(v.shape[1]):
        if v[np.argmax(np.abs(v[:, j])), j] < 0:
            v[:, j] = -v[:, j]
    return mean, w, v[:, :k], xc @ v[:, :k]


rng = np.random.default_rng(7)
n, d = 300, 6
x = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) * np.array([5, 4, 3, 2, 1, 0.5]) + 40
np.save(path("x.npy"), x)
mean, w, q, zref = reference(x, 3)

# fit, codes, JSON, saved model
rc, out, err = run("-i", path("x.npy"), "-k", "3", "-o", path("z.npy"), "--json",
                   "--save", path("m.udl"))
check("fit exits 0", rc == 0, err)
lines = out.strip().splitlines()
check("json is one line", len(lines) == 1, out)
res = json.loads(out)
check("json k", res["k"] == 3, res)
check("json ratios", np.allclose(res["explained_variance_ratio"], w[:3] / w.sum(), atol=1e-10),
      res["explained_variance_ratio"])
check("json total", abs(res["total_explained_variance"] - w[:3].sum() / w.sum()) < 1e-10)
check("json seconds", res["seconds"] >= 0)
z = np.load(path("z.npy"))
check("codes shape", z.shape == (n, 3), z.shape)
check("codes match numpy", np.allclose(z, zref, atol=1e-8), np.abs(z - zref).max())

# the saved model transforms new data
x2 = rng.normal(size=(50, d)) * 3 + 40
np.save(path("x2.npy"), x2.astype(np.float32))
rc, out, err = run("--load", path("m.udl"), "-i", path("x2.npy"), "-o", path("z2.npy"))
check("load exits 0", rc == 0, err)
z2 = np.load(path("z2.npy"))
check("loaded model projects", np.allclose(z2, (x2.astype(np.float32) - mean) @ q, atol=1e-8))

# whitening
rc, out, err = run("-i", path("x.npy"), "-k", "4", "--whiten", "-o", path("zw.npy"))
zw = np.load(path("zw.npy"))
check("whitened covariance is identity",
      rc == 0 and np.allclose(zw.T @ zw / n, np.eye(4), atol=1e-9))

# choosing k by the fraction of variance
rc, out, err = run("-i", path("x.npy"), "--variance", "0.9", "--json")
cum = np.cumsum(w) / w.sum()
check("variance picks smallest k", rc == 0 and json.loads(out)["k"] == int(np.argmax(cum >= 0.9)) + 1,
      out + err)

# CSV input (with a header) gives the same answer as .npy
np.savetxt(path("x.csv"), x, delimiter=",", header="a,b,c,d,e,f", comments="", fmt="%.17g")
rc, out, err = run("-i", path("x.csv"), "-k", "3", "-o", path("zc.npy"))
check("csv matches npy", rc == 0 and np.allclose(np.load(path("zc.npy")), zref, atol=1e-8), err)

# gzip IDX images: uint8 scaled to [0, 1]
img = rng.integers(0, 256, size=(40, 4, 4), dtype=np.uint8)
with gzip.open(path("img.idx.gz"), "wb") as f:
    f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, 40, 4, 4) + img.tobytes())
rc, out, err = run("-i", path("img.idx.gz"), "-k", "2", "-o", path("zi.npy"))
_, _, _, zi_ref = reference(img.reshape(40, 16) / 255.0, 2)
check("idx.gz input", rc == 0 and np.allclose(np.load(path("zi.npy")), zi_ref, atol=1e-8), err)

# plots: real PNGs of the documented size
labels = (np.arange(n) % 3).astype(np.int64)
np.save(path("y.npy"), labels)
rc, out, err = run("-i", path("x.npy"), "--plot", path("p.png"), "--labels", path("y.npy"),
                   "--label-names", "alpha,beta,gamma", "--plot-variance", path("v.png"))
check("plots exit 0", rc == 0, err)
for name in ("p.png", "v.png"):
    with open(path(name), "rb") as f:
        head = f.read(24)
    check(f"{name} is a PNG", head[:8] == b"\x89PNG\r\n\x1a\n")
    check(f"{name} size", struct.unpack(">II", head[16:24]) == (1000, 760))

# errors: one line on stderr, non-zero exit, no output file
bad = x.copy()
bad[5, 2] = np.nan
np.save(path("nan.npy"), bad)
np.save(path("narrow.npy"), x[:, :5])
cases = [
    ("k too large", ["-i", path("x.npy"), "-k", "7", "-o", path("out.npy")], "min(N, D)"),
    ("missing input", ["-i", path("nope.npy"), "-o", path("out.npy")], "cannot open"),
    ("nan input", ["-i", path("nan.npy"), "-o", path("out.npy")], "finite"),
    ("wrong columns", ["--load", path("m.udl"), "-i", path("narrow.npy"), "-o", path("out.npy")],
     "5 columns, the model expects 6"),
    ("model as data", ["-i", path("m.udl"), "-o", path("out.npy")], "neither"),
    ("data as model", ["--load", path("x.npy"), "-i", path("x.npy"), "-o", path("out.npy")],
     "not a udl model file"),
    ("bad k", ["-i", path("x.npy"), "-k", "0", "-o", path("out.npy")],
     "-k needs an integer from 1 to"),
    ("k and variance", ["-i", path("x.npy"), "-k", "2", "--variance", "0.5", "-o", path("out.npy")],
     "either"),
    ("unknown option", ["-i", path("x.npy"), "--frobnicate", "-o", path("out.npy")], "unknown option"),
    ("labels wrong length", ["-i", path("x2.npy"), "--plot", path("out.npy"), "--labels",
                             path("y.npy")], "one label for each"),
    ("unwritable output", ["-i", path("x.npy"), "-o", path("no/such/dir/out.npy")], "cannot create"),
]
check_errors("pca", cases, path("out.npy"))
finish("pca")
