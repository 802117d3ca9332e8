#!/bin/sh
# RBM training speed: udl (CD-1 and PCD-1), then scikit-learn's BernoulliRBM (PCD-1) and a
# PyTorch float64 CD-1 RBM, back to back on the same data. usage: run_rbm.sh [BUILD_DIR]
set -eu
build=${1:-build}
images=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
here=$(dirname "$0")
udl_out=$("$build/tests/bench/bench_rbm" "$images" 1 256)
echo "$udl_out" | grep -v '^RESULT'
ref_out=$(OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$here/rbm_reference.py" "$images" 256 1 2)
echo "$ref_out" | grep -v '^RESULT'
cd1=$(echo "$udl_out" | sed -n 's/^RESULT udl_cd1_seconds=//p')
pcd1=$(echo "$udl_out" | sed -n 's/^RESULT udl_pcd1_seconds=//p')
sk=$(echo "$ref_out" | sed -n 's/^RESULT sklearn_seconds=//p')
th=$(echo "$ref_out" | sed -n 's/^RESULT torch_seconds=//p')
[ -n "$sk" ] && awk -v a="$sk" -v b="$pcd1" 'BEGIN { printf "  udl PCD-1 is %.1f x faster than scikit-learn (target >= 2.5)\n", a / b }'
[ -n "$th" ] && awk -v a="$th" -v b="$cd1" 'BEGIN { printf "  udl CD-1 is %.1f x faster than PyTorch at its better thread count (target >= 2)\n", a / b }'
exit 0
