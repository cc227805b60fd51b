"""Q1b: the minimum enclosing circle of each digit's largest contour, drawn as a filled mask."""

from __future__ import annotations

import cv2
import numpy as np

NO_CIRCLE = -1.0  # the radius stored for a digit whose Otsu mask is empty


def circle_params(mask: np.ndarray) -> tuple[float, float, float] | None:
    """(cx, cy, r) of the minimum enclosing circle of the largest external contour, or None.

    "Largest" is by `cv2.contourArea`, as the assignment picks it; None for an empty mask.
    """
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    (cx, cy), radius = cv2.minEnclosingCircle(largest)
    return cx, cy, radius


def draw_circle(shape: tuple[int, int], cx: float, cy: float, radius: float) -> np.ndarray:
    """A filled {0, 255} circle mask, integer centre and radius, as the assignment draws it."""
    mask = np.zeros(shape, dtype=np.uint8)
    cv2.circle(mask, (int(cx), int(cy)), int(radius), 255, thickness=-1)
    return mask


def circle_masks(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Circle masks (N, H, W) uint8, circles (N, 3) float32 (cx, cy, r) and the empty count.

    A digit with an empty Otsu mask gets an empty circle mask and radius NO_CIRCLE.
    """
    # A plain array over the same memory: iterating an np.memmap makes each row a memmap.
    masks = np.asarray(masks)
    circles = np.zeros((len(masks), 3), dtype=np.float32)
    drawn = np.zeros_like(masks)
    empty = 0
    for i, mask in enumerate(masks):
        params = circle_params(mask)
        if params is None:
            circles[i] = (0.0, 0.0, NO_CIRCLE)
            empty += 1
            continue
        circles[i] = params
        drawn[i] = draw_circle(mask.shape, *params)
    return drawn, circles, empty
