"""The default clip for the video stage: MNIST digits drifting over a still scene.

Rendered with the exact foreground mask of every frame, so background replacement can be
scored against the truth.
"""

from __future__ import annotations

from typing import Annotated

import cv2
import numpy as np
from pydantic import Field, model_validator

from mnistseg.digits import DIGIT_SIDE
from mnistseg.params import Section


class ClipParams(Section):
    """`video_source` in params.yaml: MNIST digits drifting over a still textured scene."""

    frames: Annotated[int, Field(ge=1)]
    width: Annotated[int, Field(ge=32)]
    height: Annotated[int, Field(ge=32)]
    fps: Annotated[float, Field(ge=1, le=240)]
    digits: Annotated[int, Field(ge=0)]  # digits in the scene at once
    scale: Annotated[int, Field(ge=1)]  # each digit is drawn at DIGIT_SIDE * scale pixels
    max_speed: Annotated[float, Field(ge=0)]  # pixels per frame
    noise: Annotated[float, Field(ge=0, le=50)]  # sensor noise: grey levels (standard deviation)
    seed: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def digits_fit_the_frame(self) -> ClipParams:
        if DIGIT_SIDE * self.scale >= min(self.width, self.height):
            raise ValueError(
                f"scale: draws digits of {DIGIT_SIDE * self.scale} px, which do not fit a "
                f"{self.width}x{self.height} frame, got {self.scale}"
            )
        return self


def textured_background(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A smooth random colour field with fine texture: a stand-in for a real scene."""
    coarse = rng.integers(40, 200, size=(6, 8, 3), dtype=np.uint8)
    field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    texture = cv2.GaussianBlur(
        rng.normal(0, 18, size=(height, width, 3)).astype(np.float32), (0, 0), 1.2
    )
    return np.clip(field + texture, 0, 255).astype(np.uint8)


def render_clip(
    digits: np.ndarray, params: ClipParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frames (T, H, W, 3), exact foreground masks (T, H, W) in {0, 255}, a new background).

    Each digit (from `digits`, (K, 28, 28) uint8) keeps one bright colour and bounces off the
    frame's edges. Only digit pixels differ from the still background (plus sensor noise), so
    the masks are the exact truth.
    """
    rng = np.random.default_rng(params.seed)
    h, w, side = params.height, params.width, DIGIT_SIDE * params.scale
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
