# otelray developer commands. `make up` runs the local stack; `make test` installs and runs the tests.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: install install-test system-deps up test lint bench

install:
	$(PIP) install -q -c constraints.txt -e .

install-test:
	$(PIP) install -q -c constraints.txt -e '.[test]'

# Debian packages the integration tests start: prometheus (remote write) and chromium (console).
system-deps:
	./scripts/install-system-deps.sh

up: install
	otelray up

test: system-deps install-test
	$(PYTHON) -m ruff check src tests bench
	./scripts/run-tests.sh

lint:
	$(PYTHON) -m ruff check src tests bench

bench: install-test
	for b in bench/*.py; do $(PYTHON) $$b || exit 1; done
