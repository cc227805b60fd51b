"""The experiments table a person reads: `dvc exp show` cut to what tells experiments apart.

    python -m mnistseg.exps            # the table, in the terminal's width
    python -m mnistseg.exps --csv      # any other `dvc exp show` option passes through

Shows each experiment's name, the first headline score of each model (segnet.mean_iou,
circlenet.gated_iou, unet.mean_dice), then only the params whose values differ between the
rows shown. Every other metric, the creation time and the dependency columns are dropped: they
are still in `dvc exp show`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Mapping

from mnistseg.sweep import HEADLINE


def flat_names(tree: Mapping, prefix: str = "") -> list[str]:
    """The dotted column names DVC gives the leaves of a nested metrics mapping."""
    names = []
    for key, value in tree.items():
        name = f"{prefix}{key}"
        names += flat_names(value, f"{name}.") if isinstance(value, Mapping) else [name]
    return names


def headline_columns() -> list[str]:
    """The one score per model the table always shows, in the models' order."""
    return [f"{model}.{names[0]}" for model, names in HEADLINE.items()]


def show_args(metric_names: Iterable[str]) -> list[str]:
    """`dvc exp show` options: drop metrics but the headline, the time and the dependencies."""
    keep = headline_columns()
    dropped = sorted(set(metric_names) - set(keep))
    # Dependency columns are paths; no metric or param name holds a slash.
    drop = ["Created$", ".*/", *(re.escape(name) + "$" for name in dropped)]
    return [
        "--only-changed",
        "--drop",
        "|".join(drop),
        "--keep",
        "|".join(re.escape(name) + "$" for name in keep),
    ]


def main(argv: list[str] | None = None) -> int:
    from dvc.api import metrics_show  # DVC's import is slow: only when run

    passed = sys.argv[1:] if argv is None else argv
    names = [name for metrics in metrics_show().values() for name in flat_names(metrics)]
    command = [sys.executable, "-m", "dvc", "exp", "show", "--no-pager", *show_args(names)]
    return subprocess.run([*command, *passed], check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
