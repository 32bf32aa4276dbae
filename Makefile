# Commun: `make run` serves the demo cooperative, `make test` runs every test.
# Everything the commands need is installed on the way (as root, Debian packages too).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
PYTEST_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
VENDOR := commun/static/vendor
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/axe.min.js
CHROMIUM := /usr/bin/chromium
PG_SKIPPED := PostgreSQL or PgBouncer not found: the PostgreSQL pass is skipped (install postgresql pgbouncer)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export npm_config_update_notifier := false

.PHONY: help venv vendor messages run test lint format clean chromium postgresql bench load lock lock-check

help:
	@echo "make run     install, migrate, load the demo and serve on http://127.0.0.1:$(PORT)"
	@echo "             (granian and the task worker, as in production: see docs/self-hosting.md)"
	@echo "make test    lint, then every test on SQLite and on a throwaway PostgreSQL"
	@echo "make lint    ruff check and format check;  make format  fix what ruff can"
	@echo "make clean   remove .venv, node_modules and caches (keeps the database in var/)"
	@echo "make bench   time the pages on 100,000 members, SQLite and PostgreSQL (bench/)"
	@echo "make load    hold visitors, members and officers with Locust, SQLite and PostgreSQL"
	@echo "             (a few minutes; make load LOAD_ARGS=\"--members 100000\"; bench/load.py)"
	@echo "make lock    re-resolve uv.lock and requirements.lock after editing pyproject.toml"
	@echo "             (make lock UPGRADE=1: every package to its newest allowed release)"

# --- Installation -------------------------------------------------------------------

venv: $(VENV)/.installed

# Every package, direct and indirect, at the version and hashes requirements.lock pins;
# then Commun itself, whose dependencies that file already holds.
$(VENV)/.installed: pyproject.toml requirements.lock
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		python=$$(sh scripts/find-python); \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV); \
		"$$python" -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --quiet --no-deps -e .
	@touch $@

# uv.lock is uv's universal lock (every platform, Python 3.12 and later); requirements.lock
# is its export for pip, with every extra and hashes. The interpreter is never downloaded.
UV := UV_PYTHON_DOWNLOADS=never $(BIN)/uv
UV_EXPORT := export --frozen --all-extras --no-emit-project --no-header --format requirements-txt
lock: venv
	$(UV) lock --python $(BIN)/python $(if $(UPGRADE),--upgrade)
	$(UV) $(UV_EXPORT) --quiet --output-file requirements.lock

# Offline: fails when pyproject.toml and uv.lock, or uv.lock and requirements.lock, disagree.
lock-check: venv
	@$(UV) lock --check --offline --quiet --python $(BIN)/python 2>/dev/null \
		|| { echo "uv.lock does not match pyproject.toml: run make lock" >&2; exit 1; }
	@$(UV) $(UV_EXPORT) | diff requirements.lock - >/dev/null \
		|| { echo "requirements.lock does not match uv.lock: run make lock" >&2; exit 1; }

vendor: $(VENDOR_FILES)

# htmx and axe-core come from the npm registry at the versions package-lock.json pins.
$(VENDOR_FILES) &: package.json package-lock.json
	@sh scripts/ensure npm nodejs npm
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/axe-core/axe.min.js $(VENDOR)/

# English comes from commun/locale/en/LC_MESSAGES/django.po (message ids are French). To add
# the new ids, from commun/ so that only the project is scanned:
#   ../.venv/bin/commun makemessages -l en --ignore=tests --ignore=static --no-obsolete
messages: venv
	@if compgen -G 'commun/locale/*/LC_MESSAGES/*.po' >/dev/null; then \
		sh scripts/ensure msgfmt gettext; \
		cd commun && DJANGO_SETTINGS_MODULE=commun.settings_test ../$(BIN)/commun compilemessages --verbosity 0; \
	else \
		echo "No translations to compile yet (commun/locale/*/LC_MESSAGES/*.po)."; \
	fi

# Optional tools: missing ones are reported here and by the tests that need them.
chromium:
	@sh scripts/ensure $(CHROMIUM) chromium || true

# The PostgreSQL pass runs behind PgBouncer in transaction pooling, as production may.
postgresql: venv
	@$(BIN)/python -m commun.testing.pgcluster --check >/dev/null \
		|| { sh scripts/ensure /usr/lib/postgresql postgresql; \
		     sh scripts/ensure /usr/sbin/pgbouncer pgbouncer; } || true

# --- The two commands ----------------------------------------------------------------

run: export DEBUG ?= 1
# The demo's forge: its issue webhooks are accepted at /tableau/forge/<forge>/ (docs/board.md).
run: export BOARD_FORGE_SECRET ?= demo-forge-secret
run: venv vendor messages
	@echo "Migrating the database..."
	@$(BIN)/commun migrate --verbosity 0
	@$(BIN)/commun collectstatic --noinput --clear --verbosity 0
	$(BIN)/commun demo
	$(BIN)/commun serve --port $(PORT)

# Each pass runs on every core (pytest-xdist), each worker with a test database of its own.
# `--dist=load` hands out tests in collection order, so every worker keeps pytest-django's
# order (tests in a transaction first, then those that flush the database and with it the
# rows the migrations wrote); `--dist=loadfile` breaks it. `make test PYTEST_JOBS=0` runs
# in one process.
PYTEST_JOBS ?= auto
PYTEST_RUN = sh scripts/pytest --numprocesses=$(PYTEST_JOBS) --dist=load --durations=20
test: venv lock-check vendor messages chromium postgresql
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "== Tests on SQLite =="
	env -u DATABASE_URL $(PYTEST_RUN) $(PYTEST_ARGS)
	@if pg=$$($(BIN)/python -m commun.testing.pgcluster --check); then \
		echo "== Tests on PostgreSQL ($$pg) =="; \
		COMMUN_TEST_PASS=postgresql $(BIN)/python -m commun.testing.pgcluster -- $(PYTEST_RUN) $(PYTEST_ARGS); \
	else \
		echo "$(PG_SKIPPED)"; \
	fi

# Generates 100,000 members per database and serves them with granian, as `commun serve`
# does, from the packages requirements.lock pins (venv): about 15 minutes.
BENCH_ARGS ?=
bench: venv postgresql
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Locust (the bench extra, in requirements.lock) against `commun serve`, 127.0.0.1 only: for
# each database a 10,000-member cooperative under 50 users for 2 minutes, about 8 minutes in
# all. Not part of `make test`, which runs its smoke test (core/tests/test_load_smoke.py).
LOAD_ARGS ?=
load: venv postgresql
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# --- Upkeep --------------------------------------------------------------------------

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find commun -name '*.mo' -delete
