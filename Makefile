# The list of intents. Every target works on a fresh clone: the virtual
# environment is created and the project installed on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: build serve check test lint fmt golden bench i18n clean judge

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# pyproject.toml describes the package only (the site's configuration is sitegen.toml):
# the package is installed again only when it changes. PYTHONWARNINGS silences
# setuptools' notes about editable installs, which are not about this project.
PIP_INSTALL := PYTHONWARNINGS=ignore $(BIN)/pip install --quiet

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'
	touch $(STAMP) $@

# sitegen's bytecode, written once: where PYTHONDONTWRITEBYTECODE is set, every command
# would otherwise compile every module it imports, each time (~0.1-0.2 s)
build: $(STAMP)  ## build the site into _site/
	$(BIN)/python -m compileall -q sitegen
	$(BIN)/sitegen build

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000/
	$(BIN)/sitegen serve

check: $(STAMP)  ## every problem of the content, warnings included
	$(BIN)/sitegen check --strict

lint: $(TEST_STAMP)
	$(BIN)/ruff check sitegen tests
	$(BIN)/ruff format --check sitegen tests
	$(BIN)/mypy

fmt: $(TEST_STAMP)
	$(BIN)/ruff format sitegen tests
	$(BIN)/ruff check --fix sitegen tests

# the tests run on every core (CI has two); PYTEST_JOBS=1 runs them one at a time
PYTEST_JOBS ?= auto

test: lint  ## ruff, mypy and every test
	$(BIN)/pytest -n $(PYTEST_JOBS)

golden: $(TEST_STAMP)  ## regenerate the expected output of the fixture sites and invalid-input cases
	$(BIN)/python -m tests.golden
	$(BIN)/python -m tests.test_invalid

# the Zola comparison of issue 12 (when ../shared/tools/peer-bench is installed: its
# setup.sh, once), what Pagefind and markdown-it-py take alone beside Zola (the floors
# under those ratios), then the dev server's edit-to-browser figures on the real site.
# BENCH=--large adds the 9,000-page comparison (7-15 minutes), its floors (~5 minutes) and
# the dev server on those 9,000 pages (5-10 minutes more); BENCH="--rounds 3" is quicker
bench: $(TEST_STAMP)  ## sitegen against Zola (ratios to zola-full) and live-reload figures
	$(BIN)/python -m tests.peer $(BENCH)
	$(BIN)/python -m tests.floors
	$(if $(findstring --large,$(BENCH)),$(BIN)/python -m tests.floors --large)
	$(BIN)/python -m tests.bench
	$(if $(findstring --large,$(BENCH)),$(BIN)/python -m tests.bench --corpus 500x18 --edits 10)

i18n: $(TEST_STAMP)  ## extract UI strings and update every catalog
	$(BIN)/pybabel extract -F babel.cfg -o locales/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/python -m sitegen.render.catalogs

judge: build  ## the site-judge quality checks (../shared/tools/site-judge)
	bash ../shared/tools/site-judge/judge.sh _site

clean:
	rm -rf _site .sitegen-cache .venv .pytest_cache .mypy_cache .ruff_cache
