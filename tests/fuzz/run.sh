#!/bin/sh
# Runs each libFuzzer target SECONDS long from its corpus in the tree, one after the
# other, and prints the executions of each; exits non-zero when any target crashed,
# leaked or timed out (the input is saved as BUILD/fuzz-crashes/<target>-crash-*).
# New inputs go to BUILD/fuzz-corpus/<target>/, never into the tree.
#   sh tests/fuzz/run.sh BUILD SECONDS [TARGET...]
set -u
build=$1 seconds=$2
shift 2
targets=${*:-"npy idx idx-gz csv pca ae sae deep-ae rbm dbn dnn"}
tree=$(cd "$(dirname "$0")" && pwd)/corpus
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
mkdir -p "$build/fuzz-crashes"
failed=
summary=
for t in $targets; do
    mkdir -p "$build/fuzz-corpus/$t"
    log="$build/fuzz-crashes/$t.log"
    "$build/tests/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=30 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-crashes/$t-" \
        "$build/fuzz-corpus/$t" "$tree/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    found=$(ls "$build/fuzz-corpus/$t" | wc -l)
    line=$(printf '%-8s %10s executions in %s s, %s inputs in its corpus' "$t" "${runs:-?}" \
        "$seconds" "$found")
    if [ "$rc" -ne 0 ]; then
        line="$line: FAILED (exit $rc; $log)"
        failed="$failed $t"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: check failed)|artifact_prefix' "$log" | head -n 5
    fi
    echo "$line"
    summary="$summary$line
"
done
echo "fuzzing summary:"
printf '%s' "$summary"
if [ -n "$failed" ]; then
    echo "fuzzing failed:$failed"
    exit 1
fi
