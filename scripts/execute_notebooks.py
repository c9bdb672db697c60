"""Execute notebooks top to bottom on a fresh kernel and store their outputs, reproducibly.

Usage::

    python scripts/execute_notebooks.py notebooks/*.ipynb            # the main job: rewrite outputs in place
    python scripts/execute_notebooks.py --fast --output-dir /tmp/x notebooks/*.ipynb   # fast mode, copies

Each notebook runs in its own folder (so relative paths such as ``../data`` work) with a new ``python3``
kernel. ``--fast`` sets ``LNN_FAST=1``, which every notebook's parameters cell reads to shrink its iteration
counts. Timing and other volatile metadata are dropped (only the kernelspec, and each cell's ``tags`` and
``slideshow`` entries are kept), so re-running on the same machine gives byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KEPT_CELL_METADATA = ("tags", "slideshow")


def clean_metadata(nb):
    """Drop volatile metadata (timings, widget state, language version), keep kernelspec, tags and slideshow."""
    nb.metadata = nbformat.from_dict({k: nb.metadata[k] for k in ("kernelspec",) if k in nb.metadata})
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict({k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.metadata})
    return nb


def execute_notebook(path, output_path=None, *, fast=False, timeout=1200):
    """Execute the notebook at ``path`` top to bottom and write it to ``output_path`` (default: in place).

    Parameters
    ----------
    path : str or Path
        The notebook to run.
    output_path : str or Path, optional
        Where to write the executed notebook; default overwrites ``path``.
    fast : bool, default=False
        Run with ``LNN_FAST=1`` (small iteration counts, for tests).
    timeout : int, default=1200
        Seconds allowed per cell.

    Returns
    -------
    seconds : float
        Wall time of the execution.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        A cell raised; the message names the cell and shows the traceback.
    """
    path = Path(path).resolve()
    output_path = path if output_path is None else Path(output_path).resolve()
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    previous = os.environ.get("LNN_FAST")
    os.environ["LNN_FAST"] = "1" if fast else "0"
    # Progress bars off: stored outputs carry no progress residue (see lnn_utils.progress).
    os.environ["LNN_PROGRESS"] = "0"
    start = time.perf_counter()
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False, coalesce_streams=True,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    finally:
        if previous is None:
            os.environ.pop("LNN_FAST", None)
        else:
            os.environ["LNN_FAST"] = previous
    seconds = time.perf_counter() - start
    output_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(clean_metadata(nb), output_path)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to execute, in order")
    parser.add_argument("--fast", action="store_true", help="set LNN_FAST=1 (small iteration counts)")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="write executed copies here instead of overwriting the notebooks")
    args = parser.parse_args(argv)
    total = 0.0
    for nb_path in args.notebooks:
        if not nb_path.is_file():
            parser.error(f"{nb_path} does not exist")
        out = None if args.output_dir is None else args.output_dir / nb_path.name
        print(f"executing {nb_path} ...", flush=True)
        seconds = execute_notebook(nb_path, out, fast=args.fast)
        total += seconds
        print(f"  done in {seconds:.1f} s -> {out or nb_path}", flush=True)
    print(f"all {len(args.notebooks)} notebook(s) executed in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
