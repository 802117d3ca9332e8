"""Checks `udl train --model dnn`, `udl predict` and `udl eval` from the outside: the
probabilities are recomputed with NumPy from the weights in the model file, and eval's
accuracy, loss and confusion matrix from the labels predict wrote.
usage: test_dnn_cli.py UDL_BINARY WORK_DIR"""
import json
import os

import numpy as np

from harness import check, check_errors, finish, path, read_model, udl as run


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


rng = np.random.default_rng(7)
centres = 0.2 + 0.6 * rng.random((3, 10))


def blobs(n):
    """Three Gaussian blobs in [0, 1), labelled 0, 1, 2."""
    y = rng.integers(0, 3, n)
    return np.clip(centres[y] + 0.15 * rng.standard_normal((n, 10)), 0, 0.999), y


x, y = blobs(300)
xt, yt = blobs(150)
np.save(path("x.npy"), x)
np.save(path("y.npy"), y)  # int64, shape (n,)
np.save(path("xt.npy"), xt)
np.save(path("yt.npy"), yt.astype(float).reshape(-1, 1))  # float64, shape (n, 1)
for name in ("out.udl", "out.npy"):  # from an earlier run in the same directory
    if os.path.exists(path(name)):
        os.remove(path(name))

common = ["train", "--model", "dnn", "--layers", "16,8", "-i", path("x.npy"), "-l", path("y.npy"),
          "--batch", "20"]

# train: the sizes come from X and the labels; one history entry per epoch
rc, out, err = run(*common, "--epochs", "30", "--save", path("m.udl"), "--json")
res = json.loads(out) if rc == 0 else {}
check("train dnn", rc == 0 and out.count("\n") == 1, err)
check("json sizes", res.get("layers") == [10, 16, 8, 3] and res.get("n_classes") == 3 and
      res.get("n_samples") == 300 and res.get("pretrain") == "none" and
      res.get("activation") == "sigmoid", res)
check("json history", len(res.get("history", [])) == 30 and res.get("epochs_trained") == 30 and
      "best_epoch" not in res, res)
kind, b = read_model(path("m.udl"))
check("kind is dnn", kind == 7 and b["layers"] == 3, kind)

# predict: the labels and probabilities of the net in the file, computed here
rc, out, err = run("predict", "--model", path("m.udl"), "-i", path("xt.npy"), "-o",
                   path("labels.npy"), "--proba", path("proba.npy"), "--json")
res = json.loads(out) if rc == 0 else {}
check("predict", rc == 0 and res["n_samples"] == 150 and res["n_classes"] == 3, err)
labels, proba = np.load(path("labels.npy")), np.load(path("proba.npy"))
h = sigmoid(sigmoid(xt @ b["W0"] + b["b0"][0]) @ b["W1"] + b["b1"][0])
logits = h @ b["W2"] + b["b2"][0]
p_ref = np.exp(logits - logits.max(axis=1, keepdims=True))
p_ref /= p_ref.sum(axis=1, keepdims=True)
check("labels are float64 N x 1", labels.dtype == np.float64 and labels.shape == (150, 1),
      (labels.dtype, labels.shape))
check("proba is the net's softmax", proba.shape == (150, 3) and
      np.allclose(proba, p_ref, rtol=0, atol=1e-12), np.abs(proba - p_ref).max())
check("proba rows sum to 1", np.allclose(proba.sum(axis=1), 1, rtol=0, atol=1e-12))
check("labels are the argmax of proba", np.array_equal(labels[:, 0], proba.argmax(axis=1)))
rc, out, err = run("predict", "--model", path("m.udl"), "-i", path("xt.npy"), "-o",
                   path("labels2.npy"))
check("predict -o alone writes the same labels",
      rc == 0 and out == "" and np.array_equal(np.load(path("labels2.npy")), labels), err)

# eval: accuracy, loss, per-class accuracy and confusion, against the predicted labels
pred = labels[:, 0].astype(int)
confusion = np.zeros((3, 3), int)
np.add.at(confusion, (yt, pred), 1)
rc, out, err = run("eval", "--model", path("m.udl"), "-i", path("xt.npy"), "-l", path("yt.npy"),
                   "--json")
res = json.loads(out) if rc == 0 else {}
check("eval", rc == 0 and res["n_samples"] == 150 and res["n_classes"] == 3, err)
check("eval accuracy is the predicted labels' accuracy",
      abs(res.get("accuracy", -1) - np.mean(pred == yt)) < 1e-12, (res.get("accuracy"),
                                                                    np.mean(pred == yt)))
check("the blobs are learned", res.get("accuracy", 0) > 0.9, res.get("accuracy"))
loss_ref = -np.mean(np.log(p_ref[np.arange(150), yt]))
check("eval loss is the mean cross-entropy", abs(res.get("loss", 0) - loss_ref) < 1e-9,
      (res.get("loss"), loss_ref))
check("confusion: rows true, columns predicted", res.get("confusion") == confusion.tolist(),
      (res.get("confusion"), confusion.tolist()))
check("class accuracy", np.allclose(res.get("class_accuracy", []),
                                    confusion.diagonal() / confusion.sum(axis=1)), res)
rc, out, err = run("eval", "--model", path("m.udl"), "-i", path("xt.npy"), "-l", path("yt.npy"))
lines = out.splitlines()
table = lines[2:]
check("eval table: a header and a row per class", rc == 0 and len(table) == 4 and
      table[0].split() == ["true", "0", "1", "2", "accuracy"], out)
check("eval table is aligned", len({len(line) for line in table}) == 1, out)
check("eval table counts", [[int(v) for v in line.split()[1:4]] for line in table[1:]] ==
      confusion.tolist(), out)

# a validation set: its error each epoch, the best one, and early stopping that keeps it
valid = ["--valid-input", path("xt.npy"), "--valid-labels", path("yt.npy")]
rc, out, err = run(*common, "--epochs", "60", "--lr", "0.5", *valid, "--patience", "3",
                   "--save", path("es.udl"), "--json")
res = json.loads(out) if rc == 0 else {}
n, best = res.get("epochs_trained", 0), res.get("best_epoch", 0)
errors = res.get("valid_error", [])
check("early stopping: patience epochs after the best", rc == 0 and n < 60 and
      n == best + 3 and len(errors) == n == len(res["history"]), (n, best, err))
check("best validation error is the lowest", errors and
      res["best_valid_error"] == min(errors) == errors[best - 1], res)
rc, out, err = run("eval", "--model", path("es.udl"), "-i", path("xt.npy"), "-l", path("yt.npy"),
                   "--json")
ev = json.loads(out) if rc == 0 else {}
check("the best epoch's weights are kept",
      abs(1 - ev.get("accuracy", 0) - res.get("best_valid_error", -1)) < 1e-12 and
      abs(ev.get("loss", 0) - res.get("valid_loss", [0] * best)[best - 1]) < 1e-12, (ev, res))
rc, out, err = run(*common, "--epochs", "60", "--lr", "0.5", "--valid-fraction", "0.3",
                   "--patience", "3", "--save", path("vf.udl"), "--json")
res = json.loads(out) if rc == 0 else {}
check("--valid-fraction with --patience", rc == 0 and len(res["valid_error"]) ==
      res["epochs_trained"] == res["best_epoch"] + 3 < 60 and
      res["best_valid_error"] == min(res["valid_error"]), err)
rc, out, err = run(*common, "--epochs", "3", "--valid-fraction", "0.3", "--save", path("vf.udl"))
check("text report names the best validation epoch",
      rc == 0 and "best validation error" in out and "at epoch" in out, out + err)

# pretraining, options, and more classes than the labels use
runs = {}
for method in ("none", "ae", "dae", "rbm"):
    rc, out, err = run(*common, "--epochs", "2", "--pretrain", method, "--seed", "3",
                       *(["--pretrain-epochs", "2"] if method != "none" else []),
                       *(["--noise", "mask:0.4"] if method == "dae" else []),
                       *(["--pretrain-lr", "0.05"] if method == "rbm" else []),
                       "--save", path(f"pre-{method}.udl"), "--json")
    res = json.loads(out) if rc == 0 else {}
    check(f"--pretrain {method}", rc == 0 and res["pretrain"] == method and
          len(res["history"]) == 2, err)
    runs[method] = read_model(path(f"pre-{method}.udl"))[1]["W0"] if rc == 0 else None
check("pretraining changes the first layer",
      all(runs[m] is not None and not np.array_equal(runs[m], runs["none"])
          for m in ("ae", "dae", "rbm")))
rc, out, err = run(*common, "--epochs", "2", "--activation", "relu", "--dropout", "0.2,0.5",
                   "--classes", "5", "--save", path("c5.udl"), "--json")
res = json.loads(out) if rc == 0 else {}
check("relu, dropout and --classes 5", rc == 0 and res["activation"] == "relu" and
      res["layers"] == [10, 16, 8, 5], err)
_, b = read_model(path("c5.udl"))
check("dropout rates saved", b.get("input_dropout") == 0.2 and b.get("hidden_dropout") == 0.5,
      (b.get("input_dropout"), b.get("hidden_dropout")))
rc, out, err = run("eval", "--model", path("c5.udl"), "-i", path("xt.npy"), "-l", path("yt.npy"),
                   "--json")
res = json.loads(out) if rc == 0 else {}
check("a class with no rows has no accuracy (null)",
      rc == 0 and res["class_accuracy"][3:] == [None, None] and len(res["confusion"]) == 5, err)
rc, out, err = run(*common, "--epochs", "1", "--dropout", "0.3", "--save", path("d1.udl"))
_, b = read_model(path("d1.udl"))
check("one --dropout number is the hidden rate",
      rc == 0 and b["input_dropout"] == 0 and b["hidden_dropout"] == 0.3, err)

# errors: one line naming the problem, a non-zero exit, no output file
np.save(path("y-range.npy"), np.where(np.arange(300) == 7, -1, y))
np.save(path("y-frac.npy"), np.where(np.arange(300) == 7, 1.5, y))
np.save(path("y-short.npy"), y[:-1])
np.save(path("y-zero.npy"), np.zeros(300))
x_nan = x.copy()
x_nan[5, 3] = np.nan
np.save(path("x-nan.npy"), x_nan)
np.save(path("yt-short.npy"), yt[:-1])
np.save(path("yt-range.npy"), np.where(np.arange(150) == 4, 3, yt))
np.save(path("x-wide.npy"), np.hstack([xt, xt]))
rc, out, err = run("pca", "-i", path("x.npy"), "-k", "2", "--save", path("pca.udl"))
check("pca model for the errors", rc == 0, err)
save = ["--save", path("out.udl")]
base = ["train", "--model", "dnn", "--layers", "4", "-i", path("x.npy")]
check_errors("train", [
    ("label out of range", [*base[1:], "-l", path("y-range.npy"), *save], "labels[7] is -1"),
    ("label beyond --classes", [*base[1:], "-l", path("y.npy"), "--classes", "2", *save],
     "labels must be integers 0 to 1"),
    ("non-integer label", [*base[1:], "-l", path("y-frac.npy"), *save], "labels[7] is 1.5"),
    ("labels of the wrong length", [*base[1:], "-l", path("y-short.npy"), *save],
     "labels is 299 x 1; it must be 300 x 1"),
    ("one class", [*base[1:], "-l", path("y-zero.npy"), *save], "at least 2 classes"),
    ("--classes 1", [*base[1:], "-l", path("y.npy"), "--classes", "1", *save],
     "--classes needs an integer from 2"),
    ("NaN in X", ["--model", "dnn", "--layers", "4", "-i", path("x-nan.npy"), "-l",
                  path("y.npy"), *save], "X[5][3] is nan"),
    ("unknown activation", [*base[1:], "-l", path("y.npy"), "--activation", "softplus", *save],
     "--activation is sigmoid, tanh or relu, got 'softplus'"),
    ("dropout of 1", [*base[1:], "-l", path("y.npy"), "--dropout", "0.2,1", *save],
     "--dropout takes probabilities in [0, 1)"),
    ("three dropout rates", [*base[1:], "-l", path("y.npy"), "--dropout", "0.1,0.2,0.3", *save],
     "--dropout takes HIDDEN or INPUT,HIDDEN"),
    ("dropout not a number", [*base[1:], "-l", path("y.npy"), "--dropout", "half", *save],
     "--dropout needs a number"),
    ("no labels", [*base[1:], *save], "give -l y"),
    ("labels for an autoencoder", ["--model", "ae", "--layers", "4", "-i", path("x.npy"), "-l",
                                   path("y.npy"), *save], "--labels is for --model dnn"),
    ("--loss for a dnn", [*base[1:], "-l", path("y.npy"), "--loss", "se", *save],
     "--loss is not an option of --model dnn"),
    ("patience without validation", [*base[1:], "-l", path("y.npy"), "--patience", "2", *save],
     "--patience stops on the validation error"),
    ("validation input alone", [*base[1:], "-l", path("y.npy"), "--valid-input", path("xt.npy"),
                                *save], "go together"),
    ("both kinds of validation", [*base[1:], "-l", path("y.npy"), *valid, "--valid-fraction",
                                  "0.2", *save], "not both"),
    ("validation labels of the wrong length",
     [*base[1:], "-l", path("y.npy"), "--valid-input", path("xt.npy"), "--valid-labels",
      path("yt-short.npy"), *save], "validation labels is 149 x 1"),
    ("validation fraction of 1", [*base[1:], "-l", path("y.npy"), "--valid-fraction", "1", *save],
     "valid_fraction must be in [0, 1)"),
    ("pretraining relu units", [*base[1:], "-l", path("y.npy"), "--pretrain", "rbm",
                                "--activation", "relu", *save], "sigmoid units"),
    ("unknown pretraining", [*base[1:], "-l", path("y.npy"), "--pretrain", "pca", *save],
     "--pretrain is none, ae, dae or rbm"),
    ("gaussian noise for dae", [*base[1:], "-l", path("y.npy"), "--pretrain", "dae", "--noise",
                                "gauss:0.1", *save], "--noise mask:P"),
    ("pretrain epochs without pretraining", [*base[1:], "-l", path("y.npy"), "--pretrain-epochs",
                                             "3", *save], "need --pretrain"),
    ("deep-ae pretrained as dae", ["--model", "deep-ae", "--layers", "4", "-i", path("x.npy"),
                                   "--pretrain", "dae", *save], "ae or rbm"),
], path("out.udl"))
check_errors("predict", [
    ("a model with no predict", ["--model", path("pca.udl"), "-i", path("xt.npy"), "-o",
                                 path("out.npy")], "a PCA has no predict"),
    ("X of the wrong width", ["--model", path("m.udl"), "-i", path("x-wide.npy"), "-o",
                              path("out.npy")], "20 columns"),
    ("nothing to write", ["--model", path("m.udl"), "-i", path("xt.npy")], "-o or --proba"),
    ("probabilities unwritable", ["--model", path("m.udl"), "-i", path("xt.npy"), "-o",
                                  path("out.npy"), "--proba", path("no-such-dir/p.npy")],
     "no-such-dir"),
], path("out.npy"))
check_errors("eval", [
    ("labels of the wrong length", ["--model", path("m.udl"), "-i", path("xt.npy"), "-l",
                                    path("yt-short.npy")], "labels is 149 x 1; it must be 150 x 1"),
    ("label out of range", ["--model", path("m.udl"), "-i", path("xt.npy"), "-l",
                            path("yt-range.npy")], "labels[4] is 3"),
    ("a model that is not a classifier", ["--model", path("pca.udl"), "-i", path("xt.npy"), "-l",
                                          path("yt.npy")], "eval takes a classifier"),
    ("no labels", ["--model", path("m.udl"), "-i", path("xt.npy")], "-l"),
], path("out.npy"))

for command in ("train", "eval"):
    rc, out, err = run(command, "--help")
    check(f"{command} --help", rc == 0 and f"usage: udl {command}" in out and
          (command != "train" or "--model dnn" in out), err)
finish("predict")
