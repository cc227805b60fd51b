"""Foreground masks: the assignment's loop, and the clean-up every subtractor's masks go through."""

import cv2
import numpy as np
import pytest
from clips import DEFAULTS, EMPTY, SIDE, SPEED, H, W, masker, moving_square, replaced, video_params

from mnistseg.video.scoring import VideoScorer


def assignment_masks(frames):
    """The assignment's loop as it wrote it, transcribed: MOG2, > 200, open 3x3, median 5."""
    subtractor = cv2.createBackgroundSubtractorMOG2(detectShadows=True)
    kernel = np.ones((3, 3), np.uint8)
    for frame in frames:
        mask = subtractor.apply(frame)
        _, mask = cv2.threshold(mask, 200, 255, cv2.THRESH_BINARY)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        yield cv2.medianBlur(mask, 5)


def test_defaults_are_the_assignment_loop_frame_by_frame():
    clip, _ = moving_square()
    background = np.full((H, W, 3), 7, np.uint8)
    ours = replaced(clip, background)
    for t, (result, theirs) in enumerate(zip(ours, assignment_masks(clip))):
        np.testing.assert_array_equal(result.mask, theirs, err_msg=f"frame {t}")
        expected = np.where(theirs[..., None] > 0, clip[t], background)
        np.testing.assert_array_equal(result.composite, expected)
    assert len(ours) == len(clip)


def test_mask_follows_the_square():
    clip, truth = moving_square()
    scorer = VideoScorer(range(EMPTY, len(clip)), np.zeros((H, W, 3), np.uint8))
    masks = []
    for t, result in enumerate(replaced(clip, np.zeros((H, W, 3), np.uint8))):
        scorer.add(t, result, truth[t])
        masks.append(result.mask)
    scores = scorer.metrics()
    assert scores["mean_iou_after_warmup"] > 0.8 and scores["scored_frames"] == len(clip) - EMPTY
    assert scores["cdnet"]["f_measure"] > 0.8
    for t in range(EMPTY, len(clip)):
        ys, xs = np.nonzero(masks[t])
        x = 2 + SPEED * (t - EMPTY)
        assert abs(xs.mean() - (x + SIDE / 2)) < 2 and abs(ys.mean() - (20 + SIDE / 2)) < 2


class Raw:
    """A stand-in subtractor that returns given raw masks, to test what follows it."""

    def __init__(self, raw: np.ndarray) -> None:
        self.raw = raw

    def apply(self, frame: np.ndarray) -> np.ndarray:
        return self.raw


@pytest.mark.parametrize(
    ("open_kernel", "close_kernel", "median_kernel"),
    [(3, 0, 5), (0, 5, 0), (3, 3, 3), (0, 0, 0), (5, 0, 0)],
)
def test_the_clean_up_thresholds_opens_closes_then_blurs(open_kernel, close_kernel, median_kernel):
    rng = np.random.default_rng(0)
    raw = rng.choice(np.array([0, 127, 255], np.uint8), size=(40, 50), p=[0.5, 0.2, 0.3])
    raw[10:30, 10:30] = 255
    raw[18, 12:28] = 0  # a gap that closing fills
    raw[32:36, 40:44] = 255  # a 4x4 blob: a 3x3 opening keeps it, a 5x5 one does not
    cleanup = {"threshold": 200, "open_kernel": open_kernel, "close_kernel": close_kernel,
               "median_kernel": median_kernel}  # fmt: skip
    cleaning = masker(video_params(cleanup=cleanup))
    cleaning.subtractor = Raw(raw)
    expected = np.where(raw > 200, 255, 0).astype(np.uint8)  # shadows (127) dropped
    if open_kernel:
        square = cv2.getStructuringElement(cv2.MORPH_RECT, (open_kernel, open_kernel))
        expected = cv2.morphologyEx(expected, cv2.MORPH_OPEN, square)
    if close_kernel:
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close_kernel, close_kernel))
        expected = cv2.morphologyEx(expected, cv2.MORPH_CLOSE, disc)
    if median_kernel:
        expected = cv2.medianBlur(expected, median_kernel)
    mask = cleaning(np.zeros((40, 50, 3), np.uint8))
    np.testing.assert_array_equal(mask, expected)
    assert set(np.unique(mask)) <= {0, 255}
    if close_kernel:
        assert mask[18, 20] == 255  # the gap is filled


def test_the_threshold_keeps_values_above_it_only():
    cleaning = masker(
        video_params(cleanup={"threshold": 127, "open_kernel": 0, "median_kernel": 0})
    )
    cleaning.subtractor = Raw(np.array([[126, 127, 128, 255]], np.uint8))
    np.testing.assert_array_equal(cleaning(np.zeros((1, 4, 3), np.uint8)), [[0, 0, 255, 255]])
    assert DEFAULTS.cleanup.threshold == 200
