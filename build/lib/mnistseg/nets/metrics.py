"""Segmentation and classification scores, as pure functions of predictions and targets.

Masks are boolean arrays (N, H, W): one score per image, averaged by the caller.
"""

from __future__ import annotations

import numpy as np


def _flat(pred: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if pred.shape != target.shape:
        raise ValueError(f"pred {pred.shape} and target {target.shape} differ in shape")
    return pred.reshape(len(pred), -1).astype(bool), target.reshape(len(target), -1).astype(bool)


def iou_per_image(
    *, pred: np.ndarray, target: np.ndarray, zero_division: float = 1.0
) -> np.ndarray:
    """Binary IoU |P & T| / |P | T| of each image, (N,) float64.

    Where both masks are empty the IoU is undefined and `zero_division` is returned (1.0: a
    correctly empty prediction is perfect). Otherwise it equals
    `sklearn.metrics.jaccard_score(target, pred, average="binary", zero_division=...)`.
    """
    p, t = _flat(pred, target)
    inter = (p & t).sum(axis=1)
    union = (p | t).sum(axis=1)
    return np.where(union > 0, inter / np.maximum(union, 1), zero_division)


def dice_per_image(*, pred: np.ndarray, target: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Dice (2|P & T| + eps) / (|P| + |T| + eps) of each image, as the assignment computes it.

    The eps makes two empty masks score 1.0 and leaves other scores within eps of exact.
    """
    p, t = _flat(pred, target)
    inter = (p & t).sum(axis=1)
    return (2.0 * inter + eps) / (p.sum(axis=1) + t.sum(axis=1) + eps)


def pixel_iou(*, pred: np.ndarray, target: np.ndarray) -> float:
    """IoU of all pixels pooled over the set (large digits weigh more); 1.0 if both are empty."""
    p, t = _flat(pred, target)
    union = int((p | t).sum())
    return float((p & t).sum() / union) if union else 1.0


def gated_iou(*, iou: np.ndarray, pred_labels: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-image IoU that counts 0 where the predicted class is wrong (the assignment's score)."""
    return np.where(pred_labels == labels, iou, 0.0)


def per_class_mean(values: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Mean of `values` over the items of each class present, keyed by the class as text."""
    return {str(c): float(values[labels == c].mean()) for c in np.unique(labels)}
