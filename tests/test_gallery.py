"""The README's gallery shows the committed notebook outputs, and every figure it shows exists."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_gallery", ROOT / "scripts" / "make_gallery.py")
make_gallery = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_gallery)


def test_gallery_files_are_the_tagged_notebook_outputs():
    figures = make_gallery.gallery_figures(sorted((ROOT / "notebooks").glob("*.ipynb")))
    assert figures, "no notebook cell is tagged gallery:NAME"
    for name, (png, source) in figures.items():
        path = make_gallery.GALLERY_DIR / f"{name}.png"
        assert path.is_file(), f"{path} missing: run `python scripts/make_gallery.py`"
        assert path.read_bytes() == png, f"{path} differs from the output in {source}: run make_gallery.py"


def test_readme_shows_exactly_the_gallery_figures():
    shown = set(re.findall(r"\(docs/gallery/([\w-]+)\.png\)", (ROOT / "README.md").read_text()))
    produced = set(make_gallery.gallery_figures(sorted((ROOT / "notebooks").glob("*.ipynb"))))
    assert shown == produced, f"README shows {sorted(shown)}, notebooks tag {sorted(produced)}"


def test_a_tagged_cell_without_output_is_an_error(tmp_path):
    import nbformat

    cell = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["gallery:empty"]})
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    try:
        make_gallery.gallery_figures([path])
    except ValueError as exc:
        assert "no PNG output" in str(exc)
    else:
        raise AssertionError("a tagged cell without a figure must be refused")
