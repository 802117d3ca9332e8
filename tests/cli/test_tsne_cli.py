"""Checks `udl tsne` from the outside: NumPy makes well-separated clusters and checks
the embedding keeps each point's neighbours in its own cluster, that --pca reduces
first, that --plot draws a PNG, and every error path.
usage: test_tsne_cli.py UDL_BINARY WORK_DIR"""
import json

import numpy as np

from harness import check, check_errors, finish, path, udl


def run(*args):
    return udl("tsne", *args)


def neighbours_in_cluster(y, labels, k=5):
    d = ((y[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1)[:, :k]
    return np.mean(np.all(labels[nn] == labels[:, None], axis=1))


rng = np.random.default_rng(3)
k, per, d = 4, 75, 20
centres = rng.normal(size=(k, d)) * 8
labels = np.repeat(np.arange(k), per)
x = centres[labels] + rng.normal(size=(k * per, d))
n = len(x)
np.save(path("x.npy"), x)
np.save(path("labels.npy"), labels.astype(np.int64))

for method in ("exact", "bh"):
    rc, out, err = run("-i", path("x.npy"), "-o", path(f"y-{method}.npy"), "--method", method,
                       "--perplexity", "20", "--iters", "500", "--json")
    check(f"{method}: exits 0", rc == 0, err)
    if rc:
        continue
    info = json.loads(out)
    y = np.load(path(f"y-{method}.npy"))
    check(f"{method}: shape", y.shape == (n, 2) and y.dtype == np.float64, y.shape)
    check(f"{method}: json", info["n_samples"] == n and info["iterations"] == 500 and
          info["method"] == ("exact" if method == "exact" else "barnes_hut") and
          0 < info["kl"] < 3 and info["seconds"] > 0, info)
    score = neighbours_in_cluster(y, labels)
    check(f"{method}: clusters kept apart", score > 0.99, score)

# same seed, same embedding; another seed with random init, another embedding
rc, out, err = run("-i", path("x.npy"), "-o", path("y-again.npy"), "--method", "bh",
                   "--perplexity", "20", "--iters", "500")
check("repeat exits 0", rc == 0, err)
check("repeat is identical", rc == 0 and
      np.array_equal(np.load(path("y-again.npy")), np.load(path("y-bh.npy"))))
check("plain output names KL", "KL" in out, out)
rc, out, err = run("-i", path("x.npy"), "-o", path("y-seed.npy"), "--init", "random",
                   "--seed", "9", "--iters", "300", "--dims", "3", "--theta", "0.3")
check("random init 3-D exits 0", rc == 0, err)
check("random init 3-D shape", rc == 0 and np.load(path("y-seed.npy")).shape == (n, 3))

# --pca: reduce to 5 components first; equal to embedding NumPy's own 5-D PCA codes
# would need udl's exact signs, so check through the result: clusters still apart.
rc, out, err = run("-i", path("x.npy"), "--pca", "5", "-o", path("y-pca.npy"), "--json",
                   "--perplexity", "20", "--iters", "400")
check("pca exits 0", rc == 0, err)
check("pca: features reported as the input's", rc == 0 and json.loads(out)["n_features"] == d)
check("pca: clusters kept apart",
      rc == 0 and neighbours_in_cluster(np.load(path("y-pca.npy")), labels) > 0.99)

rc, out, err = run("-i", path("x.npy"), "--plot", path("t.png"), "--labels",
                   path("labels.npy"), "--label-names", "a,b,c,d", "--iters", "100")
check("plot exits 0", rc == 0, err)
with open(path("t.png"), "rb") as f:
    check("plot is a PNG", f.read(8) == b"\x89PNG\r\n\x1a\n")

# errors: one line on stderr, non-zero exit, no output file
np.save(path("x-nan.npy"), np.where(np.arange(n * d).reshape(n, d) == 7, np.nan, x))
np.save(path("x-small.npy"), x[:3])
np.save(path("bad-labels.npy"), labels[:10])
cases = [
    ("no input", ["-o", path("out.npy")], "no input"),
    ("nothing to do", ["-i", path("x.npy")], "nothing to do"),
    ("missing file", ["-i", path("nope.npy"), "-o", path("out.npy")], "nope.npy"),
    ("perplexity too large", ["-i", path("x.npy"), "-o", path("out.npy"), "--perplexity",
                              "300"], "less than the number of points"),
    ("perplexity not a number", ["-i", path("x.npy"), "-o", path("out.npy"), "--perplexity",
                                 "lots"], "--perplexity needs a number"),
    ("bad method", ["-i", path("x.npy"), "-o", path("out.npy"), "--method", "fft"],
     "--method must be"),
    ("bad init", ["-i", path("x.npy"), "-o", path("out.npy"), "--init", "spectral"],
     "--init must be"),
    ("bh in 4-D", ["-i", path("x.npy"), "-o", path("out.npy"), "--method", "bh", "--dims",
                   "4"], "1 to 3 dimensions"),
    ("theta out of range", ["-i", path("x.npy"), "-o", path("out.npy"), "--theta", "2"],
     "theta"),
    ("zero iterations", ["-i", path("x.npy"), "-o", path("out.npy"), "--iters", "0"],
     "--iters needs an integer from 1 to"),
    ("NaN input", ["-i", path("x-nan.npy"), "-o", path("out.npy")], "finite"),
    ("too few points", ["-i", path("x-small.npy"), "-o", path("out.npy"), "--perplexity",
                        "1"], "at least 4 rows"),
    ("pca too large", ["-i", path("x.npy"), "-o", path("out.npy"), "--pca", "50"], "50"),
    ("labels without plot", ["-i", path("x.npy"), "-o", path("out.npy"), "--labels",
                             path("labels.npy")], "give --plot too"),
    ("labels wrong length", ["-i", path("x.npy"), "--plot", path("out.npy"), "--labels",
                             path("bad-labels.npy"), "--iters", "10"], "one label for each"),
    ("plot of 1-D", ["-i", path("x.npy"), "--plot", path("out.npy"), "--dims", "1"],
     "--dims 2"),
    ("unknown option", ["-i", path("x.npy"), "--frobnicate"], "unknown option"),
]
check_errors("tsne", cases, path("out.npy"))
finish("tsne")
