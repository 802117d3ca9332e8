"""A logistic regression (scikit-learn, the same settings for both) on the 500 hidden
probabilities of bench_rbm_quality's CD-10 RBM and on the binarised pixels it was trained
on: test accuracy of each. usage: rbm_features.py PREFIX"""
import gzip
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

prefix = sys.argv[1]
labels = {}
for part, name in (("train", "train"), ("test", "t10k")):
    with gzip.open(f"/usr/share/datasets/fashion-mnist/{name}-labels-idx1-ubyte.gz") as f:
        labels[part] = np.frombuffer(f.read()[8:], dtype=np.uint8)
for what, files in (("500 RBM features", ("train", "test")),
                    ("784 binarised pixels", ("pixels-train", "pixels-test"))):
    xtr, xte = (np.load(f"{prefix}-{f}.npy") for f in files)
    t0 = time.perf_counter()
    clf = LogisticRegression(max_iter=500, C=1.0).fit(xtr, labels["train"])
    acc = (clf.predict(xte) == labels["test"]).mean()
    print(f"  logistic regression on {what}: test accuracy {acc:.4f} "
          f"({time.perf_counter() - t0:.0f} s)")
