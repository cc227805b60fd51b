"""Helpers for tests that run the real pipeline with `dvc` in a throwaway git repo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO

PROJECT_FILES = ("dvc.yaml", "params.yaml", "stages", "src", "pyproject.toml")


def dvc_env() -> dict[str, str]:
    """The environment for dvc: this interpreter's bin first on PATH, no analytics."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["DVC_NO_ANALYTICS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command, capturing output; on an unexpected failure the output is in the error."""
    done = subprocess.run(args, cwd=cwd, env=dvc_env(), capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


def dvc(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "dvc", *args], cwd, check)


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args], cwd)


def stages_run(output: str) -> list[str]:
    """Names of the stages a `dvc repro` / `dvc exp run` output says it ran."""
    return re.findall(r"Running stage '([^']+)'", output)


def make_project(root: Path, params: dict) -> Path:
    """Copy the project's pipeline into a new git + dvc repo at root with `params` merged in."""
    root.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy2(source, root / name)
    merged = yaml.safe_load((root / "params.yaml").read_text())
    for key, value in params.items():
        merged[key] = {**merged[key], **value} if isinstance(value, dict) else value
    (root / "params.yaml").write_text(yaml.safe_dump(merged, sort_keys=False))
    git(root, "init", "-q", "-b", "main")
    dvc(root, "init", "-q")
    dvc(root, "config", "core.analytics", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    return root
