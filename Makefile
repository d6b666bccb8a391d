# probidad: two commands do everything on a fresh machine (make run, make test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check bench install assets clean migration

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,postgres]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/probidad init
	$(BIN)/probidad run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n 2 -m "not slow and not e2e"
	$(BIN)/pytest -q -m "slow or e2e"

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r engine keys web workflows -ll
	$(BIN)/python tests/security/pip_audit_gate.py

bench: $(STAMP)
	$(BIN)/probidad bench

assets:
	cd web/assets && npm ci && npm run build

clean:
	rm -rf $(VENV) instance .pytest_cache

# Regenerate the initial Alembic revision from the models (tests/integration/test_migrations.py fails on drift).
migration: $(STAMP)
	$(BIN)/python migrations/regenerate.py
