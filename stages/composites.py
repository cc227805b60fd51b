"""Stage `composites` (Q1c): grids of random digits with their Otsu masks, per split."""

import argparse
from pathlib import Path

import numpy as np

from mnistseg.cli import int_at_least, run_stage
from mnistseg.composites import composite_grid
from mnistseg.datasets import OTSU_ARRAYS, SPLITS, load_split
from mnistseg.fileio import save_arrays, staged_dir, write_png
from mnistseg.preview import mask_preview


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--otsu", type=Path, required=True)
    args.add_argument("--out", type=Path, required=True)
    args.add_argument("--preview", type=Path, required=True)
    args.add_argument("--composites.train", dest="train", type=int_at_least(1), required=True)
    args.add_argument("--composites.test", dest="test", type=int_at_least(1), required=True)
    args.add_argument("--composites.grid", dest="grid", type=int_at_least(1, 16), required=True)
    args.add_argument("--composites.seed", dest="seed", type=int_at_least(0), required=True)
    opts = args.parse_args(argv)
    # One generator per split, so changing the test count leaves the train composites alone.
    seeds = np.random.SeedSequence(opts.seed).spawn(len(SPLITS))
    counts = {"train": opts.train, "test": opts.test}
    with staged_dir(opts.out) as tmp:
        for split, seed in zip(SPLITS, seeds):
            otsu = load_split(opts.otsu, split, OTSU_ARRAYS)
            made = composite_grid(
                otsu["images"],
                otsu["masks"],
                otsu["labels"],
                counts[split],
                opts.grid,
                np.random.default_rng(seed),
            )
            save_arrays(
                tmp / split,
                {
                    "images": made.images,
                    "masks": made.masks,
                    "tiles": made.tiles,
                    "tile_labels": made.tile_labels,
                },
            )
            print(
                f"composites: {split}: {counts[split]} of {opts.grid}x{opts.grid} digits, "
                f"{made.images.shape[1]}x{made.images.shape[2]}"
            )
            if split == "test":
                preview = mask_preview(made.images, made.masks, count=6)
    write_png(opts.preview, preview)


if __name__ == "__main__":
    main()
