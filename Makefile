# STO Flow. `make run` starts the service with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Request threads of the web server. Requests are CPU work under one interpreter lock (diagram code runs in engine
# worker processes): more threads only make them wait on each other, and a writer holding SQLite's turn waits longest.
STO_WEB_THREADS ?= 2
STAMP := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp
CATALOGUE := service/web/translations/en/LC_MESSAGES/messages

.PHONY: install run run-scheduler serve setup test lint bench clean browser messages assets

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Front-end assets (the bpmn-js viewer) come from npm, pinned by package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# The browser editors (frontend/, bpmn-js modeler, dmn-js, CodeMirror) bundled by esbuild; never committed.
BUILD := service/web/static/build
BUILD_STAMP := $(BUILD)/.built-stamp
FRONTEND := $(shell find frontend -type f 2>/dev/null)
ESBUILD_FLAGS := --bundle --minify --format=iife --target=es2020 --log-level=warning \
	--jsx=automatic --jsx-import-source=@bpmn-io/properties-panel/preact \
	--loader:.woff=file --loader:.woff2=file --loader:.ttf=file --loader:.eot=file --loader:.svg=file

$(BUILD_STAMP): $(FRONTEND) $(NPM_STAMP)
	rm -rf $(BUILD)
	node_modules/.bin/esbuild frontend/index.js $(ESBUILD_FLAGS) --outfile=$(BUILD)/sto-editors.js
	touch $(BUILD_STAMP)

assets: $(BUILD_STAMP)

# The English catalogue: messages.po is committed, messages.mo is built here (without it the app stays Dutch).
$(CATALOGUE).mo: $(CATALOGUE).po | $(STAMP)
	$(BIN)/pybabel compile -d service/web/translations

install: $(STAMP) $(NPM_STAMP) $(CATALOGUE).mo $(BUILD_STAMP)

# After adding or changing a _('...') string: merge the new msgids into the catalogue, then translate them.
messages: install
	$(BIN)/pybabel extract -F babel.cfg --add-location=file --no-wrap -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d service/web/translations --no-fuzzy-matching --no-wrap

# Browser tests drive Debian's chromium (never a downloaded browser); these machines run as root.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Migrate the database, deploy changed diagrams, load demo data into an empty database (never in production).
setup: install
	$(BIN)/flask --app service setup

# The scheduler and the web service as one: the scheduler (and its development mail catch-all, port
# STO_MAIL_CATCHALL_PORT, default 8025) must start first; if either stops, both stop. Ctrl-C stops both.
run: setup
	@echo "Starting STO Flow on http://127.0.0.1:$(PORT)  (demo accounts: see README.md, password 'demo')"
	$(BIN)/python -m service.launcher --host 127.0.0.1 --port $(PORT) --threads $(STO_WEB_THREADS)

run-scheduler: setup
	$(BIN)/flask --app service scheduler

# Production serving (README, "Production"): gunicorn with several workers beside the scheduler(s), on PostgreSQL.
# Needs STO_DATABASE_URL (PostgreSQL), STO_ENV=production and STO_SECRET_KEY; STO_BIND, STO_WEB_WORKERS,
# STO_SCHEDULERS choose where it listens and how many processes run.
serve: install
	$(BIN)/sto-flow setup
	$(BIN)/sto-flow serve

test: install browser
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache test-artifacts $(BUILD)
