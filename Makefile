# Lexloci: `make run` serves the app on the embedded default; `make test` runs the suite.
# Both set up .venv from the pinned lock first. See README.md.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Development defaults; any of them may be overridden from the environment.
export DEBUG ?= 1

# Find a Python >= 3.12 by running each candidate (pyenv shims exist for versions that
# are not active, so `command -v` would lie). First that runs wins.
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
CANDIDATES := python3.13 python3.12 $(wildcard $(PYENV_ROOT_DIR)/versions/3.13*/bin/python3) \
	$(wildcard $(PYENV_ROOT_DIR)/versions/3.12*/bin/python3) python3
define find_python
for c in $(CANDIDATES); do \
	if "$$c" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
		echo "$$c"; exit 0; fi; \
done; exit 1
endef

.PHONY: system-deps help install run test lint format migrations-check bench bench-engine bench-case-list bench-api bench-report bench-intake bench-load lock clean

help:
	@echo "make run | test | install | lint | format | migrations-check | bench | lock | clean"

$(STAMP): requirements.txt requirements-dev.txt
	@set -e; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
		base=$$($(find_python)) || { \
			echo "ERROR: Lexloci needs Python 3.12 or newer (3.13 preferred) and none was found."; \
			echo "Install one, e.g. 'pyenv install 3.13.0' or 'apt-get install python3.13 python3.13-venv',"; \
			echo "then run make again."; exit 1; }; \
		echo "Creating $(VENV) with $$base ($$($$base --version))"; \
		rm -rf $(VENV); "$$base" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip; \
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt; \
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP) system-deps

# Debian libraries WeasyPrint loads for the case memo PDF. Installed when missing and
# we are root (as on these machines and CI); otherwise say what to install.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
system-deps:
	@missing=$$(for p in $(RUNTIME_DEBS); do 		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); 	if [ -n "$$missing" ]; then 		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then 			echo "Installing Debian packages for PDF memos: $$missing"; 			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; 		else 			echo "NOTE: PDF memos need these Debian packages: $$missing (apt-get install -y $$missing)"; 		fi; 	fi

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_catalogue
	$(PY) manage.py load_demo
	@echo "Serving Lexloci on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	@# Without Redis there is no Celery beat: the scheduled jobs (reminders, expiries)
	@# run in a scheduler process beside the server, stopped with it. With REDIS_URL,
	@# run `celery -A config worker` and `celery -A config beat` as in production.
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: run 'celery -A config worker' and 'celery -A config beat' for tasks and scheduled jobs"; \
		exec $(PY) manage.py runserver $(HOST):$(PORT); \
	fi; \
	echo "Scheduled jobs (reminders, expiries) run in-process beside the server: no Redis needed"; \
	$(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill -TERM $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist; each worker has its own test database).
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks report figures against the issues' budgets; each is bounded in time.
# `make bench` measures one PostgreSQL database filled by seed_bench with BENCH_CASES
# cases (lexloci_bench_<N>, filled once and reused): `make bench BENCH_CASES=1000000`.
# The single targets run on their own defaults (SQLite where they can).
BENCH_CASES ?= 100000
BENCH_DB = $$($(PY) bench/seed_database.py --cases $(BENCH_CASES) | tail -n 1)

bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk"; exit 1; }
	@set -o pipefail; db=$(BENCH_DB) && [ -n "$$db" ] || { echo "make bench: the database was not filled"; exit 1; }; \
	failed=""; run() { name=$$1; shift; echo; echo "== $$name"; "$$@" || failed="$$failed $$name"; }; \
	run engine $(PY) bench/bench_engine.py; \
	run case-list $(PY) bench/bench_case_list.py --database-url $$db; \
	run status-api env BENCH_DATABASE_URL=$$db $(PY) bench/bench_api.py --cases $(BENCH_CASES); \
	run report $(PY) bench/bench_report.py --database-url $$db; \
	run duplicate-check $(PY) bench/bench_intake.py --duplicate-check $$db; \
	run intake $(PY) bench/bench_intake.py; \
	if [ -n "$$failed" ]; then echo; echo "make bench: over budget or failed:$$failed"; exit 1; fi; \
	echo; echo "make bench: every figure within its budget"

bench-engine: install
	$(PY) bench/bench_engine.py

bench-case-list: install
	$(PY) bench/bench_case_list.py

bench-report: install
	$(PY) bench/bench_report.py

bench-intake: install
	$(PY) bench/bench_intake.py

# Mixed load (reads, intake, transitions) on gunicorn + PostgreSQL, 60 s.
bench-load: install
	$(PY) bench/load_mixed.py

# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_DATABASE_URL to change) and wrk.
bench-api: install
	@command -v wrk >/dev/null || { echo "bench-api needs wrk: apt-get install -y wrk"; exit 1; }
	$(PY) bench/bench_api.py

# Two locks: requirements.txt (runtime, what the image installs) and requirements-dev.txt
# (runtime plus test and development tools, what `make install` installs).
lock:
	@base=$$($(find_python)) || { echo "No Python >= 3.12 found"; exit 1; }; \
	tmp=$$(mktemp -d); "$$base" -m venv $$tmp; \
	$$tmp/bin/pip install --quiet -r requirements.in; \
	{ echo "# Generated by 'make lock' from requirements.in. Do not edit by hand."; \
	  $$tmp/bin/pip freeze --exclude-editable; } > requirements.txt; \
	$$tmp/bin/pip install --quiet -r requirements-dev.in; \
	{ echo "# Generated by 'make lock' from requirements-dev.in. Do not edit by hand."; \
	  $$tmp/bin/pip freeze --exclude-editable; } > requirements-dev.txt; rm -rf $$tmp

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
