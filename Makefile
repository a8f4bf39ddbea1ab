# 湖北省会计人员管理系统 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_ENV := DEBUG=1 SMS_BACKEND=console
PYTEST_OK = rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

.PHONY: run test test-postgres test-browser lint setup seed bench clean

# Installs with uv (from PyPI, pinned in requirements.lock) into .venv; needs only python3 to start.
# uv reads no pip.conf: it uses PyPI unless UV_DEFAULT_INDEX / UV_INDEX (or a uv.toml) name a mirror.
# XStatic-Bootstrap's sdist imports pkg_resources at build time: it is built with the venv's setuptools<81.
# --compile-bytecode as pip does: without it the first `make run` compiles every module it imports.
UV := $(BIN)/uv
$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check $$(grep '^uv==' requirements.lock)
	$(UV) pip install -q --python $(BIN)/python --compile-bytecode --upgrade pip "setuptools<81" wheel
	$(UV) pip install -q --python $(BIN)/python --compile-bytecode --no-build-isolation-package xstatic-bootstrap \
	  -r requirements.lock
	touch $@

setup: $(BIN)/.installed
	$(BIN)/python -m core.translations

## run: the whole system on SQLite with Hubei data and demo accounts, http://127.0.0.1:$(PORT)
run: setup
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite (SQLite unless DATABASE_URL is set); browser tests: make test-browser
# The Schemathesis run of the API is one process: its last test checks what the generated cases recorded.
SCHEMATHESIS := api/tests/test_schemathesis.py

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q --ignore=$(SCHEMATHESIS); $(PYTEST_OK)
	$(BIN)/pytest -q -p no:xdist $(SCHEMATHESIS); $(PYTEST_OK)

test-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hbkj} $(BIN)/pytest -n 2 -q --ignore=$(SCHEMATHESIS); $(PYTEST_OK)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hbkj} $(BIN)/pytest -q -p no:xdist $(SCHEMATHESIS); $(PYTEST_OK)

test-browser: setup
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest e2e -q -p no:xdist; $(PYTEST_OK)

## test-shuffled: the tests in a random order (pytest-randomly, off in make test); the seed is printed at the top:
## SEED=1234 repeats an order, TESTS="reviews identity" limits it to some folders. Hypothesis stays derandomised.
.PHONY: test-shuffled
SEED ?= $(shell date +%s)
test-shuffled: setup
	$(BIN)/pytest -n 2 -q -p randomly --randomly-seed=$(SEED) $(TESTS); $(PYTEST_OK)

## mutation: mutmut on the core modules, each against its own app's tests (scripts/mutation_report.py); fails under
## 90 % killed per module. MODULES="reviews.scope identity.codes" for some; the report alone: scripts/mutation_report.py
.PHONY: mutation
mutation: setup
	$(BIN)/python scripts/mutation_report.py --run -v $(MODULES)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var

## bench: the benchmark on PostgreSQL (bench/README.md); SCALE=small (1,000 / 10,000) or SCALE=full (1,000 / 1,000,000)
SCALE ?= full
bench: setup
	$(BIN)/python -m bench.run --scale $(SCALE)

## restore-drill: back up a freshly seeded PostgreSQL database and its files, restore both into new ones, compare
.PHONY: restore-drill
restore-drill: setup
	deploy/restore_drill.sh

## drills: the production topology on this machine (nginx, 2 gunicorn, Celery worker + beat, PostgreSQL, 2 Redis,
## moto S3, the Alibaba SMS fake), a real flow through nginx, then fault drills (drills/README.md; 1.5-4 minutes)
.PHONY: drills
drills: setup
	@pidfile=$$(mktemp -t hbkj-drills-pids.XXXXXX); \
	trap 'while read -r pgid; do kill -KILL -- "-$$pgid" 2>/dev/null || true; done <"'"$$pidfile"'"; rm -f "'"$$pidfile"'"' EXIT; \
	DRILLS_PIDFILE=$$pidfile $(BIN)/python -m drills

## typecheck: mypy with the Django plugin ([tool.mypy] in pyproject.toml: the whole project, strict where listed)
.PHONY: typecheck
typecheck: setup
	DEBUG=1 $(BIN)/mypy
