#!/bin/sh
# Attack speed: udl's FGSM and PGD-10 at eps 0.1 and DeepFool on 10,000 Fashion-MNIST test
# images, then the same attacks in PyTorch float64 on the same weights (default OpenMP
# waiting and OMP_WAIT_POLICY=PASSIVE, the better kept), back to back.
# usage: run_attack.sh MODEL [BUILD_DIR]
set -eu
model=$1
build=${2:-build}
here=$(dirname "$0")
udl_out=$("$build/tests/bench/bench_attack" mode=speed model="$model")
echo "$udl_out" | grep -v '^RESULT'
a=$(/usr/bin/python3 "$here/attack_torch.py" "$model")
echo "$a" | grep -v '^RESULT'
b=$(OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$here/attack_torch.py" "$model")
echo "$b" | grep -v '^RESULT'
for m in fgsm pgd10 deepfool; do
    u=$(echo "$udl_out" | sed -n "s/^RESULT udl_${m}_seconds=//p")
    t1=$(echo "$a" | sed -n "s/^RESULT torch_${m}_seconds=//p")
    t2=$(echo "$b" | sed -n "s/^RESULT torch_${m}_seconds=//p")
    awk -v u="$u" -v a="$t1" -v b="$t2" -v m="$m" 'BEGIN { t = a < b ? a : b;
        printf "  %s: udl %.3f s, PyTorch %.3f s at its better setting: udl %.2f x PyTorch'"'"'s speed (target >= 1)\n", m, u, t, t / u }'
done
