#!/bin/sh
# Fine-tuning speed of the deep classifier (784-1000-750-500-10 sigmoid, softmax
# cross-entropy, SGD momentum 0.9): udl (bench_dnn mode=speed), then PyTorch float64 with 2
# threads under its default OpenMP wait policy and under OMP_WAIT_POLICY=PASSIVE, back to
# back, at the same batch sizes. usage: run_dnn.sh [BUILD_DIR] [BATCHES] [EPOCHS]
set -eu
build=${1:-build}
batches=${2:-100,256}
epochs=${3:-1}
dir=/usr/share/datasets/fashion-mnist
here=$(dirname "$0")
udl_out=$("$build/tests/bench/bench_dnn" mode=speed batch="$batches" epochs="$epochs")
echo "$udl_out" | grep -v '^RESULT'
ref_out=$(/usr/bin/python3 "$here/dnn_torch.py" "$dir/train-images-idx3-ubyte.gz" \
          "$dir/train-labels-idx1-ubyte.gz" "$batches" "$epochs" 2 || true)
ref_out="$ref_out
$(OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$here/dnn_torch.py" "$dir/train-images-idx3-ubyte.gz" \
          "$dir/train-labels-idx1-ubyte.gz" "$batches" "$epochs" 2 || true)"
echo "$ref_out" | grep -v '^RESULT' | grep -v '^$' || true
dgemm=$(echo "$udl_out" | sed -n 's/^RESULT dgemm_gflops=//p')
for bs in $(echo "$batches" | tr ',' ' '); do
    u=$(echo "$udl_out" | sed -n "s/^RESULT batch=$bs udl_seconds=\([^ ]*\) udl_gflops=\([^ ]*\) .*/\1 \2/p")
    th=$(echo "$ref_out" | sed -n "s/^RESULT batch=$bs policy=[^ ]* torch_seconds=//p" | sort -g | head -1)
    [ -n "$u" ] || continue
    set -- $u
    awk -v s="$1" -v g="$2" -v d="$dgemm" -v t="$th" -v b="$bs" 'BEGIN {
        printf "  batch %s: udl %.2f s an epoch, %.1f GFLOP/s = %.0f%% of dgemm (target >= 70%%)", b, s, g, 100 * g / d
        if (t != "") printf "; %.2f x as fast as PyTorch at its better wait policy, %.2f s (target >= 1.5)", t / s, t
        printf "\n" }'
done
exit 0
