"""Stage `video` (Q5): replace the background of a fixed-camera video, score the masks."""

import re
import sys
import time
from collections.abc import Iterable, Iterator
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
    headline,
    numbered_images,
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


def image_folder(path: Path, param: str) -> dict[int, Path]:
    """The numbered images of a folder by frame number (CDnet's in000001.jpg is frame 1)."""
    numbered = numbered_images((p.name for p in path.iterdir()), f"{param}: {path}")
    if not numbered:
        raise InputError(f"{param}: {path}: a folder with no images")
    return {number: path / name for number, name in numbered.items()}


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


class GroundTruth:
    """The masks by frame number: a folder of numbered images (CDnet) or a (T, H, W) .npy
    (frame t + 1 is row t), and the frame numbers that are scored."""

    def __init__(self, spec: str, warmup: int) -> None:
        path = Path(spec)
        self.path = path
        if path.is_dir():
            self.masks: dict[int, Path] | np.ndarray = image_folder(path, "video.ground_truth")
            self.numbers = set(self.masks)
            roi = path.parent / ROI_FILE
            self.scored = (
                parse_temporal_roi(roi.read_text(), str(roi))
                if roi.is_file()
                else range(warmup + 1, sys.maxsize)
            )
            return
        if not path.is_file():
            raise FileNotFoundError(
                f"video.ground_truth: {path}: no such file (or set it to `none`)"
            )
        self.masks = np.load(path, mmap_mode="r", allow_pickle=False)
        if self.masks.ndim != 3:
            raise InputError(
                f"video.ground_truth: {path}: expected (T, H, W) masks, got {self.masks.shape}"
            )
        self.numbers = set(range(1, len(self.masks) + 1))
        self.scored = range(warmup + 1, sys.maxsize)

    def name(self, number: int) -> str:
        """Where frame `number`'s mask is, or would be."""
        if isinstance(self.masks, dict):
            return str(self.path / renumbered(next(iter(self.masks.values())).name, number))
        return f"{self.path} (row {number - 1})"

    def mask(self, number: int, shape: tuple) -> np.ndarray | None:
        """Frame `number`'s mask, checked against the frame's size; None if it has none."""
        if number not in self.numbers:
            if number in self.scored:
                raise self.missing(number)
            return None
        if isinstance(self.masks, dict):
            name = self.masks[number]
            mask = read_image(name, cv2.IMREAD_GRAYSCALE, "video.ground_truth")
        else:
            name, mask = self.name(number), np.asarray(self.masks[number - 1])
        if mask.shape != shape:
            raise InputError(
                f"video.ground_truth: {name}: masks of {mask.shape[-1]}x{mask.shape[0]} do not "
                f"fit frames of {shape[1]}x{shape[0]}"
            )
        return mask

    def check_frames(self, frames: Iterable[int], where: str) -> None:
        """Every mask has its frame and every scored frame its mask, by number."""
        frames = set(frames)
        orphans = sorted(self.numbers - frames)
        if orphans:
            raise InputError(
                f"video.input: {where}: frame {orphans[0]} missing, and its mask "
                f"{self.name(orphans[0])} is there"
            )
        unscored = [n for n in sorted(frames - self.numbers) if n in self.scored]
        if unscored:
            raise self.missing(unscored[0])

    def missing(self, number: int) -> InputError:
        """The error for scored frame `number` without its mask."""
        return InputError(
            f"video.ground_truth: {self.name(number)}: missing, and frame {number} is scored"
        )


def renumbered(name: str, number: int) -> str:
    """`name` with its frame number replaced by `number`, padded alike (gt000699 -> gt000700)."""
    stem, dot, suffix = name.rpartition(".")
    digits = list(re.finditer(r"\d+", stem))[-1]
    width = digits.end() - digits.start()
    return f"{stem[: digits.start()]}{number:0{width}d}{stem[digits.end() :]}{dot}{suffix}"


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
            truth.check_frames(numbered, params.input)
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
