"""Checks `udl train --model rbm|dbn`, `udl sample` and `udl eval-ll` from the outside:
the model file is parsed here, and the codes, reconstructions and the exact log Z of a
small RBM are recomputed with NumPy. usage: test_rbm_cli.py UDL_BINARY WORK_DIR"""
import itertools
import json
import os

import numpy as np

from harness import check, finish, path, read_model, udl as run


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def softplus(a):
    return np.logaddexp(0, a)


rng = np.random.default_rng(5)
protos = rng.random((3, 10)) < 0.5
x = np.array([protos[i % 3] ^ (rng.random(10) < 0.05) for i in range(300)], dtype=float)
np.save(path("x.npy"), x)

# an RBM small enough to enumerate: 10 visible, 6 hidden
rc, out, err = run("train", "--model", "rbm", "--layers", "6", "-i", path("x.npy"), "--epochs",
                   "20", "--batch", "10", "--lr", "0.02", "--save", path("rbm.udl"), "--json")
res = json.loads(out) if rc == 0 else {}
check("train rbm", rc == 0 and res["method"] == "cd" and len(res["history"]) == 20, err)
kind, b = read_model(path("rbm.udl"))
W, vb, hb = b["W"], b["b"][0], b["c"][0]
check("kind is rbm", kind == 5 and b["k"] == 1 and b["warmup_epochs"] == 5, kind)
rc, out, err = run("encode", "--model", path("rbm.udl"), "-i", path("x.npy"), "-o", path("h.npy"))
h = sigmoid(x @ W + hb)
check("encode is p(h | v)", rc == 0 and np.allclose(np.load(path("h.npy")), h, atol=1e-12), err)
rc, out, err = run("reconstruct", "--model", path("rbm.udl"), "-i", path("x.npy"), "-o",
                   path("xr.npy"))
check("reconstruct is E[v | E[h | v]]",
      rc == 0 and np.allclose(np.load(path("xr.npy")), sigmoid(h @ W.T + vb), atol=1e-12), err)

# log Z by enumerating the 1024 visible states, against eval-ll's AIS estimate
v_all = np.array(list(itertools.product([0, 1], repeat=10)), dtype=float)
neg_f = v_all @ vb + softplus(v_all @ W + hb).sum(axis=1)
log_z = np.logaddexp.reduce(neg_f)
mean_ll = np.mean(x @ vb + softplus(x @ W + hb).sum(axis=1)) - log_z
rc, out, err = run("eval-ll", "--model", path("rbm.udl"), "-i", path("x.npy"), "--json")
res = json.loads(out) if rc == 0 else {}
check("AIS log Z within its band", rc == 0 and res["log_z_lo"] <= log_z <= res["log_z_hi"],
      (res, log_z))
check("AIS log Z within 0.1 nats", abs(res.get("log_z", 0) - log_z) < 0.1, (res, log_z))
check("log-likelihood", abs(res.get("log_likelihood", 0) - mean_ll) < 0.1, (res, mean_ll))
check("training raised it above 10 uniform bits", mean_ll > -10 * np.log(2) + 2, mean_ll)

# fantasies: in [0, 1], repeated by the seed
rc, out, err = run("sample", "--model", path("rbm.udl"), "-n", "7", "--gibbs", "50", "-o",
                   path("s1.npy"), "--json")
rc2, _, _ = run("sample", "--model", path("rbm.udl"), "-n", "7", "--gibbs", "50", "-o",
                path("s2.npy"))
s1 = np.load(path("s1.npy")) if rc == 0 else np.zeros(0)
check("sample", rc == 0 and s1.shape == (7, 10) and ((s1 >= 0) & (s1 <= 1)).all() and
      np.array_equal(s1, np.load(path("s2.npy"))), err)

# PCD and a deep belief net
rc, out, err = run("train", "--model", "rbm", "--layers", "6", "-i", path("x.npy"), "--epochs",
                   "3", "--pcd=2", "--save", path("pcd.udl"), "--json")
check("train pcd", rc == 0 and json.loads(out)["method"] == "pcd" and json.loads(out)["k"] == 2,
      err)
rc, out, err = run("train", "--model", "dbn", "--layers", "6,3", "-i", path("x.npy"), "--epochs",
                   "2", "--save", path("dbn.udl"))
kind, b = read_model(path("dbn.udl"))
h2 = sigmoid(sigmoid(x @ b["L0.W"] + b["L0.c"][0]) @ b["L1.W"] + b["L1.c"][0])
rc, out, err = run("encode", "--model", path("dbn.udl"), "-i", path("x.npy"), "-o",
                   path("hd.npy"))
check("dbn encode goes up both layers",
      kind == 6 and rc == 0 and np.allclose(np.load(path("hd.npy")), h2, atol=1e-12), err)
rc, out, err = run("train", "--model", "deep-ae", "--pretrain", "rbm", "--layers", "6,3", "-i",
                   path("x.npy"), "--epochs", "2", "--finetune-epochs", "2", "--sigmoid-code",
                   "--save", path("deep.udl"), "--json")
res = json.loads(out) if rc == 0 else {}
check("deep-ae pretrained by rbm", rc == 0 and res["pretrain"] == "rbm" and
      len(res["history"]) == 2, err)

# errors: one line, non-zero exit, no output file
cases = [
    (["train", "--model", "ae", "--layers", "4", "--pcd", "-i", path("x.npy"), "--save",
      path("out.udl")], "--pcd"),
    (["train", "--model", "rbm", "--layers", "4", "--visible", "poisson", "-i", path("x.npy"),
      "--save", path("out.udl")], "bernoulli or gaussian"),
    (["train", "--model", "rbm", "--layers", "4,2", "-i", path("x.npy"), "--save",
      path("out.udl")], "one hidden layer"),
    (["train", "--model", "sae", "--layers", "4", "--pretrain", "rbm", "-i", path("x.npy"),
      "--save", path("out.udl")], "deep-ae"),
    (["eval-ll", "--model", path("dbn.udl"), "-i", path("x.npy")], "takes an RBM"),
    (["eval-ll", "--model", path("rbm.udl"), "-i", path("x.npy"), "--runs", "1"], "--runs"),
    (["sample", "--model", path("deep.udl"), "-n", "3", "-o", path("out.udl")], "has no sample"),
    (["sample", "--model", path("rbm.udl"), "-o", path("out.udl")], "-n"),
    (["train", "--model", "rbm", "--layers", "4", "--cd", "2", "--pcd", "-i", path("x.npy"),
      "--save", path("out.udl")], "one or the other"),
    (["train", "--model", "ae", "--layers", "4", "--cd", "1", "-i", path("x.npy"), "--save",
      path("out.udl")], "--cd"),
    (["train", "--model", "deep-ae", "--pretrain", "rbm", "--visible", "gaussian", "--loss", "ce",
      "--layers", "6,3", "-i", path("x.npy"), "--save", path("out.udl")], "--loss se"),
    (["train", "--model", "deep-ae", "--pretrain", "rbm", "--visible", "gaussian", "--layers",
      "3", "-i", path("x.npy"), "--save", path("out.udl")], "--sigmoid-code"),
]
for args, words in cases:
    rc, out, err = run(*args)
    check(f"{args[:3]} fails", rc != 0 and len(err.strip().splitlines()) == 1 and words in err,
          repr(err))
    check(f"{args[:3]} writes nothing", not os.path.exists(path("out.udl")))

finish("sample")
