"""The package as `pip install .` makes it: what it declares, and its command in a fresh
environment."""

import ast
import re
import shutil
import site
import sys
import venv
from pathlib import Path

import pytest
import tomllib

from conftest import REPO
from scratch import run

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def requirement_names(lines: list[str]) -> set[str]:
    """The package names of requirement lines (`name[extra]>=1.0  # why`), lower-case."""
    names = set()
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower())
    return names


def test_pyproject_declares_what_requirements_in_pins():
    declared = requirement_names(PYPROJECT["project"]["dependencies"])
    assert declared == requirement_names((REPO / "requirements.in").read_text().splitlines())


# The module each declared package is imported as, where the two names differ.
IMPORTED_AS = {"opencv-contrib-python-headless": "cv2", "pyyaml": "yaml", "vl-convert-python":
               "vl_convert"}  # fmt: skip


def test_every_package_the_library_imports_is_declared():
    declared = {IMPORTED_AS.get(name, name) for name in requirement_names(
        PYPROJECT["project"]["dependencies"])}  # fmt: skip
    imported = set()
    for path in (REPO / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"mnistseg", "__future__"}
    # pybgs is BGSLibrary's optional wrapper (`make bgslibrary`); scmrepo comes with dvc(live).
    assert third_party - {"pybgs", "scmrepo"} <= declared
    assert declared - {"dvclive"} <= third_party | {"dvc"}


@pytest.mark.e2e
def test_pip_install_gives_a_mnistseg_command_that_runs(tmp_path):
    """A wheel built from this checkout, installed into a fresh environment that sees this
    interpreter's packages (the lock's versions): its requirements are met and its command
    runs."""
    source = tmp_path / "source"  # a build writes beside its sources: not in this checkout
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(source)], tmp_path)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("mnistseg-*.whl")
    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(fresh)
    scripts = fresh / ("Scripts" if sys.platform == "win32" else "bin")
    python = str(scripts / "python")
    packages = run([python, "-c", "import site; print(site.getsitepackages()[0])"], tmp_path)
    Path(packages.stdout.strip(), "locked.pth").write_text("\n".join(site.getsitepackages()))
    pip = [sys.executable, "-m", "pip", "--python", python]  # this pip, for the fresh one
    run([*pip, "install", "-q", "--no-index", "--no-deps", str(wheel)], tmp_path)
    run([*pip, "check"], tmp_path)
    shown = run([str(scripts / "mnistseg"), "--help"], tmp_path).stdout
    assert "predict" in shown and "report-template" in shown
    where = run([python, "-c", "import mnistseg; print(mnistseg.__file__)"], tmp_path).stdout
    assert where.startswith(str(fresh))
