# returnsim: the README's two commands (make demo, make test) and a few helpers.
# Every target that needs Python first creates .venv with a Python >= 3.12
# (scripts/find-python.sh) and installs the package there; a stamp file keeps
# that from happening again until pyproject.toml changes.

SHELL := /bin/sh
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.returnsim-installed

.DEFAULT_GOAL := help
.PHONY: help bootstrap demo test lint format bench bench-crn bench-sweep bench-viz bench-load bench-soak fuzz serve experiments notebooks notebooks-run docs figures clean distclean

help: ## List the targets
	@echo "make TARGET, where TARGET is one of:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'

bootstrap: $(STAMP) ## Create .venv (Python >= 3.12) and install returnsim with dev tools

$(STAMP): pyproject.toml scripts/bootstrap.sh scripts/find-python.sh
	@scripts/bootstrap.sh $(VENV)
	@touch $@

demo: $(STAMP) ## Run the baseline scenario with all plots into out/demo
	$(VENV)/bin/returnsim run scenarios/baseline.toml --out out/demo --plot
	@echo "Demo results: out/demo/ (summary.json, timeseries.csv, stocks.png, flows.png, conditions.png)"

test: $(STAMP) ## Lint, check formatting and the import layers, and run the test suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP) ## Check code style, formatting (ruff) and the import layers (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Format the code and apply safe lint fixes (ruff)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP) ## Benchmark the core engine (benchmarks/bench_core.py)
	$(PY) benchmarks/bench_core.py

bench-crn: $(STAMP) ## Paired-run standard error, random numbers per household vs per stream (benchmarks/bench_crn.py)
	$(PY) benchmarks/bench_crn.py

bench-sweep: $(STAMP) ## Benchmark the experiment runner (benchmarks/bench_sweep.py)
	$(PY) benchmarks/bench_sweep.py

bench-viz: $(STAMP) ## Time a workshop Step at 50,000 households (benchmarks/bench_viz.py)
	$(PY) benchmarks/bench_viz.py

bench-load: $(STAMP) ## 20 workshop sessions stepping for a minute: memory and latency (benchmarks/load_server.py)
	$(PY) benchmarks/load_server.py

bench-soak: $(STAMP) ## 1,000 runs in one worker: memory growth (benchmarks/bench_soak.py)
	$(PY) benchmarks/bench_soak.py

FUZZ_SECONDS ?= 60
fuzz: $(STAMP) ## Fuzz the input parsers with atheris, FUZZ_SECONDS each (fuzz/parsers.py)
	$(VENV)/bin/pip install -q -e '.[dev,fuzz]'
	for t in scenario spec target override upload; do \
		$(PY) fuzz/parsers.py $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; \
	done

serve: $(STAMP) ## Start the workshop server on http://127.0.0.1:8765/ (returnsim serve)
	$(VENV)/bin/returnsim serve

experiments: $(STAMP) ## Run the example experiments (Sobol study, comparison of mixes) into out/
	$(VENV)/bin/returnsim sweep experiments/sobol_levers.toml --out out/sobol_levers
	$(VENV)/bin/returnsim analyze out/sobol_levers
	$(VENV)/bin/returnsim report out/sobol_levers
	$(VENV)/bin/returnsim compare experiments/compare_mixes.toml --out out/compare_mixes
	$(VENV)/bin/returnsim report out/compare_mixes
	@echo "Reports: out/sobol_levers/report.html, out/compare_mixes/report.html"

notebooks: $(STAMP) ## Open the tutorials in JupyterLab (installs the notebooks extra into .venv)
	$(VENV)/bin/pip install -q -e '.[dev,notebooks]'
	$(VENV)/bin/jupyter lab notebooks/

notebooks-run: $(STAMP) ## Execute the tutorials in place, so their saved outputs match the code
	$(VENV)/bin/jupyter execute --inplace notebooks/*.ipynb

figures: $(STAMP) ## Recalibrate Liberia and Burundi and regenerate the README's calibration figures and table, and the validation table (about 10 min)
	$(PY) scripts/figures.py
	$(PY) scripts/validation_table.py

docs: $(STAMP) ## Regenerate the generated docs (docs/api.md, the ODD's tables)
	$(PY) scripts/api_docs.py
	$(PY) scripts/odd.py

clean: ## Remove run outputs and caches (keeps .venv)
	rm -rf out .pytest_cache .ruff_cache .hypothesis build
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean ## Also remove .venv
	rm -rf $(VENV)
