# Two commands do all set-up on a fresh machine with Python >= 3.10:
#   make notebooks   execute every notebook (and the slide deck) top to bottom, writing their outputs
#   make test        run the test suite (includes executing every notebook in fast mode)
# Both create .venv and install the package with its test extra on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
SLIDES := $(wildcard slides/*.ipynb)

.PHONY: all notebooks test slides benchmarks clean-venv

all: test

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

notebooks: $(STAMP)
	$(PY) scripts/execute_notebooks.py $(NOTEBOOKS) $(SLIDES)
	$(PY) scripts/make_gallery.py

test: $(STAMP)
	$(PY) -m pytest

slides: $(STAMP)
	$(PY) -m jupyter nbconvert --to slides --TagRemovePreprocessor.remove_input_tags=hide-input \
		--SlidesExporter.reveal_scroll=True --SlidesExporter.reveal_number=c/t --output-dir slides $(SLIDES)

benchmarks: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
