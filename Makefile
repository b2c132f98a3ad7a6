# lmfootprint: the two commands a user needs are `make run` and `make test`.
# Installs go into .venv from exact pins (requirements/*.lock); a stamp file makes a
# second `make run` reinstall nothing.

# Python 3.11-3.13 (pyproject.toml's requires-python). `make run PYTHON=/path/to/python3.12`
# picks one; by default the first of python3.11, python3.12, python3.13, python3 that is in range.
PY_IN_RANGE := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(or $(shell for p in python3.11 python3.12 python3.13 python3; do \
  $$p -c '$(PY_IN_RANGE)' 2>/dev/null && { echo $$p; break; }; done),python3)
endif
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV   := .venv
BIN    := $(VENV)/bin
# empty: the default profile's `cores: all`; `make run CORES=4` limits it
CORES  ?=
# `make run CONFIG=my.yaml` overlays my.yaml on config/config.yaml (checked first, with lines)
CONFIG ?=
# a machine whose `nvidia-smi -L` lists a GPU gets the GPU set too (CUDA torch, zeus, NVML)
HAS_GPU := $(shell nvidia-smi -L 2>/dev/null | grep -q '^GPU' && echo yes)
# Which build of torch: cpu (PyTorch's CPU index, ~200 MB; a wheel pip already finds in a
# local folder is taken first) or cuda (the package index's build and its CUDA runtime wheels,
# requirements/gpu.lock; several GB). Both come from public indexes only.
TORCH ?= $(if $(HAS_GPU),cuda,cpu)
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
# the stamps name the interpreter's version (another PYTHON re-creates .venv) and the torch
# build (another TORCH replaces torch)
FLAVOUR   := py$(PYVER)-$(TORCH)
STAMP     := $(VENV)/.installed-base-$(FLAVOUR)
DEV_STAMP := $(VENV)/.installed-dev-$(FLAVOUR)
LLAMA_STAMP := $(VENV)/.installed-llama-$(FLAVOUR)
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

TORCH_PIN := $$(grep '^torch==' requirements/base.lock)
# cpu: PyTorch's CPU index alone (never the package index's CUDA build by surprise); cuda: the
# package index alone (a local +cpu wheel is not looked at)
TORCH_FROM_cpu := --index-url $(TORCH_CPU_INDEX)
TORCH_FROM_cuda := --isolated --index-url https://pypi.org/simple
TORCH_OTHER_cpu := cuda
TORCH_OTHER_cuda := cpu
TORCH_INSTALL = $(PIP) install --quiet --no-compile --no-deps --force-reinstall

.PHONY: run run-local test test-fast lint docs install install-dev install-llama install-gpu dag lock lock-gpu env clean clean-results refresh-hub refresh-reference discover

run: $(STAMP)
	$(if $(CONFIG),$(BIN)/python -m lmfootprint check-config $(CONFIG))
	$(BIN)/snakemake $(if $(CORES),--cores $(CORES)) $(if $(CONFIG),--configfile $(CONFIG))
	@echo "Report: $(CURDIR)/results/report.html"

# The local-inference study (config/local.yaml): llama.cpp, Q4_K_M GGUF ladder from 135M to 8B,
# fixed-length and replayed requests, measured on this machine; installs llama.cpp first.
run-local: $(LLAMA_STAMP)
	$(BIN)/snakemake $(if $(CORES),--cores $(CORES)) --configfile config/local.yaml $(if $(CONFIG),$(CONFIG))
	@echo "Report: $(CURDIR)/results/report.html"

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

# The fast lane, between commits: unit and schema tests, no end-to-end workflow run (pytest -m
# "not e2e"); `make test` is the full suite CI runs.
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not e2e" -q

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
install-gpu:
	$(MAKE) install TORCH=cuda

# The interpreter is checked before anything is installed; a .venv made by another Python (or
# left half-made) is replaced, not reused. torch is installed apart from the rest: the build
# TORCH names, from the index that has it.
$(STAMP): pyproject.toml requirements/base.lock
	@$(PYTHON) -c '$(PY_IN_RANGE)' 2>/dev/null || { echo "lmfootprint needs Python 3.11-3.13;" \
	  "'$(PYTHON)' is $(or $(PYVER),not found). Set PYTHON=/path/to/python3.11 (or 3.12, 3.13)."; exit 1; }
	@case "$(TORCH)" in cpu|cuda) ;; *) echo "TORCH=$(TORCH): cpu or cuda"; exit 1;; esac
	@test "$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" \
	  = "$(PYVER)" || { rm -rf $(VENV) && echo "creating $(VENV) with $(PYTHON) ($(PYVER))" && \
	  $(PYTHON) -m venv $(VENV); }
	rm -f $(VENV)/.installed-*
	grep -v '^torch==' requirements/base.lock > $(VENV)/base-without-torch.txt
	$(PIP) install --quiet --no-compile --no-deps -r $(VENV)/base-without-torch.txt
	$(if $(filter cpu,$(TORCH)),$(TORCH_INSTALL) --no-index $(TORCH_PIN) 2>/dev/null ||) \
	  $(TORCH_INSTALL) $(TORCH_FROM_$(TORCH)) $(TORCH_PIN) || { echo "torch: no $(TORCH) build" \
	  "from $(lastword $(TORCH_FROM_$(TORCH))); TORCH=$(TORCH_OTHER_$(TORCH)) takes the other"; exit 1; }
	$(if $(filter cuda,$(TORCH)),$(PIP) install --quiet --no-compile --no-deps -r requirements/gpu.lock)
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

# The DAG picture in docs/architecture.md, rendered from Snakemake's own rule graph.
dag: $(STAMP)
	$(BIN)/python -m lmfootprint.core.docs rulegraph docs/architecture.md

# The documentation site (mkdocs.yml, docs/) into site/; offline, and any warning (a broken
# link, a page left out of the nav) fails it.
docs: $(DEV_STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

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

# Outputs and the installed environment; `make clean-results` keeps .venv.
clean: clean-results
	rm -rf $(VENV)

clean-results:
	rm -rf results logs benchmarks .snakemake
