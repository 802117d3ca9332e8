"""Deep classifiers (udl/dnn.h) and adversarial examples against them (udl/adversarial.h).

Arrays are passed without a copy when they are float64 with rows laid out as in a
C-contiguous array; anything else is converted once by numpy.ascontiguousarray(X,
dtype=float64). Labels are the integers 0..K-1, as a 1-D array or an N x 1 column."""
from ctypes import POINTER, byref, c_size_t

import numpy as np

from ._core import (TRAIN_DOC, Model, apply_train, as_labels, as_matrix, check_train_options,
                    copy_array, create, enum_value, history, new_matrix, progress_callback,
                    read_sizes, set_field, sizes_array)
from ._lib import AttackReport, DnnEval, c_double_p, lib
from .models import name_of

KIND_DNN = 7
ACTIVATIONS = {"sigmoid": 0, "tanh": 1, "relu": 2}
PRETRAIN = {"none": 0, "ae": 1, "dae": 2, "rbm": 3}
ATTACKS = {"fgsm": 0, "fgm-l2": 1, "bim": 2, "pgd": 3, "pgd-l2": 4, "deepfool": 5}


def _n_classes(labels):
    """The largest finite label + 1, at least 2 (the library names any bad label)."""
    finite = labels[np.isfinite(labels)]
    return max(2, int(finite.max()) + 1) if finite.size else 2


class DNN(Model):
    __doc__ = f"""A feed-forward classifier under a softmax, fine-tuned by backpropagation
    and optionally pretrained as a stack (udl_dnn_*).

    DNN(hidden=(100,), activation="sigmoid" | "tanh" | "relu", input_dropout=None,
    hidden_dropout=None, valid_fraction=None, patience=None, pretrain="none" | "ae" |
    "dae" | "rbm", pretrain_epochs=None (10), pretrain_learning_rate=None,
    pretrain_noise=None (0.25, for "dae"), n_classes=None, **training options).
    fit(X, y) sizes the net from X's columns and n_classes (default: the largest label
    + 1); pretraining uses the net's batch size and seed. predict(X), predict_proba(X),
    score(X, y) (accuracy), evaluate(X, y), transform(X) (the top hidden layer);
    classes_, history_, valid_loss_, valid_error_, coefs_, intercepts_.

    {TRAIN_DOC}"""

    _kind = KIND_DNN

    def __init__(self, hidden=(100,), activation="sigmoid", input_dropout=None,
                 hidden_dropout=None, valid_fraction=None, patience=None, pretrain="none",
                 pretrain_epochs=None, pretrain_learning_rate=None, pretrain_noise=None,
                 n_classes=None, **train):
        self.hidden, self.activation = tuple(hidden), activation
        self.input_dropout, self.hidden_dropout = input_dropout, hidden_dropout
        self.valid_fraction, self.patience = valid_fraction, patience
        self.pretrain, self.pretrain_epochs = pretrain, pretrain_epochs
        self.pretrain_learning_rate, self.pretrain_noise = pretrain_learning_rate, pretrain_noise
        self.n_classes = n_classes
        self.train_options = check_train_options("DNN", train)

    def _params(self):
        p = lib.udl_dnn_params_default()
        p.activation = enum_value("activation", ACTIVATIONS, self.activation)
        for name in ("input_dropout", "hidden_dropout", "valid_fraction", "patience"):
            set_field(p, name, getattr(self, name))
        apply_train(p.train, self.train_options)
        return p

    def _pretrain_params(self, train):
        pp = lib.udl_dnn_pretrain_params_default(enum_value("pretrain", PRETRAIN,
                                                            self.pretrain))
        pp.train.batch_size, pp.train.seed = train.batch_size, train.seed
        apply_train(pp.train, {"epochs": self.pretrain_epochs,
                               "learning_rate": self.pretrain_learning_rate})
        set_field(pp, "noise", self.pretrain_noise)
        return pp

    def fit(self, X, y, validation=None, progress=None):
        """Trains a new net on X (N x D, finite) and y (N labels). validation=(Xv, yv) is
        scored after each epoch (valid_loss_, valid_error_; patience stops early)."""
        xm, xa = as_matrix(X)
        ym, ya = as_labels(y)
        p = self._params()
        pp = self._pretrain_params(p.train)
        k = self.n_classes or _n_classes(ya)
        sizes, n = sizes_array((xa.shape[1], *self.hidden, k))
        valid = (None, None)
        if validation is not None:  # held keeps the arrays alive until fit returns
            held = as_matrix(validation[0], "Xv"), as_labels(validation[1], "yv")
            valid = tuple(byref(view) for view, _ in held)
        handle = create(KIND_DNN, lib.udl_dnn_create, lib.udl_dnn_free, byref(p), sizes, n)

        def train(obj):
            with progress_callback(progress) as fn:
                if pp.method:
                    lib.udl_dnn_pretrain(obj, byref(pp), xm, fn, None)
                lib.udl_dnn_train(obj, xm, ym, *valid, fn, None)
        self._train_new(handle, train)
        self.classes_ = np.arange(k)
        return self

    def _after_load(self):
        sizes = self.sizes_
        p = lib.udl_dnn_get_params(self._obj)
        self.hidden, self.n_classes = tuple(sizes[1:-1]), sizes[-1]
        self.activation = name_of(ACTIVATIONS, p.activation)
        self.classes_ = np.arange(sizes[-1])

    @property
    def sizes_(self):
        """Layer widths, input to classes."""
        return read_sizes(lib.udl_dnn_sizes, self._obj)

    def predict_proba(self, X):
        """P (N x K): the class probabilities."""
        m, xa = as_matrix(X)
        out, pa = new_matrix(xa.shape[0], self.sizes_[-1])
        lib.udl_dnn_predict_proba(self._obj, m, out)
        return pa

    def predict(self, X):
        """The most probable class of each row (the lowest on a tie), as int64."""
        m, xa = as_matrix(X)
        out, la = new_matrix(xa.shape[0], 1)
        lib.udl_dnn_predict(self._obj, m, out)
        return la[:, 0].astype(np.int64)

    def evaluate(self, X, y):
        """{"n", "loss" (mean cross-entropy), "accuracy", "confusion" (K x K counts, row:
        true class, column: predicted)} on X and its labels."""
        xm, xa = as_matrix(X)
        ym, ya = as_labels(y)
        k = self.sizes_[-1]
        confusion = np.zeros((k, k), dtype=np.uintp)
        result = DnnEval()
        lib.udl_dnn_evaluate(self._obj, xm, ym, byref(result),
                             confusion.ctypes.data_as(POINTER(c_size_t)), None)
        return {"n": result.n, "loss": result.loss, "accuracy": result.accuracy,
                "confusion": confusion.astype(np.int64)}

    def score(self, X, y):
        """The fraction of X's rows classified right."""
        return self.evaluate(X, y)["accuracy"]

    history_ = property(lambda self: history(lib.udl_dnn_history, self._obj))

    def _valid_history(self, which):
        loss, error, n = c_double_p(), c_double_p(), c_size_t()
        lib.udl_dnn_valid_history(self._obj, byref(loss), byref(error), byref(n))
        return copy_array((loss, error)[which], (n.value,))

    valid_loss_ = property(lambda self: self._valid_history(0))
    valid_error_ = property(lambda self: self._valid_history(1))

    def _layers(self, fn, shape):
        sizes = self.sizes_
        return [copy_array(fn(self._obj, i), shape(sizes[i], sizes[i + 1]))
                for i in range(len(sizes) - 1)]

    coefs_ = property(lambda self: self._layers(lib.udl_dnn_weights, lambda a, b: (a, b)))
    intercepts_ = property(lambda self: self._layers(lib.udl_dnn_bias, lambda a, b: (b,)))


def attack(model, X, y=None, method="fgsm", eps=None, steps=None, step_size=None,
           restarts=None, targeted=False, clip=(0.0, 1.0), overshoot=None, seed=None,
           report=False):
    """Adversarial examples for X against a fitted DNN (udl_attack): a new array.

    method: "fgsm", "fgm-l2", "bim", "pgd", "pgd-l2" or "deepfool"; eps (default 0.1)
    the radius of the L-inf ball (FGSM, BIM, PGD) or L2 ball (FGM-L2, PGD-L2); y the
    true labels (the model's own predictions when None), or the targets when targeted.
    Results are clipped to clip = (min, max), which X must lie in. With report=True,
    returns (X_adv, {"label_before", "label_after", "linf", "l2"}), one value per row."""
    if not isinstance(model, DNN):
        raise TypeError(f"attack needs a udl.DNN, not {type(model).__name__}")
    p = lib.udl_attack_params_default(enum_value("method", ATTACKS, method))
    for name, value in (("eps", eps), ("steps", steps), ("step_size", step_size),
                        ("restarts", restarts), ("overshoot", overshoot), ("seed", seed)):
        set_field(p, name, value)
    p.targeted = int(bool(targeted))
    p.clip_min, p.clip_max = clip
    xm, xa = as_matrix(X)
    ym, ya = as_labels(model.predict(xa) if y is None else y)
    out, adv = new_matrix(*xa.shape)
    columns = {name: np.empty(xa.shape[0]) for name, _ in AttackReport._fields_}
    r = AttackReport(*(a.ctypes.data_as(c_double_p) for a in columns.values()))
    lib.udl_attack(model._obj, byref(p), xm, ym, out, byref(r))
    return (adv, columns) if report else adv

