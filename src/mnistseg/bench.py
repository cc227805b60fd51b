"""The CDnet benchmark: listed sequences, each scored by each listed subtractor, and the means.

Each (sequence, subtractor) pair is a stage of its own (`bench@<sequence>-<subtractor>`), so
adding a sequence or a method runs only the new pairs. The summary averages as
changedetection.net does: CDnet's figures over the sequences of a category, then over the
categories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mnistseg.cdnet import FIGURES
from mnistseg.errors import KnobError
from mnistseg.params import Section, knob
from mnistseg.video import SUBTRACTORS

# CDnet 2014's eleven categories, as changedetection.net names them.
CATEGORIES = (
    "baseline", "dynamicBackground", "cameraJitter", "intermittentObjectMotion", "shadow",
    "thermal", "badWeather", "lowFramerate", "nightVideos", "PTZ", "turbulence",
)  # fmt: skip


@dataclass(frozen=True)
class BenchParams(Section):
    """`bench` in params.yaml."""

    # name: {folder: a CDnet sequence folder, category: its CDnet category}; empty: no bench
    sequences: dict[str, dict[str, str]] = knob()
    subtractors: tuple[str, ...] = knob(choices=SUBTRACTORS)  # every one scores every sequence

    def check(self) -> None:
        for name, entry in self.sequences.items():
            if not re.fullmatch(r"[A-Za-z0-9_]+", str(name)):
                raise KnobError(
                    f"sequences.{name}",
                    "must be named with letters, digits and _ (it names stages)",
                )
            if not isinstance(entry, Mapping) or sorted(entry) != ["category", "folder"]:
                raise KnobError(
                    f"sequences.{name}", f"must be {{folder: ..., category: ...}}, got {entry!r}"
                )
            if not isinstance(entry["folder"], str):
                raise KnobError(
                    f"sequences.{name}.folder", f"must be a string, got {entry['folder']!r}"
                )
            if entry["category"] not in CATEGORIES:
                raise KnobError(
                    f"sequences.{name}.category",
                    f"must be one of CDnet 2014's {', '.join(CATEGORIES)}, "
                    f"got {entry['category']!r}",
                )
        repeated = sorted({s for s in self.subtractors if self.subtractors.count(s) > 1})
        if repeated:
            raise KnobError("subtractors", f"lists {', '.join(repeated)} more than once")


def mean_figures(figures: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Each of CDnet's figures averaged over `figures` (one mapping per sequence or category)."""
    listed = list(figures)
    return {name: sum(f[name] for f in listed) / len(listed) for name in FIGURES}


def summarise(results: Iterable[Mapping]) -> dict[str, dict]:
    """Per subtractor: CDnet's figures per sequence, per category and overall.

    `results` are the pair stages' records (`sequence`, `category`, `subtractor`, `cdnet`). A
    category's figures are the mean over its sequences; the overall figures the mean over the
    categories, as changedetection.net ranks methods.
    """
    by_method: dict[str, dict[str, list]] = {}
    for result in results:
        categories = by_method.setdefault(result["subtractor"], {})
        categories.setdefault(result["category"], []).append(result)
    summary = {}
    for method, categories in by_method.items():
        per_category = {
            category: mean_figures(r["cdnet"] for r in runs)
            for category, runs in sorted(categories.items())
        }
        summary[method] = {
            "overall": mean_figures(per_category.values()),
            "categories": per_category,
            "sequences": {
                r["sequence"]: r["cdnet"]
                for runs in categories.values()
                for r in sorted(runs, key=lambda r: r["sequence"])
            },
        }
    return summary


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
