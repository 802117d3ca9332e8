#!/bin/sh
# Installs udl into a scratch prefix, then builds and runs two consumers from there:
# a C program through pkg-config and a C++ program through find_package(udl CONFIG).
# usage: run.sh BUILD_DIR WORK_DIR SOURCE_DIR "EXTRA_FLAGS"
set -eu
build=$1 work=$2 src=$3 flags=${4:-}
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"

pc=$(find "$prefix" -name udl.pc | head -n 1)
[ -n "$pc" ] || { echo "udl.pc was not installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
static=
ls "$libdir"/libudl.so* >/dev/null 2>&1 || static=--static
export PKG_CONFIG_PATH="$(dirname "$pc")"

if [ -x "$prefix/bin/udl" ]; then
    echo "== the installed udl tool"
    "$prefix/bin/udl" --version
fi

echo "== C consumer through pkg-config"
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Werror $flags -o "$work/consumer_c" "$src/consumer.c" \
    $(pkg-config --cflags --libs $static udl) -lm
LD_LIBRARY_PATH="$libdir" "$work/consumer_c"

echo "== C++ consumer through find_package(udl CONFIG)"
cmake -S "$src/cxx" -B "$work/cxx-build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$work/cxx-configure.log"
cmake --build "$work/cxx-build" >"$work/cxx-build.log"
"$work/cxx-build/consumer_cxx"
