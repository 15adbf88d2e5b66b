# phananh: two commands for a newcomer, `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The data mirror: ../shared/data when it exists (set PHANANH_DATA_DIR to use another).
DATA_MIRROR := $(abspath ../shared/data)
ifneq ($(wildcard $(DATA_MIRROR)),)
export PHANANH_DATA_DIR ?= $(DATA_MIRROR)
endif

.PHONY: demo test venv postgis browser db-start serve lint clean bench-etl bench-geocode bench-tiles bench-tiles-10m bench-analytics

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	$(BIN)/python -m gis_api.vendor
	touch $@

venv: $(STAMP) ## Create .venv and install the project

postgis: venv ## PostgreSQL 15 + PostGIS 3 (apt-get as root; otherwise prints the command)
	$(BIN)/phananh db install

browser: ## Chromium for the viewer's browser test (apt-get as root; otherwise prints the command)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; }

db-start: postgis ## Start the embedded database (unless DATABASE_URL is set) and migrate
	$(BIN)/phananh db start
	$(BIN)/phananh db migrate

DEMO_FILE := .data/demo-complaints.csv

demo: db-start ## Boundaries, 200,000 demo complaints loaded, then the API on http://127.0.0.1:8000
	$(BIN)/phananh boundaries load --all
	$(BIN)/phananh boundaries list
	mkdir -p .data && test -f $(DEMO_FILE) || $(BIN)/phananh demo-data --n 200000 --seed 1 --from 2024-01-01 --to 2025-12-31 --output $(DEMO_FILE)
	$(BIN)/phananh etl ingest $(DEMO_FILE) --mapping phananh-1022
	$(BIN)/phananh etl status
	@echo "Serving http://127.0.0.1:8000 (API docs at /docs); Ctrl+C stops. Try:"
	@echo "  $(BIN)/phananh boundaries locate 10.7769 106.7009 --date 2020-06-01"
	@echo "  $(BIN)/phananh geocode \"12 Lê Lợi, P. Bến Nghé, Q.1, TP.HCM\" --date 2024-05-01"
	@echo "  curl http://127.0.0.1:8000/tiles/heat.json   # vector tiles (docs/tiles.md)"
	$(BIN)/phananh serve

serve: venv ## Serve the API on the database already set up
	$(BIN)/phananh serve

test: postgis browser ## Lint, then the whole test suite against a throwaway PostGIS it starts itself
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench-etl: db-start ## ETL benchmark: 1,000,000 demo complaints with coordinates, rows/s per stage
	$(BIN)/python benchmarks/bench_etl.py

TIPG_VENV := .venv-tipg

$(TIPG_VENV)/.installed:
	$(PYTHON) -m venv $(TIPG_VENV)
	$(TIPG_VENV)/bin/python -m pip install -q "tipg==1.6.1" "uvicorn==0.54.0" "uvloop==0.23.0" "httptools==0.9.0"
	touch $@

bench-tiles: db-start $(TIPG_VENV)/.installed ## Tile benchmark against tipg on 1,000,000 demo complaints (wrk)
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q wrk; else echo "wrk is missing: sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python benchmarks/bench_tiles.py

bench-tiles-10m: db-start ## Heat tiles with 10,000,000 demo complaints (loads for about half an hour)
	$(BIN)/python benchmarks/bench_heat_scale.py

bench-analytics: db-start ## Analytics benchmark: Gi* over the city's H3 cells on 1,000,000 demo complaints
	$(BIN)/python benchmarks/bench_analytics.py

bench-geocode: db-start ## Address geocoding benchmark (addresses/s)
	$(BIN)/phananh boundaries load --all
	$(BIN)/python benchmarks/bench_geocode.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean: ## Stop the embedded database and remove .venv and .data
	-$(BIN)/phananh db stop
	rm -rf $(VENV) $(TIPG_VENV) .data
