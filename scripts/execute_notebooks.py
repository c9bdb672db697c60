"""Execute notebooks top to bottom on a fresh kernel and store their outputs, reproducibly.

Usage::

    python scripts/execute_notebooks.py notebooks/*.ipynb            # the main job: rewrite outputs in place
    python scripts/execute_notebooks.py --fast --output-dir /tmp/x notebooks/*.ipynb   # fast mode, copies

Each notebook runs in its own folder (so relative paths such as ``../data`` work) with a new ``python3``
kernel. ``--fast`` sets ``LNN_FAST=1``, which every notebook's parameters cell reads to shrink its iteration
counts; ``LNN_PROGRESS=0`` turns progress bars off (see ``lnn_utils.progress``), so outputs carry no progress
residue. Timing and other volatile metadata are dropped, so re-running on the same machine gives byte-identical
files; kept are the kernelspec and, per cell, the metadata a person sets: ``tags``, ``slideshow``, ``collapsed``,
``scrolled`` and ``jupyter.source_hidden`` / ``jupyter.outputs_hidden``.

Every path is checked (it exists, is a readable notebook, and no two results would land on the same file) before
the first notebook runs, and each result is written atomically (a temporary file in the same folder, then
``os.replace``): a failing or interrupted run leaves every notebook either as it was or completely rewritten.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: Cell metadata that people set and that a re-run must keep (everything else, e.g. ``execution`` timings, goes).
KEPT_CELL_METADATA = ("tags", "slideshow", "collapsed", "scrolled")

#: The keys of the standard ``jupyter`` cell metadata that are kept (hidden input / output in JupyterLab).
KEPT_JUPYTER_METADATA = ("source_hidden", "outputs_hidden")

#: Environment the notebooks' kernels see (and that is restored in this process afterwards).
RUN_ENVIRONMENT = ("LNN_FAST", "LNN_PROGRESS")


def clean_metadata(nb):
    """Drop volatile metadata (timings, widget state, language version); keep the kernelspec and, per cell,
    :data:`KEPT_CELL_METADATA` and the hidden-input / hidden-output flags of ``jupyter``."""
    nb.metadata = nbformat.from_dict({k: nb.metadata[k] for k in ("kernelspec",) if k in nb.metadata})
    for cell in nb.cells:
        kept = {k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.metadata}
        jupyter = {k: v for k, v in cell.metadata.get("jupyter", {}).items() if k in KEPT_JUPYTER_METADATA}
        if jupyter:
            kept["jupyter"] = jupyter
        cell.metadata = nbformat.from_dict(kept)
    return nb


def write_atomically(nb, output_path):
    """Write ``nb`` to ``output_path`` through a temporary file in the same folder and ``os.replace``, so that the
    file is never left half-written; an existing file keeps its permissions."""
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    mode = output_path.stat().st_mode & 0o7777 if output_path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=output_path.parent, prefix=f".{output_path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.chmod(tmp, mode)
        os.replace(tmp, output_path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_paths(notebooks, output_dir=None):
    """Check every notebook before any runs: it is a file named ``*.ipynb`` that nbformat can read, and no two
    results go to the same file. Returns the output paths (None: in place); raises ``ValueError`` otherwise."""
    problems, outputs, seen = [], [], {}
    for path in map(Path, notebooks):
        out = None if output_dir is None else Path(output_dir) / path.name
        if not path.is_file():
            problems.append(f"{path} does not exist or is not a file")
        elif path.suffix != ".ipynb":
            problems.append(f"{path} is not a notebook (*.ipynb)")
        else:
            try:
                nbformat.read(path, as_version=4)
            except Exception as error:  # noqa: BLE001 - any reason a notebook cannot be read is reported
                problems.append(f"{path} cannot be read as a notebook: {error}")
        target = (out or path).resolve()
        if target in seen:
            problems.append(f"{path} and {seen[target]} would both be written to {target}")
        seen[target] = path
        outputs.append(out)
    if output_dir is not None and Path(output_dir).exists() and not Path(output_dir).is_dir():
        problems.append(f"--output-dir {output_dir} exists and is not a folder")
    if problems:
        raise ValueError("nothing was executed:\n  " + "\n  ".join(problems))
    return outputs


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
    previous = {name: os.environ.get(name) for name in RUN_ENVIRONMENT}
    os.environ["LNN_FAST"] = "1" if fast else "0"
    # Progress bars off: stored outputs carry no progress residue (see lnn_utils.progress).
    os.environ["LNN_PROGRESS"] = "0"
    start = time.perf_counter()
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False, coalesce_streams=True,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    seconds = time.perf_counter() - start
    write_atomically(clean_metadata(nb), output_path)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to execute, in order")
    parser.add_argument("--fast", action="store_true", help="set LNN_FAST=1 (small iteration counts)")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="write executed copies here instead of overwriting the notebooks")
    args = parser.parse_args(argv)
    try:
        outputs = check_paths(args.notebooks, args.output_dir)
    except ValueError as error:
        parser.error(str(error))
    total = 0.0
    for nb_path, out in zip(args.notebooks, outputs):
        print(f"executing {nb_path} ...", flush=True)
        seconds = execute_notebook(nb_path, out, fast=args.fast)
        total += seconds
        print(f"  done in {seconds:.1f} s -> {out or nb_path}", flush=True)
    print(f"all {len(args.notebooks)} notebook(s) executed in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
