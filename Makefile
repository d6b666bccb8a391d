# probidad: two commands do everything on a fresh machine (make run, make test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check bench install assets clean migration semgrep docs-artifacts

# semgrep lives in its own virtualenv (its pinned dependencies would fight the project's) and runs offline:
# local rules only (.semgrep/probidad.yml), no metrics, no version check, settings and logs kept in the venv.
SEMGREP_VERSION ?= 1.182.0
SEMGREP_VENV := .venv-semgrep
SEMGREP_STAMP := $(SEMGREP_VENV)/.installed-$(SEMGREP_VERSION)
SEMGREP := SEMGREP_SEND_METRICS=off SEMGREP_ENABLE_VERSION_CHECK=0 \
	SEMGREP_SETTINGS_FILE=$(CURDIR)/$(SEMGREP_VENV)/settings.yml SEMGREP_LOG_FILE=$(CURDIR)/$(SEMGREP_VENV)/semgrep.log \
	SEMGREP_VERSION_CACHE_PATH=$(CURDIR)/$(SEMGREP_VENV)/version-cache \
	$(SEMGREP_VENV)/bin/semgrep scan --metrics=off --disable-version-check --config .semgrep/probidad.yml

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
	$(BIN)/pytest -q -n 2 --dist loadgroup -m "(slow or e2e) and not timing"
	$(BIN)/pytest -q -m timing

# Regenerate the screenshots and the timing plot in docs/ (a normal test run writes them under instance/).
docs-artifacts: $(STAMP)
	PROBIDAD_DOCS_ARTIFACTS=1 $(BIN)/pytest -q -m "e2e or timing" tests/e2e tests/reports/test_e2e_dashboards.py tests/security/test_timing.py

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r engine keys web workflows -ll
	$(BIN)/python tests/security/pip_audit_gate.py
	$(MAKE) --no-print-directory semgrep

$(SEMGREP_STAMP):
	rm -rf $(SEMGREP_VENV)
	$(PYTHON) -m venv $(SEMGREP_VENV)
	$(SEMGREP_VENV)/bin/pip install -q --upgrade pip
	$(SEMGREP_VENV)/bin/pip install -q 'semgrep==$(SEMGREP_VERSION)'
	touch $(SEMGREP_STAMP)

# The rules' own tests first (every `# ruleid:` line must fire, every `# ok:` line must not), then the code.
# Any finding fails the target; accepted ones carry `# nosemgrep: <rule-id> - <reason>` (docs/security.md).
semgrep: $(SEMGREP_STAMP)
	$(SEMGREP) --test .semgrep/probidad.py
	$(SEMGREP) --test .semgrep/probidad.html
	$(SEMGREP) --quiet --error --no-git-ignore --exclude web/static --exclude node_modules engine keys web workflows bench

bench: $(STAMP)
	$(BIN)/probidad bench

assets:
	cd web/assets && npm ci && npm run build

clean:
	rm -rf $(VENV) instance .pytest_cache

# Regenerate the initial Alembic revision from the models (tests/integration/test_migrations.py fails on drift).
migration: $(STAMP)
	$(BIN)/python migrations/regenerate.py
