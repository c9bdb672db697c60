"""Every committed notebook (and slide deck) was run top to bottom, and still runs: in fast mode, on a fresh kernel."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "slides").glob("*.ipynb"))
IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]

_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "scripts" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)


def test_there_are_notebooks():
    assert any(p.parent.name == "notebooks" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_notebook_was_run_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        "execution counts are not 1..n: re-run with `make notebooks`"
    assert any(c.outputs for c in code), "committed without outputs"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"a committed output is an error: {errors[0].ename}"
    assert path.stat().st_size < 2_000_000, "keep notebooks under 2 MB (PNG figures at modest dpi)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_opens_with_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.lstrip().startswith("#"), \
        "the first cell is the title and what the notebook shows"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", []), "the first code cell must be tagged `parameters`"
    assert "LNN_FAST" in first_code.source, "the parameters cell reads fast mode from LNN_FAST"
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_executes_in_fast_mode(path, tmp_path):
    seconds = execute_notebooks.execute_notebook(path, tmp_path / path.name, fast=True)
    nb = nbformat.read(tmp_path / path.name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert seconds < 120, f"fast mode should take well under a minute, took {seconds:.0f} s"
