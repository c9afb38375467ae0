# The shop's two everyday commands: `make run` and `make test` (see README).
VENV := .venv
PY := $(VENV)/bin/python
DEV := DJANGO_DEBUG=1 DJANGO_SECURE=0

.PHONY: run test up install migrate seed lint bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV) $(PY) manage.py seed_demo

## The shop on its embedded defaults (SQLite, eager tasks), demo data loaded.
## `make run ADDR=127.0.0.1:8001` serves elsewhere.
ADDR ?= 127.0.0.1:8000
run: seed
	$(DEV) $(PY) manage.py runserver $(ADDR)

## The whole suite: the import contract, then every test.
test: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## Web, worker and beat together on PostgreSQL/Redis (needs DATABASE_URL and REDIS_URL).
up: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/honcho start

## The load benchmark: pages, API, flash sale, placement, settlement (see docs/performance.md).
bench: install
	$(PY) bench/run.py
