"""The frame's foreground over a new background: hard, feathered, resized."""

import cv2
import numpy as np
from clips import EMPTY, H, W, moving_square

from mnistseg.video.compositing import composite, fit_background


def test_composite_shows_the_new_background_off_the_mask():
    clip, truth = moving_square()
    background = np.full((H, W, 3), (200, 10, 10), np.uint8)
    out = composite(clip[-1], background, truth[-1])
    on = truth[-1] > 0
    np.testing.assert_array_equal(out[on], clip[-1][on])
    np.testing.assert_array_equal(out[~on], background[~on])


def test_feather_softens_only_the_edge():
    clip, truth = moving_square(EMPTY + 1)  # the square at x = 2..13
    background = np.zeros((H, W, 3), np.uint8)
    hard = composite(clip[-1], background, truth[-1])
    soft = composite(clip[-1], background, truth[-1], feather=1.5)
    np.testing.assert_array_equal(soft[26, 8], hard[26, 8])  # deep inside the square
    np.testing.assert_array_equal(soft[50, 60], hard[50, 60])  # far outside
    assert (soft[20:32, 1] > 0).any()  # just left of the edge: some of the square bleeds in


def test_feathered_composite_is_the_blurred_mask_as_alpha():
    frame = np.full((20, 30, 3), (200, 100, 50), np.uint8)
    background = np.full((20, 30, 3), (10, 20, 30), np.uint8)
    mask = np.zeros((20, 30), np.uint8)
    mask[5:15, 8:22] = 255
    for feather in (0.5, 2.0):
        alpha = cv2.GaussianBlur(mask, (0, 0), sigmaX=feather).astype(np.float64)[..., None] / 255
        expected = frame * alpha + background * (1 - alpha)
        out = composite(frame, background, mask, feather)
        assert np.abs(out - expected).max() <= 0.51, feather
        assert not np.array_equal(out, composite(frame, background, mask))  # not a hard cut


def test_background_of_another_size_is_resized():
    fitted = fit_background(np.zeros((10, 300, 3), np.uint8), W, H)
    assert fitted.shape == (H, W, 3)


def test_a_background_of_the_frames_size_is_used_as_it_is():
    background = np.zeros((H, W, 3), np.uint8)
    assert fit_background(background, W, H) is background
    board = (np.indices((40, 60)).sum(axis=0) % 2 * 255).astype(np.uint8)
    board = np.dstack([board] * 3)
    # Shrinking by area averages the checkerboard to grey; other interpolations do not.
    np.testing.assert_array_equal(
        fit_background(board, 30, 20), cv2.resize(board, (30, 20), interpolation=cv2.INTER_AREA)
    )
    assert np.abs(fit_background(board, 30, 20).astype(int) - 128).max() <= 1
    odd = cv2.resize(board, (23, 17), interpolation=cv2.INTER_AREA)  # not an exact 2x
    np.testing.assert_array_equal(fit_background(board, 23, 17), odd)
    assert not np.array_equal(odd, cv2.resize(board, (23, 17)))  # bilinear would differ here


def test_any_nonzero_mask_value_shows_the_frame_as_the_scores_count_it():
    """A mask of ones, not only of 255s: the frame where it is 1, as Counts.of reads it."""
    frame = np.full((1, 4, 3), 200, np.uint8)
    background = np.full((1, 4, 3), 10, np.uint8)
    mask = np.array([[0, 1, 255, 0]], np.uint8)
    out = composite(frame, background, mask)
    np.testing.assert_array_equal(out[0, :, 0], [10, 200, 200, 10])
