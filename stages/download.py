"""Stage `download`: get the four MNIST IDX files into the raw-data folder."""

import argparse
from pathlib import Path

from mnistseg.cli import run_stage
from mnistseg.download import get_files
from mnistseg.fileio import staged_dir


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument(
        "--data.source",
        dest="source",
        required=True,
        help="`official` (the mirrors, md5-checked) or a folder with the .gz files",
    )
    args.add_argument("--out", type=Path, required=True)
    opts = args.parse_args(argv)
    files = get_files(opts.source)
    with staged_dir(opts.out) as tmp:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
    print(f"download: {len(files)} files from {opts.source} -> {opts.out}")


if __name__ == "__main__":
    main()
