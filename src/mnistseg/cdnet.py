"""CDnet 2014, the change-detection benchmark: its layout on disk, its labels and its scores.

A sequence is a folder `input/` of numbered frames (`in000001.jpg`, ...), `groundtruth/` of
masks of the same numbers (`gt000001.png`: 255 foreground; 0 and 50 (hard shadow) background;
85 outside the region of interest and 170 unknown motion, both not scored) and
`temporalROI.txt`, the first and last frame scored. Frames and masks pair by the number in
their names. The figures are changedetection.net's, from counts pooled over every scored pixel.

`mnistseg cdnet` writes a clip and its masks in that layout:

    mnistseg cdnet data/video_source/clip.avi data/video_source/masks.npy export/cdnet

then, for example:

    dvc exp run -S video.input=export/cdnet/input -S video.ground_truth=export/cdnet/groundtruth
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mnistseg.errors import InputError
from mnistseg.fileio import staged_dir
from mnistseg.preview import encode_png

ROI_FILE = "temporalROI.txt"  # first and last scored frame, beside groundtruth/

# CDnet's ground-truth labels: only these count; 85 (outside the ROI) and 170 (unknown) do not.
CDNET_FOREGROUND = 255
CDNET_BACKGROUND = (0, 50)  # static, hard shadow


@dataclass(frozen=True)
class Counts:
    """Pixel counts of one frame or pooled over frames, as CDnet's comparator keeps them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def of(cls, pred: np.ndarray, truth: np.ndarray) -> Counts:
        """Count one frame: `pred` a mask (nonzero = foreground), `truth` CDnet labels."""
        fg = pred > 0
        positive = truth == CDNET_FOREGROUND
        negative = (truth == CDNET_BACKGROUND[0]) | (truth == CDNET_BACKGROUND[1])
        return cls(
            tp=int(np.count_nonzero(fg & positive)),
            fp=int(np.count_nonzero(fg & negative)),
            fn=int(np.count_nonzero(~fg & positive)),
            tn=int(np.count_nonzero(~fg & negative)),
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )

    def iou(self) -> float:
        """Foreground IoU over the scored pixels, TP / (TP + FP + FN); 1 if both are empty."""
        union = self.tp + self.fp + self.fn
        return self.tp / union if union else 1.0

    def f1(self) -> float:
        """Foreground F1 (Dice), 2 TP / (2 TP + FP + FN); 1 if both are empty."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0


# CDnet 2014's seven figures, in changedetection.net's order.
FIGURES = ("recall", "specificity", "fpr", "fnr", "pwc", "precision", "f_measure")


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def cdnet_metrics(counts: Counts) -> dict[str, float]:
    """CDnet 2014's seven figures from pooled counts (changedetection.net's definitions).

    Recall TP/(TP+FN), specificity TN/(TN+FP), FPR FP/(FP+TN), FNR FN/(TP+FN),
    PWC 100 (FN+FP)/(TP+FN+FP+TN), precision TP/(TP+FP), F-measure 2 Pr Re/(Pr+Re);
    a ratio whose denominator is 0 is reported as 0.
    """
    tp, fp, fn, tn = counts.tp, counts.fp, counts.fn, counts.tn
    recall, precision = _ratio(tp, tp + fn), _ratio(tp, tp + fp)
    return {
        "recall": recall,
        "specificity": _ratio(tn, tn + fp),
        "fpr": _ratio(fp, fp + tn),
        "fnr": _ratio(fn, tp + fn),
        "pwc": 100 * _ratio(fn + fp, tp + fn + fp + tn),
        "precision": precision,
        "f_measure": _ratio(2 * precision * recall, precision + recall),
    }


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


def frame_number(name: str) -> int | None:
    """The frame number in a file name, its last run of digits (`in000123.jpg` -> 123)."""
    digits = re.findall(r"\d+", name.rsplit(".", 1)[0])
    return int(digits[-1]) if digits else None


def numbered_images(names: Iterable[str], where: str) -> dict[int, str]:
    """The image files among `names` by frame number, in frame order.

    CDnet's `in000001.jpg` and `gt000001.png` are frame 1 of a sequence; any folder of images
    numbered so works. An image without a number, or two images of one number, is an
    InputError naming them (`where` says which folder).
    """
    found: dict[int, str] = {}
    for name in sorted(names):
        if not name.lower().endswith(IMAGE_SUFFIXES):
            continue
        number = frame_number(name)
        if number is None:
            raise InputError(f"{where}/{name}: no frame number in the name")
        if number in found:
            raise InputError(f"{where}: {found[number]} and {name} are both frame {number}")
        found[number] = name
    return dict(sorted(found.items()))


def parse_temporal_roi(text: str, name: str) -> range:
    """Frame numbers that CDnet's temporalROI.txt ("first last", 1-based) says to score."""
    parts = text.split()
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise InputError(f"{name}: expected two frame numbers, got {text.strip()!r}")
    first, last = int(parts[0]), int(parts[1])
    if not 1 <= first <= last:
        raise InputError(f"{name}: expected 1 <= first <= last, got {first} {last}")
    return range(first, last + 1)


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


class GroundTruth:
    """The masks by frame number: a folder of numbered images (CDnet) or a (T, H, W) .npy
    (frame t + 1 is row t), and the frame numbers that are scored."""

    def __init__(self, spec: str, warmup: int, param: str = "video.ground_truth") -> None:
        path = Path(spec)
        self.path, self.param = path, param  # errors name the param that points here
        if path.is_dir():
            self.masks: dict[int, Path] | np.ndarray = image_folder(path, param)
            self.numbers = set(self.masks)
            roi = path.parent / ROI_FILE
            self.scored = (
                parse_temporal_roi(roi.read_text(), str(roi))
                if roi.is_file()
                else range(warmup + 1, sys.maxsize)
            )
            return
        if not path.is_file():
            raise FileNotFoundError(f"{param}: {path}: no such file (or set it to `none`)")
        self.masks = np.load(path, mmap_mode="r", allow_pickle=False)
        if self.masks.ndim != 3:
            raise InputError(f"{param}: {path}: expected (T, H, W) masks, got {self.masks.shape}")
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
            mask = read_image(name, cv2.IMREAD_GRAYSCALE, self.param)
        else:
            name, mask = self.name(number), np.asarray(self.masks[number - 1])
        if mask.shape != shape:
            raise InputError(
                f"{self.param}: {name}: masks of {mask.shape[-1]}x{mask.shape[0]} do not "
                f"fit frames of {shape[1]}x{shape[0]}"
            )
        return mask

    def check_frames(self, frames: Iterable[int], where: str) -> None:
        """Every mask has its frame and every scored frame its mask, by number; `where` names
        the frames (`video.input: path`)."""
        frames = set(frames)
        orphans = sorted(self.numbers - frames)
        if orphans:
            raise InputError(
                f"{where}: frame {orphans[0]} missing, and its mask "
                f"{self.name(orphans[0])} is there"
            )
        unscored = [n for n in sorted(frames - self.numbers) if n in self.scored]
        if unscored:
            raise self.missing(unscored[0])

    def missing(self, number: int) -> InputError:
        """The error for scored frame `number` without its mask."""
        return InputError(
            f"{self.param}: {self.name(number)}: missing, and frame {number} is scored"
        )


def open_sequence(folder: Path, where: str) -> tuple[dict[int, Path], GroundTruth]:
    """A CDnet sequence folder: its frames by number and its ground truth, paired and checked
    (every mask has its frame, every scored frame its mask). `where` starts every error."""
    folder = Path(folder)
    for part in ("input", "groundtruth"):
        if not (folder / part).is_dir():
            raise FileNotFoundError(f"{where}: {folder / part}: no such folder (CDnet's layout)")
    frames = image_folder(folder / "input", where)
    truth = GroundTruth(str(folder / "groundtruth"), warmup=0, param=where)
    truth.check_frames(frames, f"{where}: {folder / 'input'}")
    return frames, truth


def renumbered(name: str, number: int) -> str:
    """`name` with its frame number replaced by `number`, padded alike (gt000699 -> gt000700)."""
    stem, dot, suffix = name.rpartition(".")
    digits = list(re.finditer(r"\d+", stem))[-1]
    width = digits.end() - digits.start()
    return f"{stem[: digits.start()]}{number:0{width}d}{stem[digits.end() :]}{dot}{suffix}"


def temporal_roi(frames: int, warmup: int) -> str:
    """CDnet's temporalROI.txt: the first and last scored frame, 1-based."""
    return f"{min(warmup + 1, frames)} {frames}\n"


JPEG_QUALITY = 95  # the exported frames, as CDnet ships its own: JPEG


def export_clip(frames: Iterable[np.ndarray], masks: np.ndarray, out: Path, warmup: int) -> int:
    """Write frames and their masks (nonzero: foreground) in CDnet's layout; the frame count.

    Frames beyond the masks are left out; fewer frames than masks is a ValueError.
    """
    with staged_dir(out) as tmp:
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
        (tmp / "temporalROI.txt").write_text(temporal_roi(count, warmup))
    return count


def decoded(clip: Path) -> Iterable[np.ndarray]:
    """The frames of a video file, as they decode."""
    capture = cv2.VideoCapture(str(clip))
    ok, frame = capture.read()
    while ok:
        yield frame
        ok, frame = capture.read()
    capture.release()


def arguments(args: argparse.ArgumentParser) -> None:  # pragma: no mutate block (command line)
    args.add_argument("clip", type=Path, help="a video file")
    args.add_argument("masks", type=Path, help="(T, H, W) masks of it, .npy")
    args.add_argument("out", type=Path, help="folder to create (replaced if it exists)")
    args.add_argument("--warmup", type=int, default=30, help="frames before the temporal ROI")


def run(opts: argparse.Namespace) -> None:  # pragma: no mutate block (command line)
    masks = np.load(opts.masks, mmap_mode="r", allow_pickle=False)
    try:
        count = export_clip(decoded(opts.clip), masks, opts.out, opts.warmup)
    except ValueError as exc:
        raise InputError(f"{opts.clip} and {opts.masks}: {exc}") from None
    print(f"wrote {count} frames in CDnet's layout to {opts.out}")
