# Clavis — the two commands of README.md, and a few helpers.
#   make run    install what is missing, build, and serve on ./clavis.db (SQLite)
#               (make run PG=1: on a local PostgreSQL cluster in ./.pg)
#   make test   install what is missing, build (sanitizers on), and run every test
BUILD    ?= build
TBUILD   ?= build-test
LISTEN   ?= 127.0.0.1:8080
ISSUER   ?= http://$(LISTEN)
DB       ?= clavis.db
JOBS     ?= $(shell nproc)

.PHONY: all build run test style unit unit-pg e2e e2e-pg deps deps-test fuzz fuzz-smoke bench clean

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target clavis

# PG=1: on a local PostgreSQL cluster in $(PGDIR) instead (scripts/pg.sh up: initdb the
# first time as an unprivileged user, on 127.0.0.1 and a free port; kept between runs;
# `scripts/pg.sh stop` with CLAVIS_PG_DIR=$(PGDIR) removes it); the key-encryption key is
# $(PGDIR)/keys/kek (docs/OPERATIONS.md "Keys").
PGDIR    ?= $(CURDIR)/.pg
ifeq ($(PG),1)
run: build
	@scripts/deps.sh pg
	@url=$$(CLAVIS_PG_DIR=$(PGDIR) CLAVIS_PG_DURABLE=1 scripts/pg.sh up) && \
	if [ ! -f $(PGDIR)/initialised ]; then $(BUILD)/clavis init --db "$$url" --key-dir $(PGDIR)/keys && touch $(PGDIR)/initialised; fi && \
	echo "PostgreSQL: $$url (stop: CLAVIS_PG_DIR=$(PGDIR) scripts/pg.sh stop)" && \
	exec $(BUILD)/clavis serve --listen $(LISTEN) --issuer $(ISSUER) --db "$$url" --key-dir $(PGDIR)/keys
else
run: build
	@if [ ! -f $(DB) ]; then $(BUILD)/clavis init --db $(DB); fi
	$(BUILD)/clavis serve --listen $(LISTEN) --issuer $(ISSUER) --db $(DB)
endif

$(TBUILD)/CMakeCache.txt:
	cmake -S . -B $(TBUILD) -DCMAKE_BUILD_TYPE=Debug -DCLAVIS_SANITIZE=ON -DCLAVIS_WERROR=ON >/dev/null

unit: deps-test $(TBUILD)/CMakeCache.txt
	@cmake --build $(TBUILD) -j $(JOBS)
	cd $(TBUILD) && ctest --output-on-failure -j $(JOBS)

# The store suites again, on PostgreSQL: a throwaway cluster (scripts/pg.sh) started for
# them and stopped after, also when a test fails. docs/OPERATIONS.md, "PostgreSQL".
unit-pg: deps-test $(TBUILD)/CMakeCache.txt
	@cmake --build $(TBUILD) -j $(JOBS)
	scripts/pg.sh run sh -c 'cd $(TBUILD) && ctest --output-on-failure -j $(JOBS) -R "^test_store"'

e2e: deps-test $(TBUILD)/CMakeCache.txt
	@cmake --build $(TBUILD) -j $(JOBS) --target clavis
	@cd tests/e2e && (test node_modules/.package-lock.json -nt package-lock.json || npm ci --silent --no-audit --no-fund)
	@cd examples/mcp && (test node_modules/.package-lock.json -nt package-lock.json || npm ci --silent --no-audit --no-fund)
	CLAVIS_BIN=$(CURDIR)/$(TBUILD)/clavis node --test --test-concurrency=2 tests/e2e/

# The end-to-end suite again, every server on a database of its own in a throwaway
# PostgreSQL cluster (tests/e2e/harness.mjs reads CLAVIS_TEST_STORE_URL).
e2e-pg: deps-test $(TBUILD)/CMakeCache.txt
	@cmake --build $(TBUILD) -j $(JOBS) --target clavis
	@cd tests/e2e && (test node_modules/.package-lock.json -nt package-lock.json || npm ci --silent --no-audit --no-fund)
	@cd examples/mcp && (test node_modules/.package-lock.json -nt package-lock.json || npm ci --silent --no-audit --no-fund)
	scripts/pg.sh run sh -c 'CLAVIS_BIN=$(CURDIR)/$(TBUILD)/clavis node --test --test-concurrency=2 tests/e2e/'

test: style unit unit-pg e2e e2e-pg fuzz-smoke
	@echo "make test: style, layers, budget, unit and end-to-end (SQLite and PostgreSQL), fuzz checks passed"

# Banned functions, the layers of docs/ARCHITECTURE.md, the size budget (pmccabe), and
# that those checks fail on planted faults.
style: deps-test
	@scripts/check-style.sh
	@scripts/check-layers.sh
	@scripts/check-budget.sh
	@tests/scripts/test_checks.sh

# libFuzzer targets (clang): `make fuzz` runs each for FUZZ_SECONDS (default 60),
# `make fuzz-smoke` (part of `make test`) for 5 s each. docs/SECURITY.md, "Fuzzing".
FUZZ_SECONDS ?= 60
build-fuzz/CMakeCache.txt:
	CC=clang cmake -S . -B build-fuzz -DCLAVIS_FUZZ=ON -DCLAVIS_SANITIZE=ON -DCLAVIS_WERROR=ON >/dev/null

fuzz: deps-test build-fuzz/CMakeCache.txt
	@cmake --build build-fuzz -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh build-fuzz

fuzz-smoke: deps-test build-fuzz/CMakeCache.txt
	@cmake --build build-fuzz -j $(JOBS)
	FUZZ_SECONDS=5 scripts/fuzz.sh build-fuzz

bench: build
	scripts/deps.sh all
	bench/token.sh

clean:
	rm -rf $(BUILD) $(TBUILD) build-fuzz
