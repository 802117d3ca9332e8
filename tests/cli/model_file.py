"""Reads udl model files (format 2) with NumPy alone: for the tool's tests and the
benchmarks that set udl against other libraries on the same weights."""
import struct
import zlib

import numpy as np


def read_model(file):
    """The udl container, format 2: magic, version, kind, field count, reserved, fields
    (type, name, value: u64, f64, or rows x cols doubles), CRC-32."""
    raw = open(file, "rb").read()
    assert raw[:8] == b"UDLMODEL"
    assert zlib.crc32(raw[:-4]) == struct.unpack("<I", raw[-4:])[0]
    version, kind, count, _ = struct.unpack("<4I", raw[8:24])
    assert version == 2
    at, blocks = 24, {}
    for _ in range(count):
        kind_of, n = struct.unpack("<2I", raw[at:at + 8])
        name = raw[at + 8:at + 8 + n].decode()
        at += 8 + n
        if kind_of in (1, 2):
            blocks[name] = struct.unpack("<Q" if kind_of == 1 else "<d", raw[at:at + 8])[0]
            at += 8
            continue
        rows, cols = struct.unpack("<2Q", raw[at:at + 16])
        at += 16
        blocks[name] = np.frombuffer(raw[at:at + 8 * rows * cols], "<f8").reshape(rows, cols)
        at += 8 * rows * cols
    assert at == len(raw) - 4
    return kind, blocks
