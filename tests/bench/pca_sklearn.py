"""scikit-learn's PCA(svd_solver='full') on the same data as bench_pca, best of N.
usage: pca_sklearn.py IMAGES REPEATS"""
import gzip
import sys
import time

import numpy as np

images, repeats = sys.argv[1], int(sys.argv[2])
try:
    from sklearn.decomposition import PCA
except ImportError:
    print("scikit-learn is not installed (Debian: apt-get install python3-sklearn); "
          "no comparison")
    sys.exit(0)
with gzip.open(images, "rb") if images.endswith(".gz") else open(images, "rb") as f:
    raw = f.read()
n, rows, cols = np.frombuffer(raw[4:16], dtype=">u4")
x = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, rows * cols).astype(np.float64) / 255.0
best = float("inf")
for _ in range(repeats):
    t0 = time.perf_counter()
    pca = PCA(n_components=50, svd_solver="full").fit(x)
    best = min(best, time.perf_counter() - t0)
print(f"  scikit-learn PCA(svd_solver='full'): {best:8.3f} s "
      f"(explained variance {pca.explained_variance_ratio_.sum():.4f})")
print(f"RESULT sklearn_seconds={best:.4f}")
