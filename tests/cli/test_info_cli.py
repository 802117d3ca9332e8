"""Checks `udl info` and `udl export` from the outside, for every kind of model: info's
values against the model file read here from its documented layout (model_file.py), the
exported arrays against the file's blocks bit for bit, and forward passes written in
NumPy from the exported arrays alone (a classifier's probabilities, an autoencoder's
codes, a PCA's transform) against udl's own. usage: test_info_cli.py UDL_BINARY WORK_DIR"""
import json
import os
import shutil

import numpy as np

from harness import check, check_errors, finish, path, read_model, udl as run

KINDS = {1: "pca", 2: "ae", 3: "sae", 4: "deep-ae", 5: "rbm", 6: "dbn", 7: "dnn"}

rng = np.random.default_rng(14)
x = rng.random((90, 8))
y = (x[:, 0] + x[:, 1] > 1).astype(np.int64) + (x[:, 2] > 0.7)
np.save(path("x.npy"), x)
np.save(path("y.npy"), y)

common = ["-i", path("x.npy"), "--epochs", "3", "--batch", "15", "--seed", "5"]
trainings = {
    "pca": ["pca", "-i", path("x.npy"), "-k", "3", "--whiten"],
    "ae": ["train", "--model", "ae", "--layers", "5", "--lr", "0.05", *common],
    "sae": ["train", "--model", "sae", "--layers", "6,3", *common],
    "deep-ae": ["train", "--model", "deep-ae", "--layers", "6,3", "--finetune-epochs", "2",
                *common],
    "rbm": ["train", "--model", "rbm", "--layers", "4", "--pcd", *common],
    "dbn": ["train", "--model", "dbn", "--layers", "6,4", *common],
    "dnn": ["train", "--model", "dnn", "--layers", "7,5", "-l", path("y.npy"), "--activation",
            "relu", "--valid-fraction", "0.2", *common],
}
models = {}
for name, args in trainings.items():
    models[name] = path(f"{name}.udl")
    rc, out, err = run(*args, "--save", models[name])
    check(f"{name}: trained", rc == 0, err)


def exact(a, b):
    """Equal bit for bit (NaN never occurs in model files)."""
    return np.asarray(a).dtype == np.float64 and np.array_equal(
        np.asarray(a).view(np.uint64), np.asarray(b, dtype="<f8").view(np.uint64))


# ---- udl info ----------------------------------------------------------------------------

for name, model in models.items():
    kind, fields = read_model(model)
    rc, out, err = run("info", model, "--json")
    check(f"{name}: info --json", rc == 0 and out.count("\n") == 1 and err == "", err)
    res = json.loads(out) if rc == 0 else {}
    check(f"{name}: kind and version", res.get("kind") == KINDS[kind] == name and
          res.get("format_version") == 2, res.get("kind"))
    got = res.get("fields", {})
    check(f"{name}: every field", sorted(got) == sorted(fields), (sorted(got), sorted(fields)))
    for key, want in fields.items():
        f = got.get(key, {})
        if isinstance(want, np.ndarray):
            ok = f.get("type") == "matrix" and f.get("shape") == list(want.shape)
        elif isinstance(want, int):
            ok = f.get("type") == "integer" and f.get("value") == want
        else:
            ok = f.get("type") == "number" and f.get("value") == want  # %.17g reads back exact
        check(f"{name}: field {key}", ok and f.get("about"), (f, want))
    check(f"{name}: inputs", res.get("n_inputs") == 8, res.get("n_inputs"))
    hist_names = [k for k in fields if k.split(".")[-1] == "history"]
    check(f"{name}: a history for each trained part", sorted(res.get("history", {})) ==
          sorted(hist_names + [k for k in fields if k in ("valid_loss", "valid_error")]),
          res.get("history"))
    for key in hist_names:
        h, want = res["history"][key], fields[key][0]
        check(f"{name}: {key} summary", h["epochs"] == len(want) and h["first"] == want[0] and
              h["last"] == want[-1] and h["lowest"] == want.min() and
              h["lowest_epoch"] == int(np.argmin(want)) + 1, (h, want))

    # the text form names every scalar with its value, every array with its shape
    rc, text, err = run("info", model)
    check(f"{name}: info text", rc == 0 and text.startswith(f"{model}: ") and
          f"({name}), model file format 2" in text, text[:200])
    lines = {ln.split()[0]: ln.split()[1:] for ln in text.splitlines() if ln.startswith("  ")}
    for key, want in fields.items():
        words = lines.get(key, [])
        if isinstance(want, np.ndarray):
            ok = words[:3] == [str(want.shape[0]), "x", str(want.shape[1])] or \
                key.split(".")[-1] == "history" or key in ("valid_loss", "valid_error")
        else:
            ok = bool(words) and float(words[0]) == want
        check(f"{name}: text {key}", ok, words)

# sizes, activations, choices and the classifier's validation history
res = json.loads(run("info", models["dnn"], "--json")[1])
_, dnn = read_model(models["dnn"])
check("dnn sizes", res["layer_sizes"] == [8, 7, 5, 3] and res["n_outputs"] == 3 and
      res["n_codes"] == 5, res["layer_sizes"])
check("dnn activations", res["activations"] == ["relu", "relu", "softmax"], res["activations"])
check("dnn choice named", res["fields"]["activation"]["choice"] == "relu" and
      res["fields"]["act2"]["layer"] == 2, res["fields"]["act2"])
err_hist = dnn["valid_error"][0]
check("dnn validation summary", res["history"]["valid_error"]["last"] == err_hist[-1] and
      res["history"]["valid_error"]["lowest"] == err_hist.min(), res["history"])
rc, text, _ = run("info", models["dnn"])
check("dnn text", "layer sizes 8 -> 7 -> 5 -> 3" in text and
      "activations relu, relu, softmax" in text and "classes 3" in text and
      "act2             4 (softmax)" in text, text)
res = json.loads(run("info", models["rbm"], "--json")[1])
check("rbm method named", res["fields"]["method"]["choice"] == "pcd", res["fields"]["method"])
res = json.loads(run("info", models["pca"], "--json")[1])
check("pca sizes", res["layer_sizes"] == [8, 3] and res["n_codes"] == 3, res["layer_sizes"])
res = json.loads(run("info", models["sae"], "--json")[1])
check("sae sizes", res["layer_sizes"] == [8, 6, 3] and
      res["fields"]["L1.W"]["layer"] == 1, res["layer_sizes"])

# ---- udl export --------------------------------------------------------------------------

for name, model in models.items():
    out_dir = path(f"export-{name}")
    shutil.rmtree(out_dir, ignore_errors=True)
    rc, out, err = run("export", model, "-o", out_dir)
    check(f"{name}: export", rc == 0 and "model.json" in out, err)
    _, fields = read_model(model)
    desc = json.load(open(os.path.join(out_dir, "model.json")))
    arrays = {k: v for k, v in fields.items() if isinstance(v, np.ndarray)}
    check(f"{name}: files", sorted(os.listdir(out_dir)) ==
          sorted([f"{k}.npy" for k in arrays] + ["model.json"]), os.listdir(out_dir))
    for key, want in arrays.items():
        got = np.load(os.path.join(out_dir, f"{key}.npy"))
        d = desc["fields"][key]
        check(f"{name}: {key}.npy bit for bit", got.shape == want.shape and exact(got, want) and
              d["file"] == f"{key}.npy" and d["shape"] == list(want.shape) and d["about"],
              key)
    for key, want in fields.items():
        if not isinstance(want, np.ndarray):
            check(f"{name}: model.json {key}", desc["fields"][key]["value"] == want,
                  desc["fields"][key])
    check(f"{name}: model.json kind", desc["kind"] == name and desc["format_version"] == 2,
          desc["kind"])


def export_dir(name):
    d = path(f"export-{name}")
    desc = json.load(open(os.path.join(d, "model.json")))
    return desc, lambda key: np.load(os.path.join(d, desc["fields"][key]["file"]))


ACT = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "relu": lambda a: np.maximum(a, 0),
       "tanh": np.tanh, "linear": lambda a: a}


def softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# a classifier, by the layers model.json describes: h = act_l(h @ W_l + b_l)
desc, arr = export_dir("dnn")
h = x
for layer in range(desc["fields"]["layers"]["value"]):
    a = h @ arr(f"W{layer}") + arr(f"b{layer}")
    act = desc["fields"][f"act{layer}"]["choice"]
    h = softmax(a) if act == "softmax" else ACT[act](a)
rc, _, err = run("predict", "--model", models["dnn"], "-i", path("x.npy"), "--proba",
                 path("proba.npy"))
check("dnn forward pass from the export = udl predict",
      rc == 0 and np.allclose(h, np.load(path("proba.npy")), rtol=0, atol=1e-13), err)

# an autoencoder's codes: sigmoid(X W + b), with b the codes' bias
desc, arr = export_dir("ae")
z = ACT["sigmoid"](x @ arr("W") + arr("b"))
rc, _, err = run("encode", "--model", models["ae"], "-i", path("x.npy"), "-o", path("z.npy"))
check("ae codes from the export = udl encode",
      rc == 0 and np.allclose(z, np.load(path("z.npy")), rtol=0, atol=1e-13), err)
check("ae about says which bias", "codes" in desc["fields"]["b"]["about"] and
      "reconstruction" in desc["fields"]["c"]["about"], desc["fields"]["b"])

# a whitened PCA: (X - mean) components^T / sqrt(eigenvalues[:k])
desc, arr = export_dir("pca")
k = desc["fields"]["n_components"]["value"]
z = (x - arr("mean")) @ arr("components").T / np.sqrt(arr("eigenvalues")[0, :k])
rc, _, err = run("pca", "--load", models["pca"], "-i", path("x.npy"), "-o", path("zp.npy"))
check("pca transform from the export = udl pca --load",
      rc == 0 and np.allclose(z, np.load(path("zp.npy")), rtol=0, atol=1e-12), err)

# a stack exported again into the same folder replaces its files
rc, out, err = run("export", models["sae"], "-o", path("export-sae"), "--json")
n_arrays = sum(isinstance(v, np.ndarray) for v in read_model(models["sae"])[1].values())
check("export again, --json", rc == 0 and json.loads(out)["arrays"] == n_arrays, out + err)

# ---- errors: one line, non-zero exit, nothing written ---------------------------------------

open(path("corrupt.udl"), "wb").write(open(models["ae"], "rb").read()[:-9] + b"\0" * 5)
open(path("plain.txt"), "w").write("not a folder\n")
check_errors("info", [
    ("info: missing file", [path("missing.udl")], "missing.udl"),
    ("info: corrupt file", [path("corrupt.udl")], "CRC-32"),
    ("info: no file named", ["--json"], "needs a model file"),
    ("info: two files", [models["ae"], models["rbm"]], "unexpected argument"),
], path("nothing"))
fresh = path("fresh")
check_errors("export", [
    ("export: missing file", [path("missing.udl"), "-o", fresh], "missing.udl"),
    ("export: corrupt file", [path("corrupt.udl"), "-o", fresh], "CRC-32"),
    ("export: no -o", [models["ae"]], "needs -o DIR"),
    ("export: parent missing", [models["ae"], "-o", os.path.join(fresh, "sub")],
     "cannot create"),
], fresh)
check_errors("export", [
    ("export: a file in the way", [models["ae"], "-o", path("plain.txt")],
     "is not a directory"),
    ("export: under a file", [models["ae"], "-o", path("plain.txt") + "/out"],
     "Not a directory"),
], path("plain.txt/out"))
check("the file in the way is untouched", open(path("plain.txt")).read() == "not a folder\n")

# a failure after some files were written (b1.npy cannot replace a folder) leaves the
# folder as it was
blocked = path("blocked")
shutil.rmtree(blocked, ignore_errors=True)
os.makedirs(os.path.join(blocked, "b1.npy"))
rc, out, err = run("export", models["dnn"], "-o", blocked)
check("export: blocked exit", rc != 0 and len(err.strip().splitlines()) == 1 and
      "b1.npy" in err and out == "", err)
check("export: blocked leaves nothing", os.listdir(blocked) == ["b1.npy"] and
      os.listdir(os.path.join(blocked, "b1.npy")) == [], os.listdir(blocked))

rc, out, _ = run("export", "--help")
check("export help", rc == 0 and "usage: udl export" in out)
finish("info")
