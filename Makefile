# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make run   -> .venv, install, start the dashboard
#   make test  -> .venv, install, ruff, the whole pytest suite (browser test included)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint install browser clean bench

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Local only: without a workspace secret (LABELWISE_EDITOR_SECRET) the dashboard must not be reachable from the
# network, and it serves only a refusal if it is (docs/dashboard.md, Access).
run: $(STAMP)
	$(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1

# Debian's chromium for the Playwright browser test; never a browser download.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) browser lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
