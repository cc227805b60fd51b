"""The shadow rule: a pixel darker than the background with its colour and its texture is
shadow; a dark object, which changes one or the other, is not."""

import cv2
import numpy as np
import pytest
from clips import DEFAULTS

from mnistseg.video.shadows import shadow_pixels

RULE = DEFAULTS.vote.shadows  # darker to 0.4-0.95 of the background, 0.1 rad, NCC 0.7, 7x7


def textured_background(height: int = 40, width: int = 140, seed: int = 0) -> np.ndarray:
    """A bluish grey paving: its brightness varies from pixel to pixel by up to a third."""
    rng = np.random.default_rng(seed)
    texture = cv2.GaussianBlur(rng.uniform(0.7, 1.3, (height, width)).astype(np.float32), (3, 3), 0)
    colour = np.array([170, 150, 140], np.float32)  # BGR
    return np.clip(texture[..., None] * colour, 0, 255).astype(np.uint8)


# Six 20-pixel-wide bands over the background, each darker or lighter in its own way.
BANDS = {
    "shadow": slice(0, 20),  # the background at 0.6 of its brightness
    "flat dark object": slice(20, 40),  # the background's mean colour at 0.6, no texture
    "dark object of another colour": slice(40, 60),  # the texture at 0.6, channels swapped
    "too dark": slice(60, 80),  # the background at 0.2
    "lighter": slice(80, 100),  # the background at 1.1
    "dark object of its own texture": slice(100, 120),  # another paving of its colour, at 0.6
}  # the last 20 columns: the background itself


def scene() -> tuple[np.ndarray, np.ndarray]:
    background = textured_background()
    frame = background.copy()
    dimmed = (background.astype(np.float32) * 0.6).astype(np.uint8)
    frame[:, BANDS["shadow"]] = dimmed[:, BANDS["shadow"]]
    mean_colour = background.reshape(-1, 3).mean(axis=0) * 0.6
    frame[:, BANDS["flat dark object"]] = mean_colour.astype(np.uint8)
    frame[:, BANDS["dark object of another colour"]] = dimmed[:, 40:60, ::-1]
    frame[:, BANDS["too dark"]] = (background[:, 60:80] * 0.2).astype(np.uint8)
    frame[:, BANDS["lighter"]] = np.clip(background[:, 80:100] * 1.1, 0, 255).astype(np.uint8)
    other = textured_background(seed=1).astype(np.float32) * 0.6
    frame[:, BANDS["dark object of its own texture"]] = other[:, 100:120].astype(np.uint8)
    return frame, background


def band_share(flags: np.ndarray, band: slice) -> float:
    """Share of the band's pixels flagged, away from its edges (the window straddles them)."""
    return float(flags[4:-4, band][:, 4:-4].mean())


def test_a_shadow_is_flagged_and_dark_objects_are_not():
    frame, background = scene()
    flags = shadow_pixels(frame, background, RULE)
    assert band_share(flags, BANDS["shadow"]) == 1.0
    for name in [*BANDS][1:]:
        assert band_share(flags, BANDS[name]) == 0.0, name
    assert not flags[:, 120:][4:-4, 4:].any()  # the background itself is no shadow


@pytest.mark.parametrize(
    ("change", "now_flagged"),
    [
        ({"min_correlation": -1.0}, "flat dark object"),  # without the texture test
        ({"min_correlation": -1.0}, "dark object of its own texture"),
        ({"max_angle": 1.5}, "dark object of another colour"),  # without the colour test
        ({"darkest": 0.1}, "too dark"),
    ],
)
def test_each_test_of_the_rule_keeps_one_dark_object(change, now_flagged):
    frame, background = scene()
    loose = RULE.model_copy(update=change)
    flags = shadow_pixels(frame, background, loose)
    assert band_share(flags, BANDS[now_flagged]) > 0.9
    assert band_share(shadow_pixels(frame, background, RULE), BANDS[now_flagged]) == 0.0


def test_a_grey_background_works_as_well():
    # CNT's background is grey: as BGR, its colour test compares grey with grey.
    _, background = scene()
    grey = cv2.cvtColor(cv2.cvtColor(background, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    shaded = (grey.astype(np.float32) * 0.6).astype(np.uint8)
    flags = shadow_pixels(shaded, grey, RULE)
    assert band_share(flags, slice(0, 140)) == 1.0


@pytest.mark.parametrize("share", [0.5, 0.75])
def test_the_brightness_limits_and_no_texture_at_min_correlation_0_count_as_shadow(share):
    # A flat background at exactly `darkest` and at exactly `lightest` of its brightness: the
    # limits belong to the rule, and a window with no texture passes at min_correlation 0.
    background = np.full((20, 20, 3), 200, np.uint8)
    frame = np.full((20, 20, 3), int(200 * share), np.uint8)
    rule = RULE.model_copy(update={"darkest": 0.5, "lightest": 0.75, "min_correlation": 0.0})
    assert shadow_pixels(frame, background, rule).all()
    rule = RULE.model_copy(update={"darkest": 0.5, "lightest": 0.75, "min_correlation": 0.01})
    assert not shadow_pixels(frame, background, rule).any()
