# Ketenregie — the commands a newcomer needs.
#   make demo   create the environment, migrate, load demo data and serve on http://127.0.0.1:8000
#   make test   run the whole test suite
#   make bench  benchmark on 100,000 synthetic cases on PostgreSQL (see ketenregie/bench/run.py)
PYTHON ?= python3
PORT ?= 8000
TEST_WORKERS ?= auto # pytest-xdist: one worker per CPU; TEST_WORKERS=0 runs in one process
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_ENV := KETENREGIE_DEMO=true

.PHONY: demo test lint format bench install clean messages

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Ketenregie needs Python 3.11 or newer.")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/ketenregie migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/ketenregie seed_demo
	@echo ""
	@echo "Ketenregie demo: open http://127.0.0.1:$(PORT)/ and log in with one of the accounts above."
	$(DEMO_ENV) $(BIN)/ketenregie runserver 127.0.0.1:$(PORT) --noreload

test: $(STAMP)
	@$(BIN)/python tests/check_browser.py
	$(BIN)/pytest -n $(TEST_WORKERS) --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# Runs all three checks and fails if any failed. mypy loads the settings (django-stubs), so it runs
# them in test mode, which needs no production secrets.
lint: $(STAMP)
	@status=0; \
	echo "ruff check ketenregie tests"; $(BIN)/ruff check ketenregie tests || status=1; \
	echo "ruff format --check ketenregie tests"; $(BIN)/ruff format --check --output-format concise ketenregie tests || status=1; \
	echo "mypy"; KETENREGIE_TESTING=true $(BIN)/mypy || status=1; \
	exit $$status

format: $(STAMP)
	$(BIN)/ruff check --fix ketenregie tests
	$(BIN)/ruff format ketenregie tests

# Seeds (or reuses) 100,000 synthetic cases in a PostgreSQL database of its own (ketenregie_bench, or
# BENCH_DATABASE_URL), then measures pages in-process and under gunicorn + wrk; results in bench-results/.
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--cases 20000 --duration 5".
bench: $(STAMP)
	$(BIN)/python -m ketenregie.bench.run $(BENCH_ARGS)

messages: $(STAMP)
	cd ketenregie && KETENREGIE_TESTING=true ../$(BIN)/ketenregie makemessages -l nl -l en --no-obsolete --no-location

clean:
	rm -rf $(VENV) data test-artifacts bench-results .pytest_cache .coverage
