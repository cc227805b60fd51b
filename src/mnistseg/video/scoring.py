"""How well a clip's masks did: per-frame IoU and F1, CDnet's pooled figures, and the PSNR of
the composite against the ideal one."""

from __future__ import annotations

import cv2
import numpy as np

from mnistseg.video.cdnet import CDNET_FOREGROUND, Counts, cdnet_metrics
from mnistseg.video.compositing import Replaced, composite, fit_background


def mean_squared_error(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared difference of two uint8 arrays (OpenCV's sum of squares, exact)."""
    return cv2.norm(a, b, cv2.NORM_L2SQR) / a.size


def psnr(mse: float) -> float:
    """Peak signal-to-noise ratio in dB of a mean squared error of 8-bit values (inf for 0).
    The clip's is of the MSE pooled over its frames, not cv2.PSNR's of one picture."""
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


class VideoScorer:
    """Scores a clip's masks against ground truth, frame by frame, as they come.

    Frames are known by their number (1-based: CDnet's `in000123.jpg` is frame 123). `scored`
    holds the numbers that count: after the warm-up, or CDnet's temporal ROI (the
    `*_after_warmup` figures and CDnet's are over these). Per frame: IoU and F1 of the
    foreground (label 255) over the pixels CDnet scores, averaged over the frames that have
    such pixels (a frame all outside the ROI or unknown scores nothing, not a perfect 1);
    pooled over the scored frames: CDnet's counts, and with a background the PSNR of the
    composite against the ideal one (the true mask, hard-edged, over the same background).
    """

    def __init__(self, scored: range, background: np.ndarray | None = None) -> None:
        self.scored = scored
        self.background = background  # resized to the frames on first use
        self.iou: list[float] = []
        self.f1: list[float] = []
        self.counted: list[bool] = []
        self.counts = Counts()
        self.scored_frames = 0
        self.squared_errors: list[float] = []

    def add(self, number: int, result: Replaced, truth: np.ndarray) -> None:
        """Score frame `number` against its ground truth (CDnet labels or {0, 255})."""
        counts = Counts.of(result.mask, truth)
        counted = number in self.scored
        if counts.tp + counts.fp + counts.fn + counts.tn:
            self.iou.append(counts.iou())
            self.f1.append(counts.f1())
            self.counted.append(counted)
        if not counted:
            return
        self.counts += counts
        self.scored_frames += 1
        if result.composite is None:
            return
        height, width = result.mask.shape
        self.background = fit_background(self.background, width, height)
        ideal_mask = np.where(truth == CDNET_FOREGROUND, np.uint8(255), np.uint8(0))
        ideal = composite(result.frame, self.background, ideal_mask)
        self.squared_errors.append(mean_squared_error(result.composite, ideal))

    def metrics(self) -> dict:
        """Per-frame means over all frames and over scored frames, CDnet's figures, PSNR."""
        iou, f1, counted = np.array(self.iou), np.array(self.f1), np.array(self.counted, bool)
        scored = counted if counted.any() else np.ones_like(counted)
        result = {
            "mean_iou": float(iou.mean()) if len(iou) else 0.0,
            "f1": float(f1.mean()) if len(f1) else 0.0,
            "mean_iou_after_warmup": float(iou[scored].mean()) if scored.any() else 0.0,
            "f1_after_warmup": float(f1[scored].mean()) if scored.any() else 0.0,
            "scored_frames": self.scored_frames,
            "cdnet": cdnet_metrics(self.counts),
        }
        if self.squared_errors:
            result["composite_psnr_after_warmup"] = psnr(float(np.mean(self.squared_errors)))
        return result


# What metrics/video.json keeps for `dvc exp show` and `dvc metrics diff`: the foreground
# share, and with ground truth the scores over the scored frames and CDnet's main three.
HEADLINE = ("mean_foreground_fraction", "mean_iou_after_warmup", "f1_after_warmup",
            "composite_psnr_after_warmup")  # fmt: skip
CDNET_HEADLINE = ("precision", "recall", "f_measure")


def headline(scores: dict) -> dict:
    """The handful of `scores` (the stage's full record) that metrics/video.json keeps."""
    kept = {key: scores[key] for key in HEADLINE if key in scores}
    if "cdnet" in scores:
        kept["cdnet"] = {key: scores["cdnet"][key] for key in CDNET_HEADLINE}
    return kept
