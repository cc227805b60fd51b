"""The CDnet benchmark: listed sequences, each scored by each listed subtractor, and the means.

Each (sequence, subtractor) pair is a stage of its own (`bench@<sequence>-<subtractor>`), so
adding a sequence or a method runs only the new pairs. The summary averages as
changedetection.net does: CDnet's figures over the sequences of a category, then over the
categories.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Literal

import pandas as pd
from pydantic import AfterValidator, Field, StringConstraints

from mnistseg.params import Section
from mnistseg.video.cdnet import FIGURES
from mnistseg.video.config import SUBTRACTORS

# CDnet 2014's eleven categories, as changedetection.net names them.
CATEGORIES = (
    "baseline", "dynamicBackground", "cameraJitter", "intermittentObjectMotion", "shadow",
    "thermal", "badWeather", "lowFramerate", "nightVideos", "PTZ", "turbulence",
)  # fmt: skip


class Sequence(Section):
    """`bench.sequences.<name>`: a CDnet sequence folder and its category."""

    folder: str
    category: Literal[CATEGORIES]


def _each_once(names: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} more than once")
    return names


class BenchParams(Section):
    """`bench` in params.yaml."""

    # name (it names stages: letters, digits and _) -> its folder and category; empty: no bench
    sequences: dict[Annotated[str, StringConstraints(pattern=r"^\w+$")], Sequence]
    subtractors: Annotated[  # every one scores every sequence
        tuple[Literal[SUBTRACTORS], ...],
        Field(strict=False, min_length=1),
        AfterValidator(_each_once),
    ]


def summarise(results: Iterable[Mapping]) -> dict[str, dict]:
    """Per subtractor: CDnet's figures per sequence, per category and overall.

    `results` are the pair stages' records (`sequence`, `category`, `subtractor`, `cdnet`). A
    category's figures are the mean over its sequences; the overall figures the mean over the
    categories, as changedetection.net ranks methods.
    """
    results = list(results)
    if not results:
        return {}
    frame = pd.DataFrame(
        [{"subtractor": r["subtractor"], "category": r["category"], **r["cdnet"]} for r in results]
    )[["subtractor", "category", *FIGURES]]
    categories = frame.groupby(["subtractor", "category"], sort=True).mean()
    overall = categories.groupby(level="subtractor").mean()
    return {
        method: {
            "overall": overall.loc[method].to_dict(),
            "categories": {
                category: figures.to_dict()
                for (_, category), figures in categories.loc[[method]].iterrows()
            },
            "sequences": {r["sequence"]: r["cdnet"] for r in results if r["subtractor"] == method},
        }
        for method in overall.index
    }


def plot_rows(results: Iterable[Mapping]) -> list[dict]:
    """One row per pair, for a bar chart of F-measure by sequence and method."""
    return [
        {
            "pair": f"{r['sequence']} / {r['subtractor']}",
            "sequence": r["sequence"],
            "subtractor": r["subtractor"],
            "f_measure": r["cdnet"]["f_measure"],
        }
        for r in results
    ]
