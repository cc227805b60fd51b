"""What this checkout does to the results against another revision, as a Markdown report.

    mnistseg diff-report main --out report     # make pr-report BASE=main

Writes `report.md` into the folder (made when missing): the metrics that differ (`dvc metrics
diff`) and the params (`dvc params diff`) as tables, then each plot of `dvc plots diff` as a
picture, the two revisions side by side (Vega charts drawn to PNG offline by vl-convert). The
pull-request workflow (.github/workflows/results.yml) posts it as a comment, as DVC's examples
do with CML. Nothing else in the folder is touched; files of the names it writes that are
there already stop it, unless --overwrite.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mnistseg.entry_points import sub_command
from mnistseg.errors import InputError
from mnistseg.fileio import files_into

PICTURES = "plots"  # the report's pictures, in this folder beside report.md


def dvc(*args: str) -> str:
    """A DVC command's output; its failure is an InputError with DVC's own words."""
    done = subprocess.run([sys.executable, "-m", "dvc", *args], capture_output=True, text=True)
    if done.returncode:
        said = done.stderr.strip().splitlines()
        raise InputError(f"dvc {' '.join(args)}: {said[-1] if said else 'failed'}")
    return done.stdout


def file_name(title: str) -> str:
    """A plot's title as a file name: `Training loss` -> `training-loss`."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "plot"


def differs(renders: list[dict]) -> bool:
    """Whether a plot of `dvc plots diff --json` differs between its revisions: the data of a
    Vega chart, the bytes of an image."""
    seen: dict[str, object] = {}
    for render in renders:
        if render.get("type") == "vega":
            for row in render["content"].get("data", {}).get("values", []):
                values = {k: v for k, v in row.items() if k != "rev"}
                seen.setdefault(row.get("rev"), []).append(sorted(values.items()))
        elif render.get("type") == "image":
            seen["-".join(render.get("revisions", []))] = Path(render["url"]).read_bytes()
    kept = list(seen.values())
    if len(kept) < 2:  # in one revision only: new, or gone
        return True
    return any(other != kept[0] for other in kept[1:])


def plot_pictures(plots: dict, folder: Path) -> tuple[list[tuple[str, list[str]]], int]:
    """Draw each plot of `dvc plots diff --json` that differs between the revisions into
    `folder`: (title, picture names) each, and how many plots were the same.

    A Vega-Lite chart is drawn once with every revision in it (DVC colours them); an image
    plot has one picture per revision.
    """
    import vl_convert

    drawn, same = [], 0
    for title, renders in plots.items():
        if not renders:
            continue
        if not differs(renders):
            same += 1
            continue
        names = []
        for render in renders:
            if render.get("type") == "vega":
                name = f"{file_name(title)}.png"
                (folder / name).write_bytes(vl_convert.vegalite_to_png(render["content"]))
            elif render.get("type") == "image":
                revision = "-".join(render.get("revisions", []))
                name = f"{file_name(title)}-{file_name(revision)}{Path(render['url']).suffix}"
                shutil.copyfile(render["url"], folder / name)
            else:
                continue
            names.append(name)
        drawn.append((title, names))
    return drawn, same


def report_text(
    base: str, metrics: str, params: str, pictures: list[tuple[str, list[str]]], same: int
) -> str:
    """The report: Markdown tables from DVC, then the pictures of the plots that differ."""
    lines = [f"## Results against `{base}`", "", "### Metrics", ""]
    lines += [metrics.strip() or "No metric changed.", "", "### Params", ""]
    lines += [params.strip() or "No param changed.", "", "### Plots", ""]
    lines += [f"The plots that differ ({same} the same in both left out).", ""]
    for title, names in pictures:
        lines += [f"#### {title}", ""]
        lines += [f"![{title}]({PICTURES}/{name})" for name in names]
        lines.append("")
    return "\n".join(lines)


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    summary = "a Markdown report of what this checkout changes against a revision"
    args = sub_command(commands, "diff-report", __doc__, summary)
    args.set_defaults(run=run)
    args.add_argument("base", help="the git revision to compare with (a branch, a commit)")
    args.add_argument("--out", type=Path, required=True, help="folder to write into")
    args.add_argument("--overwrite", action="store_true", help="replace files already there")


def run(opts: argparse.Namespace) -> None:
    metrics = dvc("metrics", "diff", opts.base, "--md")
    params = dvc("params", "diff", opts.base, "--md")
    plots = json.loads(dvc("plots", "diff", opts.base, "--json")).get("data", {})
    with files_into(opts.out, opts.overwrite) as tmp:
        (tmp / PICTURES).mkdir()
        pictures, same = plot_pictures(plots, tmp / PICTURES)
        (tmp / "report.md").write_text(report_text(opts.base, metrics, params, pictures, same))
    print(f"wrote {opts.out / 'report.md'} ({sum(len(n) for _, n in pictures)} pictures)")
