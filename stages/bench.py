"""Stage `bench@<sequence>-<subtractor>`: score one subtractor on one CDnet sequence.

The masks go through the `video` section's clean-up (threshold, opening, closing, median) and
are scored as CDnet scores them: counts pooled over every scored pixel of every frame of the
temporal ROI, then CDnet's seven figures.
"""

import json
import time
from dataclasses import asdict, replace
from pathlib import Path

import cv2

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.cdnet import Counts, cdnet_metrics, open_sequence, read_image
from mnistseg.cli import run_stage, stage_parser
from mnistseg.fileio import write_json
from mnistseg.params import load_section
from mnistseg.video import ForegroundMasker, VideoParams


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--subtractor", required=True)
    args.add_argument("--index", type=Path, required=True, help="the sequence's index (.json)")
    args.add_argument("--out", required=True, help="the pair's scores (.json)")
    opts = args.parse_args(argv)
    params = replace(load_section(VideoParams, "video", opts.params), subtractor=opts.subtractor)
    index = json.loads(opts.index.read_text())
    where = f"bench.sequences.{index['sequence']}"
    frames, truth = open_sequence(Path(index["folder"]), where)
    masker = ForegroundMasker(params)
    counts, scored, seconds = Counts(), 0, 0.0
    for number, path in frames.items():
        frame = read_image(path, cv2.IMREAD_COLOR, where)
        started = time.perf_counter()
        mask = masker(frame)
        seconds += time.perf_counter() - started
        if number in truth.scored:
            counts += Counts.of(mask, truth.mask(number, mask.shape))
            scored += 1
    figures = cdnet_metrics(counts)
    record = {
        "sequence": index["sequence"],
        "category": index["category"],
        "subtractor": opts.subtractor,
        "frames": len(frames),
        "scored_frames": scored,
        "counts": asdict(counts),
        "cdnet": figures,
    }
    write_json(opts.out, record)
    print(
        f"bench@{index['sequence']}-{opts.subtractor}: F-measure {figures['f_measure']:.4f}, "
        f"precision {figures['precision']:.4f}, recall {figures['recall']:.4f} over {scored} "
        f"frames ({len(frames) / seconds:.0f} frames/s)"
    )


if __name__ == "__main__":
    main()
