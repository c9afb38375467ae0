# The shop's two everyday commands: `make run` and `make test` (see README).
VENV := .venv
PY := $(VENV)/bin/python
DEV := DJANGO_DEBUG=1 DJANGO_SECURE=0

.PHONY: run test up install install-dev migrate seed lint bench messages screenshots

## What the shop runs with (requirements.txt): `make run` and `make up`.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

## Plus the tests and tools (requirements-dev.txt): `make test`, CI, `make bench`.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV) $(PY) manage.py seed_demo

## The shop on its embedded defaults (SQLite, no Redis), demo data loaded: the web server and
## a Celery worker with beat (the timed sweeps), which talk through files in var/broker
## (Procfile.dev). `make run ADDR=127.0.0.1:8001` serves elsewhere.
ADDR ?= 127.0.0.1:8000
run: seed
	$(DEV) SHOP_BROKER_DIR=var/broker ADDR=$(ADDR) $(VENV)/bin/honcho -f Procfile.dev start

## The whole suite: the linter, the import contract, the security linter (pyproject.toml),
## every test.
test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level medium -q
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## Web, worker and beat together on PostgreSQL/Redis (needs DATABASE_URL and REDIS_URL).
up: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/honcho start

## The load benchmark: pages, API, flash sale, placement, settlement (see docs/performance.md).
bench: install-dev
	$(PY) bench/run.py

## The Simplified Chinese catalogue (docs/languages.md): extract every marked string into
## locale/zh_Hans/LC_MESSAGES/django.po, then compile django.mo (both committed). Needs gettext.
I18N_IGNORE := --ignore=.venv --ignore=bench --ignore=staticfiles --ignore=media --ignore=var --ignore='*/tests/*'
messages: install
	$(DEV) $(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete $(I18N_IGNORE)
	$(DEV) $(PY) manage.py compilemessages -l zh_Hans $(I18N_IGNORE)

## Phone screenshots of the demo shop in Simplified Chinese (390 px): home, product, cart,
## checkout, order, points, into docs/screenshots/. Needs Chromium and fonts-noto-cjk.
screenshots: install-dev
	$(PY) tools/screenshots.py
