"""Stage `bench@<sequence>-<subtractor>`: score one subtractor on one CDnet sequence.

The masks go through `video.cleanup` (threshold, opening, closing, median), the same for every
subtractor, and are scored as CDnet scores them: counts pooled over every scored pixel of
every frame of the temporal ROI, then CDnet's seven figures. The subtractor's knobs are its
block of the `video` section (`video.mog2`, ...).
"""

import json
from dataclasses import asdict
from pathlib import Path

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.errors import ParamError
from mnistseg.fileio import write_json
from mnistseg.params import load_section, param_error
from mnistseg.video.cdnet import cdnet_metrics
from mnistseg.video.config import SUBTRACTOR_KNOBS, SUBTRACTORS, Cleanup
from mnistseg.video.loop import process_clip
from mnistseg.video.masks import ForegroundMasker
from mnistseg.video.subtractors import require
from mnistseg.video.truth import open_sequence


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--subtractor", choices=SUBTRACTORS, required=True)
    args.add_argument("--index", type=Path, required=True, help="the sequence's index (.json)")
    args.add_argument("--out", required=True, help="the pair's scores (.json)")
    opts = args.parse_args(argv)
    cleanup = load_section(Cleanup, "video.cleanup", opts.params)
    knobs = load_section(SUBTRACTOR_KNOBS[opts.subtractor], f"video.{opts.subtractor}", opts.params)
    index = json.loads(opts.index.read_text())
    where = f"bench.sequences.{index['sequence']}"
    frames, truth = open_sequence(Path(index["folder"]), where)
    try:
        if opts.subtractor != "vote":
            require(opts.subtractor, "bench.subtractors")
        masker = ForegroundMasker(opts.subtractor, knobs, cleanup)
    except ParamError as exc:  # a method this machine cannot run
        raise param_error(opts.params, str(exc)) from None
    clip = process_clip(frames.images, frames.numbers, masker, where, truth)
    figures = cdnet_metrics(clip.counts)
    record = {
        "sequence": index["sequence"],
        "category": index["category"],
        "subtractor": opts.subtractor,
        "frames": clip.frames,
        "scored_frames": clip.scores["scored_frames"],
        "counts": asdict(clip.counts),
        "cdnet": figures,
    }
    write_json(opts.out, record)
    print(
        f"bench@{index['sequence']}-{opts.subtractor}: F-measure {figures['f_measure']:.4f}, "
        f"precision {figures['precision']:.4f}, recall {figures['recall']:.4f} over "
        f"{record['scored_frames']} frames ({clip.frames / clip.seconds:.0f} frames/s)"
    )


if __name__ == "__main__":
    main()
