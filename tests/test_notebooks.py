"""Every committed notebook (and slide deck) was run top to bottom, and still runs: in fast mode, on a fresh kernel.

The outputs, committed and fresh, must be clean: no error, no NaN or inf in printed text (``text/plain`` and
``text/markdown`` results, stream output), and no warning on stderr. A cell that shows a warning on purpose (e.g. to demonstrate one) carries
the cell tag ``expected-warning``; its stderr is then not checked.
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "slides").glob("*.ipynb"))
IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOKS]

_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "scripts" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)

#: The tag that allows a cell to write a warning to stderr.
EXPECTED_WARNING_TAG = "expected-warning"

#: Outputs of ``display`` / cell results whose text is checked for NaN and inf (figures are not).
PRINTED_MIME_TYPES = ("text/plain", "text/markdown")

#: NaN or inf as numpy and Python print them ("nan", "-inf", "NaN", "Infinity"), not inside a word ("info").
NON_FINITE = re.compile(r"(?<![\w.])[-+]?(?:nan|inf|infinity)(?![\w(])", re.IGNORECASE)


def output_problems(nb):
    """Problems of a notebook's outputs: errors, NaN/inf in printed text, warnings on stderr in untagged cells."""
    problems = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {k} (execution count {cell.execution_count})"
        tags = cell.metadata.get("tags", [])
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"{where}: error {out.ename}: {out.evalue}")
                continue
            if out.output_type == "stream":
                texts = [out.text]
                if out.name == "stderr" and "Warning" in out.text and EXPECTED_WARNING_TAG not in tags:
                    line = next(line for line in out.text.splitlines() if "Warning" in line)
                    problems.append(f"{where}: unexpected warning on stderr (tag the cell {EXPECTED_WARNING_TAG!r} "
                                    f"if it is meant): {line.strip()[:200]}")
            else:
                data = out.get("data", {})
                texts = [data.get(kind, "") for kind in PRINTED_MIME_TYPES]
            for text in texts:
                text = "".join(text) if isinstance(text, list) else text
                match = NON_FINITE.search(text)
                if match:
                    line = text[text.rfind("\n", 0, match.start()) + 1:].split("\n", 1)[0]
                    problems.append(f"{where}: printed a non-finite value {match.group(0)!r}: {line.strip()[:200]}")
    return problems


def test_the_output_checks_catch_nan_inf_and_warnings():
    def notebook(*outputs, tags=()):
        cell = nbformat.v4.new_code_cell("x", execution_count=1, outputs=list(outputs))
        cell.metadata["tags"] = list(tags)
        return nbformat.v4.new_notebook(cells=[cell])

    stream = nbformat.v4.new_output
    clean = notebook(stream("stream", name="stdout", text="loss 0.25, info: inference done, 12 infants\n"),
                     stream("execute_result", data={"text/plain": "array([1., 2.])"}, execution_count=1))
    assert output_problems(clean) == []
    for text in ("loss nan", "loss NaN\n", "max -inf", "array([1., inf])", "value: Infinity"):
        assert output_problems(notebook(stream("stream", name="stdout", text=text))), text
    assert output_problems(notebook(stream("execute_result", data={"text/plain": "(nan, 2.0)"}, execution_count=1)))
    assert output_problems(notebook(stream("display_data", data={"text/markdown": "| a | NaN |"})))
    assert not output_problems(notebook(stream("display_data", data={"text/markdown": "$x \\to \\infty$"})))
    warning = stream("stream", name="stderr", text="/x.py:3: RuntimeWarning: invalid value encountered in divide\n")
    assert "unexpected warning" in output_problems(notebook(warning))[0]
    assert output_problems(notebook(warning, tags=[EXPECTED_WARNING_TAG])) == []


def test_there_are_notebooks_numbered_01_to_n_and_the_readme_lists_each():
    numbered = sorted(p.name for p in NOTEBOOKS if p.parent.name == "notebooks")
    assert numbered, "no notebooks in notebooks/"
    bad = [name for name in numbered if not re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name)]
    assert not bad, f"notebooks must be named NN_snake_case.ipynb: {bad}"
    numbers = [int(name[:2]) for name in numbered]
    assert numbers == list(range(1, len(numbered) + 1)), f"notebooks must be numbered 01..N without gaps: {numbered}"
    linked = set(re.findall(r"\]\(((?:notebooks|slides)/[^)\s]+\.ipynb)\)", (ROOT / "README.md").read_text()))
    present = set(IDS)
    assert not linked - present, f"README links notebooks that do not exist: {sorted(linked - present)}"
    assert not present - linked, f"README's table does not link: {sorted(present - linked)}"


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
def test_committed_outputs_have_no_nan_and_no_unexpected_warning(path):
    problems = output_problems(nbformat.read(path, as_version=4))
    assert not problems, "\n".join(problems)


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
    problems = output_problems(nb)
    assert not problems, "fast-mode outputs are not clean:\n" + "\n".join(problems)
    assert seconds < 120, f"fast mode should take well under a minute, took {seconds:.0f} s"
