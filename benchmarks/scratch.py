"""Scratch projects: a copy of this pipeline in a throwaway git + DVC repo, and running dvc there.

Tests and the benchmark build their projects here (the benchmark imports this module).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from mnistseg.data.sources import OFFICIAL
from mnistseg.params import Section, section_values, validate_section

REPO = Path(__file__).resolve().parents[1]
# As a clone has them (data/bench/README.md keeps the bench stages' folder in git); params.yaml:
# see below.
PROJECT_FILES = ("dvc.yaml", "stages", "src", "pyproject.toml", "Makefile", "data/bench/README.md")
DVC_FILES = (".dvc/config", ".dvc/report.html")


def committed_params() -> dict:
    """The params.yaml of this checkout's last commit, never the working copy's.

    A user edits params.yaml, and a failed `dvc exp run -S ...` leaves its value there: tests
    build their params from the committed file, so neither changes what they check. Outside a
    git checkout (an unpacked archive) the file on disk is the only one there is.
    """
    done = subprocess.run(
        ["git", "show", "HEAD:params.yaml"], cwd=REPO, capture_output=True, text=True
    )
    text = done.stdout if done.returncode == 0 else (REPO / "params.yaml").read_text()
    return yaml.safe_load(text)


def committed_section(cls: type, section: str | None):
    """`section` of the committed params.yaml (`video.cleanup`: a block inside one) read into
    its params class `cls`."""
    source = "HEAD:params.yaml"
    values = section_values(committed_params(), cls, section, source)
    return validate_section(cls, values, section, source)


def changed(params: Section, section: str | None = None, **changes) -> Section:
    """`params` with `changes`, validated as its params.yaml section would be (a bad value is a
    ParamError naming `section.key`)."""
    values = {**params.model_dump(), **changes}
    return validate_section(type(params), values, section, "params.yaml")


def dvc_env(path_first: Path | None = None) -> dict[str, str]:
    """The environment for dvc: this interpreter's bin (or `path_first`) first on PATH."""
    env = dict(os.environ)
    first = path_first or Path(sys.executable).parent
    env["PATH"] = str(first) + os.pathsep + env.get("PATH", "")
    env["DVC_NO_ANALYTICS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(
    args: list[str], cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run a command, capturing output; on an unexpected failure the output is in the error."""
    done = subprocess.run(args, cwd=cwd, env=env or dvc_env(), capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


def dvc(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "dvc", *args], cwd, check)


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args], cwd)


def stages_run(output: str) -> list[str]:
    """Names of the stages a `dvc repro` / `dvc exp run` output says it ran."""
    return re.findall(r"Running stage '([^']+)'", output)


def merge(params: dict, overrides: dict) -> dict:
    """`params` with `overrides` applied: a dict value updates that section's keys."""
    merged = dict(params)
    for key, value in overrides.items():
        merged[key] = {**params[key], **value} if isinstance(value, dict) else value
    return merged


def absolute_sources(sources: str | list[str]) -> list[str]:
    """`data.source` with relative folders taken from this checkout, as a list."""
    listed = [sources] if isinstance(sources, str) else sources
    return [
        s if s == OFFICIAL or Path(s).is_absolute() else str((REPO / s).resolve()) for s in listed
    ]


def tiny_params(
    source: str | list[str], composites: tuple[int, int] = (24, 8), frames: int = 20
) -> dict:
    """Overrides for an end-to-end project that runs in seconds: one epoch on the CPU, a few
    composites and a short small clip. `source`: the digits' folder (a path or a list)."""
    return {
        "data": {"source": source},
        "composites": {"train": composites[0], "test": composites[1]},
        "epochs": 1,
        "device": "cpu",
        "video_source": {"frames": frames, "width": 160, "height": 120, "scale": 2},
        "video": {"warmup": frames // 4},
    }


def make_project(root: Path, overrides: dict, source_tree: Path = REPO) -> Path:
    """Copy the pipeline into `root` as a fresh git + DVC repo with `overrides` in params.yaml.

    The files come from `source_tree` (this checkout, or another revision's export); the params
    are this checkout's committed ones, or the export's. Relative
    local `data.source` folders are resolved against this checkout; one commit holds it all
    (dvclive needs a commit to log against).
    """
    root.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = source_tree / name
        if source.is_dir():
            shutil.copytree(
                source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        elif source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    base = (
        committed_params()
        if source_tree == REPO
        else yaml.safe_load((source_tree / "params.yaml").read_text())
    )
    params = merge(base, overrides)
    params["data"] = {**params["data"], "source": absolute_sources(params["data"]["source"])}
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (root / ".gitignore").write_text("__pycache__/\n")
    git_as = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    for args in (["git", "init", "-q"], [sys.executable, "-m", "dvc", "init", "-q"]):
        subprocess.run(args, cwd=root, env=dvc_env(), check=True, capture_output=True)
    for name in DVC_FILES:  # as a clone has them: the config and the plots page template
        if (source_tree / name).is_file():
            shutil.copy2(source_tree / name, root / name)
    for args in (["git", "add", "-A"], [*git_as, "commit", "-q", "-m", "project"]):
        subprocess.run(args, cwd=root, env=dvc_env(), check=True, capture_output=True)
    return root
