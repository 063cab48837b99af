# Top-level driver. `make test` is the README's test command.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build test asan tsan valgrind demo bench fuzz clean

all: build

deps:
	./scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DDQP_WERROR=ON $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# AddressSanitizer + UndefinedBehaviorSanitizer build running the C tests.
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDQP_WERROR=ON -DDQP_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -L c

# ThreadSanitizer (clang + libomp with the Archer tool) over the batch tests.
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DDQP_WERROR=ON -DDQP_TSAN=ON
	cmake --build build-tsan -j $(JOBS) --target diff_test_engine
	cd build-tsan && OMP_TOOL_LIBRARIES=/usr/lib/llvm-14/lib/libarcher.so \
	  TSAN_OPTIONS=halt_on_error=1:ignore_noninstrumented_modules=1:suppressions=$(CURDIR)/tests/tsan.supp OMP_NUM_THREADS=2 ./diff_test_engine

# valgrind memcheck over the C unit tests (Debug build, no sanitizers); the
# CLI test only drives the dqp executable through popen and is left out.
valgrind: deps
	cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=Debug -DDQP_WERROR=ON
	cmake --build build-vg -j $(JOBS)
	OPENBLAS_NUM_THREADS=1 DQP_VALGRIND=1 ./scripts/valgrind-tests.sh build-vg

# libFuzzer (clang, ASan+UBSan): each target for FUZZ_SECONDS. New inputs go to
# build-fuzz/corpus-*; crashes to build-fuzz/ (save them in tests/fuzz/regressions/).
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DDQP_FUZZ=ON \
	  -DDQP_SANITIZE=ON -DDQP_WERROR=ON
	cmake --build build-fuzz -j $(JOBS) --target fuzz_qps fuzz_solve
	for t in qps solve; do \
	  mkdir -p build-fuzz/corpus-$$t && \
	  (cd build-fuzz && OPENBLAS_NUM_THREADS=1 ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	     -max_len=4096 -rss_limit_mb=2048 corpus-$$t ../tests/fuzz/corpus/$$t) || exit 1; \
	done

# The README's main job: solve and differentiate the seed toy problem.
demo: build
	$(BUILD)/dqp demo

bench: build
	OPENBLAS_NUM_THREADS=1 $(BUILD)/bench_linsys

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-tsan build-vg
