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
