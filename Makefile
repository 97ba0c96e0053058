# Concord — the two commands of the README, and a few helpers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CONCORD := $(BIN)/concord
export CONCORD_DATA_DIR ?= $(CURDIR)/var

.PHONY: install translations messages run test test-sqlite test-postgres test-api-contract lint fmt lock bench bench-quick screenshots clean

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Concord needs Python 3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed translations

## The French catalogues (docs/translating.md): `make messages` extracts the marked strings of
## each capability into its locale/fr/LC_MESSAGES/django.po; the .mo files are compiled from
## them by every install (GNU gettext, installed by scripts/install-gettext when missing).
LOCALES := $(wildcard concord/*/locale)
CATALOGUES := $(wildcard concord/*/locale/fr/LC_MESSAGES/django.po)

%.mo: %.po
	@scripts/install-gettext
	msgfmt --check-format -o $@ $<

translations: $(CATALOGUES:.po=.mo)

messages: $(BIN)/.installed
	@scripts/install-gettext
	for locale in $(LOCALES); do (cd $$(dirname $$locale) && PYTHONPATH=$(CURDIR) \
	  $(CURDIR)/$(CONCORD) makemessages -l fr --no-obsolete --add-location file \
	  --ignore 'migrations/*' --verbosity 0); done
	$(MAKE) --no-print-directory translations

## make run: install, migrate, load the demo world, print the logins, serve on 127.0.0.1:8000
## (concord serve starts the background worker, `concord worker`, beside the web server)
run: install
	$(CONCORD) migrate --verbosity 0
	$(CONCORD) seed catalogue
	$(CONCORD) seed demo
	$(CONCORD) serve --no-migrate

## make test: install and run the whole suite (SQLite; and PostgreSQL when
## CONCORD_TEST_DATABASE_URL is set)
test: install
	scripts/install-chromium
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-api-contract
	@if [ -n "$$CONCORD_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "CONCORD_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-sqlite:
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL CONCORD_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -n auto --dist worksteal

# The API's contract: schemathesis against a server with the demo world (about 2 minutes);
# fails on any server error or any response the OpenAPI schema does not describe.
test-api-contract:
	scripts/fuzz-api $(BIN)

# The browser tests drive the pages through Chromium; what they exercise of the database is
# run on PostgreSQL by the rest of the suite, so they run once, on SQLite.
test-postgres:
	@echo "== test suite on PostgreSQL (browser tests: on SQLite only) =="
	DATABASE_URL=$$CONCORD_TEST_DATABASE_URL CONCORD_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -n auto --dist worksteal -m "not browser"

## make lint: ruff (style, size and complexity) and the import contracts (pyproject.toml);
## the suite runs both too (tests/test_quality.py).
lint: install
	$(BIN)/ruff check concord tests bench
	$(BIN)/ruff format --check concord tests bench
	$(BIN)/lint-imports --no-cache

fmt: install
	$(BIN)/ruff format concord tests bench
	$(BIN)/ruff check --fix concord tests bench

## Re-pin Python dependencies after editing pyproject.toml.
lock: $(BIN)/.installed
	$(BIN)/pip-compile -q --extra dev --generate-hashes --allow-unsafe --strip-extras \
		-o requirements.lock pyproject.toml

## Benchmarks (bench/): figures as ratios against a baseline measured in the same run.
## make bench: the whole suite on SQLite, and on PostgreSQL when CONCORD_TEST_DATABASE_URL
## is set (about an hour with both); results in bench/results/, plots in docs/img/.
bench: install
	$(BIN)/python bench/run.py full

## make bench-quick: the regression guard (scale 1, SQLite, under 3 minutes): prints every
## figure more than 25 % worse than the committed bench/results/quick.json.
bench-quick: install
	$(BIN)/python bench/run.py quick

## Screenshots for docs/ (headless Chromium).
screenshots: install
	CONCORD_SCREENSHOTS=$(CURDIR)/docs/img env -u DATABASE_URL CONCORD_DATA_DIR=$(CURDIR)/var/test \
		$(BIN)/pytest tests/test_browser.py -q

clean:
	rm -rf $(VENV) node_modules var/test
