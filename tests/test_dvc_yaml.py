"""dvc.yaml declares exactly what each stage's script imports, so DVC reruns it when they change."""

import ast
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO

PIPELINE = yaml.safe_load((REPO / "dvc.yaml").read_text())


def mnistseg_imports(path: Path) -> set[str]:
    """The src/mnistseg modules a file imports, followed transitively."""
    found: set[str] = set()
    pending = [path]
    while pending:
        tree = ast.parse(pending.pop().read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                module = REPO / "src" / (name.replace(".", "/") + ".py")
                rel = module.relative_to(REPO).as_posix()
                if name.startswith("mnistseg") and module.is_file() and rel not in found:
                    found.add(rel)
                    pending.append(module)
    return found


def stage_bodies():
    for name, stage in PIPELINE["stages"].items():
        yield name, stage.get("do", stage)


@pytest.mark.parametrize(("name", "body"), list(stage_bodies()), ids=[n for n, _ in stage_bodies()])
def test_deps_list_the_script_and_exactly_its_src_modules(name, body):
    script = re.search(r"python (stages/\S+\.py)", body["cmd"]).group(1)
    deps = [d for d in body["deps"] if isinstance(d, str)]
    assert script in deps
    declared = {d for d in deps if d.startswith("src/")}
    assert declared == mnistseg_imports(REPO / script)
