# Thin driver: every target says what it runs. See README.md.
PRESET ?= release
BUILD  := build/$(PRESET)
BIN    := $(BUILD)/server/pulsemeet
CTEST_JOBS ?= 2

.PHONY: deps build server web run test test-server test-web test-e2e test-sfu test-asan test-tsan bench bench-cluster bench-sfu fuzz format format-check clean

deps:
	@scripts/deps.sh

server: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build $(BUILD)

web: deps
	@if [ -f web/package.json ]; then cd web && npm run build; fi

build: server web

run: build
	STATIC_DIR=$(CURDIR)/web/dist $(BIN)

test: build format-check test-server test-web test-e2e

test-server:
	ctest --test-dir $(BUILD) --output-on-failure -j $(CTEST_JOBS) $(CTEST_ARGS)

test-web:
	@if [ -f web/package.json ]; then cd web && npm run lint && npm test; fi

test-e2e:
	@if [ -f e2e/package.json ]; then cd e2e && PULSEMEET_BIN=$(CURDIR)/$(BIN) npm test; fi

# The five-page move onto the media server alone (e2e/tests/sfu.spec.ts, also in `make test`).
test-sfu: build
	cd e2e && PULSEMEET_BIN=$(CURDIR)/$(BIN) npx playwright test tests/sfu.spec.ts

# Under a sanitizer the allocator is the sanitizer's (ASan also keeps freed memory in quarantine),
# so tests that measure resident memory or glibc's heap measure the tool; and DeployFiles checks
# the release binary the image ships, whose libraries are not a sanitized build's.
SANITIZED_EXCLUDE := -E 'Memory|HeapTrimmer|DeployFiles'

test-asan:
	$(MAKE) server test-server PRESET=asan CTEST_ARGS="$(SANITIZED_EXCLUDE)"

test-tsan:
	$(MAKE) server test-server PRESET=tsan CTEST_ARGS="$(SANITIZED_EXCLUDE)"

# Every scenario against pulsemeet, go-seed and node-ws, side by side (bench/run.sh). Not part of
# `make test`: benchmarks measure, tests assert.
bench: server
	bench/deps.sh
	bench/run.sh

# Relay through one instance, one with Redis, and two sharing rooms through a real redis-server
# (bench/cluster.sh); RATES="5000 20000 0" (0: saturation).
bench-cluster: server
	bench/cluster.sh

# The media server under pulsemeet-sfuload (bench/sfu.sh): rooms of 6, one speaker to 100
# viewers, a sweep of rooms until the server's core is busy, each against pulsemeet and Janus's
# VideoRoom in the same run; table in docs/performance.md.
bench-sfu: server
	bench/deps.sh sfu
	bench/sfu.sh

# libFuzzer targets (clang, the `fuzz` preset), each run for FUZZ_SECONDS on a copy of its
# committed seed corpus (fuzz/corpus/<target>); new inputs stay in build/fuzz/corpus.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := codec_fuzzer http_fuzzer static_path_fuzzer stun_fuzzer rtp_rtcp_fuzzer sdp_fuzzer srtp_fuzzer vp8_descriptor_fuzzer
fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build build/fuzz
	@for target in $(FUZZ_TARGETS); do \
	  name=$${target%_fuzzer}; mkdir -p build/fuzz/corpus/$$name; \
	  echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz/$$target -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/ build/fuzz/corpus/$$name fuzz/corpus/$$name || exit 1; \
	done

CXX_SOURCES = $$(git ls-files 'server/*.cpp' 'server/*.hpp' 'bench/*.cpp' 'bench/*.hpp' 'fuzz/*.cpp' 'fuzz/*.hpp')

format:
	clang-format -i $(CXX_SOURCES)

format-check:
	clang-format --dry-run --Werror $(CXX_SOURCES)

clean:
	rm -rf build web/dist
