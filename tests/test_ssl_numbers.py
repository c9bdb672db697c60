"""Numbers quoted in the prose of notebook 06 and of the slide deck come from their own printed outputs, and the
deck's digits results are notebook 06's (the same committed results file, the same printed values).

Markdown cells tagged ``numbers-from-run`` may quote only decimals printed by a code cell *above* them; code cells
of the deck tagged ``numbers-from-06`` may print only decimals that notebook 06 printed too.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_ssl_duality.ipynb"
DECK = ROOT / "slides" / "ssl_duality_slides.ipynb"
# The paper's section, equation, table ... numbers are not numbers of our runs.
CITATION = re.compile(r"\b(?:Sections?|Sec|Corollary|Cor|Lemma|Theorem|Proposition|Prop|Definition|Eq|Table|Fig|Algorithms?|supp)\.?\s*[\dA-Z][\d.]*\d")


def _outputs(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out and "text/plain" in out.data:
            parts.append(out.data["text/plain"])
    return "\n".join(parts)


def _decimals(text):
    return re.findall(r"(?<![\w.])[-+−]?\d+\.\d+", CITATION.sub("", text))


def _printed(number, text):
    bare = number.lstrip("+-−")
    return re.search(rf"(?<![\d.]){re.escape(bare)}(?!\d)", text) is not None


@pytest.mark.parametrize("path", [NOTEBOOK, DECK], ids=["notebook 06", "deck"])
def test_prose_numbers_were_printed_above(path):
    nb = nbformat.read(path, as_version=4)
    printed = ""
    tagged = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            printed += "\n" + _outputs(cell)
        elif "numbers-from-run" in cell.metadata.get("tags", []):
            tagged += 1
            missing = [n for n in _decimals(cell.source) if not _printed(n, printed)]
            assert not missing, (f"{path.name}: numbers {missing} in {cell.source[:70]!r}... are not printed above "
                                 f"it; re-read the prose after re-running the notebook")
    assert tagged >= 3, f"{path.name}: the interpretation of the runs should be tagged numbers-from-run"


def test_the_deck_shows_notebook_06_numbers():
    notebook = "\n".join(_outputs(c) for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    deck = nbformat.read(DECK, as_version=4)
    shared = [c for c in deck.cells if "numbers-from-06" in c.metadata.get("tags", [])]
    assert shared, "the deck's digits results should be tagged numbers-from-06"
    for cell in shared:
        numbers = _decimals(_outputs(cell))
        assert numbers, "a numbers-from-06 cell printed nothing"
        missing = [n for n in numbers if not _printed(n, notebook)]
        assert not missing, f"the deck printed {missing[:8]}, which notebook 06 does not show"
