"""udl: PCA, t-SNE, autoencoders, RBMs, deep belief nets, deep classifiers and
adversarial examples from libudl, through ctypes, in scikit-learn's vocabulary:

    import numpy as np, udl
    X = np.random.default_rng(0).random((500, 20))
    Z = udl.PCA(n_components=5).fit(X).transform(X)
    Y = udl.TSNE(perplexity=20).fit_transform(X)

The library is the one named by the environment variable UDL_LIBRARY (a path), or else
an installed libudl.so.0. NumPy arrays reach it without a copy when they are float64
with rows laid out as in a C-contiguous array (X, or a block of X's rows or columns);
anything else is converted once by numpy.ascontiguousarray(X, dtype=float64). Every
failing call raises udl.Error with the library's status and sentence. Models free their
C objects when collected, or at once with close() (or a with block); save(path) writes
a model file and udl.load(path) reads one of any kind back as its class."""
from . import _lib
from ._core import ProgressInfo, load, read  # noqa: F401
from ._lib import (ECANCELED, EFORMAT, EINVAL, EIO, EKIND, ENOMEM, ENUMERIC, ESHAPE,  # noqa: F401
                   ESTATE, OK, Error, library_path, status_name)
from .dnn import DNN, attack  # noqa: F401
from .models import (DBN, PCA, RBM, TSNE, Autoencoder, DeepAutoencoder,  # noqa: F401
                     StackedAutoencoder)

__version__ = _lib.lib.udl_version().decode()
__all__ = ["PCA", "TSNE", "Autoencoder", "StackedAutoencoder", "DeepAutoencoder", "RBM",
           "DBN", "DNN", "attack", "load", "read", "Error", "ProgressInfo", "status_name",
           "library_path", "OK", "EINVAL", "ESHAPE", "ENOMEM", "ENUMERIC", "EIO", "EFORMAT",
           "EKIND", "ESTATE", "ECANCELED"]
