"""Checks `udl visualize`, `udl attack`, and `udl train --model dnn` with `--adversarial`
and `--init` from the outside: the inputs found and the adversarial examples are
recomputed with NumPy from the weights in the model files, and the PNGs are decoded here.
usage: test_viz_cli.py UDL_BINARY WORK_DIR"""
import json
import os
import struct
import zlib

import numpy as np

from harness import check, check_errors, finish, path, read_model, udl as run


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def read_png(file):
    """Width, height, bit depth, colour type and the unfiltered rows (height x width x
    channels) of an 8-bit PNG, every chunk's CRC checked."""
    raw = open(file, "rb").read()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, head = 8, b"", None
    while at < len(raw):
        n, kind = struct.unpack(">I4s", raw[at:at + 8])
        body = raw[at + 8:at + 8 + n]
        assert zlib.crc32(kind + body) == struct.unpack(">I", raw[at + 8 + n:at + 12 + n])[0]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + n
    width, height, depth, colour = head[:4]
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    data, stride = zlib.decompress(idat), width * bpp
    assert depth == 8 and len(data) == height * (stride + 1)
    rows, prev = np.zeros((height, stride), np.int64), np.zeros(stride, np.int64)
    for r in range(height):
        kind = data[r * (stride + 1)]
        line = np.frombuffer(data, np.uint8, stride, r * (stride + 1) + 1).astype(np.int64)
        if kind in (0, 2):
            out = (line + (prev if kind == 2 else 0)) & 255
        elif kind == 1:
            out = np.zeros(stride, np.int64)
            for c in range(bpp):
                out[c::bpp] = np.cumsum(line[c::bpp]) & 255
        else:
            out = line.copy()
            for i in range(stride):
                a = out[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                if kind == 3:
                    out[i] = (out[i] + (a + b) // 2) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    out[i] = (out[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows[r], prev = out, out
    return width, height, depth, colour, rows.reshape(height, width, bpp)


def grid(tiles, h, w, cols):
    """udl_image_grid, as the README describes it."""
    cols = min(cols, len(tiles))
    nrows = -(-len(tiles) // cols)
    img = np.ones((nrows * (h + 1) + 1, cols * (w + 1) + 1))
    for t, v in enumerate(tiles):
        lo, hi = v.min(), v.max()
        top, left = (t // cols) * (h + 1) + 1, (t % cols) * (w + 1) + 1
        img[top:top + h, left:left + w] = ((v - lo) / (hi - lo) if hi > lo else
                                           np.full_like(v, 0.5)).reshape(h, w)
    return img


def upscale(width, height):
    """The smallest factor that makes the grid at least 600 pixels wide, as far as its
    longer side stays within 4096."""
    s = 1 if width >= 600 else -(-600 // width)
    return max(1, min(s, 4096 // max(width, height)))


def first_layer(w, rho):
    return (rho * w / np.linalg.norm(w, axis=0)).T


rng = np.random.default_rng(11)
centres = 0.15 + 0.7 * rng.random((3, 16))
y = rng.integers(0, 3, 150)
x = np.clip(centres[y] + 0.12 * rng.standard_normal((150, 16)), 0, 1)  # 4 x 4 "images"
np.save(path("x.npy"), x)
np.save(path("y.npy"), y)
for name in ("out.png", "out.npy", "out.udl"):  # from an earlier run in the same directory
    if os.path.exists(path(name)):
        os.remove(path(name))


def train(model, layers, save, *extra):
    rc, out, err = run("train", "--model", model, "--layers", layers, "-i", path("x.npy"),
                       "--save", path(save), "--batch", "20", *extra)
    check(f"train {model} {' '.join(extra)}", rc == 0, err)
    return out


train("ae", "6", "ae.udl", "--epochs", "3")
train("rbm", "6", "rbm.udl", "--epochs", "3")
train("sae", "8,5", "sae.udl", "--epochs", "2")
train("dbn", "8,5", "dbn.udl", "--epochs", "2")
train("dnn", "8", "dnn.udl", "-l", path("y.npy"), "--epochs", "40", "--lr", "0.5")
dnn = read_model(path("dnn.udl"))[1]

# ---- visualize --method closed: rho W[:, j] / |W[:, j]|, from the file's W --------------

for model, w in (("ae", read_model(path("ae.udl"))[1]["W"]),
                 ("rbm", read_model(path("rbm.udl"))[1]["W"]), ("dnn", dnn["W0"])):
    rc, out, err = run("visualize", "--model", path(f"{model}.udl"), "--layer", "0", "--method",
                       "closed", "--units", "1-4", "--norm", "3", "--npy", path(f"c-{model}.npy"),
                       "-o", path(f"c-{model}.png"), "--json")
    res = json.loads(out) if rc == 0 else {}
    found = np.load(path(f"c-{model}.npy")) if rc == 0 else None
    check(f"closed {model}", rc == 0 and res["units"] == [1, 2, 3, 4] and res["layer"] == 0 and
          res["method"] == "closed" and res["shape"] == [4, 4], err)
    check(f"closed {model}: rho W[:, j] / |W[:, j]|", found is not None and found.shape == (4, 16)
          and np.allclose(found, first_layer(w, 3)[1:5], rtol=0, atol=1e-12), err)

# the picture: the grid of those inputs, each pixel a square of the upscale factor
width, height, depth, colour, img = read_png(path("c-dnn.png"))
expect = grid(first_layer(dnn["W0"], 3)[1:5], 4, 4, 2)
s = upscale(expect.shape[1], expect.shape[0])
check("grid PNG is 8-bit greyscale of the grid's size times the factor",
      (width, height, depth, colour) == (expect.shape[1] * s, expect.shape[0] * s, 8, 0),
      (width, height, depth, colour, expect.shape, s))
check("grid PNG pixels are the grid's values",
      img.shape[:2] == (expect.shape[0] * s, expect.shape[1] * s) and
      np.array_equal(img[::s, ::s, 0], np.round(255 * expect).astype(int)), img.shape)
check("grid PNG is at least 600 pixels wide", width >= 600, width)

# the default units: all of a layer of 8; --cols and --shape lay them out
rc, out, err = run("visualize", "--model", path("dnn.udl"), "--layer", "0", "--method", "closed",
                   "--npy", path("c-all.npy"), "-o", path("c-all.png"), "--cols", "8", "--shape",
                   "2x8", "--json")
res = json.loads(out) if rc == 0 else {}
check("default units: the whole layer", rc == 0 and res["units"] == list(range(8)) and
      np.allclose(np.load(path("c-all.npy")), first_layer(dnn["W0"], 10)), err)
width, height = read_png(path("c-all.png"))[:2]
g = grid(np.zeros((8, 16)), 2, 8, 8)
s = upscale(g.shape[1], g.shape[0])
check("--cols 8 --shape 2x8", (width, height) == (g.shape[1] * s, g.shape[0] * s),
      (width, height, g.shape, s))

# ---- visualize --method ascent -----------------------------------------------------------

for layer, units in ((0, [2, 3, 4, 5]), (1, [0, 1, 2])):
    rc, out, err = run("visualize", "--model", path("dnn.udl"), "--layer", str(layer), "--units",
                       f"{units[0]}-{units[-1]}", "--norm", "2.5", "--steps", "60", "--restarts",
                       "2", "--npy", path(f"a{layer}.npy"), "-o", path(f"a{layer}.png"), "--json")
    res = json.loads(out) if rc == 0 else {}
    found = np.load(path(f"a{layer}.npy")) if rc == 0 else np.zeros((0, 16))
    act = np.array(res.get("activation", []))
    check(f"ascent layer {layer}", rc == 0 and res["units"] == units and res["method"] == "ascent"
          and len(act) == len(units) and found.shape == (len(units), 16), err)
    check(f"ascent layer {layer}: |x| <= rho, x in [0, 1]",
          np.all(np.linalg.norm(found, axis=1) <= 2.5 + 1e-9) and found.min() >= 0 and
          found.max() <= 1, found)
    h = sigmoid(found @ dnn["W0"] + dnn["b0"][0])
    values = h if layer == 0 else h @ dnn["W1"] + dnn["b1"][0]  # the class scores
    check(f"ascent layer {layer}: the activations are the units' values at the inputs",
          len(act) == len(units) and
          np.allclose(act, values[np.arange(len(units)), units], rtol=0, atol=1e-9), (act, values))
    check(f"ascent layer {layer}: above every training row's value within the same norm",
          len(act) == len(units) and
          np.all(act >= (sigmoid(x @ dnn["W0"] + dnn["b0"][0]) if layer == 0 else
                         sigmoid(x @ dnn["W0"] + dnn["b0"][0]) @ dnn["W1"] + dnn["b1"][0])
                 [np.linalg.norm(x, axis=1) <= 2.5][:, units].max(axis=0) - 1e-9), act)
rc, out, err = run("visualize", "--model", path("dnn.udl"), "--layer", "0", "--units", "1",
                   "--norm", "1.5", "--no-clip", "--steps", "30", "--npy", path("nc.npy"), "--json")
res = json.loads(out) if rc == 0 else {}
found = np.load(path("nc.npy")) if rc == 0 else np.zeros((0, 16))
check("--no-clip: the ball alone", rc == 0 and res["clip"] == 0 and found.shape == (1, 16) and
      np.linalg.norm(found) <= 1.5 + 1e-9, err)
rc, out, err = run("visualize", "--model", path("dnn.udl"), "--layer", "1", "-o",
                   path("text.png"))
check("text report", rc == 0 and out.startswith("ascent: units 0 to 2 of layer 1") and
      "activations" in out and path("text.png") in out, out + err)

# --blur smooths the 4 x 4 images (16 inputs): less change between neighbouring pixels
def variation(imgs):
    imgs = imgs.reshape(-1, 4, 4)
    return np.abs(np.diff(imgs, axis=1)).sum() + np.abs(np.diff(imgs, axis=2)).sum()


blurred = {}
for blur in ("0", "1"):
    rc, out, err = run("visualize", "--model", path("dnn.udl"), "--layer", "1", "--norm", "2.5",
                       "--steps", "60", "--blur", blur, "--shape", "4x4", "-o",
                       path(f"b{blur}.png"), "--npy", path(f"b{blur}.npy"), "--json")
    blurred[blur] = np.load(path(f"b{blur}.npy")) if rc == 0 else np.zeros((3, 16))
    check(f"--blur {blur}", rc == 0 and blurred[blur].shape == (3, 16) and
          np.all(np.linalg.norm(blurred[blur], axis=1) <= 2.5 + 1e-9), err)
check("--blur 1: smoother", variation(blurred["1"]) < variation(blurred["0"]),
      (variation(blurred["1"]), variation(blurred["0"])))

# ---- visualize --method sample on a deep belief net ---------------------------------------

rc, out, err = run("visualize", "--model", path("dbn.udl"), "--layer", "1", "--method", "sample",
                   "--gibbs", "50", "--seed", "3", "--npy", path("s.npy"), "-o", path("s.png"),
                   "--json")
res = json.loads(out) if rc == 0 else {}
found = np.load(path("s.npy")) if rc == 0 else np.zeros((0, 16))
check("sample: the top layer's 5 units", rc == 0 and res["units"] == list(range(5)) and
      res["gibbs_steps"] == 50 and found.shape == (5, 16), err)
check("sample: visible means in [0, 1]", found.size and found.min() >= 0 and found.max() <= 1)
check("sample PNG", rc == 0 and read_png(path("s.png"))[3] == 0)

# ---- attack --------------------------------------------------------------------------------


def forward(xs):
    """The classifier's hidden layer and class scores."""
    h = sigmoid(xs @ dnn["W0"] + dnn["b0"][0])
    return h, h @ dnn["W1"] + dnn["b1"][0]


def input_gradient(xs, labels):
    """The gradient of each row's softmax cross-entropy with respect to the row."""
    h, logits = forward(xs)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(xs)), labels] -= 1
    return ((p @ dnn["W1"].T) * h * (1 - h)) @ dnn["W0"].T


def predict(xs):
    return forward(xs)[1].argmax(axis=1)


def attack(*args):
    rc, out, err = run("attack", "--model", path("dnn.udl"), "-i", path("x.npy"), "-l",
                       path("y.npy"), *args, "--json")
    return rc, (json.loads(out) if rc == 0 else {}), err


rc, res, err = attack("--method", "fgsm", "--eps", "0.1", "-o", path("fgsm.npy"), "--png",
                      path("fgsm.png"))
adv = np.load(path("fgsm.npy")) if rc == 0 else np.zeros_like(x)
g = input_gradient(x, y)
step = np.clip(x + 0.1 * np.sign(g), 0, 1)
check("fgsm", rc == 0 and res["method"] == "fgsm" and res["n_samples"] == 150, err)
check("fgsm: x + eps sign(grad), clipped to [0, 1]", adv.shape == x.shape and
      np.allclose(adv[np.abs(g) > 1e-12], step[np.abs(g) > 1e-12], rtol=0, atol=1e-12),
      np.abs(adv - step).max())
check("fgsm: within eps, inside [0, 1]", np.abs(adv - x).max() <= 0.1 + 1e-12 and
      adv.min() >= 0 and adv.max() <= 1)
check("fgsm: the accuracies are the classifier's on X and on Xadv",
      abs(res.get("clean_accuracy", -1) - np.mean(predict(x) == y)) < 1e-12 and
      abs(res.get("adversarial_accuracy", -1) - np.mean(predict(adv) == y)) < 1e-12,
      (res, np.mean(predict(x) == y), np.mean(predict(adv) == y)))
check("fgsm: the attack lowers the accuracy", res.get("adversarial_accuracy", 1) <
      res.get("clean_accuracy", 0), res)
check("fgsm: mean norms", abs(res.get("mean_linf", 0) - np.abs(adv - x).max(axis=1).mean()) <
      1e-12 and abs(res.get("mean_l2", 0) - np.linalg.norm(adv - x, axis=1).mean()) < 1e-12, res)
width, height, depth, colour, _ = read_png(path("fgsm.png")) if rc == 0 else (0,) * 5
check("fgsm figure: an RGB PNG", rc == 0 and width > 300 and height > 300 and colour in (2, 6),
      (width, height, colour))

rc, res, err = attack("--method", "deepfool", "-o", path("df.npy"), "--png", path("df.png"))
adv = np.load(path("df.npy")) if rc == 0 else np.zeros_like(x)
changed = predict(adv) != predict(x)
check("deepfool changes the labels", rc == 0 and changed.mean() > 0.9 and
      abs(res["changed"] - changed.mean()) < 1e-12, (res, changed.mean()))
check("deepfool: the median L2 distance over all rows",
      abs(res.get("median_l2", 0) - np.median(np.linalg.norm(adv - x, axis=1))) < 1e-12, res)
rc, out, err = run("attack", "--model", path("dnn.udl"), "-i", path("x.npy"), "-l",
                   path("y.npy"), "--method", "deepfool", "-o", path("df.npy"))
check("deepfool text report says the median is over all rows",
      rc == 0 and "median L2 distance" in out and "over all 150 rows" in out, out + err)

rc, res, err = attack("--method", "pgd", "--eps", "0.3", "--steps", "20", "--restarts", "2",
                      "--target", "2", "-o", path("pgd.npy"), "--png", path("pgd.png"))
adv = np.load(path("pgd.npy")) if rc == 0 else np.zeros_like(x)
check("targeted pgd: the success rate is how often the target is predicted",
      rc == 0 and res["target"] == 2 and
      abs(res["success_rate"] - np.mean(predict(adv) == 2)) < 1e-12 and res["success_rate"] > 0.6,
      (res, np.mean(predict(adv) == 2)))
check("targeted pgd: within eps", np.abs(adv - x).max() <= 0.3 + 1e-12)
for method, eps in (("fgm-l2", "0.5"), ("pgd-l2", "0.5"), ("bim", "0.1")):
    rc, res, err = attack("--method", method, "--eps", eps, "-o", path(f"{method}.npy"))
    adv = np.load(path(f"{method}.npy")) if rc == 0 else np.zeros_like(x) + 9
    norm = np.linalg.norm(adv - x, axis=1) if "l2" in method else np.abs(adv - x).max(axis=1)
    check(f"{method}: within its ball", rc == 0 and norm.max() <= float(eps) + 1e-9, err)

# ---- train --model dnn --adversarial and --init ----------------------------------------------

dnn_args = ["-l", path("y.npy"), "--epochs", "3", "--json"]
out = train("dnn", "8", "adv.udl", *dnn_args, "--adversarial", "fgsm:0.1")
res = json.loads(out) if out else {}
check("--adversarial fgsm:0.1 in the json", res.get("adversarial") == "fgsm" and
      res.get("adversarial_eps") == 0.1 and res.get("adversarial_alpha") == 0.5, res)
out = train("dnn", "8", "adv-pgd.udl", *dnn_args, "--adversarial", "pgd:0.1:3",
            "--adversarial-alpha", "0.25")
res = json.loads(out) if out else {}
check("--adversarial pgd:0.1:3", res.get("adversarial") == "pgd" and
      res.get("adversarial_steps") == 3 and res.get("adversarial_alpha") == 0.25, res)
train("dnn", "8", "alpha1.udl", *dnn_args, "--adversarial", "fgsm:0.1", "--adversarial-alpha", "1")
train("dnn", "8", "plain.udl", *dnn_args)
check("--adversarial-alpha 1 trains as without the examples",
      np.array_equal(read_model(path("alpha1.udl"))[1]["W0"], read_model(path("plain.udl"))[1]["W0"]))
check("--adversarial changes the training",
      not np.array_equal(read_model(path("adv.udl"))[1]["W0"], read_model(path("plain.udl"))[1]["W0"]))

tiny = ["-l", path("y.npy"), "--epochs", "1", "--lr", "1e-300", "--json"]  # weights unchanged
out = train("dnn", "8,5", "init-sae.udl", *tiny, "--init", path("sae.udl"))
res = json.loads(out) if out else {}
stack, net = read_model(path("sae.udl"))[1], read_model(path("init-sae.udl"))[1]
check("--init sae: the stack's layers are the net's hidden layers",
      res.get("init") == path("sae.udl") and res.get("pretrain") == "none" and
      all(np.array_equal(net[f"W{i}"], stack[f"L{i}.W"]) and
          np.array_equal(net[f"b{i}"], stack[f"L{i}.b"]) for i in (0, 1)), res)
train("dnn", "8,5", "init-dbn.udl", *tiny, "--init", path("dbn.udl"))
stack, net = read_model(path("dbn.udl"))[1], read_model(path("init-dbn.udl"))[1]
check("--init dbn: each RBM's W and hidden bias",
      all(np.array_equal(net[f"W{i}"], stack[f"L{i}.W"]) and
          np.array_equal(net[f"b{i}"], stack[f"L{i}.c"]) for i in (0, 1)))

# ---- errors: one line, a non-zero exit, no output file --------------------------------------

rc, out, err = run("pca", "-i", path("x.npy"), "-k", "2", "--save", path("pca.udl"))
check("pca model for the errors", rc == 0, err)
x_out = x.copy()
x_out[4, 7] = 1.5
np.save(path("x-out.npy"), x_out)
png = ["-o", path("out.png")]
check_errors("visualize", [
    ("layer out of range", ["--model", path("dnn.udl"), "--layer", "2", *png],
     "--layer 2, but the model's layers are 0 to 1"),
    ("closed beyond the first layer", ["--model", path("dnn.udl"), "--layer", "1", "--method",
                                       "closed", *png], "give --layer 0"),
    ("sample on an rbm", ["--model", path("rbm.udl"), "--layer", "0", "--method", "sample", *png],
     "holds a model of kind rbm"),
    ("sample below the top", ["--model", path("dbn.udl"), "--layer", "0", "--method", "sample",
                              *png], "give --layer 1"),
    ("a model without layers", ["--model", path("pca.udl"), "--layer", "0", *png],
     "a PCA has no layers"),
    ("units beyond the layer", ["--model", path("dnn.udl"), "--layer", "0", "--units", "6-8",
                                *png], "layer 0 has units 0 to 7"),
    ("units backwards", ["--model", path("dnn.udl"), "--layer", "0", "--units", "5-3", *png],
     "A <= B"),
    ("a shape of other size", ["--model", path("dnn.udl"), "--layer", "0", "--shape", "3x3", *png],
     "9 pixels, but the rows have 16 values"),
    ("not a square", ["--model", path("dnn.udl"), "--layer", "0", "--shape", "16", *png],
     "--shape takes HxW"),
    ("an option of another method", ["--model", path("dnn.udl"), "--layer", "0", "--method",
                                     "closed", "--steps", "5", *png], "--steps is for --method ascent"),
    ("--blur with closed", ["--model", path("dnn.udl"), "--layer", "0", "--method",
                            "closed", "--blur", "1", *png], "--blur is for --method ascent"),
    ("--blur negative", ["--model", path("dnn.udl"), "--layer", "0", "--blur", "-1", *png],
     "--blur needs a number of pixels from 0 to 100, got '-1'"),
    ("no output", ["--model", path("dnn.udl"), "--layer", "0"], "-o or --npy"),
    ("npy unwritable", ["--model", path("dnn.udl"), "--layer", "0", *png, "--npy",
                        path("no-such-dir/x.npy")], "no-such-dir"),
], path("out.png"))
base = ["--model", path("dnn.udl"), "-i", path("x.npy"), "-l", path("y.npy"), "-o",
        path("out.npy")]
check_errors("attack", [
    ("a PCA model", ["--model", path("pca.udl"), "-i", path("x.npy"), "-l", path("y.npy"),
                     "--method", "fgsm", "-o", path("out.npy")], "attack takes a classifier (dnn)"),
    ("unknown method", [*base, "--method", "fog"], "--method is fgsm, fgm-l2"),
    ("deepfool with eps", [*base, "--method", "deepfool", "--eps", "0.1"], "--eps"),
    ("targeted deepfool", [*base, "--method", "deepfool", "--target", "1"], "untargeted"),
    ("target beyond the classes", [*base, "--method", "fgsm", "--target", "3"],
     "classes are 0 to 2"),
    ("X outside [0, 1]", ["--model", path("dnn.udl"), "-i", path("x-out.npy"), "-l",
                          path("y.npy"), "--method", "fgsm", "-o", path("out.npy")],
     "X[4][7] is 1.5"),
    ("labels of the wrong length", ["--model", path("dnn.udl"), "-i", path("x.npy"), "-l",
                                    path("c-dnn.npy"), "--method", "deepfool", "-o",
                                    path("out.npy")], "it must be 150 x 1"),
    ("figure unwritable", [*base, "--method", "fgsm", "--png", path("no-such-dir/f.png")],
     "no-such-dir"),
    ("figure of no square shape", [*base, "--method", "fgsm", "--png", path("f.png"), "--shape",
                                   "3x5"], "15 pixels"),
], path("out.npy"))
dnn_base = ["--model", "dnn", "--layers", "8,5", "-i", path("x.npy"), "-l", path("y.npy"),
            "--save", path("out.udl")]
check_errors("train", [
    *[(f"bad --adversarial {spec!r}", [*dnn_base, "--adversarial", spec],
       "--adversarial takes fgsm:EPS, fgm-l2:EPS, bim:EPS:STEPS, pgd:EPS:STEPS or "
       f"pgd-l2:EPS:STEPS, got '{spec}'")
      for spec in ("fgsm", "fgsm:0.1:3", "pgd:0.1", "deepfool:0.1", "fgsm:0.1:", "", "pgd")],
    ("--adversarial eps not a number", [*dnn_base, "--adversarial", "fgsm:x"],
     "--adversarial's EPS needs a number, got 'x'"),
    ("--adversarial eps 0", [*dnn_base, "--adversarial", "fgsm:0"], "positive EPS"),
    ("--adversarial steps 0", [*dnn_base, "--adversarial", "bim:0.1:0"],
     "--adversarial's STEPS needs an integer from 1"),
    ("--adversarial-alpha alone", [*dnn_base, "--adversarial-alpha", "0.3"],
     "give --adversarial too"),
    ("--adversarial-alpha beyond 1", [*dnn_base, "--adversarial", "fgsm:0.1",
                                      "--adversarial-alpha", "1.5"], "a weight in [0, 1]"),
    ("--adversarial with X outside [0, 1]", ["--model", "dnn", "--layers", "8", "-i",
                                             path("x-out.npy"), "-l", path("y.npy"),
                                             "--adversarial", "fgsm:0.1", "--save",
                                             path("out.udl")], "X[4][7] is 1.5"),
    ("--adversarial for an autoencoder", ["--model", "ae", "--layers", "4", "-i", path("x.npy"),
                                          "--adversarial", "fgsm:0.1", "--save", path("out.udl")],
     "--adversarial is for --model dnn"),
    ("--init with a PCA file", [*dnn_base, "--init", path("pca.udl")],
     "holds a model of kind pca"),
    ("--init with one autoencoder", [*dnn_base, "--init", path("ae.udl")],
     "holds a model of kind ae"),
    ("--init of other sizes", ["--model", "dnn", "--layers", "8,4", "-i", path("x.npy"), "-l",
                               path("y.npy"), "--init", path("sae.udl"), "--save",
                               path("out.udl")], "maps 8 to 5 units"),
    ("--init with --pretrain", [*dnn_base, "--init", path("sae.udl"), "--pretrain", "ae"],
     "give one or the other"),
    ("--init into relu layers", [*dnn_base, "--init", path("dbn.udl"), "--activation", "relu"],
     "sigmoid units"),
], path("out.udl"))

for command in ("visualize", "train"):
    rc, out, err = run(command, "--help")
    check(f"{command} --help", rc == 0 and f"usage: udl {command}" in out and
          (command != "train" or "--adversarial" in out), err)
finish("attack")
