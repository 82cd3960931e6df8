# The two commands of the README: `make demo` and `make test`. Both set up what is missing first.
.PHONY: setup demo test test-fast bench clean services services-stop

VENV := .venv
BIN := $(VENV)/bin

setup:
	@bash scripts/setup.sh

demo: setup
	$(BIN)/portalscore demo --out out/demo

test: setup
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not browser"

bench: setup
	$(BIN)/python benchmarks/crawl_bench.py
	$(BIN)/python benchmarks/report_bench.py

services:  ## throwaway PostgreSQL + Redis on 127.0.0.1 (prints PORTALSCORE_DB / PORTALSCORE_BROKER)
	@bash scripts/services.sh start out/services

services-stop:
	@bash scripts/services.sh stop out/services

clean:
	rm -rf out test-results .pytest_cache
