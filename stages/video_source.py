"""Stage `video_source`: render the default clip (MNIST digits drifting over a still scene).

Writes the clip losslessly (FFV1), the exact foreground mask of every frame and a replacement
background image, so the `video` stage can be scored against ground truth.
"""

import argparse
from pathlib import Path

import cv2
import numpy as np

from mnistseg.cli import float_in, int_at_least, run_stage
from mnistseg.datasets import OTSU_ARRAYS, load_split
from mnistseg.fileio import save_arrays, staged_dir
from mnistseg.video import ClipParams, render_clip

CLIP, MASKS, BACKGROUND = "clip.avi", "masks", "background.png"


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument(
        "--otsu", type=Path, required=True, help="dataset folder: test digits are drawn"
    )
    args.add_argument("--out", type=Path, required=True)
    args.add_argument("--video_source.frames", dest="frames", type=int_at_least(1), required=True)
    args.add_argument("--video_source.width", dest="width", type=int_at_least(32), required=True)
    args.add_argument("--video_source.height", dest="height", type=int_at_least(32), required=True)
    args.add_argument("--video_source.fps", dest="fps", type=float_in(1, 240), required=True)
    args.add_argument("--video_source.digits", dest="digits", type=int_at_least(0), required=True)
    args.add_argument("--video_source.scale", dest="scale", type=int_at_least(1), required=True)
    args.add_argument("--video_source.noise", dest="noise", type=float_in(0, 50), required=True)
    args.add_argument("--video_source.seed", dest="seed", type=int_at_least(0), required=True)
    opts = args.parse_args(argv)
    try:
        clip = ClipParams(
            frames=opts.frames,
            width=opts.width,
            height=opts.height,
            digits=opts.digits,
            scale=opts.scale,
            noise=opts.noise,
        )
    except ValueError as exc:
        args.error(str(exc))
    digits = load_split(opts.otsu, "test", OTSU_ARRAYS)["images"]
    frames, masks, background = render_clip(
        np.asarray(digits), clip, np.random.default_rng(opts.seed)
    )
    with staged_dir(opts.out) as tmp:
        writer = cv2.VideoWriter(
            str(tmp / CLIP), cv2.VideoWriter_fourcc(*"FFV1"), opts.fps, (opts.width, opts.height)
        )
        if not writer.isOpened():
            raise RuntimeError("this OpenCV build cannot write FFV1 video")
        for frame in frames:
            writer.write(frame)
        writer.release()
        save_arrays(tmp, {MASKS: masks})
        if not cv2.imwrite(str(tmp / BACKGROUND), background):
            raise RuntimeError(f"could not write {tmp / BACKGROUND}")
    print(
        f"video_source: {opts.frames} frames of {opts.width}x{opts.height} at {opts.fps} fps, "
        f"{opts.digits} digits, mean foreground {(masks > 0).mean():.3f}"
    )


if __name__ == "__main__":
    main()
