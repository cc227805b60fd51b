"""Stage `composites` (Q1c): grids of random digits with their Otsu masks, per split."""

import numpy as np

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.data.arrays import OTSU_ARRAYS, SPLITS, load_split, write_dataset
from mnistseg.data.composites import CompositeParams, composite_grid, split_generators
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import write_bytes
from mnistseg.params import load_section, param_error
from mnistseg.pictures import encode_png, mask_preview


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--otsu", required=True, help="the otsu dataset folder")
    args.add_argument("--out", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)
    params = load_section(CompositeParams, "composites", opts.params)
    generators = split_generators(params.seed, SPLITS)

    def composite_split(split: str) -> dict[str, np.ndarray]:
        otsu = load_split(opts.otsu, split, OTSU_ARRAYS)
        try:
            made = composite_grid(
                otsu["images"],
                otsu["masks"],
                otsu["labels"],
                params.count(split),
                params.grid,
                generators[split],
            )
        except ValueError as exc:  # fewer digits than a composite's cells
            raise param_error(opts.params, f"composites.grid: {split} split: {exc}") from None
        print(
            f"composites: {split}: {params.count(split)} of {params.grid}x{params.grid} "
            f"digits, {made.images.shape[1]}x{made.images.shape[2]}"
        )
        return {
            "images": made.images,
            "masks": made.masks,
            "tiles": made.tiles,
            "tile_labels": made.tile_labels,
        }

    test = write_dataset(opts.out, composite_split)["test"]
    write_bytes(opts.preview, encode_png(mask_preview(test["images"], test["masks"], count=6)))


if __name__ == "__main__":
    main()
