# The two commands a new user needs:
#   make run   — install, migrate, load the demo data once, start web + Celery worker + beat
#   make test  — run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint check messages bench loadtest screenshots clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end libraries: apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	scripts/run.sh

test: install
	scripts/test.sh

lint: install
	$(BIN)/ruff check .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .

messages: install
	scripts/messages.sh

# Every role's main pages at 1280 and 375 px in chromium, checked; PNGs in var/screenshots/.
screenshots: install
	PYTEST_WORKERS=0 scripts/test.sh tests/e2e/test_screenshot_tour.py -q

bench: install
	scripts/bench.sh
	scripts/bench.sh --effort

loadtest: install
	scripts/loadtest.sh

clean:
	rm -rf var staticfiles
