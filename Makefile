# mdt-coresponder: the two commands a newcomer needs.
#   make demo   install missing Debian packages, build, run the end-to-end demo
#   make test   install missing Debian packages, build, run every test (ctest)
# Also: make bench, make fuzz (FUZZ_SECONDS=60), make test-sanitize, make package.

BUILD       ?= build
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
TEST_JOBS   ?= $(JOBS)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60

# Everything the build, tests and demo need, all from Debian 12.
DEB_PACKAGES := build-essential cmake pkg-config git \
  libboost-dev libboost-program-options-dev \
  libzmq3-dev cppzmq-dev libpoco-dev libsqlite3-dev libserialport-dev \
  libssl-dev libsodium-dev libzstd-dev libgtest-dev libgmock-dev \
  libespeak-ng-dev libpcaudio-dev
# Only the tests need these: chromium renders the web view, espeak-ng speaks.
TEST_PACKAGES  := chromium espeak-ng
FUZZ_PACKAGES  := clang libclang-rt-14-dev
BENCH_PACKAGES := gpsd

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build demo test test-sanitize bench fuzz package clean

all: build

# Installs only what is missing, so a second run touches nothing.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	./demo/run-demo.sh $(BUILD)

test: build
	$(call install_missing,$(TEST_PACKAGES))
	cd $(BUILD) && ctest --output-on-failure -j$(TEST_JOBS) --timeout 300

# Every test under AddressSanitizer + UndefinedBehaviorSanitizer (what CI runs).
test-sanitize:
	$(MAKE) test BUILD=$(BUILD)-asan TEST_JOBS=1 CMAKE_FLAGS="-DMDTC_SANITIZE=ON $(CMAKE_FLAGS)"

bench: deps
	$(call install_missing,$(BENCH_PACKAGES))
	cmake -S . -B $(BUILD)-release -DCMAKE_BUILD_TYPE=Release -DMDTC_BENCH=ON
	cmake --build $(BUILD)-release -j$(JOBS)
	@set -e; for b in $(BUILD)-release/tests/bench/bench_*; do \
	  [ -x "$$b" ] || continue; echo "== $$b"; "$$b"; done

fuzz: deps
	$(call install_missing,$(FUZZ_PACKAGES))
	# The sanitizers go on every link too: a shared library compiled with
	# them and linked -Wl,--no-undefined needs their runtime named.
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMDTC_FUZZ=ON -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
	  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
	  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" $(CMAKE_FLAGS)
	cmake --build $(BUILD)-fuzz -j$(JOBS) --target fuzz_targets
	@set -e; for f in $(BUILD)-fuzz/tests/fuzz/fuzz_*; do \
	  [ -x "$$f" ] || continue; name=$$(basename $$f); corpus=tests/fuzz/corpus/$${name#fuzz_}; \
	  work=$(BUILD)-fuzz/corpus/$${name#fuzz_}; mkdir -p $$work; \
	  echo "== $$name ($(FUZZ_SECONDS) s)"; \
	  "$$f" -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$work $$corpus; done

package: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-release $(BUILD)-fuzz
