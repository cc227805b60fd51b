"""Putting a frame's foreground over a new background."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Replaced:
    """One frame through the loop: the frame, its foreground mask, and the frame composited
    over the new background (None where no background is replaced: the CDnet benchmark)."""

    frame: np.ndarray
    mask: np.ndarray
    composite: np.ndarray | None


def fit_background(background: np.ndarray, width: int, height: int) -> np.ndarray:
    """The background resized to the frame, whatever its size or aspect (as the assignment)."""
    if background.shape[:2] == (height, width):
        return background
    return cv2.resize(background, (width, height), interpolation=cv2.INTER_AREA)


def composite(
    frame: np.ndarray, background: np.ndarray, mask: np.ndarray, feather: float = 0.0
) -> np.ndarray:
    """The frame where the mask is set, the background elsewhere; a soft edge if feather > 0."""
    if feather <= 0:
        out = background.copy()
        cv2.copyTo(frame, mask, out)
        return out
    alpha = cv2.GaussianBlur(mask, (0, 0), sigmaX=feather).astype(np.float32) * (1 / 255)
    alpha = alpha[..., None]
    blended = frame.astype(np.float32) * alpha + background.astype(np.float32) * (1 - alpha)
    return (blended + 0.5).astype(np.uint8)
