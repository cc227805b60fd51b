"""A clip and its masks in CDnet 2014's layout, to score it as the benchmark scores sequences.

    mnistseg cdnet data/video_source/clip.avi data/video_source/masks.npy export/cdnet

then, for example:

    dvc exp run -S video.input=export/cdnet/input -S video.ground_truth=export/cdnet/groundtruth

The folder is made when missing; nothing else in it is touched, and files of the names it
writes that are there already stop it, unless --overwrite.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from mnistseg.entry_points import sub_command
from mnistseg.errors import InputError
from mnistseg.fileio import files_into
from mnistseg.pictures import encode_png
from mnistseg.video.cdnet import ROI_FILE, temporal_roi
from mnistseg.video.frames import open_frames

JPEG_QUALITY = 95  # the exported frames, as CDnet ships its own: JPEG


def export_clip(
    frames: Iterable[np.ndarray], masks: np.ndarray, out: Path, warmup: int, overwrite: bool
) -> int:
    """Write frames and their masks (nonzero: foreground) in CDnet's layout into `out`; the
    frame count. All or nothing (fileio.files_into).

    Frames beyond the masks are left out; fewer frames than masks is a ValueError.
    """
    with files_into(out, overwrite) as tmp:
        (tmp / "input").mkdir()
        (tmp / "groundtruth").mkdir()
        count = 0
        for frame, mask in zip(frames, masks):
            count += 1
            jpg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])[1]
            (tmp / "input" / f"in{count:06d}.jpg").write_bytes(jpg.tobytes())
            truth = np.where(np.asarray(mask) > 0, 255, 0).astype(np.uint8)
            (tmp / "groundtruth" / f"gt{count:06d}.png").write_bytes(encode_png(truth))
        if count != len(masks):
            raise ValueError(f"{count} frames for {len(masks)} masks")
        (tmp / ROI_FILE).write_text(temporal_roi(count, warmup))
    return count


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    command = sub_command(commands, "cdnet", __doc__, "a clip and its masks in CDnet 2014's layout")
    command.add_argument("clip", type=Path, help="a video file")
    command.add_argument("masks", type=Path, help="(T, H, W) masks of it, .npy")
    command.add_argument("out", type=Path, help="folder to write into (made when missing)")
    command.add_argument("--warmup", type=int, default=30, help="frames before the temporal ROI")
    command.add_argument("--overwrite", action="store_true", help="replace files already there")
    command.set_defaults(run=run)


def run(opts: argparse.Namespace) -> None:  # pragma: no mutate block (command line)
    masks = np.load(opts.masks, mmap_mode="r", allow_pickle=False)
    frames = open_frames(opts.clip, "clip")
    try:
        count = export_clip(frames.images, masks, opts.out, opts.warmup, opts.overwrite)
    except InputError:  # its own words: files there already
        raise
    except ValueError as exc:  # frames and masks that do not pair
        raise InputError(f"{opts.clip} and {opts.masks}: {exc}") from None
    print(f"wrote {count} frames in CDnet's layout to {opts.out}")
