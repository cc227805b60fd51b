"""CDnet 2014, the change-detection benchmark: its layout on disk, its labels and its scores.

A sequence is a folder `input/` of numbered frames (`in000001.jpg`, ...), `groundtruth/` of
masks of the same numbers (`gt000001.png`: 255 foreground; 0 and 50 (hard shadow) background;
85 outside the region of interest and 170 unknown motion, both not scored) and
`temporalROI.txt`, the first and last frame scored. Frames and masks pair by the number in
their names. The figures are changedetection.net's, from counts pooled over every scored pixel.

`mnistseg cdnet` (mnistseg.commands.cdnet) writes a clip and its masks in that layout.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mnistseg.errors import InputError
from mnistseg.video.frames import Frames, image_folder, open_frames, read_image, renumbered

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


def parse_temporal_roi(text: str, name: str) -> range:
    """Frame numbers that CDnet's temporalROI.txt ("first last", 1-based) says to score."""
    parts = text.split()
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise InputError(f"{name}: expected two frame numbers, got {text.strip()!r}")
    first, last = int(parts[0]), int(parts[1])
    if not 1 <= first <= last:
        raise InputError(f"{name}: expected 1 <= first <= last, got {first} {last}")
    return range(first, last + 1)


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


def open_sequence(folder: Path, where: str) -> tuple[Frames, GroundTruth]:
    """A CDnet sequence folder: its frames and its ground truth, paired by number and checked
    (every mask has its frame, every scored frame its mask). `where` starts every error."""
    folder = Path(folder)
    for part in ("input", "groundtruth"):
        if not (folder / part).is_dir():
            raise FileNotFoundError(f"{where}: {folder / part}: no such folder (CDnet's layout)")
    frames = open_frames(folder / "input", where)
    truth = GroundTruth(str(folder / "groundtruth"), warmup=0, param=where)
    truth.check_frames(frames.files, f"{where}: {folder / 'input'}")
    return frames, truth


def temporal_roi(frames: int, warmup: int) -> str:
    """CDnet's temporalROI.txt: the first and last scored frame, 1-based."""
    return f"{min(warmup + 1, frames)} {frames}\n"
