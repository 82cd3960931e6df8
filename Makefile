# The two commands of the README: `make demo` and `make test`. Both set up what is missing first.
.PHONY: setup demo test test-fast lint bench bench-tools act a11y-bench clean services services-stop

VENV := .venv
BIN := $(VENV)/bin

setup:
	@bash scripts/setup.sh

demo: setup
	$(BIN)/portalscore demo --out out/demo

test: setup
	@$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not browser"

# The house rules, kept by CI: lint and format (ruff), one-way imports without cycles (import-linter,
# contracts in pyproject.toml), types (mypy: strict on the contract and the criteria).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Lighthouse and pa11y-ci for crawl_bench.py to compare against, pinned by benchmarks/tools/package-lock.json
# (re-installed when it changes); they drive the crawler's Chromium (crawler.browser.chromium_path), so puppeteer downloads no browser.
BENCH_TOOLS := benchmarks/tools
bench-tools: $(BENCH_TOOLS)/node_modules/.package-lock.json
$(BENCH_TOOLS)/node_modules/.package-lock.json: $(BENCH_TOOLS)/package.json $(BENCH_TOOLS)/package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix $(BENCH_TOOLS) --no-audit --no-fund
	touch $@

bench: setup
	@$(MAKE) --no-print-directory bench-tools || echo "bench: Lighthouse/pa11y-ci not installed; crawl_bench.py skips them"
	$(BIN)/python benchmarks/crawl_bench.py
	$(BIN)/python benchmarks/report_bench.py
	$(BIN)/python benchmarks/incremental_bench.py
	$(BIN)/python benchmarks/archive_bench.py

act: setup  ## agreement with the W3C ACT Rules test cases (docs/accessibility.md); ACT_JSON=file keeps the summary
	$(BIN)/python benchmarks/act_conformance.py $(if $(ACT_JSON),--json $(ACT_JSON))

a11y-bench: setup  ## our accessibility checks vs axe alone on benchmarks/a11y/corpus (docs/accessibility.md); A11Y_JSON=file keeps every result
	$(BIN)/python benchmarks/a11y_bench.py $(if $(A11Y_JSON),--json $(A11Y_JSON))

services:  ## throwaway PostgreSQL + Redis on 127.0.0.1 (prints PORTALSCORE_DB / PORTALSCORE_BROKER)
	@bash scripts/services.sh start out/services

services-stop:
	@bash scripts/services.sh stop out/services

clean:
	rm -rf out test-results .pytest_cache build dist
