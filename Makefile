# Integriteitsbot: `make run` (local bot + Azurite + two Agents Playgrounds), `make test` (everything),
# `make package` (the Teams app zip).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# TeamsJS for the tab: committed (bot/tab/static/vendor/, package data, so every checkout, wheel and
# deployment zip has it; docs/tab.md); refreshed from node_modules (package.json pins the version)
# when that changes, and tests/unit/test_tab_teams_js.py checks the two are the same file.
TEAMS_JS := bot/tab/static/vendor/MicrosoftTeams.min.js

.PHONY: install chromium run test lint typecheck unit integration e2e bench package icons clean

install: $(STAMP) $(NODE_STAMP) $(TEAMS_JS)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(TEAMS_JS): $(NODE_STAMP)
	mkdir -p $(dir $@)
	cp node_modules/@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js $@
	cp node_modules/@microsoft/teams-js/LICENSE $(dir $@)LICENSE-teams-js.txt

chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install
	$(PY) infra/local/run.py

lint: install
	$(VENV)/bin/ruff check bot dialogs cards infra tests bench
	$(VENV)/bin/ruff format --check bot dialogs cards infra tests bench

typecheck: install
	$(VENV)/bin/mypy

unit: install
	$(PY) -m pytest tests/unit

integration: install
	$(PY) -m pytest tests/integration

e2e: install chromium
	$(PY) -m pytest tests/e2e

# Throughput, latency, CPU and memory side by side with a stock botbuilder echo (docs/benchmarks.md).
bench: install
	$(PY) -m bench
	$(PY) -m bench.understanding

test: install chromium lint typecheck
	$(PY) -m pytest

# Teams app package (build/appPackage.zip) with MicrosoftAppId from the environment or .env.
package: install
	$(PY) -m infra.package

# Redraw the app icons in infra/appPackage/ (they are committed; only needed to change them).
icons: install
	$(PY) -m infra.icons

clean:
	rm -rf $(VENV) node_modules .data build dist *.egg-info
