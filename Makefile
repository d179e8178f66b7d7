# Candor: `make run` brings up the portal with demo data; `make test` runs the tests.
# Both create .venv from requirements.txt first. See README.md.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
# axe-core for the browser tests' accessibility checks (tests/e2e), from npm.
NODE_STAMP := node_modules/.installed
# make run's web port. Handed to honcho, which otherwise gives the first
# process in the Procfile its own default, 5000, as PORT.
PORT ?= 8000

.PHONY: run test lint bench setup clean-var

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

setup: $(STAMP)
	$(PY) -m portal.ensure_databases
	$(PY) manage.py migrate --noinput
	$(PY) manage.py migrate --database telemetry --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo

# The web server, a real Celery worker process and beat; Ctrl-C stops all three.
run: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f portal/Procfile -d . start -p $(PORT)

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks (bench/, see ../shared/BENCH.md): all suites, or one with ONLY=name.
SUITES := seed pages audit consent reports rights
bench: $(STAMP)
	@for suite in $(if $(ONLY),$(ONLY),$(SUITES)); do \
		$(PY) -m bench.$$suite $(BENCH_ARGS) || exit 1; \
	done

clean-var:
	rm -rf var
