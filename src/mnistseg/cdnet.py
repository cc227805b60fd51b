"""Write a clip and its masks in CDnet 2014's layout, to score a subtractor as the field does.

    python -m mnistseg.cdnet data/video_source/clip.avi data/video_source/masks.npy export/cdnet

writes input/in000001.jpg ..., groundtruth/gt000001.png ... (255 foreground, 0 background) and
temporalROI.txt (the frames after the warm-up). Then, for example:

    dvc exp run -S video.input=export/cdnet/input -S video.ground_truth=export/cdnet/groundtruth
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from mnistseg.fileio import staged_dir
from mnistseg.preview import encode_png


def temporal_roi(frames: int, warmup: int) -> str:
    """CDnet's temporalROI.txt: the first and last scored frame, 1-based."""
    return f"{min(warmup + 1, frames)} {frames}\n"


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    args.add_argument("clip", type=Path, help="a video file")
    args.add_argument("masks", type=Path, help="(T, H, W) masks of it, .npy")
    args.add_argument("out", type=Path, help="folder to create (replaced if it exists)")
    args.add_argument("--warmup", type=int, default=30, help="frames before the temporal ROI")
    opts = args.parse_args(argv)
    masks = np.load(opts.masks, mmap_mode="r", allow_pickle=False)
    capture = cv2.VideoCapture(str(opts.clip))
    with staged_dir(opts.out) as tmp:
        (tmp / "input").mkdir()
        (tmp / "groundtruth").mkdir()
        count = 0
        ok, frame = capture.read()
        while ok and count < len(masks):
            count += 1
            ok_jpg, jpg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
            if not ok_jpg:
                raise SystemExit(f"error: could not encode frame {count} as JPEG")
            (tmp / "input" / f"in{count:06d}.jpg").write_bytes(jpg.tobytes())
            truth = np.where(np.asarray(masks[count - 1]) > 0, 255, 0).astype(np.uint8)
            (tmp / "groundtruth" / f"gt{count:06d}.png").write_bytes(encode_png(truth))
            ok, frame = capture.read()
        if count != len(masks):
            raise SystemExit(f"error: {opts.clip} has {count} frames, {opts.masks} {len(masks)}")
        (tmp / "temporalROI.txt").write_text(temporal_roi(count, opts.warmup))
    print(f"wrote {count} frames in CDnet's layout to {opts.out}")


if __name__ == "__main__":
    main()
