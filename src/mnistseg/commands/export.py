"""Export a dataset split in the assignment's folder layout, outside `dvc repro`.

    mnistseg export otsu test export/otsu-test --limit 100

writes images/{i}.png, masks/{i}.png and labels/{i}.txt (composites: the tiles' labels, row by
row, one line) into the folder, making it when missing. Nothing else in it is touched; files
of those names that are there already stop it before anything is written, unless --overwrite.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from mnistseg.data.arrays import (
    CIRCLE_ARRAYS,
    COMPOSITE_ARRAYS,
    OTSU_ARRAYS,
    SPLITS,
    load_split,
)
from mnistseg.entry_points import sub_command
from mnistseg.fileio import files_into, refuse_existing
from mnistseg.pictures import encode_png

DATASETS = ("otsu", "circles", "composites")
EXPORTED = (("images", "png"), ("masks", "png"), ("labels", "txt"))  # (folder, extension)


def dataset_items(
    data_dir: Path, dataset: str, split: str
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images, masks and label texts of one split of `dataset` under `data_dir`."""
    otsu = load_split(data_dir / "otsu", split, OTSU_ARRAYS)
    if dataset == "otsu":
        return otsu["images"], otsu["masks"], [str(v) for v in otsu["labels"]]
    if dataset == "circles":
        circles = load_split(data_dir / "circles", split, CIRCLE_ARRAYS)
        return otsu["images"], circles["masks"], [str(v) for v in circles["labels"]]
    made = load_split(data_dir / "composites", split, COMPOSITE_ARRAYS)
    texts = [" ".join(str(v) for v in row) for row in made["tile_labels"]]
    return made["images"], made["masks"], texts


def positive(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    args = sub_command(
        commands, "export", __doc__, "a dataset split as PNG images, masks and labels"
    )
    args.set_defaults(run=run)
    args.add_argument("dataset", choices=DATASETS)
    args.add_argument("split", choices=SPLITS)
    args.add_argument("out", type=Path, help="folder to write into (made when missing)")
    args.add_argument("--limit", type=positive, default=None, help="export only the first N items")
    args.add_argument("--overwrite", action="store_true", help="replace files already there")
    args.add_argument("--data-dir", type=Path, default=Path("data"), help="where the stages wrote")


def run(opts: argparse.Namespace) -> None:
    images, masks, labels = dataset_items(opts.data_dir, opts.dataset, opts.split)
    count = len(images) if opts.limit is None else min(opts.limit, len(images))
    names = [f"{sub}/{i}.{ext}" for i in range(count) for sub, ext in EXPORTED]
    refuse_existing(opts.out, names, opts.overwrite)  # before the work, not only after
    with files_into(opts.out, opts.overwrite) as tmp:
        for sub, _ in EXPORTED:
            (tmp / sub).mkdir()
        for i in range(count):
            (tmp / "images" / f"{i}.png").write_bytes(encode_png(images[i]))
            (tmp / "masks" / f"{i}.png").write_bytes(encode_png(masks[i]))
            (tmp / "labels" / f"{i}.txt").write_text(labels[i] + "\n")
    print(f"exported {count} {opts.dataset} {opts.split} items to {opts.out}")
