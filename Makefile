# Conveniences over CMake. `make test` and `make demo` install missing Debian
# packages first (scripts/deps.sh), so they work on a fresh machine.
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test test-sanitize test-tsan test-valgrind docs demo bench fuzz install clean

DEMO_OUT ?= udl-demo
DEMO_FLAGS ?=

all: build

deps:
	@sh scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DUDL_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUDL_WERROR=ON -DUDL_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS)

# Two threads training and using models of every kind at once, under ThreadSanitizer
# (OpenBLAS and OpenMP run one thread each there: they are not instrumented).
TSAN_BUILD ?= build-tsan
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUDL_WERROR=ON -DUDL_TSAN=ON -DUDL_BUILD_CLI=OFF $(CMAKE_FLAGS)
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target test_threads
	cd $(TSAN_BUILD) && ctest --output-on-failure -R '^threads$$'

# The API reference, from the comments in include/udl/*.h, with Doxygen:
# $(BUILD)/docs/html/index.html. Any warning (an undocumented declaration) fails it.
docs: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DUDL_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) --target docs

# The whole toolbox on Fashion-MNIST: PNG figures and report.html in $(DEMO_OUT)/
# (under 20 minutes on two cores; DEMO_FLAGS=--quick for the two-minute version).
demo: build
	./$(BUILD)/src/cli/udl demo -o $(DEMO_OUT) $(DEMO_FLAGS)

# Benchmarks (not tests): PCA against the machine's dgemm and scikit-learn, t-SNE
# against scikit-learn, RBM training against scikit-learn and PyTorch.
bench: build
	sh tests/bench/run_pca.sh $(BUILD) 3
	sh tests/bench/run_tsne.sh $(BUILD) 10000
	sh tests/bench/run_rbm.sh $(BUILD)
	sh tests/bench/run_dnn.sh $(BUILD)

# libFuzzer on every reader and every model kind, each target FUZZ_SECONDS long from its
# corpus in tests/fuzz/corpus/ (installs clang, libclang-rt-dev and libomp-dev first; not
# part of make test). A crash fails it and lands in $(FUZZ_BUILD)/fuzz-crashes/.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS ?=
fuzz: deps
	@sh scripts/deps.sh fuzz
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUDL_FUZZ=ON -DUDL_BUILD_CLI=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The C tests, and the tool in most of its tests, under valgrind memcheck: any error or
# leak fails. Installs valgrind first; the README ("Fuzzing and valgrind") says how long.
VALGRIND_BUILD ?= build-valgrind
test-valgrind: deps
	@sh scripts/deps.sh valgrind
	cmake -S . -B $(VALGRIND_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUDL_WERROR=ON -DUDL_VALGRIND=ON $(CMAKE_FLAGS)
	cmake --build $(VALGRIND_BUILD) -j $(JOBS)
	cd $(VALGRIND_BUILD) && ctest --output-on-failure -j $(JOBS) -L memcheck

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) $(VALGRIND_BUILD) $(DEMO_OUT)
