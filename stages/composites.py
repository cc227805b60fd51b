"""Stage `composites` (Q1c): grids of random digits with their Otsu masks, per split."""

from mnistseg.cli import run_stage, stage_parser
from mnistseg.composites import CompositeParams, composite_grid, split_generators
from mnistseg.datasets import OTSU_ARRAYS, SPLITS, load_split
from mnistseg.errors import ParamError
from mnistseg.fileio import save_arrays, staged_dir, write_bytes
from mnistseg.params import load_section, restore_hint
from mnistseg.preview import encode_png, mask_preview


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--otsu", required=True, help="the otsu dataset folder")
    args.add_argument("--out", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)
    params = load_section(CompositeParams, "composites", opts.params)
    generators = split_generators(params.seed, SPLITS)
    with staged_dir(opts.out) as tmp:
        for split in SPLITS:
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
                raise ParamError(
                    f"{opts.params}: composites.grid: {split} split: {exc}. "
                    + restore_hint(opts.params)
                ) from None
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
                f"composites: {split}: {params.count(split)} of {params.grid}x{params.grid} "
                f"digits, {made.images.shape[1]}x{made.images.shape[2]}"
            )
            if split == "test":
                preview = mask_preview(made.images, made.masks, count=6)
    write_bytes(opts.preview, encode_png(preview))


if __name__ == "__main__":
    main()
