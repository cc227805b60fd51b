"""Stage `download`: get the four MNIST IDX files into the raw-data folder."""

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.data.sources import DataParams, get_files
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import staged_dir
from mnistseg.params import load_section


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--out", required=True, help="folder for the four .gz files")
    opts = args.parse_args(argv)
    params = load_section(DataParams, "data", opts.params)
    served = get_files(params.source)
    for reason in served.skipped:
        print(f"download: skipped {reason}")
    with staged_dir(opts.out) as tmp:
        for name, data in served.files.items():
            (tmp / name).write_bytes(data)
    print(f"download: {len(served.files)} files from {served.source} -> {opts.out}")


if __name__ == "__main__":
    main()
