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
GPU_STAMP := $(VENV)/.installed-gpu
# a machine whose `nvidia-smi -L` lists a GPU gets the GPU set too (CUDA torch, zeus, NVML)
HAS_GPU := $(shell nvidia-smi -L 2>/dev/null | grep -q '^GPU' && echo yes)
RUN_STAMP := $(if $(HAS_GPU),$(GPU_STAMP),$(STAMP))
PIP := $(BIN)/python -m pip --disable-pip-version-check
# The locks pin every package, dependencies included: installed with --no-deps (no resolver
# pass, 7 s less) and checked with `pip check` (a lock missing a dependency fails there).
# pip byte-compiles on one core; compileall uses every core. Compiling at install matters where
# PYTHONDONTWRITEBYTECODE is set (CI images): there no job process ever writes a .pyc, and each
# one would re-compile torch, transformers and pandas from source (3.9 s -> 1.0 s per import).
# Left out: test folders, transformers' ~400 model families (a job compiles the one or two it
# builds in milliseconds) and packages no job imports (pip, setuptools, networkx, pygments,
# docutils, rich...; listed by importing every job's modules); files this Python cannot parse
# (torch ships a 3.12-only test helper) are skipped, as pip does.
UNIMPORTED := pip|setuptools|networkx|pygments|docutils|rich|markdown_it|nbformat|git|typer
COMPILE := $(BIN)/python -m compileall -q -j 0 \
  -x '/(tests?|testing)/|/transformers/models/(?!auto/)|/site-packages/($(UNIMPORTED))/' \
  $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') src >/dev/null || true

.PHONY: run test lint install install-dev install-llama install-gpu dag lock lock-gpu env clean refresh-hub refresh-reference discover

run: $(RUN_STAMP)
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
# The GPU set; `make run` installs it by itself when nvidia-smi lists a GPU.
install-gpu: $(GPU_STAMP)

$(STAMP): pyproject.toml requirements/base.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --no-compile --no-deps -r requirements/base.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	$(COMPILE)
	touch $@

$(DEV_STAMP): $(STAMP) requirements/dev.lock
	$(PIP) install --quiet --no-compile --no-deps -r requirements/dev.lock
	$(PIP) check
	$(COMPILE)
	touch $@

$(LLAMA_STAMP): $(STAMP) requirements/llama.lock
	$(PIP) install --quiet -r requirements/llama.lock
	touch $@

# torch is replaced by the package index's CUDA build when the base install brought a CPU one
# (a local CPU wheel, or +cpu from the PyTorch CPU index).
$(GPU_STAMP): $(STAMP) requirements/gpu.lock
	$(PIP) install --quiet -r requirements/gpu.lock
	$(BIN)/python -c "import sys, torch; sys.exit(0 if torch.version.cuda else 1)" || \
	  $(PIP) install --quiet --isolated --index-url https://pypi.org/simple --force-reinstall \
	  --no-deps $$(grep '^torch==' requirements/gpu.lock)
	touch $@

# Resolve requirements/gpu.lock from the index's metadata (no CUDA wheel is downloaded).
lock-gpu: $(STAMP)
	grep -v '^torch==' requirements/base.lock > /tmp/lmfootprint-base-constraints.txt
	$(PIP) install --isolated --index-url https://pypi.org/simple --dry-run --ignore-installed \
	  --quiet --report /tmp/lmfootprint-gpu-report.json -c /tmp/lmfootprint-base-constraints.txt \
	  'torch==2.13.0' 'zeus>=0.16,<0.17' 'nvidia-ml-py>=12'
	$(BIN)/python -m lmfootprint.core.locks gpu /tmp/lmfootprint-gpu-report.json \
	  requirements/base.lock > requirements/gpu.lock

# Re-resolve the Hub commits of the configured models; with hub.write_snapshot: true in the
# config, the new files and pins are written into resources/hub/ (needs the network).
refresh-hub: $(STAMP)
	$(BIN)/snakemake --cores 1 refresh_hub --forcerun refresh_hub
	@cat results/hub/refresh.json

# List the config's hub_query on the Hub and pin the result as resources/hub_queries/<name>.csv
# (needs the network); what joined and left: results/hub_queries/<name>.changes.json.
discover: $(STAMP)
	$(BIN)/snakemake --cores 1 pin_hub_query --forcerun refresh_hub_query \
	  $(if $(CONFIG),--configfile $(CONFIG)) --config online=True

# Fetch GPU prices, grid intensity and tariffs live, build the tables, write the new snapshot
# to results/reference_refresh/ (the rule's outputs) and copy it over resources/.
refresh-reference: $(STAMP)
	$(BIN)/snakemake --cores 1 refresh_reference --config online=True \
	  --forcerun retrieve_prices_live retrieve_carbon_live retrieve_tariffs_live
	cp -R results/reference_refresh/. resources/

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
