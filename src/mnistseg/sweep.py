"""Mean and spread over seeds: a table of DVC experiments by model and variant.

    dvc exp run --queue -S 'segnet.seed=range(0,5)'   # queue one run per seed
    dvc queue start -j 2                               # run them (or: dvc exp run --run-all)
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
import math
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from mnistseg.errors import InputError
from mnistseg.registry import MODELS

SHARED_PARAMS = ("epochs",)  # top-level params every model's result depends on


@dataclass(frozen=True)
class Group:
    """One model's runs of one variant: the distinct seeds and each headline score per seed."""

    model: str
    variant: str  # `defaults`, or the params that differ from the baseline's, `k=v, ...`
    seeds: tuple[int, ...]
    scores: dict[str, tuple[float, ...]]  # score name -> one value per seed, in seed order


def _model_params(row: dict, model: str) -> dict[str, object]:
    """The params a model's result depends on, but its seed: `epochs` and its own section."""
    own = [f"{model}.{f.name}" for f in fields(MODELS[model].params) if f.name != "seed"]
    return {key: row.get(key) for key in (*SHARED_PARAMS, *own)}


def _shown(value: object) -> str:
    """A param as params.yaml has it: dvc's table may give 3.0 for 3."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _variant_name(params: dict[str, object], baseline: dict[str, object]) -> str:
    changed = [f"{k}={_shown(v)}" for k, v in params.items() if baseline.get(k) != v]
    return ", ".join(sorted(changed)) or "defaults"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def group_runs(rows: Iterable[dict], baseline: dict) -> list[Group]:
    """Group experiment rows (flat dicts: `segnet.seed`, `segnet.mean_iou`, ...) by variant.

    `baseline` is the row of the commit the experiments derive from; rows lacking a model's
    scores (failed or queued runs) give nothing for that model.
    """
    found: dict[tuple[str, str], dict[int, dict[str, float]]] = {}
    for row in rows:
        for model, spec in MODELS.items():
            names = spec.headline
            values = [row.get(f"{model}.{name}") for name in names]
            seed = row.get(f"{model}.seed")  # dvc's table may give 3.0 for 3
            if not all(map(_is_number, values)) or not _is_number(seed) or seed != int(seed):
                continue
            seed = int(seed)
            variant = _variant_name(_model_params(row, model), _model_params(baseline, model))
            runs = found.setdefault((model, variant), {})
            runs.setdefault(seed, dict(zip(names, values, strict=True)))
    groups = []
    for (model, variant), runs in found.items():
        seeds = tuple(sorted(runs))
        scores = {name: tuple(runs[s][name] for s in seeds) for name in MODELS[model].headline}
        groups.append(Group(model, variant, seeds, scores))
    order = list(MODELS)
    return sorted(groups, key=lambda g: (order.index(g.model), g.variant != "defaults", g.variant))


def mean_std(values: tuple[float, ...]) -> str:
    """`mean ± sample standard deviation` to 4 places; a single value has no spread."""
    if len(values) == 1:
        return f"{values[0]:.4f} (one seed)"
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"


def markdown_table(groups: list[Group]) -> str:
    """One row per model, variant and score: seeds, mean ± standard deviation, range."""
    lines = [
        "| model | variant | score | seeds | mean ± std | min - max |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for group in groups:
        seeds = ",".join(map(str, group.seeds))
        for name, values in group.scores.items():
            lines.append(
                f"| {group.model} | {group.variant} | {name} | {seeds} | {mean_std(values)} "
                f"| {min(values):.4f} - {max(values):.4f} |"
            )
    return "\n".join(lines) + "\n"


def read_experiments(repo: str, revision: str | None = None) -> tuple[dict, list[dict]]:
    """(baseline commit's row, its rows and its finished experiments') of `dvc exp show`.

    The workspace row is left out: it holds whatever was run or applied last, not a result
    of its own.
    """
    from dvc.api import exp_show  # imported here: DVC's import is slow, the rest is not

    rows = [row for row in exp_show(repo=repo, revs=revision) if row.get("rev") != "workspace"]
    baseline = next((row for row in rows if row.get("typ") == "baseline"), None)
    if baseline is None:
        raise InputError(f"{repo}: `dvc exp show` lists no baseline commit")
    return baseline, [row for row in rows if row.get("State") in (None, "Success")]


def arguments(args: argparse.ArgumentParser) -> None:
    args.add_argument("--repo", default=".", help="the DVC project (default: here)")
    args.add_argument(
        "--rev", help="the commit the experiments were run from (default: HEAD)", default=None
    )
    args.add_argument("--out", type=Path, help="also write the Markdown table to this file")


def run(opts: argparse.Namespace) -> None:
    baseline, rows = read_experiments(opts.repo, opts.rev)
    groups = group_runs(rows, baseline)
    if not groups:
        raise InputError(f"{opts.repo}: no experiment has model scores yet (`dvc exp show`)")
    table = markdown_table(groups)
    sys.stdout.write(table)
    if opts.out:
        opts.out.write_text(table)
