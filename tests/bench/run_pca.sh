#!/bin/sh
# Runs the PCA benchmark and, where Debian's python3-sklearn is installed, scikit-learn on
# the same data, and prints the speed-up. usage: run_pca.sh [BUILD_DIR] [REPEATS]
set -eu
build=${1:-build}
repeats=${2:-3}
images=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
here=$(dirname "$0")
udl_out=$("$build/tests/bench/bench_pca" "$images" "$repeats")
echo "$udl_out" | grep -v '^RESULT'
sk_out=$(/usr/bin/python3 "$here/pca_sklearn.py" "$images" "$repeats")
echo "$sk_out" | grep -v '^RESULT'
udl_s=$(echo "$udl_out" | sed -n 's/.*udl_fit_seconds=\([0-9.]*\).*/\1/p')
sk_s=$(echo "$sk_out" | sed -n 's/.*sklearn_seconds=\([0-9.]*\).*/\1/p')
if [ -n "$sk_s" ]; then
    awk -v a="$sk_s" -v b="$udl_s" \
        'BEGIN { printf "  udl is %.1f x faster than scikit-learn (target >= 5)\n", a / b }'
fi
