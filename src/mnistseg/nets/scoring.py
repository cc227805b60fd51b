"""Scoring a model's predictions: the masks it is judged on, and its metrics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnistseg.nets.metrics import (
    dice_per_image,
    gated_iou,
    iou_per_image,
    per_class_mean,
    pixel_iou,
)


@dataclass(frozen=True)
class Predictions:
    """masks: (N, H, W) bool at probability 0.5; labels: (N,) int64 or None; probabilities:
    (N, classes) float32, the softmax the labels are the most probable of, or None."""

    masks: np.ndarray
    labels: np.ndarray | None
    probabilities: np.ndarray | None = None


@dataclass(frozen=True)
class Scores:
    """A model's headline metrics (a handful of numbers) and its per-digit breakdown."""

    headline: dict[str, float]
    per_digit: dict[str, dict[str, float]]


def score(pred: Predictions, masks: np.ndarray, labels: np.ndarray | None) -> Scores:
    """The metrics of one model on one split.

    Headline: mean_iou, mean_dice, pixel_iou; with predicted classes also accuracy and
    gated_iou (IoU counted 0 where the class is wrong). Per digit (when digit labels are
    given): mean IoU, and with predicted classes accuracy and gated IoU.
    """
    iou = iou_per_image(pred=pred.masks, target=masks)
    headline: dict[str, float] = {
        "mean_iou": float(iou.mean()),
        "mean_dice": float(dice_per_image(pred=pred.masks, target=masks).mean()),
        "pixel_iou": pixel_iou(pred=pred.masks, target=masks),
    }
    if labels is None:
        return Scores(headline, {})
    per_digit = {"mean_iou": per_class_mean(iou, labels)}
    if pred.labels is not None:
        correct = pred.labels == labels
        gated = gated_iou(iou=iou, pred_labels=pred.labels, labels=labels)
        headline["accuracy"] = float(correct.mean())
        headline["gated_iou"] = float(gated.mean())
        per_digit["accuracy"] = per_class_mean(correct, labels)
        per_digit["gated_iou"] = per_class_mean(gated, labels)
    return Scores(headline, per_digit)


def confusion_rows(pred_labels: np.ndarray, labels: np.ndarray) -> str:
    """CSV (actual,predicted) with one row per test item, for DVC's `confusion` template."""
    lines = ["actual,predicted"] + [f"{a},{p}" for a, p in zip(labels, pred_labels)]
    return "\n".join(lines) + "\n"


def per_digit_rows(per_digit: dict[str, dict[str, float]]) -> list[dict[str, float | str]]:
    """One row per digit with each per-digit score: a table for a DVC bar chart."""
    digits = sorted(next(iter(per_digit.values())))
    return [{"digit": d, **{name: values[d] for name, values in per_digit.items()}} for d in digits]
