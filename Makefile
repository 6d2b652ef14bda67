# Two commands on a fresh machine: `make run` (install, build the index, start the app) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run index test eval clean-index

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

test: install
	$(PY) -m pytest

clean-index:
	rm -rf index
