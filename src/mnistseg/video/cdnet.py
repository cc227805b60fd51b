"""CDnet 2014, the change-detection benchmark: its layout on disk, its labels and its scores.

A sequence is a folder `input/` of numbered frames (`in000001.jpg`, ...), `groundtruth/` of
masks of the same numbers (`gt000001.png`: 255 foreground; 0 and 50 (hard shadow) background;
85 outside the region of interest and 170 unknown motion, both not scored) and
`temporalROI.txt`, the first and last frame scored. Frames and masks pair by the number in
their names. The figures are changedetection.net's, from counts pooled over every scored pixel.
Reading a sequence and its masks: mnistseg.video.truth.

`mnistseg cdnet` (mnistseg.commands.cdnet) writes a clip and its masks in that layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnistseg.errors import InputError

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


def temporal_roi(frames: int, warmup: int) -> str:
    """CDnet's temporalROI.txt: the first and last scored frame, 1-based."""
    return f"{min(warmup + 1, frames)} {frames}\n"
