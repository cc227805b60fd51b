"""Stage `circles` (Q1b): minimum enclosing circle of each digit's largest contour, as a mask."""

import numpy as np

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.data.arrays import OTSU_ARRAYS, load_split, write_dataset
from mnistseg.data.circles import circle_masks
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import write_bytes
from mnistseg.pictures import circle_preview, encode_png


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--otsu", required=True, help="the otsu dataset folder")
    args.add_argument("--out", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)

    def circle_split(split: str) -> dict[str, np.ndarray]:
        otsu = load_split(opts.otsu, split, OTSU_ARRAYS)
        masks, circles, empty = circle_masks(otsu["masks"])
        print(
            f"circles: {split}: {len(masks)} circles, {empty} empty Otsu masks "
            "(given an empty circle, radius -1)"
        )
        return {
            "images": otsu["images"],
            "masks": masks,
            "circles": circles,
            "labels": otsu["labels"],
            "digit_masks": otsu["masks"],
        }

    test = write_dataset(opts.out, circle_split)["test"]
    preview = circle_preview(test["images"], test["masks"], test["circles"])
    write_bytes(opts.preview, encode_png(preview))


if __name__ == "__main__":
    main()
