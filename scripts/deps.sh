#!/bin/sh
# Installs the Debian packages udl needs to build, test and run its demo, skipping
# those already present. Runs apt-get as root, or through sudo. Extra groups, named as
# arguments, are for one make target each:
#   fuzz      make fuzz: clang, its libFuzzer and sanitizer runtimes (libclang-rt-dev,
#             which holds libclang_rt.fuzzer), and LLVM's OpenMP for clang (libomp-dev)
#   valgrind  make test-valgrind
set -eu
packages="gcc g++ make cmake pkg-config libopenblas-dev liblapacke-dev zlib1g-dev
libcmocka-dev dataset-fashion-mnist libcairo2-dev python3-numpy doxygen"
for group in "$@"; do
    case $group in
    fuzz) packages="$packages clang libclang-rt-dev libomp-dev" ;;
    valgrind) packages="$packages valgrind" ;;
    *) echo "deps.sh: no group $group (fuzz, valgrind)" >&2; exit 2 ;;
    esac
done
missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "udl: installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
