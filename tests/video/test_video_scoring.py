"""Scoring a clip's masks: per-frame means, CDnet's pooled counts, the composite's PSNR."""

import numpy as np
import pytest

from mnistseg.video.cdnet import Counts
from mnistseg.video.compositing import Replaced, composite
from mnistseg.video.scoring import VideoScorer, headline, mean_squared_error, psnr


@pytest.mark.parametrize(
    ("mse", "db"), [(0.0, float("inf")), (1.0, 48.1308), (65025.0, 0.0), (100.0, 28.1308)]
)
def test_psnr_of_8_bit_values(mse, db):
    assert psnr(mse) == pytest.approx(db, abs=1e-4)


def test_mean_squared_error_is_of_the_difference():
    a = np.array([[0, 10, 255]], np.uint8)
    b = np.array([[3, 10, 0]], np.uint8)
    assert mean_squared_error(a, b) == pytest.approx((9 + 0 + 255**2) / 3)


def test_the_scorer_pools_scored_frames_and_scores_the_composite():
    background = np.zeros((1, 4, 3), np.uint8)
    frame = np.full((1, 4, 3), 200, np.uint8)
    truth = np.array([[255, 255, 0, 0]], np.uint8)
    scorer = VideoScorer(range(1, 3), background)
    masks = [truth, np.array([[255, 0, 0, 255]], np.uint8), truth]
    for t, mask in enumerate(masks):
        result = Replaced(frame, mask, composite(frame, background, mask))
        scorer.add(t, result, truth)
    scores = scorer.metrics()
    assert scores["scored_frames"] == 2 and scorer.counts == Counts(tp=3, fp=1, fn=1, tn=3)
    assert scores["mean_iou"] == pytest.approx((1 + 1 / 3 + 1) / 3)
    assert scores["mean_iou_after_warmup"] == pytest.approx((1 / 3 + 1) / 2)
    assert scores["f1_after_warmup"] == pytest.approx((0.5 + 1) / 2)
    # Frame 1's composite is wrong at two of its four pixels by 200: MSE 200**2 / 2 / 2.
    assert scores["composite_psnr_after_warmup"] == pytest.approx(psnr(200**2 / 4))
    assert scores["cdnet"]["precision"] == 0.75


def test_without_composites_the_masks_are_scored_and_no_psnr():
    frame = np.full((1, 4, 3), 200, np.uint8)
    truth = np.array([[255, 255, 0, 0]], np.uint8)
    scorer = VideoScorer(range(1, 3))
    for t, mask in enumerate([truth, np.array([[255, 0, 0, 255]], np.uint8), truth]):
        scorer.add(t, Replaced(frame, mask, None), truth)
    scores = scorer.metrics()
    assert scores["scored_frames"] == 2 and scorer.counts == Counts(tp=3, fp=1, fn=1, tn=3)
    assert "composite_psnr_after_warmup" not in scores


def test_with_no_frame_in_the_scored_range_the_means_are_over_all_frames():
    background = np.zeros((1, 2, 3), np.uint8)
    truth = np.array([[255, 0]], np.uint8)
    scorer = VideoScorer(range(5, 6), background)
    for t, mask in enumerate([truth, np.zeros_like(truth)]):
        scorer.add(t, Replaced(background, mask, background), truth)
    scores = scorer.metrics()
    assert scores["scored_frames"] == 0 and "composite_psnr_after_warmup" not in scores
    assert scores["mean_iou_after_warmup"] == scores["mean_iou"] == 0.5
    assert scores["f1_after_warmup"] == scores["f1"] == 0.5


def test_per_frame_means_leave_out_frames_with_nothing_scored():
    background = np.zeros((1, 2, 3), np.uint8)
    scorer = VideoScorer(range(1, 10), background)
    outside = np.array([[85, 170]], np.uint8)  # outside the ROI, unknown: nothing scored
    wrong = np.array([[255, 255]], np.uint8)
    empty = np.zeros((1, 2), np.uint8)
    scorer.add(1, Replaced(background, empty, background), outside)
    scorer.add(2, Replaced(background, empty, background), wrong)
    scores = scorer.metrics()
    assert scores["mean_iou"] == scores["mean_iou_after_warmup"] == 0.0  # not (1 + 0) / 2
    assert scores["f1"] == 0.0 and scores["scored_frames"] == 2


def test_a_clip_with_nothing_scored_scores_zero_not_nan():
    background = np.zeros((1, 2, 3), np.uint8)
    scorer = VideoScorer(range(1, 10), background)
    outside = np.array([[85, 170]], np.uint8)
    scorer.add(1, Replaced(background, np.zeros((1, 2), np.uint8), background), outside)
    scores = scorer.metrics()
    assert (scores["mean_iou"], scores["f1"]) == (0.0, 0.0)
    assert (scores["mean_iou_after_warmup"], scores["f1_after_warmup"]) == (0.0, 0.0)
    # A frame with as many false as true positives still has scored pixels.
    half = VideoScorer(range(1, 10), background)
    mask = np.array([[255, 255]], np.uint8)
    half.add(1, Replaced(background, mask, background), np.array([[255, 0]], np.uint8))
    assert half.metrics()["mean_iou"] == 0.5


def test_the_headline_keeps_a_handful():
    scores = {"frames": 3, "mean_foreground_fraction": 0.1, "mean_iou_after_warmup": 0.5,
              "f1_after_warmup": 0.6, "mean_iou": 0.4,
              "cdnet": {"precision": 1.0, "recall": 0.5, "f_measure": 0.6, "pwc": 3.0}}  # fmt: skip
    assert headline(scores) == {
        "mean_foreground_fraction": 0.1, "mean_iou_after_warmup": 0.5, "f1_after_warmup": 0.6,
        "cdnet": {"precision": 1.0, "recall": 0.5, "f_measure": 0.6},
    }  # fmt: skip
    assert headline({"mean_foreground_fraction": 0.2}) == {"mean_foreground_fraction": 0.2}


def test_the_scored_range_holds_1_based_frame_numbers():
    background = np.zeros((1, 2, 3), np.uint8)
    truth = np.array([[255, 0]], np.uint8)
    scorer = VideoScorer(range(2, 3))  # CDnet's temporalROI "2 2": frame 2 only
    for number, mask in ((1, truth), (2, np.zeros_like(truth)), (3, truth)):
        scorer.add(number, Replaced(background, mask, None), truth)
    scores = scorer.metrics()
    assert scores["scored_frames"] == 1 and scorer.counts == Counts(fn=1, tn=1)
    assert scores["mean_iou_after_warmup"] == 0.0 and scores["mean_iou"] == pytest.approx(2 / 3)


def test_the_ideal_composite_shows_the_frame_only_where_the_truth_is_foreground():
    """Shadow (50), outside the ROI (85) and unknown motion (170) are no foreground: a
    composite that puts the background there is the ideal one, PSNR infinite."""
    frame = np.full((1, 5, 3), 200, np.uint8)
    background = np.zeros((1, 5, 3), np.uint8)
    truth = np.array([[255, 50, 85, 170, 0]], np.uint8)
    mask = np.array([[255, 0, 0, 0, 0]], np.uint8)
    scorer = VideoScorer(range(1, 2), background)
    scorer.add(1, Replaced(frame, mask, composite(frame, background, mask)), truth)
    assert scorer.metrics()["composite_psnr_after_warmup"] == float("inf")
