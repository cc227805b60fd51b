"""Stage `circles` (Q1b): minimum enclosing circle of each digit's largest contour, as a mask."""

from mnistseg.circles import circle_masks
from mnistseg.cli import run_stage, stage_parser
from mnistseg.datasets import OTSU_ARRAYS, SPLITS, load_split
from mnistseg.fileio import save_arrays, staged_dir, write_bytes
from mnistseg.preview import circle_preview, encode_png


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--otsu", required=True, help="the otsu dataset folder")
    args.add_argument("--out", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)
    with staged_dir(opts.out) as tmp:
        for split in SPLITS:
            otsu = load_split(opts.otsu, split, OTSU_ARRAYS)
            masks, circles, empty = circle_masks(otsu["masks"])
            save_arrays(
                tmp / split,
                {
                    "images": otsu["images"],
                    "masks": masks,
                    "circles": circles,
                    "labels": otsu["labels"],
                    "digit_masks": otsu["masks"],
                },
            )
            print(
                f"circles: {split}: {len(masks)} circles, {empty} empty Otsu masks "
                "(given an empty circle, radius -1)"
            )
            if split == "test":
                preview = circle_preview(otsu["images"], masks, circles)
    write_bytes(opts.preview, encode_png(preview))


if __name__ == "__main__":
    main()
