"""The two ways to install (pip via pyproject.toml, conda via environment.yml) name the same packages."""

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONDA_TO_PIP = {"matplotlib-base": "matplotlib"}


def _name(requirement):
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["name"] == "lnn"
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_names = {CONDA_TO_PIP.get(_name(d), _name(d)) for d in conda} - {"python", "pip"}
    assert conda_names == pip_names
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert any(line.startswith("-e") for line in pip_section), "environment.yml must install the package itself"


def test_python_lower_bounds_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert conda_python.replace("python", "") == project["requires-python"]


# Import name -> distribution name, where they differ.
IMPORT_TO_DISTRIBUTION = {"PIL": "pillow", "yaml": "pyyaml", "sklearn": "scikit-learn"}


def _imported_distributions(paths):
    """Top-level third-party modules imported by ``paths`` (as distribution names), outside ``try: ... except
    ImportError`` blocks (optional imports with a fallback)."""
    import ast

    local = {"lnn_utils", "execute_notebooks", "conftest"} | {p.stem for p in (ROOT / "tests").glob("*.py")}
    found = {}
    for path in paths:
        tree = ast.parse(path.read_text(), filename=str(path))
        optional = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                    isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
                    for h in node.handlers):
                optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                found.setdefault(IMPORT_TO_DISTRIBUTION.get(top, top).lower(), path.relative_to(ROOT).as_posix())
    return found


def test_every_import_is_a_declared_dependency():
    """A module the package imports but does not declare installs fine here and fails on a fresh machine."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    test = runtime | {_name(r) for r in project["optional-dependencies"]["test"]}
    package = _imported_distributions(sorted((ROOT / "lnn_utils").rglob("*.py")))
    missing = {d: where for d, where in package.items() if d not in runtime}
    assert not missing, f"imported by the package but not in [project] dependencies: {missing}"
    assert "numpy" in package and "tqdm" in package  # the scan does see imports
    tools = _imported_distributions(sorted((ROOT / "tests").glob("*.py")) + [ROOT / "scripts" / "execute_notebooks.py"])
    missing = {d: where for d, where in tools.items() if d not in test}
    assert not missing, f"imported by the tests or the notebook runner but not in the test extra: {missing}"
