# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install install-dev lint typecheck contracts test-sqlite test-postgres fuzz audit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/coach run

lint: install-dev
	$(BIN)/ruff check bot adapters tests bench

typecheck: install-dev
	$(BIN)/mypy bot adapters

contracts: install-dev
	$(BIN)/lint-imports

test-sqlite: install-dev
	@echo "=== pytest on SQLite ==="
	COACH_TEST_DATABASE_URL= $(BIN)/pytest

# PostgreSQL pass: runs when 127.0.0.1:5432 answers; in CI (CI=true) it is required.
test-postgres: install-dev
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "=== pytest on PostgreSQL ==="; \
		COACH_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL on 127.0.0.1:5432 does not answer, and CI requires the PostgreSQL pass" >&2; exit 1; \
	else \
		echo "=== PostgreSQL pass skipped: nothing answers on 127.0.0.1:5432 ==="; \
	fi

test: lint typecheck contracts test-sqlite test-postgres

# The fuzz targets (tests/fuzz) with random seeds and many more examples than `make test` gives them.
fuzz: install-dev
	COACH_FUZZ_PROFILE=fuzz $(BIN)/pytest -m fuzz -p no:cacheprovider

# Known vulnerabilities in the installed dependencies (needs the network for the advisory database).
audit: install-dev
	$(BIN)/pip-audit --skip-editable --progress-spinner off

bench: install-dev  # a subset by name: make bench NAMES="rollout announcements"
	$(BIN)/python -m bench $(NAMES)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache coach.db
