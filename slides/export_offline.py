"""Export the deck to reveal.js HTML that opens without internet, next to a small copy of its JavaScript.

``make slides`` writes ``ssl_duality_slides.slides.html`` loading reveal.js, RequireJS, jQuery and MathJax from
CDNs. This script writes the same export but points those four at ``slides/vendor/``, which it fills with the
few files they need from the npm registry's packages (reveal.js 4.0.2, MathJax 2.7.7 with the
``TeX-AMS_CHTML-full`` configuration, RequireJS 2.1.10, jQuery 2.2.4, the versions nbconvert's template expects;
about 1.5 MB, each with its licence). Only the download uses the network (``npm pack``, the ordinary npm client);
viewing does not. Fonts of the reveal.js theme fall back to the system's when offline.

Usage, from the repository root (after ``make notebooks`` or ``scripts/execute_notebooks.py`` ran the deck)::

    .venv/bin/python slides/export_offline.py            # vendor (if missing) and export
    .venv/bin/python slides/export_offline.py --refresh  # download the vendor files again
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SLIDES = Path(__file__).resolve().parent
ROOT = SLIDES.parent
DECK = SLIDES / "ssl_duality_slides.ipynb"
VENDOR = SLIDES / "vendor"

# package -> files (relative to the package root) copied into vendor/<name>/
PACKAGES = {
    "reveal.js@4.0.2": ("reveal.js", ["LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/theme/simple.css",
                                      "plugin/notes/notes.js"]),
    "mathjax@2.7.7": ("mathjax", ["LICENSE", "MathJax.js", "config/TeX-AMS_CHTML-full.js", "extensions/Safe.js",
                                  "extensions/TeX", "extensions/a11y/accessibility-menu.js",
                                  "jax/output/CommonHTML", "fonts/HTML-CSS/TeX/woff", "localization/en"]),
    "requirejs@2.1.10": ("requirejs", ["README.md", "require.js"]),
    "jquery@2.2.4": ("jquery", ["LICENSE.txt", "dist/jquery.min.js"]),
}
URLS = {  # nbconvert SlidesExporter option -> local path, relative to the exported HTML
    "reveal_url_prefix": "vendor/reveal.js",
    "mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "require_js_url": "vendor/requirejs/require.js",
    "jquery_url": "vendor/jquery/dist/jquery.min.js",
}


def vendor(refresh=False):
    """Fill slides/vendor/ from the npm packages (skipped when already there, unless ``refresh``)."""
    if VENDOR.exists() and not refresh:
        return
    shutil.rmtree(VENDOR, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", *PACKAGES], cwd=tmp, check=True, capture_output=True)
        for spec, (name, members) in PACKAGES.items():
            tarball = next(Path(tmp).glob(spec.split("@")[0].replace("/", "-") + "-*.tgz"))
            with tarfile.open(tarball) as archive:
                archive.extractall(Path(tmp) / name, filter="data")
            package = Path(tmp) / name / "package"
            for member in members:
                src, dst = package / member, VENDOR / name / member
                dst.parent.mkdir(parents=True, exist_ok=True)
                if src.is_dir():
                    shutil.copytree(src, dst)
                else:
                    shutil.copy2(src, dst)


def export():
    """Run the Makefile's nbconvert export with the local URLs; returns the HTML path."""
    options = [f"--SlidesExporter.{key}={value}" for key, value in URLS.items()]
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "slides",
                    "--TagRemovePreprocessor.remove_input_tags=hide-input", "--SlidesExporter.reveal_scroll=True",
                    "--SlidesExporter.reveal_number=c/t", *options, "--output-dir", str(SLIDES), str(DECK)],
                   check=True, cwd=ROOT)
    return SLIDES / (DECK.stem + ".slides.html")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="download the vendor files again")
    args = parser.parse_args()
    vendor(args.refresh)
    html = export()
    size = html.stat().st_size + sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    print(f"{html.relative_to(ROOT)} + {VENDOR.relative_to(ROOT)}/: {size / 1e6:.1f} MB, no network needed to view")


if __name__ == "__main__":
    main()
