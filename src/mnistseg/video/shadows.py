"""Cast shadows: pixels that look like the background, darker.

A shadow dims the light that falls on the background: the pixel keeps the background's colour
(its BGR vector points the same way, shorter) and its texture (the grey levels around it
follow the background's, scaled). A dark object replaces the background: its colour, its
texture, or both differ. The rule is the classic one of Horprasert et al. (brightness and
colour distortion against a background model, 1999) with the texture test of Jacques et al.
(normalised cross-correlation over a window, 2005).
"""

from __future__ import annotations

import cv2
import numpy as np

from mnistseg.video.config import Shadows

# Below this product of the two windows' grey-level variances a window has no texture to
# compare: its correlation counts as 0, so a flat dark patch stays foreground.
FLAT = 1e-3
# cv2.transform with these weights: the sum of the three channels, and their mean.
CHANNEL_SUM = np.ones((1, 3), np.float32)
CHANNEL_MEAN = CHANNEL_SUM / 3


def _window_mean(image: np.ndarray, side: int) -> np.ndarray:
    return cv2.boxFilter(image, cv2.CV_32F, (side, side), borderType=cv2.BORDER_REFLECT)


def shadow_pixels(frame: np.ndarray, background: np.ndarray, rule: Shadows) -> np.ndarray:
    """(H, W) bool: where `frame` looks like `background` in shadow (both (H, W, 3) uint8 BGR).

    Brightness ratio (frame . background / |background|^2) within [darkest, lightest], the
    angle between the two colour vectors at most max_angle, and the normalised
    cross-correlation of their grey levels over a window x window square at least
    min_correlation.
    """
    pixel = frame.astype(np.float32)
    model = background.astype(np.float32)
    dot = cv2.transform(pixel * model, CHANNEL_SUM)  # (H, W) float32
    model_norm2 = np.maximum(cv2.transform(model * model, CHANNEL_SUM), 1.0)
    pixel_norm2 = np.maximum(cv2.transform(pixel * pixel, CHANNEL_SUM), 1.0)
    ratio = dot / model_norm2
    shadow = (ratio >= rule.darkest) & (ratio <= rule.lightest)
    # cos(angle) >= cos(max_angle), squared so no root is taken (and dot >= 0 kept)
    cos_limit = np.cos(rule.max_angle)
    shadow &= dot * np.abs(dot) >= cos_limit * cos_limit * model_norm2 * pixel_norm2

    grey, grey_model = cv2.transform(pixel, CHANNEL_MEAN), cv2.transform(model, CHANNEL_MEAN)
    side = rule.window
    mean, mean_model = _window_mean(grey, side), _window_mean(grey_model, side)
    covariance = _window_mean(grey * grey_model, side) - mean * mean_model
    variance = np.maximum(_window_mean(grey * grey, side) - mean * mean, 0)
    variance_model = np.maximum(_window_mean(grey_model * grey_model, side) - mean_model**2, 0)
    spread = variance * variance_model
    # correlation = covariance / sqrt(spread) >= min_correlation; 0 where there is no texture
    textured = spread > FLAT
    correlated = covariance >= rule.min_correlation * np.sqrt(spread)
    shadow &= np.where(textured, correlated, rule.min_correlation <= 0)
    return shadow
