"""Stage `otsu` (Q1a): decode both splits and compute every digit's Otsu mask."""

from mnistseg.cli import run_stage, stage_parser
from mnistseg.datasets import SPLITS
from mnistseg.download import read_local, validate_files
from mnistseg.fileio import save_arrays, staged_dir, write_bytes
from mnistseg.otsu import otsu_masks
from mnistseg.preview import encode_png, mask_preview


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--raw", required=True, help="folder of the four .gz files")
    args.add_argument("--out", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)
    splits = validate_files(read_local(opts.raw, hint="Run the `download` stage."))
    with staged_dir(opts.out) as tmp:
        for split in SPLITS:
            digits = splits[split]
            masks, thresholds = otsu_masks(digits.images)
            save_arrays(
                tmp / split,
                {
                    "images": digits.images,
                    "labels": digits.labels,
                    "masks": masks,
                    "thresholds": thresholds,
                },
            )
            empty = int((masks.reshape(len(masks), -1).max(axis=1) == 0).sum())
            print(f"otsu: {split}: {len(masks)} masks, {empty} empty")
            if split == "test":
                preview = mask_preview(digits.images, masks)
    write_bytes(opts.preview, encode_png(preview))


if __name__ == "__main__":
    main()
