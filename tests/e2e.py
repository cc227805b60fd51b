"""Helpers for tests that run the real pipeline with `dvc` in a throwaway git repo."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from benchmark import make_project  # benchmarks/ is on pytest's pythonpath

__all__ = ["dvc", "git", "make_project", "run", "stages_run"]


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
