"""Q5: background replacement with OpenCV's MOG2 subtractor, and a clip to score it on.

Frames are (H, W, 3) uint8 BGR arrays and masks (H, W) uint8 in {0, 255}; opening and writing
files is the stage scripts' job.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mnistseg.metrics import dice_per_image, iou_per_image


@dataclass(frozen=True)
class MaskParams:
    """The knobs of the mask loop. The defaults are the assignment's loop exactly."""

    history: int = 500
    var_threshold: float = 16.0
    detect_shadows: bool = True
    mask_threshold: int = 200  # keep values above it: drops MOG2's shadow value 127
    open_kernel: int = 3  # morphological opening (removes specks); 0 = off
    close_kernel: int = 0  # morphological closing (fills gaps in a body); 0 = off
    median_kernel: int = 5  # median blur; 0 = off, else odd
    feather: float = 0.0  # Gaussian sigma (pixels) of a soft edge; 0 = hard cut-out

    def __post_init__(self) -> None:
        problems = []
        if self.history < 1:
            problems.append(f"history must be >= 1, got {self.history}")
        if self.var_threshold <= 0:
            problems.append(f"var_threshold must be > 0, got {self.var_threshold}")
        if not 0 <= self.mask_threshold <= 254:
            problems.append(f"mask_threshold must be in [0, 254], got {self.mask_threshold}")
        for name in ("open_kernel", "close_kernel"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.median_kernel < 0 or (self.median_kernel and self.median_kernel % 2 == 0):
            problems.append(
                f"median_kernel must be 0 or odd and positive, got {self.median_kernel}"
            )
        if self.feather < 0:
            problems.append(f"feather must be >= 0, got {self.feather}")
        if problems:
            raise ValueError("; ".join(problems))


class ForegroundMasker:
    """Turns frames into foreground masks, one call per frame, in order."""

    def __init__(self, params: MaskParams) -> None:
        self.params = params
        self.subtractor = cv2.createBackgroundSubtractorMOG2(
            history=params.history,
            varThreshold=params.var_threshold,
            detectShadows=params.detect_shadows,
        )
        self.open = (
            cv2.getStructuringElement(cv2.MORPH_RECT, (params.open_kernel,) * 2)
            if params.open_kernel
            else None
        )
        self.close = (
            cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (params.close_kernel,) * 2)
            if params.close_kernel
            else None
        )

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        raw = self.subtractor.apply(frame)
        _, mask = cv2.threshold(raw, self.params.mask_threshold, 255, cv2.THRESH_BINARY)
        if self.open is not None:
            mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.open)
        if self.close is not None:
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, self.close)
        if self.params.median_kernel:
            mask = cv2.medianBlur(mask, self.params.median_kernel)
        return mask


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


def mask_scores(pred: np.ndarray, truth: np.ndarray, warmup: int) -> dict[str, float]:
    """Mean IoU and F1 of (T, H, W) foreground masks over all frames and after `warmup` frames.

    A frame where both masks are empty scores 1 (nothing to find, nothing found).
    """
    pred, truth = pred > 0, truth > 0
    iou = iou_per_image(pred=pred, target=truth)
    f1 = dice_per_image(pred=pred, target=truth, eps=1e-9)  # per-frame F1 is the Dice score
    after = slice(min(warmup, len(iou) - 1), None)
    return {
        "mean_iou": float(iou.mean()),
        "f1": float(f1.mean()),
        "mean_iou_after_warmup": float(iou[after].mean()),
        "f1_after_warmup": float(f1[after].mean()),
    }


def mean_squared_error(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared difference of two uint8 arrays."""
    return float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))


def psnr(mse: float) -> float:
    """Peak signal-to-noise ratio in dB of a mean squared error of 8-bit values (inf for 0)."""
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


@dataclass(frozen=True)
class ClipParams:
    """A rendered test clip: MNIST digits drifting over a static textured background."""

    frames: int = 300
    width: int = 320
    height: int = 240
    digits: int = 4
    scale: int = 3  # each 28x28 digit is drawn at 28*scale pixels
    max_speed: float = 3.0  # pixels per frame
    noise: float = 2.0  # sensor noise, grey levels (standard deviation)

    def __post_init__(self) -> None:
        if (
            self.frames < 1
            or self.digits < 0
            or self.scale < 1
            or self.noise < 0
            or self.max_speed < 0
        ):
            raise ValueError(f"invalid clip parameters: {self}")
        if 28 * self.scale >= min(self.width, self.height):
            raise ValueError(
                f"digits of {28 * self.scale} px do not fit a {self.width}x{self.height} frame"
            )


def textured_background(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth random colour field with fine texture: a stand-in for a real scene."""
    coarse = rng.integers(40, 200, size=(6, 8, 3), dtype=np.uint8)
    field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    texture = cv2.GaussianBlur(
        rng.normal(0, 18, size=(height, width, 3)).astype(np.float32), (0, 0), 1.2
    )
    return np.clip(field + texture, 0, 255).astype(np.uint8)


def render_clip(
    digits: np.ndarray, params: ClipParams, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frames (T, H, W, 3), exact foreground masks (T, H, W) in {0, 255}, a new background).

    Each digit (from `digits`, (K, 28, 28) uint8) keeps one bright colour and bounces off the
    frame's edges. Only digit pixels differ from the still background (plus sensor noise), so
    the masks are the exact truth.
    """
    h, w, side = params.height, params.width, 28 * params.scale
    scene = textured_background(h, w, rng)
    picks = rng.integers(0, len(digits), size=params.digits)
    sprites = [
        cv2.resize(digits[k], (side, side), interpolation=cv2.INTER_LINEAR) > 127 for k in picks
    ]
    colours = rng.integers(0, 256, size=(params.digits, 3))
    colours[np.arange(params.digits), rng.integers(0, 3, size=params.digits)] = (
        255  # one channel bright
    )
    position = rng.uniform([0, 0], [w - side, h - side], size=(params.digits, 2))
    velocity = rng.uniform(-params.max_speed, params.max_speed, size=(params.digits, 2))
    frames = np.empty((params.frames, h, w, 3), dtype=np.uint8)
    masks = np.zeros((params.frames, h, w), dtype=np.uint8)
    limit = np.array([w - side, h - side], dtype=np.float64)
    for t in range(params.frames):
        frame = scene.copy()
        for sprite, colour, (x, y) in zip(sprites, colours, position.astype(int)):
            region = np.s_[y : y + side, x : x + side]
            frame[region][sprite] = colour
            masks[t][region][sprite] = 255
        noise = rng.normal(0, params.noise, size=frame.shape) if params.noise else 0
        frames[t] = np.clip(frame + noise, 0, 255).astype(np.uint8)
        position += velocity
        bounced = (position < 0) | (position > limit)
        velocity[bounced] *= -1
        position = np.clip(position, 0, limit)
    background = textured_background(h + 60, w + 100, rng)  # another size: the stage resizes it
    return frames, masks, background
