"""Copy the figures of the README's gallery out of the executed notebooks.

A code cell whose metadata tags include ``gallery:NAME`` contributes its first PNG output as
``docs/gallery/NAME.png``. The bytes are those stored in the notebook, so the gallery always shows the committed
results, and re-running on unchanged notebooks rewrites identical files. ``make notebooks`` runs this after
executing the notebooks.

Usage::

    python scripts/make_gallery.py                 # every notebook in notebooks/ -> docs/gallery/
    python scripts/make_gallery.py --check         # exit 1 if docs/gallery/ differs from the notebooks
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
GALLERY_DIR = ROOT / "docs" / "gallery"
TAG_PREFIX = "gallery:"


def gallery_figures(notebook_paths):
    """Map each gallery name to ``(png_bytes, notebook_path)`` from the tagged cells of the notebooks.

    Raises
    ------
    ValueError
        A name is used twice, or a tagged cell has no PNG output (the notebook was not executed).
    """
    figures = {}
    for path in notebook_paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            names = [t[len(TAG_PREFIX):] for t in cell.metadata.get("tags", []) if t.startswith(TAG_PREFIX)]
            if not names:
                continue
            pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if not pngs:
                raise ValueError(f"{path}: the cell tagged {names} has no PNG output; execute the notebook first")
            for name in names:
                if name in figures:
                    raise ValueError(f"gallery name {name!r} is used in {figures[name][1]} and in {path}")
                figures[name] = (base64.b64decode(pngs[0]), path)
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on any difference")
    args = parser.parse_args(argv)
    figures = gallery_figures(sorted((ROOT / "notebooks").glob("*.ipynb")))
    stale = []
    GALLERY_DIR.mkdir(parents=True, exist_ok=True)
    for name, (png, _) in sorted(figures.items()):
        target = GALLERY_DIR / f"{name}.png"
        if target.is_file() and target.read_bytes() == png:
            continue
        stale.append(target.name)
        if not args.check:
            tmp = target.with_suffix(".png.tmp")
            tmp.write_bytes(png)
            tmp.replace(target)
    extra = sorted(p.name for p in GALLERY_DIR.glob("*.png") if p.stem not in figures)
    if args.check:
        if stale or extra:
            print(f"gallery out of date: {stale + extra}; run `python scripts/make_gallery.py`")
            return 1
        return 0
    for name in extra:
        print(f"note: docs/gallery/{name} is not produced by any notebook (left in place)")
    print(f"gallery: {len(figures)} figure(s), {len(stale)} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
