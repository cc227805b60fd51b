"""Stage `video` (Q5): replace the background of a fixed-camera video (MOG2), score the masks."""

import argparse
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from mnistseg.cli import ParamError, float_in, int_at_least, parse_bool, run_stage
from mnistseg.fileio import staged_dir, write_json, write_png
from mnistseg.preview import image_grid, to_bgr
from mnistseg.video import (
    ForegroundMasker,
    MaskParams,
    composite,
    fit_background,
    mask_scores,
    mean_squared_error,
    psnr,
)

NO_GROUND_TRUTH = "none"
PREVIEW_FRAMES = 3


def read_frames(capture: cv2.VideoCapture) -> Iterator[np.ndarray]:
    """Frames of an opened capture until it ends."""
    while True:
        ok, frame = capture.read()
        if not ok:
            return
        yield frame


def open_video(path: Path) -> tuple[cv2.VideoCapture, np.ndarray, float]:
    """(capture, first frame, fps); a missing, unreadable or empty file is a clear error."""
    if not path.is_file():
        raise FileNotFoundError(f"video.input: {path}: no such file")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ParamError(f"video.input: {path}: OpenCV cannot open it as a video")
    ok, first = capture.read()
    if not ok:
        raise ParamError(f"video.input: {path}: holds no frames")
    return capture, first, capture.get(cv2.CAP_PROP_FPS) or 25.0


def read_background(path: Path) -> np.ndarray:
    if not path.is_file():
        raise FileNotFoundError(f"video.background: {path}: no such file")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ParamError(f"video.background: {path}: OpenCV cannot read it as an image")
    return image


def read_truth(spec: str, frame_shape: tuple[int, int]) -> np.ndarray | None:
    """Ground-truth masks (T, H, W), or None for `none`; checked against the frame size."""
    if spec == NO_GROUND_TRUTH:
        return None
    path = Path(spec)
    if not path.is_file():
        raise FileNotFoundError(f"video.ground_truth: {path}: no such file (or set it to `none`)")
    truth = np.load(path, mmap_mode="r", allow_pickle=False)
    if truth.ndim != 3 or truth.shape[1:] != frame_shape:
        raise ParamError(
            f"video.ground_truth: {path}: masks of shape {truth.shape} do not fit "
            f"frames of {frame_shape[1]}x{frame_shape[0]}"
        )
    return truth


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--video.input", dest="input", type=Path, required=True)
    args.add_argument("--video.background", dest="background", type=Path, required=True)
    args.add_argument(
        "--video.ground_truth",
        dest="ground_truth",
        required=True,
        help=f"(T, H, W) masks .npy of the input, or `{NO_GROUND_TRUTH}`",
    )
    args.add_argument("--video.history", dest="history", type=int_at_least(1), required=True)
    args.add_argument(
        "--video.var_threshold", dest="var_threshold", type=float_in(0.01), required=True
    )
    args.add_argument(
        "--video.detect_shadows", dest="detect_shadows", type=parse_bool, required=True
    )
    args.add_argument(
        "--video.mask_threshold", dest="mask_threshold", type=int_at_least(0, 254), required=True
    )
    args.add_argument(
        "--video.open_kernel", dest="open_kernel", type=int_at_least(0), required=True
    )
    args.add_argument(
        "--video.close_kernel", dest="close_kernel", type=int_at_least(0), required=True
    )
    args.add_argument(
        "--video.median_kernel", dest="median_kernel", type=int_at_least(0), required=True
    )
    args.add_argument("--video.feather", dest="feather", type=float_in(0), required=True)
    args.add_argument("--video.codec", dest="codec", required=True, help="fourcc, e.g. mp4v")
    args.add_argument("--video.container", dest="container", required=True, help="e.g. mp4")
    args.add_argument("--video.warmup", dest="warmup", type=int_at_least(0), required=True)
    args.add_argument("--out", type=Path, required=True, help="folder for the composited video")
    args.add_argument("--metrics", type=Path, required=True)
    args.add_argument("--preview", type=Path, required=True)
    opts = args.parse_args(argv)
    try:
        params = MaskParams(
            history=opts.history,
            var_threshold=opts.var_threshold,
            detect_shadows=opts.detect_shadows,
            mask_threshold=opts.mask_threshold,
            open_kernel=opts.open_kernel,
            close_kernel=opts.close_kernel,
            median_kernel=opts.median_kernel,
            feather=opts.feather,
        )
    except ValueError as exc:
        raise ParamError(f"video: {exc}") from None
    if len(opts.codec) != 4:
        raise ParamError(
            f"video.codec must be a four-character code such as mp4v, got {opts.codec!r}"
        )

    background = read_background(opts.background)
    capture, first, fps = open_video(opts.input)
    height, width = first.shape[:2]
    truth = read_truth(opts.ground_truth, (height, width))
    reported = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) or 1
    preview_at = {int(reported * k / (PREVIEW_FRAMES + 1)) for k in range(1, PREVIEW_FRAMES + 1)}

    masker = ForegroundMasker(params)
    fitted = fit_background(background, width, height)
    masks, previews, squared_errors = [], [], []
    frames, foreground = 0, 0
    with staged_dir(opts.out) as tmp:
        writer = cv2.VideoWriter(
            str(tmp / f"composite.{opts.container}"),
            cv2.VideoWriter_fourcc(*opts.codec),
            fps,
            (width, height),
        )
        if not writer.isOpened():
            raise ParamError(
                f"video.codec {opts.codec!r} in video.container {opts.container!r}: "
                "OpenCV cannot write it on this machine (mp4v/mp4 and MJPG/avi work)"
            )
        start, scoring = time.perf_counter(), 0.0
        for t, frame in enumerate(itertools.chain([first], read_frames(capture))):
            mask = masker(frame)
            result = composite(frame, fitted, mask, params.feather)
            writer.write(result)
            began = time.perf_counter()  # bookkeeping below is not part of the loop's speed
            frames += 1
            foreground += cv2.countNonZero(mask)
            if truth is not None:
                masks.append(mask)
                if opts.warmup <= t < len(truth):
                    ideal = composite(frame, fitted, np.asarray(truth[t]))
                    squared_errors.append(mean_squared_error(result, ideal))
            if t in preview_at:
                previews.append((frame, mask, result))
            last = (frame, mask, result)
            scoring += time.perf_counter() - began
        loop_seconds = time.perf_counter() - start - scoring
        writer.release()
        capture.release()
        if truth is not None and len(truth) != frames:
            raise ParamError(
                f"video.ground_truth: {opts.ground_truth}: {len(truth)} masks for "
                f"{frames} frames of {opts.input}"
            )

    metrics = {
        "frames": frames,
        "width": width,
        "height": height,
        "fps": fps,
        "loop_fps": frames / loop_seconds,
        "mean_foreground_fraction": foreground / (frames * width * height),
    }
    if truth is not None:
        metrics.update(mask_scores(np.stack(masks), np.asarray(truth), opts.warmup))
        if squared_errors:
            # Against the ideal composite: the true mask, hard-edged, over the same background.
            metrics["composite_psnr_after_warmup"] = psnr(float(np.mean(squared_errors)))
    write_json(opts.metrics, metrics)
    # The container's frame count is a header field and can be wrong: then show the last frame.
    previews = previews or [last]
    tiles = [tile for frame, mask, result in previews for tile in (frame, to_bgr(mask), result)]
    write_png(opts.preview, image_grid(tiles, columns=3, scale=1))
    summary = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items() if isinstance(v, float))
    print(f"video: {frames} frames of {width}x{height}; {summary}")


if __name__ == "__main__":
    main()
