"""This checkout's `src/` first on the import path: every stage imports this module first.

A stage runs as `python stages/<name>.py ...`, a command that sh, cmd.exe and PowerShell run
alike, and Python puts the script's folder on the path, not `src/`. With this, each checkout,
and each copy that `dvc exp run --queue` or `--temp` makes, runs its own library, whatever
`mnistseg` the environment has installed.
"""

import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
if sys.path[:1] != [SRC]:
    sys.path.insert(0, SRC)
