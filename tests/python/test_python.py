"""The Python package (python/udl) against the library it wraps, NumPy and the udl tool:
the ctypes structs against the compiler's layout, PCA against numpy.linalg.eigh, t-SNE's
embedding, a DNN's predictions against `udl predict`, the library's sentences in the
exceptions, save/load of every class, and arrays passed with and without a copy.
usage: test_python.py UDL_BINARY STRUCT_LAYOUT_BINARY WORK_DIR
(UDL_LIBRARY names the libudl.so under test; exit 77, skipped, without python3-numpy.)"""
import os
import subprocess
import sys
import traceback

try:
    import numpy as np
except ImportError:
    print("SKIP: NumPy is missing (apt-get install python3-numpy)")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "python"))
import udl  # noqa: E402
from udl import _core, _lib  # noqa: E402

UDL, LAYOUT, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)
rng = np.random.default_rng(11)


def path(name):
    return os.path.join(WORK, name)


def raises(status, words, fn, *args, **kw):
    """fn(*args) must raise udl.Error with status and the library's sentence holding words."""
    try:
        fn(*args, **kw)
    except udl.Error as e:
        assert e.status == status, (e.status, str(e))
        assert words in str(e) and str(e) == e.message, str(e)
        return e
    raise AssertionError(f"no udl.Error (status {status}, '{words}')")


def blobs(n, d=8, k=3, seed=5):
    """k separated Gaussian blobs in [0, 1) and their labels."""
    g = np.random.default_rng(seed)
    centres = 0.2 + 0.6 * g.random((k, d))
    y = np.arange(n) % k
    return np.clip(centres[y] + 0.08 * g.standard_normal((n, d)), 0, 0.999), y


# ---- the ctypes declarations --------------------------------------------------------


def test_structs_match_the_compilers_layout():
    out = subprocess.run([LAYOUT], capture_output=True, text=True, check=True).stdout
    sizes, fields = {}, {}
    for line in out.splitlines():
        name, *numbers = line.split()
        if "." in name:
            struct, field = name.split(".")
            fields.setdefault(struct, {})[field] = tuple(map(int, numbers))
        else:
            sizes[name] = int(numbers[0])
    assert sorted(sizes) == sorted(s._c_name for s in _lib.STRUCTS), sizes
    for s in _lib.STRUCTS:
        assert _lib.ctypes.sizeof(s) == sizes[s._c_name], (s._c_name, _lib.ctypes.sizeof(s))
        mine = {f: (getattr(s, f).offset, getattr(s, f).size) for f, _ in s._fields_}
        assert mine == fields[s._c_name], (s._c_name, mine, fields[s._c_name])


def test_defaults_come_back_through_the_structs():
    t = _lib.lib.udl_tsne_params_default()
    assert (t.n_components, t.perplexity, t.method, t.theta, t.n_iter) == (2, 30, 0, 0.5, 1000)
    assert (t.early_exaggeration, t.exaggeration_iter, t.learning_rate) == (12, 250, 0)
    assert (t.momentum_early, t.momentum, t.min_gain, t.init, t.seed, t.report_every) == \
        (0.5, 0.8, 0.01, 0, 1, 50)
    r = _lib.lib.udl_rbm_params_default()
    assert (r.n_visible, r.n_hidden, r.method, r.k) == (0, 0, 0, 1)
    tr = r.train
    assert (tr.epochs, tr.batch_size, tr.seed, tr.warmup_epochs, tr.warmup_momentum) == \
        (20, 100, 1, 5, 0.5)
    assert (tr.sgd.learning_rate, tr.sgd.momentum, tr.sgd.weight_decay, tr.sgd.nesterov) == \
        (0.1, 0.9, 0.0002, 0)
    assert (tr.decay, tr.decay_rate, tr.decay_every) == (0, 1, 1)
    a = _lib.lib.udl_attack_params_default(5)  # DeepFool: 50 steps
    assert (a.method, a.eps, a.steps, a.step_size, a.restarts, a.targeted) == (5, 0.1, 50, 0, 1, 0)
    assert (a.clip_min, a.clip_max, a.overshoot, a.seed) == (0, 1, 0.02, 1)
    pp = _lib.lib.udl_dnn_pretrain_params_default(2)
    assert (pp.method, pp.train.epochs, pp.noise) == (2, 10, 0.25)
    assert _lib.lib.udl_deep_ae_params_default().train.sgd.learning_rate == 0.01
    p = _lib.lib.udl_pca_params_default()
    assert (p.n_components, p.variance_fraction, p.whiten) == (2, 0.95, 0)


# ---- PCA and t-SNE ------------------------------------------------------------------


def test_pca_matches_eigh_up_to_sign():
    x = rng.standard_normal((300, 7)) @ rng.standard_normal((7, 7)) + 3
    pca = udl.PCA(n_components=3).fit(x)
    w, v = np.linalg.eigh(np.cov(x, rowvar=False, bias=True))
    w, v = w[::-1], v[:, ::-1]
    assert np.allclose(pca.explained_variance_, w[:3], rtol=1e-10)
    assert np.allclose(pca.explained_variance_ratio_, w[:3] / w.sum(), rtol=1e-10)
    c = pca.components_
    assert c.shape == (3, 7) and np.allclose(np.abs(np.sum(c * v[:, :3].T, axis=1)), 1)
    assert np.allclose(pca.mean_, x.mean(axis=0))
    z = pca.transform(x)
    assert np.allclose(z, (x - x.mean(axis=0)) @ c.T)
    xhat = pca.inverse_transform(z)
    assert np.allclose(xhat, z @ c + x.mean(axis=0))
    assert np.isclose(pca.reconstruction_error(x), w[3:].sum())
    assert pca.n_components_ == 3 and pca.n_features_in_ == 7
    k = int(np.searchsorted(np.cumsum(w) / w.sum(), 0.9) + 1)
    assert udl.PCA(n_components=0.9).fit(x).n_components_ == k
    white = udl.PCA(3, whiten=True).fit_transform(x)
    assert np.allclose(white.var(axis=0), 1)


def neighbours_in_cluster(y, labels, k=5):
    d = ((y[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1)[:, :k]
    return np.mean(labels[nn] == labels[:, None])


def test_tsne_embeds_clusters_as_clusters():
    labels = np.repeat(np.arange(3), 50)
    x = rng.normal(size=(3, 10))[labels] * 8 + rng.normal(size=(150, 10))
    for method in ("exact", "barnes-hut"):
        tsne = udl.TSNE(perplexity=15, method=method, n_iter=400)
        y = tsne.fit_transform(x)
        assert y.shape == (150, 2) and np.isfinite(y).all()
        assert tsne.method_ == method and tsne.n_iter_ == 400
        assert np.isfinite(tsne.kl_divergence_) and tsne.kl_divergence_ > 0
        assert neighbours_in_cluster(y, labels) > 0.95
    given = udl.TSNE(n_components=3, perplexity=15, n_iter=50, init=y[:, :1].repeat(3, 1))
    assert given.fit_transform(x).shape == (150, 3)


# ---- the classifier and the tool ----------------------------------------------------


def test_dnn_predicts_what_udl_predict_does():
    x, y = blobs(240)
    dnn = udl.DNN(hidden=(16, 8), epochs=30, batch_size=20, seed=3).fit(x, y)
    assert dnn.score(x, y) > 0.95 and list(dnn.classes_) == [0, 1, 2]
    assert len(dnn.history_) == 30 and dnn.sizes_ == [8, 16, 8, 3]
    dnn.save(path("dnn.udl"))
    xt, yt = blobs(90, seed=6)
    np.save(path("xt.npy"), xt)
    subprocess.run([UDL, "predict", "--model", path("dnn.udl"), "-i", path("xt.npy"),
                    "-o", path("labels.npy"), "--proba", path("proba.npy")], check=True)
    labels, proba = np.load(path("labels.npy")), np.load(path("proba.npy"))
    assert np.array_equal(dnn.predict(xt), labels[:, 0].astype(np.int64))
    assert np.allclose(dnn.predict_proba(xt), proba, rtol=0, atol=1e-12)
    e = dnn.evaluate(xt, yt)
    assert e["n"] == 90 and np.isclose(e["accuracy"], np.mean(dnn.predict(xt) == yt))
    assert e["confusion"].sum() == 90 and np.trace(e["confusion"]) == round(90 * e["accuracy"])
    h = 1 / (1 + np.exp(-(xt @ dnn.coefs_[0] + dnn.intercepts_[0])))
    assert np.allclose(dnn.transform(xt), 1 / (1 + np.exp(-(h @ dnn.coefs_[1] +
                                                            dnn.intercepts_[1]))))


def test_dnn_pretrains_validates_and_stops_early():
    x, y = blobs(200)
    dnn = udl.DNN(hidden=(12,), pretrain="rbm", pretrain_epochs=2, valid_fraction=0.2,
                  patience=2, epochs=10, batch_size=20, learning_rate=0.2).fit(x, y)
    p = _lib.lib.udl_dnn_get_params(dnn._obj)
    assert (p.valid_fraction, p.patience, p.train.epochs, p.train.batch_size) == (0.2, 2, 10, 20)
    assert p.train.sgd.learning_rate == 0.2
    assert len(dnn.valid_loss_) == 10 and dnn.valid_error_[-1] == 0
    noise = rng.random((100, 8))  # labels unrelated to X: the validation loss soon rises
    dnn = udl.DNN(hidden=(12,), valid_fraction=0.2, patience=2, epochs=40, batch_size=20)
    assert len(dnn.fit(noise, np.arange(100) % 3).history_) < 40
    xv, yv = blobs(60, seed=9)
    dnn = udl.DNN(hidden=(12,), activation="relu", epochs=3, batch_size=20)
    assert np.isfinite(dnn.fit(x, y, validation=(xv, yv)).valid_loss_).all()


def test_attacks_stay_in_the_ball_and_raise_the_error():
    x, y = blobs(150)
    dnn = udl.DNN(hidden=(16,), epochs=20, batch_size=20).fit(x, y)
    for method in ("fgsm", "pgd"):
        adv, report = udl.attack(dnn, x, y, method=method, eps=0.3, report=True)
        assert adv.shape == x.shape and np.abs(adv - x).max() <= 0.3 + 1e-12
        assert adv.min() >= 0 and adv.max() <= 1
        assert np.array_equal(report["label_before"], dnn.predict(x))
        assert np.array_equal(report["label_after"], dnn.predict(adv))
        assert np.allclose(report["linf"], np.abs(adv - x).max(axis=1))
        assert dnn.score(adv, y) < dnn.score(x, y) - 0.3, (method, dnn.score(adv, y))
    assert udl.attack(dnn, x[:5], method="deepfool").shape == (5, 8)


# ---- errors -------------------------------------------------------------------------


def test_errors_carry_the_librarys_sentence():
    x = rng.random((40, 5))
    pca = udl.PCA(2).fit(x)
    before = pca.transform(x)
    raises(udl.ESHAPE, "X has 4 columns, the model expects 5", pca.transform, x[:, :4])
    bad = x.copy()
    bad[3, 2] = np.nan
    raises(udl.EINVAL, "X[3][2] is nan", pca.fit, bad)
    assert np.array_equal(pca.transform(x), before)  # the failed fit kept the model
    raises(udl.EINVAL, "perplexity", udl.TSNE(perplexity=50).fit_transform, x)
    raises(udl.EINVAL, "labels", udl.DNN(hidden=(4,), epochs=1).fit, x, np.full(40, 0.5))
    raises(udl.ESTATE, "not fitted", udl.RBM().transform, x)
    raises(udl.EIO, "", udl.load, path("no such file.udl"))
    with open(path("junk.udl"), "wb") as f:
        f.write(b"not a model file at all")
    raises(udl.EFORMAT, "", udl.load, path("junk.udl"))
    raises(udl.EINVAL, "n_components", udl.PCA(9).fit, x)
    for bad_call in (lambda: udl.Autoencoder(loss="hinge").fit(x),
                     lambda: udl.attack(udl.DNN(), x, method="magic"),
                     lambda: pca.transform(x[0]),
                     lambda: udl.RBM(k=-1).fit(x)):
        try:
            bad_call()
            raise AssertionError("accepted")
        except (ValueError, TypeError) as e:
            assert not isinstance(e, udl.Error)
    for unknown in (lambda: udl.RBM(epoch=3), lambda: udl.TSNE(iterations=3)):
        try:
            unknown()
            raise AssertionError("accepted")
        except TypeError as e:
            assert "unexpected keyword" in str(e)


def test_progress_reports_and_cancels():
    x = rng.random((60, 6))
    seen = []
    udl.DBN(layers=(5, 4), epochs=2, batch_size=20).fit(x, progress=seen.append)
    ends = [(p.layer, p.step) for p in seen if p.batch == p.batches]
    assert ends == [(1, 1), (1, 2), (2, 1), (2, 2)] and seen[0].layers == 2
    assert seen[0].stage == "rbm" and seen[0].batches == 3 and np.isfinite(seen[-1].loss)
    ae = udl.Autoencoder(4, epochs=1).fit(x)
    first = ae.weights_
    e = raises(udl.ECANCELED, "", ae.fit, x, progress=lambda p: p.batch == 1)
    assert e.status_name == "canceled" and np.array_equal(ae.weights_, first)

    class Stop(Exception):
        pass

    def stop(p):
        raise Stop()
    try:
        udl.TSNE(perplexity=10).fit_transform(x, progress=stop)
        raise AssertionError("not stopped")
    except Stop:
        pass


# ---- models, files and arrays -------------------------------------------------------


def fitted_models(x):
    return [udl.PCA(3).fit(x),
            udl.Autoencoder(5, noise="mask", noise_level=0.2, epochs=3).fit(x),
            udl.StackedAutoencoder(layers=(6, 3), epochs=2).fit(x),
            udl.DeepAutoencoder(layers=(6, 3), pretrain_epochs=2, epochs=2).fit(x),
            udl.RBM(5, epochs=3, method="pcd").fit(x),
            udl.DBN(layers=(6, 4), epochs=2).fit(x),
            udl.DNN(hidden=(6,), epochs=3).fit(x, np.arange(len(x)) % 3)]


def test_every_class_saves_and_loads_as_itself():
    x = blobs(80)[0]
    for model in fitted_models(x):
        name = type(model).__name__
        model.save(path(name + ".udl"))
        back = udl.load(path(name + ".udl"))
        assert type(back) is type(model), (name, type(back))
        assert np.array_equal(back.transform(x), model.transform(x)), name
        assert back.n_features_in_ == 8
        for method, args in (("reconstruct", (x,)), ("sample", (4, 10, 7)),
                             ("predict_proba", (x,)), ("inverse_transform", (x[:, :3],))):
            if hasattr(model, method):
                assert np.array_equal(getattr(back, method)(*args),
                                      getattr(model, method)(*args)), (name, method)
        for attr in ("n_components", "n_hidden", "layers", "hidden", "noise", "method"):
            if hasattr(model, attr):
                assert getattr(back, attr) == getattr(model, attr), (name, attr)
        back.close()
        back.close()  # a second close does nothing
        raises(udl.ESTATE, "not fitted", back.transform, x)
    raises(udl.EKIND, "has no predict", udl.PCA(3).fit(x)._generic,
           _lib.lib.udl_model_predict, x, 1)


def test_arrays_are_viewed_or_converted_once():
    x = rng.random((50, 6))
    view, arr = _core.as_matrix(x)
    assert arr is x and view.ld == 6 and _lib.ctypes.addressof(view.data.contents) == \
        x.ctypes.data
    for sliced, ld in ((x[::2], 12), (x[:, :4], 6), (x[10:20, 1:5], 6)):
        view, arr = _core.as_matrix(sliced)
        assert arr is sliced and view.ld == ld and (view.rows, view.cols) == sliced.shape
    for copied in (x.astype(np.float32), np.asfortranarray(x), x[:, ::2], x[::-1],
                   x.astype(">f8"), (x * 10).astype(np.int64)):
        view, arr = _core.as_matrix(copied)
        assert arr is not copied and arr.flags.c_contiguous and arr.dtype == np.float64
    pca = udl.PCA(2).fit(x)
    for variant in (x[::2], x[:, :6], np.asfortranarray(x), x.astype(np.float32)):
        dense = np.ascontiguousarray(variant, dtype=np.float64)
        assert np.array_equal(pca.transform(variant), pca.transform(dense))
    assert np.array_equal(udl.PCA(2).fit(x[::2]).components_,
                          udl.PCA(2).fit(x[::2].copy()).components_)
    frozen = x.copy()
    frozen.flags.writeable = False
    assert np.array_equal(pca.transform(frozen), pca.transform(x))


def test_read_gives_what_numpy_wrote():
    images = rng.integers(0, 256, (5, 3, 4), dtype=np.uint8)
    np.save(path("images.npy"), images)
    assert np.allclose(udl.read(path("images.npy")), images.reshape(5, 12) / 255, rtol=1e-15)
    assert np.array_equal(udl.read(path("images.npy"), raw=True), images.reshape(5, 12))
    np.save(path("labels.npy"), np.array([2, 0, 1]))
    assert np.array_equal(udl.read(path("labels.npy")), [[2], [0], [1]])
    with open(path("x.csv"), "w") as f:
        f.write("a,b\n1,2.5\n# comment\n-3,4e2\n")
    assert np.array_equal(udl.read(path("x.csv")), [[1, 2.5], [-3, 400]])
    raises(udl.EIO, "", udl.read, path("missing.npy"))


def test_rbm_and_autoencoder_learn():
    x = (rng.random((200, 12)) < np.tile([0.9] * 6 + [0.1] * 6, (200, 1))).astype(float)
    rbm = udl.RBM(6, epochs=15, batch_size=10, learning_rate=0.05).fit(x)
    assert rbm.history_[-1] < rbm.history_[0] and rbm.weights_.shape == (12, 6)
    f = rbm.free_energy(x[:3])
    h = rbm.hidden_bias_ + x[:3] @ rbm.weights_
    assert np.allclose(f, -x[:3] @ rbm.visible_bias_ - np.logaddexp(0, h).sum(axis=1))
    assert rbm.gibbs(x[:4], 2, 3).shape == (4, 12) and np.isfinite(rbm.pseudo_likelihood(x))
    ae = udl.Autoencoder(4, noise="gaussian", noise_level=0.1, epochs=10, batch_size=10).fit(x)
    assert ae.history_[-1] < ae.history_[0]
    z = 1 / (1 + np.exp(-(x @ ae.weights_ + ae.hidden_bias_)))
    assert np.allclose(ae.transform(x), z) and np.isfinite(ae.cost(x))


def main():
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_")]
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print(f"ok   {name}")
        except Exception:  # noqa: B902 (every failure is reported, then counted)
            failed += 1
            print(f"FAIL {name}\n{traceback.format_exc()}")
    print(f"{len(tests) - failed} passed, {failed} failed (libudl: {udl.library_path})")
    sys.exit(1 if failed else 0)


main()
