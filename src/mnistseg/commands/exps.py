"""The experiments table a person reads: `dvc exp show` cut to what tells experiments apart.

    mnistseg exps            # the table, in the terminal's width
    mnistseg exps --csv      # any other `dvc exp show` option passes through

Shows each experiment's name, the first headline score of each model (segnet.mean_iou,
circlenet.gated_iou, unet.mean_dice), then only the params whose values differ between the
rows shown. Every other metric, the creation time, the queue state and the dependency columns
are dropped: they are still in `dvc exp show` (and `dvc queue status`).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping

from mnistseg.cli import sub_command


def flat_names(tree: Mapping, prefix: str = "") -> list[str]:
    """The dotted column names DVC gives the leaves of a nested metrics mapping."""
    names = []
    for key, value in tree.items():
        name = f"{prefix}{key}"
        names += flat_names(value, f"{name}.") if isinstance(value, Mapping) else [name]
    return names


def metric_names(shown: object) -> set[str]:
    """Every metric column of `dvc exp show --json`'s output: its rows hold `metrics` as
    {file: {"data": {...}}}, the workspace, the commits and each experiment alike."""
    names: set[str] = set()
    if isinstance(shown, Mapping):
        for key, value in shown.items():
            if key == "metrics" and isinstance(value, Mapping):
                for per_file in value.values():
                    data = per_file.get("data") if isinstance(per_file, Mapping) else None
                    names.update(flat_names(data) if isinstance(data, Mapping) else [])
            else:
                names |= metric_names(value)
    elif isinstance(shown, list):
        for item in shown:
            names |= metric_names(item)
    return names


def headline_columns() -> list[str]:
    """The one score per model the table always shows, in the models' order."""
    from mnistseg.nets.registry import MODELS  # imported here: it imports torch

    return [f"{model}.{spec.headline[0]}" for model, spec in MODELS.items()]


def show_args(metric_names: Iterable[str]) -> list[str]:
    """`dvc exp show` options: drop metrics but the headline, the time and the dependencies."""
    keep = headline_columns()
    dropped = sorted(set(metric_names) - set(keep))
    # Dependency columns are paths; no metric or param name holds a slash.
    drop = ["Created$", "State$", "Executor$", ".*/", *(re.escape(name) + "$" for name in dropped)]
    return [
        "--only-changed",
        "--drop",
        "|".join(drop),
        "--keep",
        "|".join(re.escape(name) + "$" for name in keep),
    ]


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    summary = "the experiments table: headline scores and changed params"
    args = sub_command(commands, "exps", __doc__, summary)
    # No options of its own: every one it is given goes on to `dvc exp show`.
    args.set_defaults(run=run, passes_on=True)


def run(opts: argparse.Namespace) -> int:
    show = [sys.executable, "-m", "dvc", "exp", "show", "--no-pager"]
    listed = subprocess.run([*show, "--json", *opts.passed], capture_output=True, text=True)
    if listed.returncode != 0:  # DVC's own error, as it said it
        sys.stderr.write(listed.stderr)
        return listed.returncode
    names = metric_names(json.loads(listed.stdout or "[]"))
    return subprocess.run([*show, *show_args(names), *opts.passed], check=False).returncode
