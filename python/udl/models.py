"""The unsupervised models: PCA, t-SNE, autoencoders (single, stacked, deep), RBMs and
deep belief nets, each over its C API (udl/pca.h, tsne.h, autoencoder.h, rbm.h).

Every array argument is passed to the library without a copy when it is float64 with
its rows laid out as in a C-contiguous array (X itself, or a block of its rows or
columns); anything else (float32, integers, Fortran order) is converted once by
numpy.ascontiguousarray(X, dtype=float64). Results are new float64 arrays."""
from ctypes import byref

import numpy as np

from ._core import (TRAIN_DOC, Model, Reconstructs, Samples, apply_train, as_matrix,
                    check_train_options, copy_array, enum_value, history, new_matrix,
                    progress_callback, read_sizes, scalar, set_field, sizes_array)
from ._lib import TsneResult, lib

KIND_PCA, KIND_AE, KIND_SAE, KIND_DEEP_AE, KIND_RBM, KIND_DBN = 1, 2, 3, 4, 5, 6
LOSSES = {"cross-entropy": 0, "squared": 1}
NOISES = {"none": 0, "mask": 1, "gaussian": 2}
UNITS = {"bernoulli": 0, "gaussian": 1}
RBM_METHODS = {"cd": 0, "pcd": 1}
TSNE_METHODS = {"auto": 0, "exact": 1, "barnes-hut": 2}
TSNE_INITS = {"pca": 0, "random": 1}


def name_of(names, value):
    return next((n for n, v in names.items() if v == value), value)


# ---- PCA ------------------------------------------------------------------------------


class PCA(Model):
    """Principal component analysis by covariance and eigendecomposition (udl_pca_*).

    PCA(n_components=2, whiten=False): n_components is a count k, or a float in (0, 1),
    which keeps the fewest components whose explained variance ratio reaches it. With
    whiten, transform gives unit-variance columns. explained_variance_ holds the
    eigenvalues of the covariance divided by N (scikit-learn divides by N - 1; the
    ratios are the same)."""

    _kind, _c = KIND_PCA, "udl_pca"
    _train_name = "fit"

    def __init__(self, n_components=2, whiten=False):
        self.n_components, self.whiten = n_components, whiten

    def _params(self, n_features):
        p = lib.udl_pca_params_default()
        k = self.n_components
        if isinstance(k, float) and 0 < k < 1:
            p.n_components, p.variance_fraction = 0, k
        else:
            set_field(p, "n_components", k)
        p.whiten = int(bool(self.whiten))
        return (byref(p),)

    def _after_load(self):
        p = lib.udl_pca_get_params(self._obj)
        self.n_components, self.whiten = p.n_components, bool(p.whiten)

    @property
    def n_components_(self):
        return lib.udl_pca_n_components(self._obj)

    def _vector(self, fn, n):
        return copy_array(fn(self._obj), (n,))

    @property
    def components_(self):
        """k x D, one unit-length component per row, its largest entry positive."""
        shape = (self.n_components_, lib.udl_pca_n_features(self._obj))
        return copy_array(lib.udl_pca_components(self._obj), shape)

    @property
    def explained_variance_(self):
        return self._vector(lib.udl_pca_eigenvalues, self.n_components_)

    @property
    def explained_variance_ratio_(self):
        return self._vector(lib.udl_pca_explained_variance_ratio, self.n_components_)

    @property
    def mean_(self):
        return self._vector(lib.udl_pca_mean, lib.udl_pca_n_features(self._obj))

    def inverse_transform(self, Z):
        """X^ (N x D) from codes Z (N x k)."""
        zm, za = as_matrix(Z, "Z")
        out, xa = new_matrix(za.shape[0], lib.udl_pca_n_features(self._obj))
        lib.udl_pca_inverse_transform(self._obj, zm, out)
        return xa

    def reconstruction_error(self, X):
        """Mean over rows of |x - x^|^2 (on the training data, the discarded variance)."""
        return scalar(lib.udl_pca_reconstruction_error, self._obj, X)


# ---- t-SNE ----------------------------------------------------------------------------


class TSNE:
    """t-SNE (udl_tsne_embed): exact below 128 points, Barnes-Hut above (method "auto";
    or "exact", "barnes-hut").

    TSNE(n_components=2, perplexity=30.0, method="auto", init="pca", learning_rate="auto",
    theta=, n_iter=, early_exaggeration=, exaggeration_iter=, momentum_early=, momentum=,
    min_gain=, seed=, report_every=): the options left None keep the library's defaults
    (theta 0.5, 1000 steps, exaggeration 12 for 250 steps, momentum 0.5 then 0.8, seed 1).
    init is "pca", "random" or an N x n_components array to start from. After a fit:
    embedding_, kl_divergence_, n_iter_, method_ ("exact" or "barnes-hut"), learning_rate_.
    t-SNE is not a model: it embeds the data it is given and has no save."""

    _FIELDS = ("theta", "n_iter", "early_exaggeration", "exaggeration_iter",
               "momentum_early", "momentum", "min_gain", "seed", "report_every")

    def __init__(self, n_components=2, perplexity=30.0, method="auto", init="pca",
                 learning_rate="auto", **options):
        unknown = sorted(set(options) - set(self._FIELDS))
        if unknown:
            raise TypeError(f"TSNE() got unexpected keyword arguments {', '.join(unknown)}")
        self.n_components, self.perplexity, self.method = n_components, perplexity, method
        self.init, self.learning_rate, self.options = init, learning_rate, options

    def _params(self):
        p = lib.udl_tsne_params_default()
        set_field(p, "n_components", self.n_components)
        set_field(p, "perplexity", self.perplexity)
        p.method = enum_value("method", TSNE_METHODS, self.method)
        set_field(p, "learning_rate", 0.0 if self.learning_rate == "auto" else
                  self.learning_rate)
        for name, value in self.options.items():
            set_field(p, name, value)
        return p

    def fit_transform(self, X, progress=None):
        """Y (N x n_components), the embedding of X (N x D, N >= 4, perplexity < N)."""
        p = self._params()
        m, xa = as_matrix(X)
        if isinstance(self.init, str):
            p.init = enum_value("init", TSNE_INITS, self.init)
            ym, ya = new_matrix(xa.shape[0], p.n_components)
        else:
            p.init = 2  # UDL_TSNE_INIT_GIVEN: Y is read, then overwritten
            ya = np.array(self.init, dtype=np.float64, order="C", ndmin=2)
            ym, ya = as_matrix(ya, "init")
        result = TsneResult()
        with progress_callback(progress) as fn:
            lib.udl_tsne_embed(byref(p), m, ym, fn, None, byref(result))
        self.embedding_, self.kl_divergence_ = ya, result.kl
        self.n_iter_, self.learning_rate_ = result.iterations, result.learning_rate
        self.method_ = name_of(TSNE_METHODS, result.method)
        return ya

    def fit(self, X, progress=None):
        self.fit_transform(X, progress)
        return self


# ---- autoencoders ---------------------------------------------------------------------


class _Cost:
    """cost and history_ of the autoencoders (udl_ae_*, udl_deep_ae_*)."""

    def cost(self, X):
        """The mean per-row reconstruction loss on X (without noise)."""
        return scalar(getattr(lib, self._c + "_cost"), self._obj, X)

    history_ = property(lambda self: history(getattr(lib, self._c + "_history"), self._obj))


class _Stack:
    """A stack trained greedily (udl_sae, udl_dbn) from one layer's options and the
    sizes {D, *layers}."""

    def _params(self, n_features):
        sizes, n = sizes_array((n_features, *self.layers))
        return byref(self._layer_params()), sizes, n

    def _after_load(self):
        """Sets layers, and the options as layer 0 has them; returns the top layer's params."""
        n = getattr(lib, self._c + "_n_layers")(self._obj)
        layers = [getattr(lib, self._c + "_layer")(self._obj, i) for i in range(n)]
        get_params = getattr(lib, self._layer_c + "_get_params")
        self.layers = tuple(get_params(layer).n_hidden for layer in layers)
        self._read_options(layers[0])
        return get_params(layers[-1])


class _AeOptions:
    """The options of a tied-weight autoencoder layer (udl_ae_params)."""

    _layer_c = "udl_ae"

    def _set_ae_options(self, loss, linear, noise, noise_level, train):
        self.loss, self.linear, self.noise, self.noise_level = loss, linear, noise, noise_level
        self.train_options = check_train_options(type(self).__name__, train)

    def _layer_params(self):
        p = lib.udl_ae_params_default()
        p.loss = enum_value("loss", LOSSES, self.loss)
        p.linear = int(bool(self.linear))
        p.noise = enum_value("noise", NOISES, self.noise or "none")
        set_field(p, "noise_level", self.noise_level)
        apply_train(p.train, self.train_options)
        return p

    def _read_options(self, ae):
        p = lib.udl_ae_get_params(ae)
        self.loss, self.linear = name_of(LOSSES, p.loss), bool(p.linear)
        self.noise, self.noise_level = name_of(NOISES, p.noise), p.noise_level
        return p


class Autoencoder(_AeOptions, _Cost, Reconstructs, Model):
    __doc__ = f"""A tied-weight autoencoder, Z = f(X W + b), X^ = f(Z W^T + c)
    (udl_ae_*), denoising when noise is "mask" (each input zeroed with probability
    noise_level, default 0.3) or "gaussian" (sigma noise_level).

    Autoencoder(n_hidden=100, loss="cross-entropy" | "squared", linear=False,
    noise="none", noise_level=None, **training options): cross-entropy needs X in
    [0, 1]; linear (identity units) needs the squared loss.
    fit(X), transform(X) (the codes), reconstruct(X), cost(X); history_, weights_ (D x M),
    hidden_bias_, visible_bias_.

    {TRAIN_DOC}"""

    _kind, _c = KIND_AE, "udl_ae"

    def __init__(self, n_hidden=100, loss="cross-entropy", linear=False, noise="none",
                 noise_level=None, **train):
        self.n_hidden = n_hidden
        self._set_ae_options(loss, linear, noise, noise_level, train)

    def _params(self, n_features):
        p = self._layer_params()
        set_field(p, "n_hidden", self.n_hidden)
        p.n_visible = n_features
        return (byref(p),)

    def _after_load(self):
        self.n_hidden = self._read_options(self._obj).n_hidden

    weights_ = property(lambda self: copy_array(
        lib.udl_ae_weights(self._obj), (self.n_features_in_, self.n_hidden)))
    hidden_bias_ = property(lambda self: copy_array(
        lib.udl_ae_hidden_bias(self._obj), (self.n_hidden,)))
    visible_bias_ = property(lambda self: copy_array(
        lib.udl_ae_visible_bias(self._obj), (self.n_features_in_,)))


class StackedAutoencoder(_Stack, _AeOptions, Model):
    __doc__ = f"""Autoencoders stacked and trained greedily, each on the codes of the one
    below (udl_sae_*). StackedAutoencoder(layers=(256, 64), and Autoencoder's options
    for every layer; layer i's seed is seed + i). transform(X) runs every encoder.

    {TRAIN_DOC}"""

    _kind, _c = KIND_SAE, "udl_sae"

    def __init__(self, layers=(256, 64), loss="cross-entropy", linear=False, noise="none",
                 noise_level=None, **train):
        self.layers = tuple(layers)
        self._set_ae_options(loss, linear, noise, noise_level, train)


class DeepAutoencoder(_Cost, Reconstructs, Model):
    __doc__ = f"""A deep autoencoder (Hinton & Salakhutdinov 2006, udl_deep_ae_*): a stack
    pretrained greedily, unrolled into an encoder and a mirrored decoder, and fine-tuned
    end to end.

    DeepAutoencoder(layers=(256, 64), pretrain="ae", pretrain_epochs=None,
    linear_code=True, loss="cross-entropy", **training options for the fine-tuning,
    whose learning rate defaults to 0.01). pretrain is "ae" (a StackedAutoencoder),
    "rbm" (a DBN; the code layer is then the top RBM's, sigmoid), or a fitted
    StackedAutoencoder or DBN of the same layer sizes. transform(X) gives the code layer,
    reconstruct(X) the output; history_ the fine-tuning losses.

    {TRAIN_DOC}"""

    _kind, _c = KIND_DEEP_AE, "udl_deep_ae"

    def __init__(self, layers=(256, 64), pretrain="ae", pretrain_epochs=None,
                 linear_code=True, loss="cross-entropy", **train):
        self.layers, self.pretrain, self.pretrain_epochs = tuple(layers), pretrain, pretrain_epochs
        self.linear_code, self.loss = linear_code, loss
        self.train_options = check_train_options("DeepAutoencoder", train)

    def _stack(self, X, progress):
        if isinstance(self.pretrain, (StackedAutoencoder, DBN)):
            return self.pretrain, False
        cls = {"ae": StackedAutoencoder, "rbm": DBN}.get(self.pretrain)
        if cls is None:
            raise ValueError(f"pretrain must be 'ae', 'rbm' or a fitted StackedAutoencoder "
                             f"or DBN, not {self.pretrain!r}")
        options = {"epochs": self.pretrain_epochs, "seed": self.train_options.get("seed"),
                   "batch_size": self.train_options.get("batch_size")}
        return cls(self.layers, **options).fit(X, progress), True

    def _params(self):
        p = lib.udl_deep_ae_params_default()
        p.linear_code = int(bool(self.linear_code))
        p.loss = enum_value("loss", LOSSES, self.loss)
        apply_train(p.train, self.train_options)
        return p

    def fit(self, X, progress=None):
        stack, own_stack = self._stack(X, progress)
        try:
            make = (lib.udl_deep_ae_create_from_dbn if isinstance(stack, DBN)
                    else lib.udl_deep_ae_create)
            return self._fit(X, progress, make, lambda d: (stack._obj, byref(self._params())))
        finally:
            if own_stack:
                stack.close()

    def _after_load(self):
        sizes = read_sizes(lib.udl_deep_ae_sizes, self._obj)
        p = lib.udl_deep_ae_get_params(self._obj)
        self.layers = tuple(sizes[1:len(sizes) // 2 + 1])
        self.linear_code, self.loss = bool(p.linear_code), name_of(LOSSES, p.loss)



# ---- RBMs and deep belief nets --------------------------------------------------------


class _RbmOptions:
    """The options of an RBM layer (udl_rbm_params)."""

    _layer_c = "udl_rbm"

    def _set_rbm_options(self, visible, hidden, method, k, train):
        self.visible, self.hidden, self.method, self.k = visible, hidden, method, k
        self.train_options = check_train_options(type(self).__name__, train)

    def _layer_params(self):
        p = lib.udl_rbm_params_default()
        p.visible = enum_value("visible", UNITS, self.visible)
        p.hidden = enum_value("hidden", UNITS, self.hidden)
        p.method = enum_value("method", RBM_METHODS, self.method)
        set_field(p, "k", self.k)
        apply_train(p.train, self.train_options)
        return p

    def _read_options(self, rbm):
        p = lib.udl_rbm_get_params(rbm)
        self.visible, self.hidden = name_of(UNITS, p.visible), name_of(UNITS, p.hidden)
        self.method, self.k = name_of(RBM_METHODS, p.method), p.k
        return p


class RBM(_RbmOptions, Reconstructs, Samples, Model):
    __doc__ = f"""A restricted Boltzmann machine trained by CD-k or PCD (udl_rbm_*).

    RBM(n_hidden=256, visible="bernoulli" | "gaussian", hidden="bernoulli" | "gaussian",
    method="cd" | "pcd", k=None (1), **training options; the defaults follow Hinton's
    guide: momentum 0.5 for 5 epochs then 0.9, weight decay 0.0002). Bernoulli visibles
    read X in [0, 1] as probabilities. transform(X) = E[h | x], reconstruct(X),
    sample(n), gibbs(V), free_energy(X), pseudo_likelihood(X); history_ (the
    reconstruction error of each epoch), weights_, visible_bias_, hidden_bias_.

    {TRAIN_DOC}"""

    _kind, _c = KIND_RBM, "udl_rbm"

    def __init__(self, n_hidden=256, visible="bernoulli", hidden="bernoulli", method="cd",
                 k=None, **train):
        self.n_hidden = n_hidden
        self._set_rbm_options(visible, hidden, method, k, train)

    def _params(self, n_features):
        p = self._layer_params()
        set_field(p, "n_hidden", self.n_hidden)
        p.n_visible = n_features
        return (byref(p),)

    def _after_load(self):
        self.n_hidden = self._read_options(self._obj).n_hidden

    def free_energy(self, X):
        """F(x) for each row of X (N values): p(x) = exp(-F(x)) / Z."""
        m, xa = as_matrix(X)
        f = np.empty(xa.shape[0])
        lib.udl_rbm_free_energy(self._obj, m, f.ctypes.data_as(type(m.data)))
        return f

    def pseudo_likelihood(self, X, seed=1):
        """scikit-learn's score: the mean of n_visible log sigmoid(F(x~) - F(x))."""
        return scalar(lib.udl_rbm_pseudo_likelihood, self._obj, X, int(seed))

    def gibbs(self, V, n_steps=1, seed=1):
        """n_steps of Gibbs sampling from the rows of V (a copy; V is left as it is)."""
        m, va = as_matrix(np.array(V, dtype=np.float64, order="C"), "V")
        lib.udl_rbm_gibbs(self._obj, m, int(n_steps), int(seed))
        return va

    history_ = property(lambda self: history(lib.udl_rbm_history, self._obj))
    weights_ = property(lambda self: copy_array(
        lib.udl_rbm_weights(self._obj), (self.n_features_in_, self.n_hidden)))
    visible_bias_ = property(lambda self: copy_array(
        lib.udl_rbm_visible_bias(self._obj), (self.n_features_in_,)))
    hidden_bias_ = property(lambda self: copy_array(
        lib.udl_rbm_hidden_bias(self._obj), (self.n_hidden,)))


class DBN(_Stack, _RbmOptions, Reconstructs, Samples, Model):
    __doc__ = f"""A deep belief net: RBMs stacked and trained greedily, each on E[h | v]
    of the one below (udl_dbn_*). DBN(layers=(256,), and RBM's options for every layer:
    layer 0 has the visible units, the top layer the hidden units, Bernoulli between;
    layer i's seed is seed + i). transform(X) goes up the stack, reconstruct(X) up and
    back down, sample(n) Gibbs-samples the top RBM and takes the means down.

    {TRAIN_DOC}"""

    _kind, _c = KIND_DBN, "udl_dbn"

    def __init__(self, layers=(256,), visible="bernoulli", hidden="bernoulli", method="cd",
                 k=None, **train):
        self.layers = tuple(layers)
        self._set_rbm_options(visible, hidden, method, k, train)

    def _after_load(self):
        top = super()._after_load()
        self.hidden = name_of(UNITS, top.hidden)  # the top layer's; layer 0's are Bernoulli
