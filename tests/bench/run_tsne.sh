#!/bin/sh
# t-SNE of Fashion-MNIST by udl and, where Debian's python3-sklearn is installed, by
# scikit-learn on the same points, one after the other; prints both and the speed-up.
# Both embeddings are scored by bench_tsne's 10-NN code.
# usage: run_tsne.sh [BUILD_DIR] [N]
set -eu
build=${1:-build}
n=${2:-10000}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sk_out=$(OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "$here/tsne_sklearn.py" "$n" "$tmp/sk.npy")
echo "$sk_out" | grep -v '^RESULT'
other=-
[ -f "$tmp/sk.npy" ] && other="$tmp/sk.npy"
udl_out=$("$build/tests/bench/bench_tsne" "$n" 0.5 "$other")
echo "$udl_out" | grep -v '^RESULT'
udl_s=$(echo "$udl_out" | sed -n 's/.*udl_seconds=\([0-9.]*\).*/\1/p')
sk_s=$(echo "$sk_out" | sed -n 's/.*sklearn_seconds=\([0-9.]*\).*/\1/p')
if [ -n "$sk_s" ]; then
    awk -v a="$sk_s" -v b="$udl_s" \
        'BEGIN { printf "  udl is %.1f x faster than scikit-learn (target >= 5)\n", a / b }'
fi
