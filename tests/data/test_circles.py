import cv2
import numpy as np
import pytest

from mnistseg.data.circles import NO_CIRCLE, circle_masks, circle_params, draw_circle
from mnistseg.data.otsu import otsu_masks


def largest_contour_pixels(mask: np.ndarray) -> np.ndarray:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    largest = max(contours, key=cv2.contourArea)
    filled = np.zeros_like(mask)
    cv2.drawContours(filled, [largest], -1, 255, thickness=-1)
    ys, xs = np.nonzero(filled & mask)
    return np.stack([xs, ys], axis=1).astype(np.float64)


def test_circle_contains_every_pixel_of_the_largest_contour(digits):
    images, _ = digits
    masks, _ = otsu_masks(images)
    for mask in masks:
        cx, cy, radius = circle_params(mask)
        pixels = largest_contour_pixels(mask)
        distances = np.hypot(pixels[:, 0] - cx, pixels[:, 1] - cy)
        # minEnclosingCircle is computed in float32: allow its rounding, nothing more.
        assert distances.max() <= radius + 1e-3


def test_single_blob_is_fully_enclosed():
    mask = np.zeros((28, 28), np.uint8)
    cv2.ellipse(mask, (14, 12), (8, 4), 30, 0, 360, 255, -1)
    cx, cy, radius = circle_params(mask)
    ys, xs = np.nonzero(mask)
    assert np.hypot(xs - cx, ys - cy).max() <= radius + 1e-3


def test_drawn_masks_equal_opencv_drawing(digits):
    images, _ = digits
    masks, _ = otsu_masks(images)
    drawn, circles, empty = circle_masks(masks)
    assert empty == 0
    for disc, (cx, cy, radius) in zip(drawn, circles):
        ref = np.zeros((28, 28), np.uint8)
        cv2.circle(ref, (int(cx), int(cy)), int(radius), 255, -1)
        np.testing.assert_array_equal(disc, ref)
        drawn_one = draw_circle((28, 28), cx, cy, radius)
        assert drawn_one.dtype == np.uint8
        np.testing.assert_array_equal(disc, drawn_one)


def test_largest_contour_wins():
    mask = np.zeros((28, 28), np.uint8)
    mask[2:4, 2:4] = 255  # a speck
    mask[10:20, 12:22] = 255  # the digit
    cx, cy, radius = circle_params(mask)
    assert 14 < cx < 19 and 12 < cy < 17 and radius < 8


@pytest.mark.parametrize("count", [1, 3])
def test_empty_masks_give_empty_circles_and_are_counted(count):
    masks = np.zeros((count + 1, 28, 28), np.uint8)
    masks[-1, 5:9, 5:9] = 255
    drawn, circles, empty = circle_masks(masks)
    assert empty == count
    assert drawn[:count].max() == 0
    np.testing.assert_array_equal(circles[:count], [[0.0, 0.0, NO_CIRCLE]] * count)
    assert drawn[-1].max() == 255
    assert drawn.dtype == np.uint8 and circles.dtype == np.float32
    assert circles.shape == (count + 1, 3)


def test_the_largest_part_is_the_one_of_largest_area_not_of_most_points():
    """A compact square beside a long thin zigzag: the zigzag has more contour points and a
    longer outline, the square the larger area (the assignment's cv2.contourArea)."""
    mask = np.zeros((28, 28), np.uint8)
    mask[2:10, 2:10] = 255
    for row in range(12, 27):  # two pixels wide, wiggling down rows 12-26
        x = 14 + (0, 1, 2, 1)[row % 4]
        mask[row, x : x + 2] = 255
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    zigzag, square = sorted(contours, key=len, reverse=True)
    assert cv2.contourArea(square) > cv2.contourArea(zigzag)
    assert cv2.arcLength(zigzag, True) > cv2.arcLength(square, True)
    cx, cy, radius = circle_params(mask)
    assert (cx, cy) == pytest.approx((5.5, 5.5), abs=0.01) and radius < 5.5


def test_circles_are_drawn_with_truncated_centre_and_radius():
    """As the assignment's `cv2.circle(mask, (int(cx), int(cy)), int(r), ...)`: 10.7 is 10."""
    drawn = draw_circle((28, 28), 10.7, 12.9, 5.8)
    truncated = cv2.circle(np.zeros((28, 28), np.uint8), (10, 12), 5, 255, thickness=-1)
    rounded = cv2.circle(np.zeros((28, 28), np.uint8), (11, 13), 6, 255, thickness=-1)
    np.testing.assert_array_equal(drawn, truncated)
    assert not np.array_equal(drawn, rounded)


def hairline(mask: np.ndarray) -> None:
    """22 pixels in a row: more pixels than the blob, and a larger box."""
    mask[20, 2:24] = 255


def diagonal(mask: np.ndarray) -> None:
    """15 pixels on a diagonal: fewer pixels than the blob, a far larger box (225)."""
    cv2.line(mask, (2, 26), (16, 12), 255, 1)


@pytest.mark.parametrize("draw_decoy", [hairline, diagonal])
def test_the_largest_part_is_by_contour_area_not_pixels_or_bounding_box(draw_decoy):
    """A 4x4 blob (contour area 9, 16 pixels, a box of 16) beside a one-pixel stroke (contour
    area 0): more pixels or a larger bounding box would pick the stroke."""
    mask = np.zeros((28, 28), np.uint8)
    mask[2:6, 20:24] = 255
    draw_decoy(mask)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    stroke, blob = sorted(contours, key=cv2.contourArea)
    assert cv2.contourArea(stroke) == 0 < cv2.contourArea(blob)
    filled = [cv2.drawContours(np.zeros_like(mask), [c], -1, 1, -1).sum() for c in (stroke, blob)]
    boxes = [cv2.boundingRect(c)[2] * cv2.boundingRect(c)[3] for c in (stroke, blob)]
    assert filled[0] > filled[1] or boxes[0] > boxes[1]
    cx, cy, radius = circle_params(mask)
    assert (cx, cy) == pytest.approx((21.5, 3.5), abs=0.01) and radius < 2.5
