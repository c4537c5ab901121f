# `make run` and `make test` do all the set-up on a machine with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8501
GAZETTEER := data/gazetteer/places.tsv.gz

.PHONY: run test test-fast bench gazetteer basemap chromium compiled clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

$(VENV)/.build: requirements-build.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-build.txt
	touch $@

# The gazetteer is committed; rebuild it only when it is missing (or on purpose: `make gazetteer`).
$(GAZETTEER):
	$(MAKE) gazetteer

gazetteer: $(VENV)/.build
	$(PY) -m mapapp.gazetteer.build

basemap: $(VENV)/.build
	$(PY) -m mapapp.basemap_build
	$(PY) -m mapapp.basemap_lines_build

# The compiled geoparser (mapapp/_fastparse.c), rebuilt when its source changed. Without a C compiler this warns and
# geoparsing runs its Python code, which gives the same answers more slowly.
compiled: | $(VENV)/bin/python
	$(PY) -m mapapp.fastbuild

# Debian's chromium for the browser tests (Playwright cannot download its own browser here).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "warning: chromium is not installed (apt-get install chromium); browser tests will be skipped"; fi; \
	fi

run: $(VENV)/.runtime $(GAZETTEER) compiled
	$(PY) -m mapapp ingest
	$(PY) -m mapapp reextract --if-changed
	$(VENV)/bin/streamlit run streamlit_app.py --server.port $(PORT) --server.headless true \
	  --browser.gatherUsageStats false

# pytest exits 5 when a marker selects no tests: that is not a failure.
test: $(VENV)/.dev $(GAZETTEER) compiled chromium
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

test-fast: $(VENV)/.dev $(GAZETTEER) compiled
	$(PY) -m pytest -q -m "not browser and not slow"; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

bench: $(VENV)/.dev $(GAZETTEER) compiled
	$(PY) bench/geoparse_bench.py

clean:
	rm -rf $(VENV) .pytest_cache bench/out tests/screenshots mapapp/_fastparse*.so
