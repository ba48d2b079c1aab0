# STO Flow. `make run` starts the service with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed-stamp

.PHONY: install run setup test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Migrate the database, deploy changed diagrams, load demo data into an empty database (never in production).
setup: install
	$(BIN)/flask --app service setup

run: setup
	@echo "STO Flow on http://127.0.0.1:$(PORT)  (demo accounts: see README.md, password 'demo')"
	$(BIN)/waitress-serve --host 127.0.0.1 --port $(PORT) --threads 8 --call service:create_app

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
