# otelray developer commands. `make up` runs the local stack; `make test` installs and runs the tests.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: install install-test system-deps native-check sanitize up test lint bench

install:
	$(PIP) install -q -c constraints.txt -e .
	@$(MAKE) --no-print-directory native-check

install-test:
	$(PIP) install -q -c constraints.txt -e '.[test]'
	@$(MAKE) --no-print-directory native-check

# Says whether `pip install` built the optional C extension (re-run `make install` after editing its
# C source). Under CI a C source that did not build fails: a missing compiler would only cost speed.
native-check:
	@$(PYTHON) -c 'import importlib.util as u, os, pathlib, sys; \
	built = u.find_spec("otelray.translate._native") is not None; \
	print("otelray.translate._native:", "built" if built else "not built: spans are translated in pure Python"); \
	sys.exit(1 if os.environ.get("CI") == "true" and not built and any(pathlib.Path("src").rglob("*.c")) else 0)'

# The differential tests against an AddressSanitizer + UBSan build of the C extension (scratch copy).
sanitize:
	PYTHON=$(PYTHON) ./scripts/sanitize-native.sh

# Debian packages the integration tests start: prometheus (remote write) and chromium (console),
# and gcc + Python headers for the C extension.
system-deps:
	PYTHON=$(PYTHON) ./scripts/install-system-deps.sh

up: install
	otelray up

test: system-deps install-test
	$(PYTHON) -m ruff check src tests bench
	./scripts/run-tests.sh

lint:
	$(PYTHON) -m ruff check src tests bench

bench: install-test
	for b in bench/*.py; do $(PYTHON) $$b || exit 1; done
