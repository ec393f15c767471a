# kofo – the project's commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kofo-installed
KOFO := $(BIN)/kofo
PG_URL := $(or $(KOFO_TEST_DATABASE_URL),postgresql://postgres@127.0.0.1:5432/test)
export KOFO_DATA_DIR ?= var
HOST ?= 127.0.0.1
PORT ?= 8000
# The server of `make run` uses a secret key generated once into the data folder (never committed).
RUN_ENV = KOFO_SECRET_KEY="$${KOFO_SECRET_KEY:-$$(cat $(KOFO_DATA_DIR)/secret_key)}"

.PHONY: help install run test ci lint test-sqlite test-postgres test-browser e2e bench bench-linkage bench-linkage-db bench-daily bench-payments bench-documents openapi vendor migrations-check clean

help: ## Diese Übersicht
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@scripts/ensure-system-libs
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## .venv anlegen und kofo mit Entwicklungswerkzeugen installieren

$(KOFO_DATA_DIR)/secret_key:
	@mkdir -p $(KOFO_DATA_DIR)
	@umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: install $(KOFO_DATA_DIR)/secret_key ## Demo: Datenbank (SQLite) vorbereiten, Demodaten laden, Tageslauf, Demo-Kontoauszug, Briefe des Tages, Server auf 127.0.0.1:8000
	$(RUN_ENV) $(KOFO) migrate --no-input
	$(RUN_ENV) $(KOFO) demo
	$(RUN_ENV) $(KOFO) daily
	$(RUN_ENV) $(KOFO) demo --statement
	$(RUN_ENV) $(KOFO) documents print
	$(RUN_ENV) $(KOFO) serve --host $(HOST) --port $(PORT)

lint: install ## ruff, Formatprüfung, mypy und die import-linter-Verträge
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	KOFO_DEBUG=1 $(BIN)/mypy
	$(BIN)/lint-imports

test-sqlite: install
	KOFO_DEBUG=1 KOFO_DATABASE_URL= $(BIN)/pytest -m "not browser" -q

test-postgres: install
	KOFO_DEBUG=1 KOFO_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -q tests/integration

test-browser: install
	scripts/ensure-chromium
	KOFO_DEBUG=1 KOFO_DATABASE_URL= $(BIN)/pytest -m browser -q

test: lint ## Alle Prüfungen: Lint, Tests auf SQLite, auf PostgreSQL (falls erreichbar), Browsertests
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$KOFO_TEST_DATABASE_URL" ] || scripts/pg-available; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL nicht erreichbar: Tests nur auf SQLite (CI verlangt PostgreSQL)."; fi
	$(MAKE) --no-print-directory test-browser

ci: lint migrations-check ## Wie test, aber PostgreSQL ist Pflicht; dazu makemigrations --check
	@scripts/pg-available || { echo "PostgreSQL unter $(PG_URL) nicht erreichbar – CI braucht PostgreSQL." >&2; exit 1; }
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-browser

migrations-check: install ## Schlägt fehl, wenn eine Modelländerung keine Migration hat
	KOFO_DEBUG=1 $(KOFO) makemigrations --check --dry-run

e2e: test-browser ## Nur die Browsertests (Playwright mit Debians Chromium)

BENCH_STAMP := $(VENV)/.kofo-bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

# `make bench` runs the daily-run benchmark at a small size; `make bench-daily` measures the real one.
BENCH_DAILY_CLAIMS ?= 20000

bench: $(BENCH_STAMP) ## Benchmarks (JSON) gegen den jeweils genannten Vergleich im selben Lauf
	@for b in bench/ledger.py bench/linkage.py; do echo "# $$b" >&2; KOFO_DEBUG=1 $(BIN)/python $$b || exit 1; done
	@echo "# bench/daily.py --claims $(BENCH_DAILY_CLAIMS)" >&2; $(BIN)/python bench/daily.py --claims $(BENCH_DAILY_CLAIMS)
	@echo "# bench/payments.py --claims $(BENCH_DAILY_CLAIMS) --entries 500" >&2; $(BIN)/python bench/payments.py --claims $(BENCH_DAILY_CLAIMS) --entries 500

bench-linkage: $(BENCH_STAMP) ## Schuldnerbündelung: kofo gegen Splink (SIZES=10000,100000,1000000)
	KOFO_DEBUG=1 $(BIN)/python bench/linkage.py $(if $(SIZES),--sizes $(SIZES),)

bench-linkage-db: $(BENCH_STAMP) ## Einzelzuordnung gegen den Datenbank-Index (RECORDS=1000000), SQLite und PostgreSQL
	$(BIN)/python bench/linkage_db.py $(if $(RECORDS),--records $(RECORDS),)

bench-daily: $(BENCH_STAMP) ## Tageslauf über ein erzeugtes Amt, SQLite und PostgreSQL, gegen COPY (CLAIMS=1000000, DAILY_ARGS=…)
	$(BIN)/python bench/daily.py $(if $(CLAIMS),--claims $(CLAIMS),) $(DAILY_ARGS)

bench-payments: $(BENCH_STAMP) ## Kontoauszug (camt.053) und Auskehrung über ein erzeugtes Amt, SQLite und PostgreSQL, gegen lxml (ENTRIES=100000, CLAIMS=1000000, PAYMENTS_ARGS=…)
	$(BIN)/python bench/payments.py $(if $(ENTRIES),--entries $(ENTRIES),) $(if $(CLAIMS),--claims $(CLAIMS),) $(PAYMENTS_ARGS)

bench-documents: $(BENCH_STAMP) ## Briefe: gemischten Stapel erzeugen und ablegen (SQLite), gegen WeasyPrint ohne kofo (LETTERS=2000, DOCUMENTS_ARGS=…)
	$(BIN)/python bench/documents.py $(if $(LETTERS),--letters $(LETTERS),) $(DOCUMENTS_ARGS)

openapi: install ## docs/openapi.json aus dem Code neu schreiben
	KOFO_DEBUG=1 $(KOFO) openapi --output docs/openapi.json

vendor: ## KERN UX und htmx neu aus der npm-Registry holen (gepinnte Versionen)
	scripts/vendor-static.sh

clean: ## .venv und Caches löschen (Daten in var/ bleiben)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
