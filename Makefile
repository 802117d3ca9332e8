# Conveniences over CMake. `make test` and `make demo` install missing Debian
# packages first (scripts/deps.sh), so they work on a fresh machine.
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test test-sanitize docs demo bench fuzz install clean

FMNIST ?= /usr/share/datasets/fashion-mnist
DEMO_OUT ?= demo-output
FMNIST_NAMES = T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot

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

# The API reference, from the comments in include/udl/*.h, with Doxygen:
# $(BUILD)/docs/html/index.html. Any warning (an undocumented declaration) fails it.
docs: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DUDL_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) --target docs

# PCA of the 60,000 Fashion-MNIST training images (codes, model and pictures), and
# t-SNE of the 10,000 test images.
demo: build
	./$(BUILD)/examples/example_gemm
	mkdir -p $(DEMO_OUT)
	./$(BUILD)/src/cli/udl pca -i $(FMNIST)/train-images-idx3-ubyte.gz -k 50 \
	    -o $(DEMO_OUT)/pca50.npy --save $(DEMO_OUT)/pca.udl \
	    --plot $(DEMO_OUT)/pca.png --labels $(FMNIST)/train-labels-idx1-ubyte.gz \
	    --label-names "$(FMNIST_NAMES)" --plot-variance $(DEMO_OUT)/pca-variance.png
	./$(BUILD)/src/cli/udl tsne -i $(FMNIST)/t10k-images-idx3-ubyte.gz --pca 50 \
	    -o $(DEMO_OUT)/tsne.npy --plot $(DEMO_OUT)/tsne.png \
	    --labels $(FMNIST)/t10k-labels-idx1-ubyte.gz --label-names "$(FMNIST_NAMES)"
	@echo "pictures in $(DEMO_OUT)/: pca.png, pca-variance.png, tsne.png"

# Benchmarks (not tests): PCA against the machine's dgemm and scikit-learn, t-SNE
# against scikit-learn, RBM training against scikit-learn and PyTorch.
bench: build
	sh tests/bench/run_pca.sh $(BUILD) 3
	sh tests/bench/run_tsne.sh $(BUILD) 10000
	sh tests/bench/run_rbm.sh $(BUILD)
	sh tests/bench/run_dnn.sh $(BUILD)

# libFuzzer on every reader and every model kind, FUZZ_SECONDS long (needs clang and
# libomp-dev; not part of make test). New crashes land in $(FUZZ_BUILD)/ as crash-*.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
fuzz: deps
	command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang libomp-dev)"; exit 1; }
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUDL_FUZZ=ON -DUDL_BUILD_CLI=OFF $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_libfuzzer
	mkdir -p $(FUZZ_BUILD)/corpus
	cp tests/fuzz/corpus/* $(FUZZ_BUILD)/corpus/
	cd $(FUZZ_BUILD) && ./tests/fuzz_libfuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=4096 corpus

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(DEMO_OUT)
