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
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping

import pandas as pd

from mnistseg.entry_points import sub_command
from mnistseg.errors import InputError
from mnistseg.nets.models import MODELS

# The columns of `dvc exp show` that are neither metrics nor params.
TABLE_COLUMNS = frozenset(("Experiment", "rev", "typ", "Created", "parent", "State", "Executor"))


def metric_names(rows: Iterable[Mapping], params: Iterable[str]) -> set[str]:
    """The metric columns of `dvc.api.exp_show`'s rows: what is no column of the table itself,
    no param (`params`: the params' dotted names) and no dependency (a path)."""
    columns = {name for row in rows for name in row}
    return {name for name in columns - TABLE_COLUMNS - set(params) if "/" not in name}


def headline_columns() -> list[str]:
    """The one score per model the table always shows, in the models' order."""
    return [f"{name}.{model.headline[0]}" for name, model in MODELS.items()]


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
    from dvc.api import exp_show, params_show  # imported here: only this command reads them
    from dvc.exceptions import DvcException

    try:
        rows, params = exp_show(), params_show()
    except DvcException as exc:
        raise InputError(f"dvc exp show: {exc}") from None
    names = metric_names(rows, pd.json_normalize(params).columns)
    show = [sys.executable, "-m", "dvc", "exp", "show", "--no-pager"]
    return subprocess.run([*show, *show_args(names), *opts.passed], check=False).returncode
