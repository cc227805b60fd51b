"""Stage `video` (Q5): replace the background of a fixed-camera video, score the masks."""

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from mnistseg.cli import run_stage, stage_parser
from mnistseg.errors import InputError, ParamError
from mnistseg.fileio import staged_dir, write_bytes, write_json
from mnistseg.params import load_section, restore_hint
from mnistseg.preview import encode_png, video_preview
from mnistseg.video import (
    NO_GROUND_TRUTH,
    VideoParams,
    VideoScorer,
    frame_files,
    headline,
    parse_temporal_roi,
    preview_frames,
    replace_background,
)

DEFAULT_FPS = 25.0  # for a folder of frames, which has no frame rate of its own
ROI_FILE = "temporalROI.txt"  # CDnet: first and last scored frame, beside groundtruth/


def read_image(path: Path, flags: int, param: str) -> np.ndarray:
    image = cv2.imread(str(path), flags)
    if image is None:
        raise InputError(f"{param}: {path}: OpenCV cannot read it as an image")
    return image


def image_folder(path: Path, param: str) -> list[Path]:
    files = frame_files(p.name for p in path.iterdir())
    if not files:
        raise InputError(f"{param}: {path}: a folder with no images")
    return [path / name for name in files]


def open_frames(path: Path) -> tuple[Iterator[np.ndarray], float, int]:
    """(frames as they decode, fps, how many there should be) of a video or an image folder."""
    if path.is_dir():
        files = image_folder(path, "video.input")
        frames = (read_image(file, cv2.IMREAD_COLOR, "video.input") for file in files)
        return frames, DEFAULT_FPS, len(files)
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
    return decoded(), capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS, hint


def open_truth(spec: str, warmup: int) -> tuple[list[Path] | np.ndarray, range]:
    """(masks: a (T, H, W) array or one image per frame; the frames scored)."""
    path = Path(spec)
    if path.is_dir():
        files = image_folder(path, "video.ground_truth")
        roi = path.parent / ROI_FILE
        scored = parse_temporal_roi(roi.read_text(), str(roi)) if roi.is_file() else None
        return files, scored or range(warmup, len(files))
    if not path.is_file():
        raise FileNotFoundError(f"video.ground_truth: {path}: no such file (or set it to `none`)")
    masks = np.load(path, mmap_mode="r", allow_pickle=False)
    if masks.ndim != 3:
        raise InputError(f"video.ground_truth: {path}: expected (T, H, W) masks, got {masks.shape}")
    return masks, range(warmup, len(masks))


def truth_frame(truth: list[Path] | np.ndarray, t: int, shape: tuple, params: VideoParams):
    """The ground truth of frame `t`, checked against the frame's size."""
    name, mask = params.ground_truth, truth[t]
    if isinstance(mask, Path):
        name, mask = mask, read_image(mask, cv2.IMREAD_GRAYSCALE, "video.ground_truth")
    if mask.shape != shape:
        raise InputError(
            f"video.ground_truth: {name}: masks of {mask.shape[-1]}x{mask.shape[0]} do not fit "
            f"frames of {shape[1]}x{shape[0]}"
        )
    return np.asarray(mask)


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
    frames, fps, expected = open_frames(Path(params.input))
    truth, scorer = None, None
    if params.ground_truth != NO_GROUND_TRUTH:
        truth, scored = open_truth(params.ground_truth, params.warmup)
        scorer = VideoScorer(scored, background)

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
            if scorer is not None and t < len(truth):
                scorer.add(t, result, truth_frame(truth, t, result.mask.shape, params))
            if t in picks:
                shots.append((result.frame, result.mask, result.composite))
            last = result
            started = time.perf_counter()
        if writer is None:
            raise InputError(f"video.input: {params.input}: holds no frames")
        writer.release()
        if truth is not None and len(truth) != count:
            raise InputError(
                f"video.ground_truth: {params.ground_truth}: {len(truth)} masks for {count} "
                f"frames of {params.input}"
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
