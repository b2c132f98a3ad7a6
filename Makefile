# lmfootprint: the two commands a user needs are `make run` and `make test`.
# Installs go into .venv from exact pins (requirements/*.lock); a stamp file makes a
# second `make run` reinstall nothing.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# empty: the default profile's `cores: all`; `make run CORES=4` limits it
CORES  ?=
# `make run CONFIG=my.yaml` overlays my.yaml on config/config.yaml (checked first, with lines)
CONFIG ?=
STAMP     := $(VENV)/.installed-base
DEV_STAMP := $(VENV)/.installed-dev
LLAMA_STAMP := $(VENV)/.installed-llama
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test lint install install-dev install-llama dag lock env clean refresh-hub refresh-reference

run: $(STAMP)
	$(if $(CONFIG),$(BIN)/python -m lmfootprint check-config $(CONFIG))
	$(BIN)/snakemake $(if $(CORES),--cores $(CORES)) $(if $(CONFIG),--configfile $(CONFIG))
	@echo "Report: $(CURDIR)/results/report.html"

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests workflow/scripts bench
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint

install: $(STAMP)
install-dev: $(DEV_STAMP)
# The llama.cpp backend (`backend: llama_cpp` workloads); pip builds llama.cpp (~5 min, 2 cores).
install-llama: $(LLAMA_STAMP)

$(STAMP): pyproject.toml requirements/base.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements/base.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(DEV_STAMP): $(STAMP) requirements/dev.lock
	$(PIP) install --quiet -r requirements/dev.lock
	touch $@

$(LLAMA_STAMP): $(STAMP) requirements/llama.lock
	$(PIP) install --quiet -r requirements/llama.lock
	touch $@

# Re-resolve the Hub commits of the configured models; with hub.write_snapshot: true in the
# config, the new files and pins are written into resources/hub/ (needs the network).
refresh-hub: $(STAMP)
	$(BIN)/snakemake --cores 1 refresh_hub --forcerun refresh_hub
	@cat results/hub/refresh.json

# Fetch GPU prices, grid intensity and tariffs live and write them back as the snapshot.
refresh-reference: $(STAMP)
	$(BIN)/snakemake --cores 1 refresh_reference --forcerun gpu_prices carbon_intensity tariffs \
	  --config online=True

# The DAG picture in the README, rendered from Snakemake's own rule graph.
dag: $(STAMP)
	$(BIN)/python -m lmfootprint.core.docs rulegraph README.md

# Re-resolve the exact pins after changing pyproject.toml (needs the package registry).
lock:
	rm -rf /tmp/lmfootprint-lock && $(PYTHON) -m venv /tmp/lmfootprint-lock
	/tmp/lmfootprint-lock/bin/pip install --quiet torch==2.13.0 -e . && \
	  /tmp/lmfootprint-lock/bin/pip freeze --exclude-editable | grep -v '^pip==' > /tmp/base.lock
	/tmp/lmfootprint-lock/bin/pip install --quiet -e '.[dev]' && \
	  /tmp/lmfootprint-lock/bin/pip freeze --exclude-editable > /tmp/full.lock
	@echo "Now review /tmp/base.lock and /tmp/full.lock and copy them into requirements/,"
	@echo "then run: make env"

# The rules' conda environment (--sdm conda), generated from the base lock's exact pins.
env: $(STAMP)
	$(BIN)/python -m lmfootprint.core.conda_env requirements/base.lock workflow/envs/lmfootprint.yaml

clean:
	rm -rf results logs benchmarks .snakemake
