"""What every model of the package shares: NumPy arrays as udl_mat views, the progress
callback, the ownership of the C objects, options mapped onto the params structs, and
the base class with save, close and the generic udl_model calls."""
import collections
import contextlib
import os
import weakref
from ctypes import byref, c_double, c_size_t, c_uint64, c_void_p

import numpy as np

from ._lib import EKIND, ESTATE, Array, Error, Mat, Progress, ProgressFn, c_double_p, lib

# ---- arrays ---------------------------------------------------------------------------


def _viewable(a):
    """Whether the library can read a in place: native float64, aligned, each row's
    elements adjacent, rows a whole number of doubles apart (C order, or rows of a
    C-ordered array such as X[::2] or X[:, :k], whose row stride becomes ld)."""
    if a.dtype != np.float64 or not a.flags.aligned:
        return False
    rows, cols = a.shape
    if cols > 1 and a.strides[1] != 8:
        return False
    return rows <= 1 or (a.strides[0] % 8 == 0 and a.strides[0] >= 8 * cols)


def as_matrix(x, name="X"):
    """(udl_mat, array): a view of the 2-D x, and the array whose buffer the view uses,
    which the caller keeps alive for the call. A float64 array that is C-contiguous, or
    a block of rows or columns of one (X[::2], X[:, :k]: the row stride becomes the
    view's ld), is used in place, without a copy; anything else (float32, integers,
    Fortran order, a column stride) is converted once by
    numpy.ascontiguousarray(x, dtype=float64)."""
    a = np.asarray(x)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D (one sample per row), not {a.ndim}-D")
    if not _viewable(a):
        a = np.ascontiguousarray(a, dtype=np.float64)
    rows, cols = a.shape
    ld = a.strides[0] // 8 if rows > 1 else cols
    return Mat(a.ctypes.data_as(c_double_p), rows, cols, ld), a


def as_labels(y, name="y"):
    """(udl_mat, array) for labels: a 1-D y becomes the N x 1 column the library reads."""
    a = np.asarray(y)
    return as_matrix(a.reshape(-1, 1) if a.ndim == 1 else a, name)


def new_matrix(rows, cols):
    """(udl_mat, array): a fresh rows x cols float64 array for the library to fill."""
    a = np.empty((rows, cols))
    return Mat(a.ctypes.data_as(c_double_p), rows, cols, cols), a


def copy_array(ptr, shape):
    """A NumPy copy of the library's array at ptr (valid only until its next fit or free)."""
    if not ptr or 0 in shape:
        return np.zeros(shape)
    return np.ctypeslib.as_array(ptr, shape).copy()


def read(path, raw=False):
    """The data in path as an N x D float64 array (udl_data_read): .npy, MNIST IDX (plain
    or gzip) or CSV, told apart by the first bytes. uint8 images are scaled into [0, 1]
    unless raw; 1-D data (labels) comes back as an N x 1 column."""
    a = Array()
    lib.udl_data_read(os.fsencode(path), 1 if raw else 0, byref(a))
    try:
        return copy_array(a.data, (a.rows, a.cols))
    finally:
        lib.udl_array_free(byref(a))


def scalar(fn, obj, x, *args):
    """The double that fn(obj, X, *args, &out) gives, e.g. udl_ae_cost."""
    m, keep = as_matrix(x)
    out = c_double()
    fn(obj, m, *args, byref(out))
    return out.value


def history(fn, obj):
    """The per-epoch losses from a udl_*_history(obj, &n) call."""
    n = c_size_t()
    ptr = fn(obj, byref(n))
    return copy_array(ptr, (n.value,))


# ---- progress -------------------------------------------------------------------------

ProgressInfo = collections.namedtuple("ProgressInfo", [f for f, _ in Progress._fields_])
ProgressInfo.__doc__ = ("One progress report (udl_progress): stage, step, total, loss, "
                        "valid_loss, valid_error, layer, layers, batch, batches.")


@contextlib.contextmanager
def progress_callback(fn):
    """A udl_progress_fn for the Python callable fn(info), info a ProgressInfo; a true
    return value stops the work (udl.Error with status udl.ECANCELED). An exception
    raised inside fn (KeyboardInterrupt too) stops the work and is raised again in
    place of the library's ECANCELED. fn None passes NULL."""
    raised = []

    def call(p, user):
        try:
            info = p.contents
            fields = [getattr(info, f) for f in ProgressInfo._fields]
            fields[0] = (fields[0] or b"").decode()
            return 1 if fn(ProgressInfo(*fields)) else 0
        except BaseException as e:  # noqa: B902 (handed back to the caller below)
            raised.append(e)
            return 1

    c_fn = ProgressFn(call) if fn is not None else ProgressFn()  # ProgressFn(): NULL
    try:
        yield c_fn
    except Error:
        if raised:
            raise raised[0] from None
        raise


# ---- options --------------------------------------------------------------------------

TRAIN_OPTIONS = ("epochs", "batch_size", "learning_rate", "momentum", "weight_decay",
                 "nesterov", "seed", "warmup_epochs", "warmup_momentum", "decay",
                 "decay_rate", "decay_every")
_SGD_OPTIONS = ("learning_rate", "momentum", "weight_decay", "nesterov")
DECAYS = {"none": 0, "step": 1, "exponential": 2}
TRAIN_DOC = """Training options (each None keeps the library's default; udl_train_params):
    epochs, batch_size, learning_rate, momentum, weight_decay, nesterov, seed,
    warmup_epochs, warmup_momentum, decay ("none", "step", "exponential"), decay_rate,
    decay_every."""


def enum_value(option, names, value):
    """The C value of an enum given by name ("sigmoid"), or ValueError listing the names."""
    try:
        return names[value]
    except (KeyError, TypeError):
        choices = ", ".join(repr(n) for n in names)
        raise ValueError(f"{option} must be one of {choices}, not {value!r}") from None


def set_field(struct, name, value):
    """struct.name = value, refusing what ctypes would wrap silently (a negative count)."""
    if value is None:
        return
    if dict(struct._fields_)[name] in (c_size_t, c_uint64):
        if value != int(value) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, not {value!r}")
        value = int(value)
    setattr(struct, name, value)


def check_train_options(owner, options):
    unknown = sorted(set(options) - set(TRAIN_OPTIONS))
    if unknown:
        raise TypeError(f"{owner}() got unexpected keyword arguments {', '.join(unknown)}")
    return dict(options)


def apply_train(train, options):
    """Overwrites the fields of a udl_train_params with the options that are not None."""
    for name, value in options.items():
        if name == "decay" and value is not None:
            train.decay = enum_value("decay", DECAYS, value)
        elif name in _SGD_OPTIONS:
            set_field(train.sgd, name, int(value) if name == "nesterov" else value)
        else:
            set_field(train, name, value)


def sizes_array(sizes):
    """A C array of size_t from a sequence of layer widths."""
    sizes = [int(s) for s in sizes]
    if any(s < 0 for s in sizes):
        raise ValueError(f"layer sizes must be >= 0, not {sizes}")
    return (c_size_t * len(sizes))(*sizes), len(sizes)


def read_sizes(fn, obj):
    """Layer widths from a udl_*_sizes(obj, &n) call."""
    n = c_size_t()
    ptr = fn(obj, byref(n))
    return [ptr[i] for i in range(n.value)]


# ---- ownership ------------------------------------------------------------------------


def _free(model, obj, free_obj):
    lib.udl_model_free(model)
    if free_obj is not None:
        free_obj(obj)


class Handle:
    """The C objects behind one fitted model: model (a udl_model *) and obj (the typed
    handle inside). A handle from udl_model_load owns obj; one over an object the package
    created wraps it (udl_model_wrap, which does not own it) and frees it with free_obj.
    close() frees both exactly once; garbage collection and interpreter exit call it."""

    def __init__(self, model, obj, free_obj):
        self.model, self.obj = model, obj
        self._finalizer = weakref.finalize(self, _free, model, obj, free_obj)

    def close(self):
        self._finalizer()


def create(kind, create_fn, free_fn, *args):
    """A Handle over a new typed object made by create_fn(*args, &out)."""
    out = c_void_p()
    create_fn(*args, byref(out))
    model = c_void_p()
    try:
        lib.udl_model_wrap(kind, out, byref(model))
    except BaseException:
        free_fn(out)
        raise
    return Handle(model.value, out.value, free_fn)


KINDS = {}  # udl_kind -> the package's class for it (filled as the classes are defined)


def load(path):
    """The model saved in path, of any kind, as the package's class for that kind
    (udl.PCA, udl.Autoencoder, ..., udl.DNN), through udl_model_load."""
    model = c_void_p()
    lib.udl_model_load(os.fsencode(path), byref(model))
    handle = Handle(model.value, lib.udl_model_object(model.value), None)
    kind = lib.udl_model_kind(model.value)
    if kind not in KINDS:
        handle.close()
        raise Error(EKIND, f"{path} holds a model of kind {kind}, which the Python package "
                    "has no class for")
    return KINDS[kind]._from_handle(handle)


# ---- the base class -------------------------------------------------------------------


class Model:
    """A model over a C object: fit creates it, save writes it, close (or garbage
    collection) frees it. Every method raises udl.Error when the library refuses."""

    _kind = None
    _c = None  # the C prefix, e.g. "udl_ae": its _create, _free and _train make the model
    _train_name = "train"

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls._kind is not None:
            KINDS[cls._kind] = cls

    _handle = None

    def _fitted(self):
        if self._handle is None:
            raise Error(ESTATE, f"the {type(self).__name__} is not fitted: call fit, or "
                        "udl.load a saved one")
        return self._handle

    @property
    def _obj(self):
        return self._fitted().obj

    def fit(self, X, progress=None):
        """Trains a new model on X (N x D, one sample per row) and returns it; progress,
        if given, is called with each report (a ProgressInfo) and may stop the work.
        On failure or cancellation the model stays as it was."""
        return self._fit(X, progress, getattr(lib, self._c + "_create"), self._params)

    def _fit(self, X, progress, create_fn, create_args):
        """Makes a C model with create_fn(*create_args(D), &out), runs the C prefix's
        train (or fit) on X, and makes it this model's."""
        m, keep = as_matrix(X)
        handle = create(self._kind, create_fn, getattr(lib, self._c + "_free"),
                        *create_args(keep.shape[1]))
        train_fn = getattr(lib, f"{self._c}_{self._train_name}")

        def train(obj):
            with progress_callback(progress) as fn:
                train_fn(obj, m, fn, None)
        return self._train_new(handle, train)

    def _train_new(self, handle, train):
        """Runs train(obj) on a new handle; on success it replaces the model (freeing the
        old one), on failure it is freed and the old model stays as it was."""
        try:
            train(handle.obj)
        except BaseException:
            handle.close()
            raise
        old, self._handle = self._handle, handle
        if old is not None:
            old.close()
        return self

    @classmethod
    def _from_handle(cls, handle):
        self = cls()
        self._handle = handle
        self._after_load()
        return self

    def _after_load(self):
        """Sets the constructor's attributes from a loaded model where they matter."""

    def __repr__(self):
        options = {k: v for k, v in vars(self).items() if not k.startswith("_") and
                   not k.endswith("_") and k != "train_options"}
        options.update(getattr(self, "train_options", {}))
        args = ", ".join(f"{k}={v!r}" for k, v in options.items() if v is not None)
        return f"{type(self).__name__}({args})"

    def save(self, path):
        """Writes the model file (udl_model_save): whole or not at all."""
        lib.udl_model_save(self._fitted().model, os.fsencode(path))

    def close(self):
        """Frees the C model now (it is freed at garbage collection anyway)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def n_features_in_(self):
        return lib.udl_model_n_inputs(self._fitted().model)

    def _generic(self, fn, x, width):
        """fn(model, X, Y) for a generic udl_model call, Y N x width."""
        m, xa = as_matrix(x)
        out, ya = new_matrix(xa.shape[0], width)
        fn(self._fitted().model, m, out)
        return ya

    def transform(self, X):
        """The codes of X (udl_model_encode): N x the code width."""
        return self._generic(lib.udl_model_encode, X,
                             lib.udl_model_n_codes(self._fitted().model))

    def fit_transform(self, X, *args, **kw):
        return self.fit(X, *args, **kw).transform(X)


class Reconstructs:
    def reconstruct(self, X):
        """The model's reconstruction of X (udl_model_reconstruct), N x D."""
        return self._generic(lib.udl_model_reconstruct, X, self.n_features_in_)


class Samples:
    def sample(self, n_samples, n_steps=1000, seed=1):
        """n_samples fantasies (udl_model_sample): Gibbs chains from random visibles,
        n_steps steps, ending at the visible means; the same seed gives the same ones."""
        out, va = new_matrix(int(n_samples), self.n_features_in_)
        lib.udl_model_sample(self._fitted().model, out, int(n_steps), int(seed))
        return va
