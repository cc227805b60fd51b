"""dvc.yaml declares exactly what each stage's script imports, so DVC reruns it when they change,
and every stage's command is one that sh, cmd.exe and PowerShell run alike."""

import ast
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO

PIPELINE = yaml.safe_load((REPO / "dvc.yaml").read_text())


def local_imports(path: Path) -> set[str]:
    """The modules of src/ and stages/ a file imports, followed transitively."""
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
                for root in ("src", "stages"):
                    module = REPO / root / (name.replace(".", "/") + ".py")
                    rel = module.relative_to(REPO).as_posix()
                    if module.is_file() and rel not in found:
                        found.add(rel)
                        pending.append(module)
    return found


def stage_bodies():
    for name, stage in PIPELINE["stages"].items():
        yield name, stage.get("do", stage)


STAGES = list(stage_bodies())
IDS = [name for name, _ in STAGES]


@pytest.mark.parametrize(("name", "body"), STAGES, ids=IDS)
def test_deps_list_the_script_and_exactly_its_modules(name, body):
    script = re.search(r"python (stages/\S+\.py)", body["cmd"]).group(1)
    deps = [d for d in body["deps"] if isinstance(d, str)]
    assert script in deps
    declared = {d for d in deps if d.startswith(("src/", "stages/")) and d != script}
    assert declared == local_imports(REPO / script)


# A word of a command: a path or an option, or a ${...} that DVC fills in from params.yaml.
WORD = r"(?:[\w./@:-]|\$\{[\w.]+\})+"


@pytest.mark.parametrize(("name", "body"), STAGES, ids=IDS)
def test_commands_are_plain_python_any_shell_runs(name, body):
    """`python stages/<name>.py` and options with paths: no `VAR=value` prefix, `&&`, `;`,
    pipes, redirections, quotes, `$VAR` or globs, which cmd.exe or PowerShell read otherwise."""
    words = " ".join(body["cmd"].split()).split(" ")
    assert words[0] == "python" and re.fullmatch(r"stages/\w+\.py", words[1]), body["cmd"]
    for word in words[2:]:
        assert re.fullmatch(WORD, word), f"{name}: {word!r} in {body['cmd']!r}"
    # Options come in pairs: --name value.
    assert all(word.startswith("--") for word in words[2::2]), body["cmd"]
    assert not any(word.startswith("--") for word in words[3::2]), body["cmd"]


def test_the_packages_stages_import_hold_a_docstring_only():
    """Importing src/mnistseg/<part>/x.py runs its package's __init__.py too: those hold no
    code, so the deps above can leave them out. (commands/ is the `mnistseg` command, which no
    stage imports.)"""
    imported = set().union(*(local_imports(REPO / body["cmd"].split()[1]) for _, body in STAGES))
    assert not [module for module in imported if "/commands/" in module]
    for init in (REPO / "src" / "mnistseg").rglob("__init__.py"):
        if init.parent.name == "commands":
            continue
        body = ast.parse(init.read_text()).body
        assert len(body) <= 1, init
        assert all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                   for node in body), init  # fmt: skip


def test_params_yaml_comes_back_as_written_from_an_experiment(tmp_path):
    # `dvc exp run -S key=value` rewrites params.yaml through Hydra and ruamel: flow-style
    # lists come back as blocks, long flow mappings wrap and comments after aliases move.
    # The committed file is written as they write it, so an experiment's diff is its values.
    from dvc.utils.hydra import apply_overrides

    copy = tmp_path / "params.yaml"
    shutil.copy(REPO / "params.yaml", copy)
    epochs = yaml.safe_load(copy.read_text())["epochs"]
    apply_overrides(str(copy), [f"epochs={epochs}"])
    assert copy.read_text() == (REPO / "params.yaml").read_text()
