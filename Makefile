# The two commands of the README: `make demo` and `make test`. Both set up what is missing first.
.PHONY: setup demo test test-fast bench lint clean

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

clean:
	rm -rf out test-results .pytest_cache
