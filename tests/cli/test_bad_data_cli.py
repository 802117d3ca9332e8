"""Every subcommand that reads data refuses a malformed data file (truncated, lying
header, huge claimed shape, unsupported dtype, non-numeric CSV cell, trailing garbage;
.npy, IDX plain and gzip, CSV) with one line, a non-zero exit, nothing on stdout and no
output file, and a model file given as data or data given as a model the same way.
usage: test_bad_data_cli.py UDL_BINARY WORK_DIR"""
import gzip
import os
import struct

import numpy as np

from harness import check, check_errors, finish, path, udl

rng = np.random.default_rng(3)
x = rng.random((30, 6))
y = rng.integers(0, 2, 30)
np.save(path("x.npy"), x)
np.save(path("y.npy"), y)
for kind, extra in (("ae", []), ("dnn", ["-l", path("y.npy")])):
    rc, out, err = udl("train", "--model", kind, "--layers", "3", "-i", path("x.npy"), *extra,
                       "--save", path(f"{kind}.udl"), "--epochs", "1")
    assert rc == 0, err


def npy_bytes(descr, shape, body, fortran=False, major=1):
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}"
    pre = 10 if major == 1 else 12
    header += " " * ((64 - (pre + len(header) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H" if major == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([major, 0]) + length + header.encode() + body


def idx_bytes(code, dims, body):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + body


good_npy = npy_bytes("<f8", "(30, 6)", x.tobytes())
pixels = (x * 255).astype(np.uint8).tobytes()
good_idx = idx_bytes(0x08, [30, 2, 3], pixels)
good_csv = "".join(",".join(f"{v:.17g}" for v in row) + "\n" for row in x).encode()

# name: (bytes, words the one line must hold)
BAD = {
    "cut.npy": (good_npy[:-5], "truncated"),
    "cut-header.npy": (good_npy[:40], "truncated"),
    "lying-rows.npy": (npy_bytes("<f8", "(31, 6)", x.tobytes()), "truncated"),
    "lying-length.npy": (good_npy[:8] + b"\xff\x7f" + good_npy[10:], "truncated"),
    "huge.npy": (npy_bytes("<f8", "(1099511627776, 6)", x.tobytes()), "truncated"),
    "overflow.npy": (npy_bytes("<f8", "(4611686018427387904, 4)", x.tobytes()),
                     "too large"),
    "dtype.npy": (npy_bytes("<c16", "(30, 3)", x.tobytes()), "unsupported .npy dtype"),
    "strings.npy": (npy_bytes("<U8", "(30,)", b"a" * 960), "unsupported .npy dtype"),
    "trailing.npy": (good_npy + b"\0" * 8, "bytes after the 30 x 6 array"),
    "cut.idx": (good_idx[:-1], "truncated"),
    "lying-rows.idx": (idx_bytes(0x08, [31, 2, 3], pixels), "truncated"),
    "huge.idx": (idx_bytes(0x08, [1 << 30, 1 << 10, 1 << 10], pixels), "truncated"),
    "dtype.idx": (idx_bytes(0x07, [30, 2, 3], pixels), "unknown IDX element type"),
    "trailing.idx": (good_idx + b"x", "bytes after the 30 x 6 array"),
    "cut.idx.gz": (gzip.compress(good_idx)[:-3], "gzip stream is cut short"),
    "lying-rows.idx.gz": (gzip.compress(idx_bytes(0x08, [31, 2, 3], pixels)), "truncated"),
    "trailing.idx.gz": (gzip.compress(good_idx + b"x"), "bytes after the 30 x 6 array"),
    "junk.idx.gz": (gzip.compress(good_idx) + b"junk", "bytes after the gzip stream"),
    "cell.csv": (good_csv + b"1,2,3,4,5,six\n", "line 31: field 6 is not a number"),
    "ragged.csv": (good_csv + b"1,2,3\n", "line 31 has 3 fields, line 1 has 6"),
    "range.csv": (good_csv.replace(b"\n", b",1e999\n", 1), "out of the range of a double"),
    "trailing.csv": (good_csv + b"the end\n", "line 31: field 1 is not a number"),
    "binary.csv": (good_csv + b"\0\1\2", "neither .npy, IDX nor CSV"),
}
for name, (data, _) in BAD.items():
    with open(path(name), "wb") as f:
        f.write(data)

out_npy, out_udl = path("out.npy"), path("out.udl")
# command, its arguments around the data file, and the file it would write
COMMANDS = [
    ("pca", lambda d: ["-i", d, "-o", out_npy], out_npy),
    ("tsne", lambda d: ["-i", d, "-o", out_npy, "--perplexity", "5", "--iters", "10"], out_npy),
    ("train", lambda d: ["--model", "ae", "--layers", "3", "-i", d, "--save", out_udl], out_udl),
    ("train", lambda d: ["--model", "dnn", "--layers", "3", "-i", path("x.npy"), "-l", d,
                         "--save", out_udl], out_udl),
    ("encode", lambda d: ["--model", path("ae.udl"), "-i", d, "-o", out_npy], out_npy),
    ("reconstruct", lambda d: ["--model", path("ae.udl"), "-i", d, "-o", out_npy], out_npy),
    ("predict", lambda d: ["--model", path("dnn.udl"), "-i", d, "-o", out_npy], out_npy),
    ("attack", lambda d: ["--model", path("dnn.udl"), "-i", d, "-l", path("y.npy"),
                          "--method", "fgsm", "-o", out_npy], out_npy),
]
for command, args, out_file in COMMANDS:
    cases = [(f"{command} {' '.join(args('BAD'))} with {name}", args(path(name)), words)
             for name, (_, words) in BAD.items()]
    check_errors(command, cases, out_file)

# a model file as data, data as a model
check_errors("encode", [("model as data", ["--model", path("ae.udl"), "-i", path("ae.udl"),
                                           "-o", out_npy], "neither"),
                        ("data as model", ["--model", path("x.npy"), "-i", path("x.npy"),
                                           "-o", out_npy], "not a udl model file")], out_npy)
# the good files, each format, are read by the same commands
for name, data in (("good.npy", good_npy), ("good.idx", good_idx),
                   ("good.idx.gz", gzip.compress(good_idx)), ("good.csv", good_csv)):
    with open(path(name), "wb") as f:
        f.write(data)
    rc, out, err = udl("encode", "--model", path("ae.udl"), "-i", path(name), "-o", out_npy)
    check(f"{name} is read", rc == 0 and np.load(out_npy).shape == (30, 3), err)
    os.remove(out_npy)
finish("encode")
