"""The paper presentation (slides/ssl_duality_slides.ipynb): slide metadata, and the export to reveal.js HTML.

The deck is a notebook whose cells carry ``metadata.slideshow.slide_type``. Every top-level slide starts at a cell
of type "slide"; the deck uses no "subslide" (so the number of top-level ``<section>`` elements of the export must
equal the number of "slide" cells). Figure code carries the tag ``hide-input``, which the ``make slides`` command
uses to show only the figure. Execution of the deck in fast mode is tested by tests/test_notebooks.py.
"""

import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "slides" / "ssl_duality_slides.ipynb"
MAKEFILE = ROOT / "Makefile"
SLIDE_TYPES = {"slide", "-", "fragment", "skip", "notes"}  # "subslide" would nest sections: not used here
HIDE_INPUT = "hide-input"


def read_deck():
    return nbformat.read(DECK, as_version=4)


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def output_text(nb):
    """Every text the committed deck printed (stream and text/plain outputs)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out and "text/plain" in out.data:
                parts.append(out.data["text/plain"])
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------- metadata (fast)
def test_every_cell_has_a_known_slide_type_and_the_deck_has_about_15_slides():
    nb = read_deck()
    types = [slide_type(c) for c in nb.cells]
    assert set(types) <= SLIDE_TYPES, f"unexpected slide types {set(types) - SLIDE_TYPES}"
    assert types[0] == "slide", "the title cell opens the first slide"
    assert 12 <= types.count("slide") <= 18, f"{types.count('slide')} slides; the issue asks for about 15"


def test_setup_cells_are_off_the_slides_and_every_slide_opens_with_a_heading():
    nb = read_deck()
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert slide_type(params) == "skip", "the parameters cell is not slide content"
    for cell in nb.cells:
        if slide_type(cell) == "slide":
            assert cell.cell_type == "markdown" and re.match(r"#{1,2} \S", cell.source), \
                f"a slide must open with a markdown '#' or '##' heading, got: {cell.source[:60]!r}"


def test_figures_are_computed_not_pasted():
    nb = read_deck()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert "attachments" not in cell and "![" not in cell.source and "<img" not in cell.source, \
                f"pasted image in a markdown cell: {cell.source[:60]!r}"
    pngs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 4, "the deck's figures come from its own code cells"


def test_numbers_quoted_from_our_runs_match_the_printed_outputs():
    """Markdown tagged ``numbers-from-run`` may only quote decimals the deck itself printed (full-mode outputs)."""
    nb = read_deck()
    printed = output_text(nb)
    tagged = [c for c in nb.cells if "numbers-from-run" in c.metadata.get("tags", [])]
    assert tagged, "the interpretation of our runs should be tagged numbers-from-run"
    for cell in tagged:
        prose = re.sub(r"\b(?:Sec|Cor|Lemma|Theorem|Prop|Eq|Table|Fig|supp)\.?\s*[\dA-Z][\d.]*\d", "", cell.source)
        numbers = re.findall(r"\d+\.\d+", prose)  # not the paper's section/theorem numbers
        missing = [n for n in numbers if not re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", printed)]
        assert not missing, f"numbers {missing} are not in the deck's outputs: re-read them after `make notebooks`"


def test_references_slide_cites_the_paper():
    nb = read_deck()
    last = [c for c in nb.cells if slide_type(c) == "slide"][-1]
    assert last.source.startswith("## References")
    for needle in ("Garrido", "Najman", "LeCun", "ICLR 2023", "2206.02574", "SimCLR", "VICReg", "Barlow Twins"):
        assert needle in last.source, f"references slide lacks {needle!r}"


# ------------------------------------------------------------------------------------------- export (slow-ish)
class _RevealParser(HTMLParser):
    """Collect, for each top-level ``<section>`` of the reveal.js ``div.slides``, its headings, images, visible code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.slides = []
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "section":
            self.depth += 1
            if self.depth == 1:
                self.slides.append({"headings": [], "images": [], "code_inputs": 0})
        elif self.depth >= 1:
            if tag in ("h1", "h2"):
                self._heading = ""
            elif tag == "img":
                self.slides[-1]["images"].append(attrs.get("src", ""))
            elif tag == "div" and "jp-CodeMirrorEditor" in classes:
                self.slides[-1]["code_inputs"] += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1
        elif tag in ("h1", "h2") and self._heading is not None:
            self.slides[-1]["headings"].append(self._heading.replace("¶", "").strip())
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data


def makefile_slides_command(deck, output_dir, makefile=MAKEFILE):
    """The recipe of the Makefile's ``slides`` target, with $(PY), $(SLIDES) and the output folder filled in."""
    lines = makefile.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("slides:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip().removesuffix("\\"))
    command = " ".join(recipe).replace("$(PY)", shlex.quote(sys.executable)).replace("$(SLIDES)", shlex.quote(str(deck)))
    args = shlex.split(command)
    assert "nbconvert" in args and "slides" in args, f"the slides target does not run nbconvert --to slides: {command}"
    if "--output-dir" in args:
        args[args.index("--output-dir") + 1] = str(output_dir)
    else:
        args = [a for a in args if not a.startswith("--output-dir=")] + [f"--output-dir={output_dir}"]
    return args


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    args = makefile_slides_command(DECK, out)
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT, timeout=120)
    html = (out / (DECK.stem + ".slides.html")).read_text(encoding="utf-8")
    parser = _RevealParser()
    parser.feed(html)
    return args, html, parser.slides


@pytest.mark.notebooks
def test_export_has_one_section_per_slide_cell_each_with_a_heading(exported):
    _, _, slides = exported
    nb = read_deck()
    expected = [c.source.splitlines()[0].lstrip("# ").strip() for c in nb.cells if slide_type(c) == "slide"]
    assert len(slides) == len(expected), f"{len(slides)} top-level <section>s for {len(expected)} slide cells"
    for slide, title in zip(slides, expected):
        assert slide["headings"], f"the slide {title!r} has no heading in the HTML"
        assert slide["headings"][0] == title


@pytest.mark.notebooks
def test_export_shows_figures_inline_and_hides_figure_code(exported):
    args, _, slides = exported
    assert any(HIDE_INPUT in a and "remove_input_tags" in a for a in args), \
        "the `slides` target must pass --TagRemovePreprocessor.remove_input_tags=hide-input (figure code hidden)"
    nb = read_deck()
    shown = [c for c in nb.cells if c.cell_type == "code" and slide_type(c) not in ("skip", "notes")]
    n_png = sum("image/png" in o.get("data", {}) for c in shown for o in c.outputs)
    images = [src for slide in slides for src in slide["images"]]
    assert len(images) == n_png, "every figure of the deck appears once in the slides"
    assert all(src.startswith("data:image/png;base64,") for src in images), "figures are embedded, not linked"
    visible_code = sum(HIDE_INPUT not in c.metadata.get("tags", []) for c in shown)
    assert sum(slide["code_inputs"] for slide in slides) == visible_code
