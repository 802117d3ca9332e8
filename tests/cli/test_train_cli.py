"""Checks `udl train`, `udl encode` and `udl reconstruct` from the outside: the model
file is parsed here from its documented layout, and the codes and reconstructions are
recomputed with NumPy. usage: test_train_cli.py UDL_BINARY WORK_DIR"""
import json
import os
import struct
import zlib

import numpy as np

from harness import check, finish, path, read_model, udl as run


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


rng = np.random.default_rng(3)
x = rng.random((120, 10))
np.save(path("x.npy"), x)

rc, out, err = run("train", "--model", "ae", "--layers", "4", "-i", path("x.npy"), "--save",
                   path("ae.udl"), "--epochs", "7", "--batch", "16", "--json")
check("train ae exits 0", rc == 0, err)
res = json.loads(out) if rc == 0 else {}
check("json one line", out.count("\n") == 1, out)
check("json history", len(res.get("history", [])) == 7, res)
check("json layers", res.get("layers") == [10, 4], res)
kind, b = read_model(path("ae.udl"))
check("kind is autoencoder", kind == 2, kind)
W, bias, c = b["W"], b["b"][0], b["c"][0]
z_ref = sigmoid(x @ W + bias)
rc, out, err = run("encode", "--model", path("ae.udl"), "-i", path("x.npy"), "-o", path("z.npy"))
check("encode matches numpy", rc == 0 and np.allclose(np.load(path("z.npy")), z_ref, atol=1e-12),
      err)
rc, out, err = run("reconstruct", "--model", path("ae.udl"), "-i", path("x.npy"), "-o",
                   path("xh.npy"))
check("reconstruct matches numpy",
      rc == 0 and np.allclose(np.load(path("xh.npy")), sigmoid(z_ref @ W.T + c), atol=1e-12), err)
cost = np.mean(np.sum(np.logaddexp(0, z_ref @ W.T + c) - x * (z_ref @ W.T + c), axis=1))
check("reported cost is the cross-entropy", abs(res.get("cost", 0) - cost) < 1e-9 * cost,
      (res.get("cost"), cost))

# denoising: masking noise by default, recorded in the model's header
rc, out, err = run("train", "--model", "dae", "--layers", "4", "-i", path("x.npy"), "--save",
                   path("dae.udl"), "--epochs", "2")
_, b = read_model(path("dae.udl"))
check("dae stores mask noise 0.3", rc == 0 and b["noise"] == 1 and b["noise_level"] == 0.3,
      (b.get("noise"), b.get("noise_level")))

# deep autoencoder: a linear code layer in the middle of 4 layers
rc, out, err = run("train", "--model", "deep-ae", "--layers", "6,3", "-i", path("x.npy"),
                   "--save", path("deep.udl"), "--epochs", "2", "--finetune-epochs", "3",
                   "--json")
res = json.loads(out) if rc == 0 else {}
check("deep-ae trains", rc == 0 and len(res["history"]) == 3, err)
kind, b = read_model(path("deep.udl"))
h = x
for layer in range(2):
    h = h @ b[f"W{layer}"] + b[f"b{layer}"][0]
    if layer == 0:
        h = sigmoid(h)
rc, out, err = run("encode", "--model", path("deep.udl"), "-i", path("x.npy"), "-o",
                   path("zd.npy"))
check("deep encode is the linear code layer",
      rc == 0 and kind == 4 and np.allclose(np.load(path("zd.npy")), h, atol=1e-12), err)

# fine-tuning in phases: the first phase repeats a plain run epoch for epoch, the next
# carries on from it with its own loss and rate
common = ["train", "--model", "deep-ae", "--layers", "6,3", "-i", path("x.npy"), "--epochs", "2",
          "--json"]
rc, out, err = run(*common, "--finetune-epochs", "2", "--finetune-lr", "0.02", "--save",
                   path("plain.udl"))
plain = json.loads(out)["history"] if rc == 0 else []
rc, out, err = run(*common, "--phases", "ce:2:0.02,se:3:0.005", "--save", path("phased.udl"))
res = json.loads(out) if rc == 0 else {}
check("phases run one after another", rc == 0 and res["finetune_epochs"] == 5 and
      len(res["history"]) == 5, err)
check("the first phase is the plain run", res.get("history", [])[:2] == plain,
      (res.get("history"), plain))
_, b = read_model(path("phased.udl"))
check("the last phase's loss and rate are saved", b["loss"] == 1 and b["learning_rate"] == 0.005,
      (b.get("loss"), b.get("learning_rate")))

# the schedule is saved with the model, by name
rc, out, err = run("train", "--model", "ae", "--layers", "4", "-i", path("x.npy"), "--epochs", "3",
                   "--warmup", "2:0.5", "--decay", "step:0.5:2", "--save", path("sched.udl"))
_, b = read_model(path("sched.udl"))
check("schedule fields", rc == 0 and b["warmup_epochs"] == 2 and b["warmup_momentum"] == 0.5 and
      b["decay"] == 1 and b["decay_rate"] == 0.5 and b["decay_every"] == 2, err)

# encode and reconstruct open any kind through the registry: PCA too
rc, out, err = run("pca", "-i", path("x.npy"), "-k", "3", "--save", path("pca.udl"), "-o",
                   path("zp.npy"))
rc2, out, err2 = run("encode", "--model", path("pca.udl"), "-i", path("x.npy"), "-o",
                     path("zp2.npy"), "--json")
check("encode a PCA model", rc == 0 and rc2 == 0 and json.loads(out)["model"] == "pca" and
      np.array_equal(np.load(path("zp.npy")), np.load(path("zp2.npy"))), err + err2)
rc, out, err = run("reconstruct", "--model", path("pca.udl"), "-i", path("x.npy"), "-o",
                   path("xp.npy"))
zp = np.load(path("zp.npy"))
xc = x - x.mean(axis=0)
q = np.linalg.svd(xc, full_matrices=False)[2][:3]
check("reconstruct with PCA is the projection on the components",
      rc == 0 and np.allclose(np.load(path("xp.npy")), xc @ q.T @ q + x.mean(axis=0), atol=1e-10),
      err)
rc, out, err = run("train", "--model", "sae", "--layers", "6,3", "-i", path("x.npy"), "--epochs",
                   "1", "--save", path("sae.udl"))
rc, out, err = run("reconstruct", "--model", path("sae.udl"), "-i", path("x.npy"), "-o",
                   path("out.udl"))
check("a stack cannot reconstruct", rc != 0 and "has no reconstruct" in err and
      not os.path.exists(path("out.udl")), err)

# errors: one line, non-zero exit, no output file
np.save(path("big.npy"), x * 3)
cases = [
    (["train", "--model", "ae", "--layers", "4", "-i", path("big.npy"), "--save", path("out.udl")],
     "[0, 1]"),
    (["train", "--model", "ae", "--layers", "4", "-i", path("x.npy")], "--save"),
    (["train", "--model", "vae", "--layers", "4", "-i", path("x.npy"), "--save", path("out.udl")],
     "ae, dae, sae, deep-ae, rbm, dbn or dnn"),
    (["train", "--model", "dae", "--layers", "4", "--noise", "salt:1", "-i", path("x.npy"),
      "--save", path("out.udl")], "mask:P"),
    (["train", "--model", "ae", "--layers", "4", "--lr", "-1", "-i", path("x.npy"), "--save",
      path("out.udl")], "learning_rate"),
    (["encode", "--model", path("x.npy"), "-i", path("x.npy"), "-o", path("out.udl")],
     "not a udl model"),
    (["encode", "--model", path("ae.udl"), "-i", path("big.npy"), "-o", path("out.udl")], "[0, 1]"),
    (["train", "--model", "deep-ae", "--layers", "4", "--phases", "ce:2", "-i", path("x.npy"),
      "--save", path("out.udl")], "LOSS:EPOCHS:RATE"),
    (["train", "--model", "deep-ae", "--layers", "4", "--phases", "mse:2:0.1", "-i",
      path("x.npy"), "--save", path("out.udl")], "ce or se"),
    (["train", "--model", "ae", "--layers", "4", "--phases", "ce:2:0.1", "-i", path("x.npy"),
      "--save", path("out.udl")], "deep-ae"),
    (["train", "--model", "ae", "--layers", "4", "--decay", "step:2:1", "-i", path("x.npy"),
      "--save", path("out.udl")], "decay_rate"),
    (["train", "--model", "ae", "--layers", "4", "--warmup", "3", "-i", path("x.npy"),
      "--save", path("out.udl")], "EPOCHS:MOMENTUM"),
    (["train", "--model", "deep-ae", "--layers", "4", "--phases", "ce:1:0.1,,se:1:0.1", "-i",
      path("x.npy"), "--save", path("out.udl")], "single commas"),
    (["train", "--model", "deep-ae", "--layers", "4", "--phases", "ce:1:0.1", "--finetune-lr",
      "0.01", "-i", path("x.npy"), "--save", path("out.udl")], "one or the other"),
    (["train", "--model", "ae", "--layers", "4", "--lr", "0x10", "-i", path("x.npy"),
      "--save", path("out.udl")], "--lr needs a number"),
]
for args, words in cases:
    rc, out, err = run(*args)
    check(f"{args[:3]} fails", rc != 0 and len(err.strip().splitlines()) == 1 and words in err,
          repr(err))
    check(f"{args[:3]} writes nothing", not os.path.exists(path("out.udl")))

finish("train")
