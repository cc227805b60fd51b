"""Pictures of handwritten digits drawn in the test, the way people write them: a pen of some
width on paper of some shade, lit unevenly, ruled or squared, photographed at any size."""

from __future__ import annotations

import cv2
import numpy as np

# Digits as pen strokes, each a polyline in a unit box (x, y), y down.
STROKES = {
    "1": [[(0.25, 0.2), (0.6, 0.0), (0.6, 1.0)]],
    "4": [[(0.7, 1.0), (0.7, 0.0), (0.0, 0.7), (1.0, 0.7)]],
    "7": [[(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)]],
    "0": [[(0.5 + 0.5 * np.cos(t), 0.5 + 0.5 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 48)]],
}


def paper(
    shape: tuple[int, int], level: float = 215, shading: float = 0, noise: float = 2, seed: int = 0
) -> np.ndarray:
    """(H, W) float32 paper at `level`, darkened towards the right by `shading` (a share of
    the level, as a lamp on the left leaves it), with the camera's noise."""
    light = 1 - shading * np.linspace(0, 1, shape[1])[None, :]
    rng = np.random.default_rng(seed)
    return (level * light + rng.normal(0, noise, shape)).astype(np.float32)


def ruled(picture: np.ndarray, spacing: int, darkness: float, squared: bool = False,
          tilt: float = 0.0, width: int = 2) -> np.ndarray:  # fmt: skip
    """The paper with printed lines `spacing` pixels apart, each taking `darkness` of the
    paper's level (ruled; and across, squared), `tilt` degrees off the horizontal."""
    height, width_ = picture.shape
    lines = np.zeros(picture.shape, np.float32)
    rise = np.tan(np.radians(tilt))
    for k in range(-2 * max(picture.shape), 2 * max(picture.shape), spacing):
        cv2.line(lines, (0, k), (width_, k + round(rise * width_)), 1.0, width, cv2.LINE_AA)
        if squared:
            cv2.line(lines, (k, 0), (k - round(rise * height), height), 1.0, width, cv2.LINE_AA)
    return picture * (1 - darkness * np.clip(lines, 0, 1))


def write(picture: np.ndarray, digit: str, box: tuple[int, int, int, int], pen: int,
          darkness: float = 0.7) -> np.ndarray:  # fmt: skip
    """The paper with `digit` written in `box` (x, y, width, height) by a pen `pen` pixels
    wide, its ink taking `darkness` of the paper's level under it."""
    x, y, width, height = box
    ink = np.zeros(picture.shape, np.float32)
    for stroke in STROKES[digit]:
        points = np.array([(x + u * width, y + v * height) for u, v in stroke])
        cv2.polylines(ink, [np.round(points * 16).astype(np.int32)], False, 1.0, pen,
                      cv2.LINE_AA, shift=4)  # fmt: skip
    return picture * (1 - darkness * np.clip(ink, 0, 1))


def photo(picture: np.ndarray) -> np.ndarray:
    """(H, W) uint8, as a camera saves it."""
    return np.clip(picture + 0.5, 0, 255).astype(np.uint8)


def pen_ink(
    shape: tuple[int, int], digit: str, box: tuple[int, int, int, int], pen: int
) -> np.ndarray:
    """(H, W) bool: where a digit written so has its ink (at least half covered)."""
    return write(np.ones(shape, np.float32), digit, box, pen, darkness=1.0) <= 0.5
