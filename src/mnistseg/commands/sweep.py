"""Mean and spread over seeds: a table of DVC experiments by model and variant.

    dvc exp run --queue -S 'segnet.seed=range(0,5)'   # queue one run per seed
    dvc queue start -j 1                               # run them (or: dvc exp run --run-all)
    mnistseg sweep --out seeds.md                      # the table, printed and written
    mnistseg sweep --rev abc1234                       # experiments of an earlier commit

Every experiment of the baseline commit (and the commit itself) gives one sample per model: the
model's headline scores from `metrics/<model>.json`. A model's variant is what its result
depends on besides the seed: `epochs` and the model's own params section; runs that share a
variant are grouped, each seed counted once (a segnet seed sweep reruns nothing of circlenet,
whose unchanged run must not count five times). Variants are named by how they differ from the
baseline commit's params.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from mnistseg.entry_points import sub_command
from mnistseg.errors import InputError
from mnistseg.fileio import refuse_existing, write_bytes
from mnistseg.nets.models import MODELS, Model

SHARED_PARAMS = ("epochs",)  # top-level params every model's result depends on


def model_params(model: type[Model]) -> list[str]:
    """The params a model's result depends on, but its seed: `epochs` and its own section."""
    own = [f"{model.name}.{name}" for name in model.model_fields if name != "seed"]
    return [*SHARED_PARAMS, *own]


def shown(value: object) -> str:
    """A param as params.yaml has it: dvc's table may give 3.0 for 3."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def variant_name(row: Mapping, baseline: Mapping, params: list[str]) -> str:
    """`defaults`, or the params of `row` that differ from the baseline's, `k=v, ...`."""
    changed = [f"{k}={shown(row.get(k))}" for k in params if baseline.get(k) != row.get(k)]
    return ", ".join(sorted(changed)) or "defaults"


def samples(
    rows: Iterable[Mapping], baseline: Mapping, models: Mapping[str, type[Model]]
) -> pd.DataFrame:
    """One row per model, variant, seed and headline score (columns model, variant, seed,
    score, value), from experiment rows: flat dicts (`segnet.seed`, `segnet.mean_iou`, ...) as
    `dvc.api.exp_show` gives them.

    Rows lacking a model's scores or a whole seed (failed or queued runs) give nothing for that
    model; a seed counts once per variant, the first row that has it.
    """
    rows = list(rows)
    frame = pd.DataFrame(rows)
    found = [pd.DataFrame(columns=["model", "variant", "seed", "score", "value"])]
    for model, cls in models.items():
        names = {f"{model}.seed": "seed", **{f"{model}.{name}": name for name in cls.headline}}
        if not set(names) <= set(frame.columns):
            continue
        runs = frame[list(names)].rename(columns=names).apply(pd.to_numeric, errors="coerce")
        params = model_params(cls)
        runs["variant"] = [variant_name(row, baseline, params) for row in rows]
        runs = runs.dropna()
        runs = runs[runs["seed"] % 1 == 0].astype({"seed": int})
        runs = runs.drop_duplicates(["variant", "seed"])
        long = runs.melt(id_vars=["variant", "seed"], var_name="score", value_name="value")
        found.append(long.assign(model=model))
    return pd.concat(found, ignore_index=True)


def summary(found: pd.DataFrame, models: Iterable[str]) -> pd.DataFrame:
    """Per model, variant and score: the seeds, their mean, sample standard deviation and
    range. Models in `models`' order, each model's defaults first, then its variants by name."""
    table = (
        found.sort_values("seed", kind="stable")
        .groupby(["model", "variant", "score"], sort=False)
        .agg(
            seeds=("seed", lambda seeds: ",".join(map(str, seeds))),
            mean=("value", "mean"),
            std=("value", "std"),
            low=("value", "min"),
            high=("value", "max"),
        )
        .reset_index()
    )
    rank = table["model"].map({model: i for i, model in enumerate(models)})
    table = table.assign(rank=rank, varied=table["variant"] != "defaults")
    order = table.sort_values(["rank", "varied", "variant"], kind="stable")
    return order.drop(columns=["rank", "varied"]).reset_index(drop=True)


def mean_std(mean: float, std: float) -> str:
    """`mean ± sample standard deviation` to 4 places; one seed (no deviation) says so."""
    if pd.isna(std):
        return f"{mean:.4f} (one seed)"
    return f"{mean:.4f} ± {std:.4f}"


def markdown_table(table: pd.DataFrame) -> str:
    """One row per model, variant and score: seeds, mean ± standard deviation, range."""
    lines = [
        "| model | variant | score | seeds | mean ± std | min - max |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.model} | {row.variant} | {row.score} | {row.seeds} | "
            f"{mean_std(row.mean, row.std)} | {row.low:.4f} - {row.high:.4f} |"
        )
    return "\n".join(lines) + "\n"


def read_experiments(repo: str, revision: str | None = None) -> tuple[dict, list[dict]]:
    """(baseline commit's row, its rows and its finished experiments') of `dvc exp show`.

    The workspace row is left out: it holds whatever was run or applied last, not a result
    of its own.
    """
    from dvc.api import exp_show  # imported here: only this command reads experiments

    rows = [row for row in exp_show(repo=repo, revs=revision) if row.get("rev") != "workspace"]
    baseline = next((row for row in rows if row.get("typ") == "baseline"), None)
    if baseline is None:
        raise InputError(f"{repo}: `dvc exp show` lists no baseline commit")
    return baseline, [row for row in rows if row.get("State") in (None, "Success")]


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    args = sub_command(commands, "sweep", __doc__, "mean and spread over seeds of the experiments")
    args.set_defaults(run=run)
    args.add_argument("--repo", default=".", help="the DVC project (default: here)")
    args.add_argument(
        "--rev", help="the commit the experiments were run from (default: HEAD)", default=None
    )
    args.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    args.add_argument("--overwrite", action="store_true", help="replace --out if it is there")


def run(opts: argparse.Namespace) -> None:
    baseline, rows = read_experiments(opts.repo, opts.rev)
    found = samples(rows, baseline, MODELS)
    if found.empty:
        raise InputError(f"{opts.repo}: no experiment has model scores yet (`dvc exp show`)")
    table = markdown_table(summary(found, MODELS))
    if opts.out:
        refuse_existing(opts.out.parent, [opts.out.name], opts.overwrite)
        write_bytes(opts.out, table.encode())
    sys.stdout.write(table)
