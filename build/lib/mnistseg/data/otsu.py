"""Q1a: Otsu foreground masks, exactly as OpenCV computes them."""

from __future__ import annotations

import cv2
import numpy as np


def otsu_masks(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the Otsu masks (N, H, W) uint8 in {0, 255} and thresholds (N,) uint8.

    Each image goes through `cv2.threshold(img, 0, 255, THRESH_BINARY + THRESH_OTSU)`, so masks
    and thresholds are OpenCV's byte for byte. An all-black image gets threshold 0 and an
    empty mask.
    """
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"otsu_masks takes (N, H, W) uint8 images, got {images.shape} {images.dtype}"
        )
    masks = np.empty_like(images)
    thresholds = np.empty(len(images), dtype=np.uint8)
    flags = cv2.THRESH_BINARY + cv2.THRESH_OTSU
    for i, image in enumerate(images):
        threshold, _ = cv2.threshold(image, 0, 255, flags, dst=masks[i])
        thresholds[i] = int(threshold)
    return masks, thresholds
