"""scikit-learn's TSNE on the same points as bench_tsne: the first N Fashion-MNIST
images of train followed by test, PCA to 50 dimensions, perplexity 30, Barnes-Hut with
angle 0.5, 2 jobs, PCA initialisation and learning rate 'auto' (as udl's defaults).
Writes the embedding to OUT.npy so bench_tsne scores it with its own 10-NN code.
usage: tsne_sklearn.py N OUT.npy"""
import gzip
import sys
import time

import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
try:
    import sklearn
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
except ImportError:
    print("scikit-learn is not installed (Debian: apt-get install python3-sklearn); "
          "no comparison")
    sys.exit(0)

DATA = "/usr/share/datasets/fashion-mnist/"


def images(name):
    with gzip.open(DATA + name, "rb") as f:
        raw = f.read()
    count, rows, cols = np.frombuffer(raw[4:16], dtype=">u4")
    return np.frombuffer(raw[16:], dtype=np.uint8).reshape(count, rows * cols) / 255.0


x = np.vstack([images("train-images-idx3-ubyte.gz"), images("t10k-images-idx3-ubyte.gz")])[:n]
z = PCA(n_components=50, svd_solver="full").fit_transform(x)
kwargs = dict(n_components=2, perplexity=30.0, method="barnes_hut", angle=0.5, init="pca",
              learning_rate="auto", n_jobs=2, random_state=0)
try:
    tsne = TSNE(n_iter=1000, **kwargs)
except TypeError:  # scikit-learn >= 1.5 renamed n_iter
    tsne = TSNE(max_iter=1000, **kwargs)
t0 = time.perf_counter()
y = tsne.fit_transform(z)
seconds = time.perf_counter() - t0
np.save(out, y.astype(np.float64))
print(f"scikit-learn {sklearn.__version__} TSNE, N = {n}: {seconds:.2f} s, "
      f"KL {tsne.kl_divergence_:.4f}")
print(f"RESULT sklearn_seconds={seconds:.3f} sklearn_kl={tsne.kl_divergence_:.4f}")
