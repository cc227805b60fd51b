"""Stage `sequence@<name>`: check a CDnet sequence folder and index it for the bench stages.

Frames and masks are paired by number (a scored frame without its mask, or a mask without its
frame, stops here with one line naming it). The index records the folder, the category, the
frames scored and a digest of every file, so the bench stages rerun when the folder changes.
"""

import hashlib

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import write_json
from mnistseg.params import load_section
from mnistseg.video.cdnet import ROI_FILE
from mnistseg.video.cdnet_bench import Sequence
from mnistseg.video.truth import open_sequence


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--sequence", required=True, help="its name under bench.sequences")
    args.add_argument("--out", required=True, help="the index (.json)")
    opts = args.parse_args(argv)
    where = f"bench.sequences.{opts.sequence}"
    entry = load_section(Sequence, where, opts.params)
    frames, truth = open_sequence(entry.folder, where)
    digest = hashlib.md5()
    roi = truth.path.parent / ROI_FILE
    for path in [*frames.files.values(), *sorted(truth.masks.values()), roi]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    scored = [n for n in frames.files if n in truth.scored]
    write_json(
        opts.out,
        {
            "sequence": opts.sequence,
            "folder": entry.folder,
            "category": entry.category,
            "frames": len(frames.files),
            "scored": [scored[0], scored[-1]] if scored else [],
            "digest": digest.hexdigest(),
        },
    )
    print(
        f"sequence@{opts.sequence}: {len(frames.files)} frames, {len(scored)} scored, "
        f"{entry.category}"
    )


if __name__ == "__main__":
    main()
