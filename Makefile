# Two commands on a fresh machine: `make run` (install, build the index, start the app) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run index test eval bench clean-index browser services

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(PY) -m assistant index

run: index
	$(PY) -m assistant serve

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; never `playwright install`).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# Debian's redis-server and PostgreSQL for the scale-out tests, which start their own on free ports in temp dirs
# (PostgreSQL as the `postgres` user the package creates); the machine's own services are not used.
services:
	command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y redis-server postgresql)

# The tests, then the eval on the built-in cases: a score below eval/gate.yaml fails the run (CI runs this target).
test: install browser services
	$(PY) -m pytest
	$(PY) -m assistant index
	$(PY) -m assistant eval

# The eval (gate in eval/gate.yaml) and the benchmark (writes bench/results.json and bench/results.md).
eval: index
	$(PY) -m assistant eval

bench: install
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	$(PY) bench/bench.py

clean-index:
	rm -rf index

# Known vulnerabilities in the installed dependencies: pip-audit looks each one up in PyPI's advisory data, so it
# needs the network. Not part of `make test`.
.PHONY: audit
audit: install
	$(VENV)/bin/pip-audit --skip-editable --progress-spinner off
