"""Stage `video` (Q5): replace the background of a fixed-camera video, score the masks."""

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from mnistseg.cdnet import GroundTruth, image_folder, read_image
from mnistseg.cli import run_stage, stage_parser
from mnistseg.errors import InputError, ParamError
from mnistseg.fileio import staged_dir, write_bytes, write_json
from mnistseg.params import load_section, restore_hint
from mnistseg.preview import encode_png, video_preview
from mnistseg.video import (
    NO_GROUND_TRUTH,
    VideoParams,
    VideoScorer,
    headline,
    preview_frames,
    replace_background,
)

DEFAULT_FPS = 25.0  # for a folder of frames, which has no frame rate of its own


def open_frames(path: Path) -> tuple[dict[int, Path] | None, Iterator[np.ndarray], float, int]:
    """(a folder's frames by number or None for a video, the frames as they decode, fps, how
    many there should be). A video's frames are numbered 1, 2, ... as they decode."""
    if path.is_dir():
        files = image_folder(path, "video.input")
        frames = (read_image(file, cv2.IMREAD_COLOR, "video.input") for file in files.values())
        return files, frames, DEFAULT_FPS, len(files)
    if not path.is_file():
        raise FileNotFoundError(f"video.input: {path}: no such file or folder")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise InputError(f"video.input: {path}: OpenCV cannot open it as a video")

    def decoded() -> Iterator[np.ndarray]:
        ok, frame = capture.read()
        while ok:
            yield frame
            ok, frame = capture.read()
        capture.release()

    # The container's frame count is only a hint (for previews): frames are counted as decoded.
    hint = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    return None, decoded(), capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS, hint


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--out", required=True, help="folder for the composited video")
    args.add_argument("--metrics", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)
    params = load_section(VideoParams, "video", opts.params)

    if not Path(params.background).is_file():
        raise FileNotFoundError(f"video.background: {params.background}: no such file")
    background = read_image(Path(params.background), cv2.IMREAD_COLOR, "video.background")
    numbered, frames, fps, expected = open_frames(Path(params.input))
    truth, scorer = None, None
    if params.ground_truth != NO_GROUND_TRUTH:
        truth = GroundTruth(params.ground_truth, params.warmup)
        scorer = VideoScorer(truth.scored, background)
        if numbered is not None:  # a folder: pair frames and masks before any work
            truth.check_frames(numbered, f"video.input: {params.input}")
    numbers = list(numbered) if numbered is not None else None

    count, foreground, seconds, shots, writer = 0, 0, 0.0, [], None
    picks = preview_frames(expected)
    with staged_dir(opts.out) as tmp:
        started = time.perf_counter()
        for t, result in enumerate(replace_background(frames, background, params)):
            if writer is None:
                size = result.frame.shape[1::-1]
                writer = cv2.VideoWriter(
                    str(tmp / f"composite.{params.container}"),
                    cv2.VideoWriter_fourcc(*params.codec),
                    fps,
                    size,
                )
                if not writer.isOpened():
                    raise ParamError(
                        f"video.codec {params.codec!r} in video.container {params.container!r}: "
                        "OpenCV cannot write it on this machine (mp4v/mp4 and MJPG/avi work). "
                        + restore_hint(opts.params)
                    )
            writer.write(result.composite)
            seconds += time.perf_counter() - started  # what follows is not the loop's speed
            count, foreground = count + 1, foreground + cv2.countNonZero(result.mask)
            if truth is not None:
                number = numbers[t] if numbers is not None else t + 1
                mask = truth.mask(number, result.mask.shape)
                if mask is not None:
                    scorer.add(number, result, mask)
            if t in picks:
                shots.append((result.frame, result.mask, result.composite))
            last = result
            started = time.perf_counter()
        if writer is None:
            raise InputError(f"video.input: {params.input}: holds no frames")
        writer.release()
        if truth is not None and numbers is None and max(truth.numbers, default=0) > count:
            raise InputError(
                f"video.ground_truth: {params.ground_truth}: {len(truth.numbers)} masks for "
                f"{count} frames of {params.input}"
            )
        width, height = size
        scores = {"frames": count, "width": width, "height": height, "fps": fps}
        scores["mean_foreground_fraction"] = foreground / (count * width * height)
        if scorer is not None:
            scores.update(scorer.metrics())
        # The full record beside the video (`dvc metrics show data/video/scores.json`); the
        # metrics file keeps the headline, under `video`, for `dvc exp show`.
        write_json(tmp / "scores.json", scores)

    write_json(opts.metrics, {"video": headline(scores)})
    shots = shots or [(last.frame, last.mask, last.composite)]  # the frame-count hint was wrong
    write_bytes(opts.preview, encode_png(video_preview(shots)))
    summary = ", ".join(f"{k} {v:.4g}" for k, v in scores.items() if isinstance(v, float))
    print(f"video: {count} frames of {width}x{height}; {summary} ({count / seconds:.0f} frames/s)")


if __name__ == "__main__":
    main()
