# supportdesk: the two commands. `make run` serves a demo console; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app supportdesk
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in the mail `make run` sends point at the address it serves (a wildcard HOST is reached
# through 127.0.0.1), unless SUPPORTDESK_BASE_URL names another.
LINK_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
RUN_BASE_URL = $(or $(SUPPORTDESK_BASE_URL),http://$(LINK_HOST):$(PORT))

.PHONY: run test install system-packages lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up and serve the console on http://$(HOST):$(PORT) (default 127.0.0.1:5000) with embedded
## SQLite and demo data; every start prints where and as whom to sign in.
run: $(STAMP)
	$(FLASK) db upgrade
	SUPPORTDESK_BASE_URL='$(RUN_BASE_URL)' $(FLASK) seed-demo --tickets 300 --seed 1 --skip-if-present
	$(FLASK) sla-recompute
	SUPPORTDESK_BASE_URL='$(RUN_BASE_URL)' $(FLASK) run --host $(HOST) --port $(PORT)

## The system parts the tests need (PostgreSQL, Redis, Chromium): installed with apt as root on Debian.
system-packages:
	bash .ci/system-packages

## Set up and run the whole test suite (real PostgreSQL and Redis started by the fixtures, Chromium).
test: system-packages $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider -n auto --dist worksteal --cov --cov-branch --cov-report=term

lint: $(STAMP)
	$(BIN)/ruff check supportdesk tests migrations
	$(BIN)/ruff format --check supportdesk tests

clean:
	rm -rf $(VENV) .coverage htmlcov
