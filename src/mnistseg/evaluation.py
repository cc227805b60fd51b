"""Scoring a model's test predictions, and pictures of them."""

from __future__ import annotations

import cv2
import numpy as np

from mnistseg.circles import circle_masks
from mnistseg.metrics import (
    dice_per_image,
    gated_iou,
    iou_per_image,
    per_class_mean,
    pixel_iou,
)
from mnistseg.models import ModelConfig
from mnistseg.preview import image_grid
from mnistseg.training import Predictions

NUM_CLASSES = 10


def finish(pred: Predictions, cfg: ModelConfig) -> Predictions:
    """The masks a model is scored on; for `circle_from: digit_mask`, circles fitted to digits."""
    if cfg.circle_from != "digit_mask":
        return pred
    circles, _, _ = circle_masks(pred.masks.astype(np.uint8) * 255)
    return Predictions(circles > 0, pred.labels)


def score(pred: Predictions, masks: np.ndarray, labels: np.ndarray | None) -> dict:
    """The metrics of one model on one split.

    Always: mean_iou, mean_dice, pixel_iou. With digit labels: per-digit mean IoU. With
    predicted classes: accuracy, gated_iou (IoU counted 0 where the class is wrong) and
    per-digit accuracy and gated IoU.
    """
    iou = iou_per_image(pred=pred.masks, target=masks)
    result = {
        "mean_iou": float(iou.mean()),
        "mean_dice": float(dice_per_image(pred=pred.masks, target=masks).mean()),
        "pixel_iou": pixel_iou(pred=pred.masks, target=masks),
        "count": len(iou),
    }
    if labels is None:
        return result
    per_digit = {"mean_iou": per_class_mean(iou, labels)}
    if pred.labels is not None:
        correct = (pred.labels == labels).astype(np.float64)
        gated = gated_iou(iou=iou, pred_labels=pred.labels, labels=labels)
        result["accuracy"] = float(correct.mean())
        result["gated_iou"] = float(gated.mean())
        per_digit["accuracy"] = per_class_mean(correct, labels)
        per_digit["gated_iou"] = per_class_mean(gated, labels)
    result["per_digit"] = per_digit
    return result


def confusion_rows(pred_labels: np.ndarray, labels: np.ndarray) -> str:
    """CSV (actual,predicted) with one row per test item, for DVC's `confusion` template."""
    lines = ["actual,predicted"] + [f"{a},{p}" for a, p in zip(labels, pred_labels)]
    return "\n".join(lines) + "\n"


# BGR colours of the prediction picture.
TRUE_POSITIVE = (255, 255, 255)
FALSE_POSITIVE = (0, 0, 255)
FALSE_NEGATIVE = (255, 128, 0)


def error_map(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(H, W, 3) picture: true positives white, false positives red, false negatives blue."""
    out = np.zeros((*pred.shape, 3), dtype=np.uint8)
    out[pred & target] = TRUE_POSITIVE
    out[pred & ~target] = FALSE_POSITIVE
    out[~pred & target] = FALSE_NEGATIVE
    return out


def prediction_grid(
    images: np.ndarray, pred: np.ndarray, target: np.ndarray, count: int = 8
) -> np.ndarray:
    """Inputs on top, error maps below, for the first `count` test items."""
    count = min(count, len(images))
    top = [cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) for img in images[:count]]
    bottom = [error_map(p, t) for p, t in zip(pred[:count], target[:count])]
    return image_grid(top + bottom, columns=count)
