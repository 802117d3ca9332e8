"""libudl through ctypes: finding and loading the library, the C structs mirrored field
for field, every function's prototype, and udl.Error raised on every failing status.

The structs below must match include/udl/*.h exactly (order, types, padding follows);
tests/python/test_python.py compares each with the compiler's sizeof and offsetof."""
import ctypes
import ctypes.util
import os
import types
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_size_t,
                    c_uint, c_uint64, c_void_p)

# udl_status values (include/udl/status.h; they never change).
OK, EINVAL, ESHAPE, ENOMEM, ENUMERIC, EIO, EFORMAT, EKIND, ESTATE, ECANCELED = range(10)

c_enum = c_int  # every udl enum's values fit an int, which is what gcc lays them out as
c_double_p = POINTER(c_double)


class Error(Exception):
    """A failing udl call: .status is the udl_status (udl.EINVAL, udl.ESHAPE, ...),
    .status_name its name ("invalid argument"), and str(error) the library's sentence
    from udl_last_error() ("X has 5 columns, the model expects 6")."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.status_name = status_name(status)
        self.message = message


Error.__module__ = "udl"  # tracebacks name it as users catch it: udl.Error


# ---- the structs --------------------------------------------------------------------


class Mat(Structure):
    _c_name = "udl_mat"
    _fields_ = [("data", c_double_p), ("rows", c_size_t), ("cols", c_size_t),
                ("ld", c_size_t)]


class Array(Structure):
    _c_name = "udl_array"
    _fields_ = [("data", c_double_p), ("rows", c_size_t), ("cols", c_size_t)]


class Progress(Structure):
    _c_name = "udl_progress"
    _fields_ = [("stage", c_char_p), ("step", c_size_t), ("total", c_size_t),
                ("loss", c_double), ("valid_loss", c_double), ("valid_error", c_double),
                ("layer", c_size_t), ("layers", c_size_t), ("batch", c_size_t),
                ("batches", c_size_t)]


ProgressFn = CFUNCTYPE(c_int, POINTER(Progress), c_void_p)


class SgdParams(Structure):
    _c_name = "udl_sgd_params"
    _fields_ = [("learning_rate", c_double), ("momentum", c_double),
                ("weight_decay", c_double), ("nesterov", c_int)]


class TrainParams(Structure):
    _c_name = "udl_train_params"
    _fields_ = [("epochs", c_size_t), ("batch_size", c_size_t), ("sgd", SgdParams),
                ("seed", c_uint64), ("warmup_epochs", c_size_t),
                ("warmup_momentum", c_double), ("decay", c_enum), ("decay_rate", c_double),
                ("decay_every", c_size_t)]


class PcaParams(Structure):
    _c_name = "udl_pca_params"
    _fields_ = [("n_components", c_size_t), ("variance_fraction", c_double),
                ("whiten", c_int)]


class TsneParams(Structure):
    _c_name = "udl_tsne_params"
    _fields_ = [("n_components", c_size_t), ("perplexity", c_double), ("method", c_enum),
                ("theta", c_double), ("n_iter", c_size_t), ("early_exaggeration", c_double),
                ("exaggeration_iter", c_size_t), ("learning_rate", c_double),
                ("momentum_early", c_double), ("momentum", c_double), ("min_gain", c_double),
                ("init", c_enum), ("seed", c_uint64), ("report_every", c_size_t)]


class TsneResult(Structure):
    _c_name = "udl_tsne_result"
    _fields_ = [("kl", c_double), ("iterations", c_size_t), ("method", c_enum),
                ("learning_rate", c_double)]


class AeParams(Structure):
    _c_name = "udl_ae_params"
    _fields_ = [("n_visible", c_size_t), ("n_hidden", c_size_t), ("linear", c_int),
                ("loss", c_enum), ("noise", c_enum), ("noise_level", c_double),
                ("train", TrainParams)]


class DeepAeParams(Structure):
    _c_name = "udl_deep_ae_params"
    _fields_ = [("linear_code", c_int), ("loss", c_enum), ("train", TrainParams)]


class RbmParams(Structure):
    _c_name = "udl_rbm_params"
    _fields_ = [("n_visible", c_size_t), ("n_hidden", c_size_t), ("visible", c_enum),
                ("hidden", c_enum), ("method", c_enum), ("k", c_size_t),
                ("train", TrainParams)]


class DnnParams(Structure):
    _c_name = "udl_dnn_params"
    _fields_ = [("activation", c_enum), ("input_dropout", c_double),
                ("hidden_dropout", c_double), ("train", TrainParams),
                ("valid_fraction", c_double), ("patience", c_size_t)]


class DnnPretrainParams(Structure):
    _c_name = "udl_dnn_pretrain_params"
    _fields_ = [("method", c_enum), ("train", TrainParams), ("noise", c_double)]


class DnnEval(Structure):
    _c_name = "udl_dnn_eval"
    _fields_ = [("n", c_size_t), ("loss", c_double), ("accuracy", c_double)]


class AttackParams(Structure):
    _c_name = "udl_attack_params"
    _fields_ = [("method", c_enum), ("eps", c_double), ("steps", c_size_t),
                ("step_size", c_double), ("restarts", c_size_t), ("targeted", c_int),
                ("clip_min", c_double), ("clip_max", c_double), ("overshoot", c_double),
                ("seed", c_uint64)]


class AttackReport(Structure):
    _c_name = "udl_attack_report"
    _fields_ = [("label_before", c_double_p), ("label_after", c_double_p),
                ("linf", c_double_p), ("l2", c_double_p)]


STRUCTS = (Mat, Array, Progress, SgdParams, TrainParams, PcaParams, TsneParams, TsneResult,
           AeParams, DeepAeParams, RbmParams, DnnParams, DnnPretrainParams, DnnEval,
           AttackParams, AttackReport)

# ---- the functions ------------------------------------------------------------------

# Status-returning functions: their result is checked by _check, so no call can fail
# silently. Handles are opaque pointers (c_void_p).
P, SZ, D, M = c_void_p, c_size_t, c_double, Mat
P_P, SZ_P, D_P = POINTER(c_void_p), POINTER(c_size_t), c_double_p
_STATUS = {
    "udl_data_read": [c_char_p, c_uint, POINTER(Array)],
    "udl_model_load": [c_char_p, P_P],
    "udl_model_wrap": [c_enum, P, P_P],
    "udl_model_save": [P, c_char_p],
    "udl_model_encode": [P, M, M],
    "udl_model_reconstruct": [P, M, M],
    "udl_model_predict": [P, M, M],
    "udl_model_sample": [P, M, SZ, c_uint64],
    "udl_pca_create": [POINTER(PcaParams), P_P],
    "udl_pca_fit": [P, M, ProgressFn, P],
    "udl_pca_transform": [P, M, M],
    "udl_pca_inverse_transform": [P, M, M],
    "udl_pca_reconstruction_error": [P, M, D_P],
    "udl_tsne_embed": [POINTER(TsneParams), M, M, ProgressFn, P, POINTER(TsneResult)],
    "udl_ae_create": [POINTER(AeParams), P_P],
    "udl_ae_train": [P, M, ProgressFn, P],
    "udl_ae_cost": [P, M, D_P],
    "udl_sae_create": [POINTER(AeParams), SZ_P, SZ, P_P],
    "udl_sae_train": [P, M, ProgressFn, P],
    "udl_deep_ae_create": [P, POINTER(DeepAeParams), P_P],
    "udl_deep_ae_create_from_dbn": [P, POINTER(DeepAeParams), P_P],
    "udl_deep_ae_train": [P, M, ProgressFn, P],
    "udl_deep_ae_cost": [P, M, D_P],
    "udl_rbm_create": [POINTER(RbmParams), P_P],
    "udl_rbm_train": [P, M, ProgressFn, P],
    "udl_rbm_free_energy": [P, M, D_P],
    "udl_rbm_pseudo_likelihood": [P, M, c_uint64, D_P],
    "udl_rbm_gibbs": [P, M, SZ, c_uint64],
    "udl_dbn_create": [POINTER(RbmParams), SZ_P, SZ, P_P],
    "udl_dbn_train": [P, M, ProgressFn, P],
    "udl_dnn_create": [POINTER(DnnParams), SZ_P, SZ, P_P],
    "udl_dnn_pretrain": [P, POINTER(DnnPretrainParams), M, ProgressFn, P],
    "udl_dnn_train": [P, M, M, POINTER(Mat), POINTER(Mat), ProgressFn, P],
    "udl_dnn_predict": [P, M, M],
    "udl_dnn_predict_proba": [P, M, M],
    "udl_dnn_evaluate": [P, M, M, POINTER(DnnEval), SZ_P, D_P],
    "udl_attack": [P, POINTER(AttackParams), M, M, M, POINTER(AttackReport)],
}
# Everything else: (result type, argument types).
_OTHER = {
    "udl_version": (c_char_p, []),
    "udl_status_str": (c_char_p, [c_enum]),
    "udl_last_error": (c_char_p, []),
    "udl_array_free": (None, [POINTER(Array)]),
    "udl_model_free": (None, [P]),
    "udl_model_kind": (c_enum, [P]),
    "udl_model_object": (P, [P]),
    "udl_model_n_inputs": (SZ, [P]),
    "udl_model_n_codes": (SZ, [P]),
    "udl_model_n_outputs": (SZ, [P]),
    "udl_pca_params_default": (PcaParams, []),
    "udl_pca_free": (None, [P]),
    "udl_pca_get_params": (PcaParams, [P]),
    "udl_pca_n_components": (SZ, [P]),
    "udl_pca_n_features": (SZ, [P]),
    "udl_pca_components": (D_P, [P]),
    "udl_pca_eigenvalues": (D_P, [P]),
    "udl_pca_explained_variance_ratio": (D_P, [P]),
    "udl_pca_mean": (D_P, [P]),
    "udl_tsne_params_default": (TsneParams, []),
    "udl_ae_params_default": (AeParams, []),
    "udl_ae_free": (None, [P]),
    "udl_ae_get_params": (AeParams, [P]),
    "udl_ae_history": (D_P, [P, SZ_P]),
    "udl_ae_weights": (D_P, [P]),
    "udl_ae_hidden_bias": (D_P, [P]),
    "udl_ae_visible_bias": (D_P, [P]),
    "udl_sae_free": (None, [P]),
    "udl_sae_n_layers": (SZ, [P]),
    "udl_sae_layer": (P, [P, SZ]),
    "udl_deep_ae_params_default": (DeepAeParams, []),
    "udl_deep_ae_free": (None, [P]),
    "udl_deep_ae_get_params": (DeepAeParams, [P]),
    "udl_deep_ae_history": (D_P, [P, SZ_P]),
    "udl_deep_ae_sizes": (SZ_P, [P, SZ_P]),
    "udl_rbm_params_default": (RbmParams, []),
    "udl_rbm_free": (None, [P]),
    "udl_rbm_get_params": (RbmParams, [P]),
    "udl_rbm_history": (D_P, [P, SZ_P]),
    "udl_rbm_weights": (D_P, [P]),
    "udl_rbm_visible_bias": (D_P, [P]),
    "udl_rbm_hidden_bias": (D_P, [P]),
    "udl_dbn_free": (None, [P]),
    "udl_dbn_n_layers": (SZ, [P]),
    "udl_dbn_layer": (P, [P, SZ]),
    "udl_dnn_params_default": (DnnParams, []),
    "udl_dnn_pretrain_params_default": (DnnPretrainParams, [c_enum]),
    "udl_dnn_free": (None, [P]),
    "udl_dnn_get_params": (DnnParams, [P]),
    "udl_dnn_sizes": (SZ_P, [P, SZ_P]),
    "udl_dnn_history": (D_P, [P, SZ_P]),
    "udl_dnn_weights": (D_P, [P, SZ]),
    "udl_dnn_bias": (D_P, [P, SZ]),
    "udl_dnn_valid_history": (None, [P, POINTER(D_P), POINTER(D_P), SZ_P]),
    "udl_attack_params_default": (AttackParams, [c_enum]),
}


def status_name(status):
    """udl_status_str: "invalid argument" for udl.EINVAL, ..."""
    return lib.udl_status_str(status).decode()


def _check(status, func, args):
    if status != OK:
        sentence = lib.udl_last_error().decode(errors="replace")
        raise Error(status, sentence or status_name(status))
    return status


def _open():
    """UDL_LIBRARY (a path) if set, else an installed libudl as ctypes finds one."""
    path = os.environ.get("UDL_LIBRARY")
    if path:
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            raise ImportError(f"udl: cannot load UDL_LIBRARY={path}: {e}") from None
    candidates = [ctypes.util.find_library("udl"), "libudl.so.0"]
    for name in filter(None, candidates):
        try:
            return ctypes.CDLL(name), name
        except OSError:
            pass
    raise ImportError("udl: libudl.so.0 not found; install udl (cmake --install build) or "
                      "set UDL_LIBRARY to the path of libudl.so")


def _declare(handle, path):
    """The functions of the tables above with their prototypes, as attributes of one
    namespace: a function not declared here cannot be called by mistake with ctypes'
    default int result."""
    table = [(name, (c_enum, argtypes)) for name, argtypes in _STATUS.items()]
    functions = {}
    for name, (restype, argtypes) in table + list(_OTHER.items()):
        try:
            fn = getattr(handle, name)
        except AttributeError:
            raise ImportError(f"udl: {path} has no {name}; this package needs a newer "
                              "libudl") from None
        fn.restype, fn.argtypes = restype, argtypes
        if name in _STATUS:
            fn.errcheck = _check
        functions[name] = fn
    return types.SimpleNamespace(**functions)


_handle, library_path = _open()
lib = _declare(_handle, library_path)
