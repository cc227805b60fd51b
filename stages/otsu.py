"""Stage `otsu` (Q1a): decode both splits and compute every digit's Otsu mask."""

import numpy as np

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.data.arrays import write_dataset
from mnistseg.data.otsu import otsu_masks
from mnistseg.data.sources import read_local, validate_files
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import write_bytes
from mnistseg.pictures import encode_png, mask_preview


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--raw", required=True, help="folder of the four .gz files")
    args.add_argument("--out", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)
    digits = validate_files(read_local(opts.raw, hint="Run the `download` stage."))

    def otsu_split(split: str) -> dict[str, np.ndarray]:
        masks, thresholds = otsu_masks(digits[split].images)
        empty = int((masks.reshape(len(masks), -1).max(axis=1) == 0).sum())
        print(f"otsu: {split}: {len(masks)} masks, {empty} empty")
        return {
            "images": digits[split].images,
            "labels": digits[split].labels,
            "masks": masks,
            "thresholds": thresholds,
        }

    test = write_dataset(opts.out, otsu_split)["test"]
    write_bytes(opts.preview, encode_png(mask_preview(test["images"], test["masks"])))


if __name__ == "__main__":
    main()
