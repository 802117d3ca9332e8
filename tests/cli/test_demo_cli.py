"""udl demo end to end on a small stand-in for Fashion-MNIST (IDX files written here:
ten classes of noisy 28 x 28 patterns), in its --quick plan clipped to those images:
every figure is a PNG that decodes, the report shows each with its numbers, the saved
models load, --json's figures are in range; and the errors (no data, bad data) are one
line with nothing written.
usage: test_demo_cli.py UDL_BINARY WORK_DIR"""
import gzip
import json
import os
import re
import struct
import zlib

import numpy as np

from harness import check, finish, path, udl

FIGURES = ["pca.png", "pca-variance.png", "tsne.png", "filters-ae.png", "filters-rbm.png",
           "samples-rbm.png", "featviz.png", "reconstructions.png", "training.png",
           "adversarial.png", "robustness.png"]
MODELS = ["pca30.udl", "deep-ae.udl", "dnn.udl", "dnn-robust.udl"]


def write_idx(name, a):
    header = struct.pack(">HBB", 0, 8, a.ndim) + b"".join(struct.pack(">I", n) for n in a.shape)
    with gzip.open(path(name), "wb") as f:
        f.write(header + a.astype(np.uint8).tobytes())


def stand_in(folder, n_train, n_test):
    """Class c is a bright bar at rows 2c..2c+5 of a dark image, plus noise."""
    os.makedirs(path(folder), exist_ok=True)
    rng = np.random.default_rng(3)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        y = np.arange(n) % 10
        x = rng.integers(0, 60, (n, 28, 28))
        for i, c in enumerate(y):
            x[i, 2 * c:2 * c + 6, 4:24] = rng.integers(180, 256, (6, 20))
        write_idx(f"{folder}/{prefix}-images-idx3-ubyte.gz", x)
        write_idx(f"{folder}/{prefix}-labels-idx1-ubyte.gz", y)


def png_size(file):
    """Width and height of a PNG, after checking its signature and every chunk's CRC."""
    data = open(file, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, size = 8, None
    while at < len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        assert struct.unpack(">I", data[at + 8 + n:at + 12 + n])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        at += 12 + n
    return size


stand_in("data", 400, 120)
out = path("out")
rc, stdout, err = udl("demo", "--quick", "--data", path("data"), "-o", out, "--json",
                      "--quiet", timeout=900)
check("demo runs", rc == 0 and err == "", err)
report = json.loads(stdout) if rc == 0 else {}
for name in FIGURES:
    f = os.path.join(out, name)
    ok = os.path.exists(f)
    check(f"{name} written", ok)
    if ok:
        w, h = png_size(f)
        check(f"{name} is a picture", w >= 300 and h >= 200, (w, h))
html = open(os.path.join(out, "report.html")).read() if rc == 0 else ""
for name in FIGURES:
    check(f"report shows {name}", f'<img src="{name}"' in html)
check("report is a whole page", html.startswith("<!DOCTYPE html>") and
      html.rstrip().endswith("</html>"))
check("report names no file outside the folder", not re.search(r'src="(/|\.\.|https?:)', html))
for name in MODELS:
    rc2, info, err2 = udl("info", os.path.join(out, name), "--json")
    check(f"{name} loads", rc2 == 0, err2)
if report:
    check("run and folder", report["run"] == "quick" and report["output"] == out)
    accuracies = report["accuracy_by_pretraining"]
    check("the classifiers learn the bars",
          max(accuracies) > 0.9 and all(0 <= a <= 1 for a in accuracies), accuracies)
    check("PCA keeps most of the variance in 30 components",
          0.5 < report["pca_variance_30"] <= 1.0, report["pca_variance_30"])
    check("reconstruction errors", report["error_pca30"] > 0 and report["error_deep_ae"] > 0)
    check("t-SNE's KL", 0 <= report["tsne_kl"] < 10, report["tsne_kl"])
    check("dgemm rate", report["dgemm_gflops"] > 0)
    std, robust = report["standard_pgd"], report["robust_pgd"]
    check("accuracy at eps 0 is the clean one, and PGD never helps",
          all(0 <= a <= 100 for a in std + robust) and std[-1] <= std[0], (std, robust))
    check("PGD-10 is at least as strong as FGSM", all(
        p <= f + 1e-9 for p, f in zip(report["standard_pgd"][1:], report["standard_fgsm"][1:])),
        report)
    check("stage seconds add up", abs(sum(report["stage_seconds"]) - report["seconds"]) <
          0.05 * report["seconds"] + 1, report)

# errors: one line, nothing written
rc, stdout, err = udl("demo", "--data", path("nowhere"), "-o", path("none"))
check("missing data: exit", rc != 0)
check("missing data: names the package",
      len(err.strip().splitlines()) == 1 and "dataset-fashion-mnist" in err, err)
check("missing data: no folder", not os.path.exists(path("none")))
stand_in("small", 50, 10)
rc, stdout, err = udl("demo", "--data", path("small"), "-o", path("none"))
check("too few images", rc != 0 and "at least 100 training and 20 test" in err, err)
check("too few images: no folder", not os.path.exists(path("none")))
rc, stdout, err = udl("demo", "--bogus")
check("unknown option", rc != 0 and "unknown option --bogus" in err, err)

finish("demo")
