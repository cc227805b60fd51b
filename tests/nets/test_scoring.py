import numpy as np
import pytest

from mnistseg.nets.scoring import Predictions, confusion_rows, per_digit_rows, score


def test_score_gates_wrong_classes(digit_masks):
    pred = Predictions(digit_masks, np.array([1, 2, 0]))
    result = score(pred, digit_masks, np.array([1, 7, 0]))
    assert result.headline["mean_iou"] == 1.0
    assert result.headline["accuracy"] == pytest.approx(2 / 3)
    assert result.headline["gated_iou"] == pytest.approx(2 / 3)
    assert result.per_digit == {
        "mean_iou": {"0": 1.0, "1": 1.0, "7": 1.0},
        "accuracy": {"0": 1.0, "1": 1.0, "7": 0.0},
        "gated_iou": {"0": 1.0, "1": 1.0, "7": 0.0},
    }
    assert set(result.headline) == {"mean_iou", "mean_dice", "pixel_iou", "accuracy", "gated_iou"}


def test_score_without_labels_has_no_per_digit(digit_masks):
    result = score(Predictions(digit_masks, None), digit_masks, None)
    assert result.per_digit == {} and result.headline["mean_dice"] == pytest.approx(1.0)
    assert set(result.headline) == {"mean_iou", "mean_dice", "pixel_iou"}


def test_score_of_a_half_right_mask(digit_masks):
    half = digit_masks.copy()
    half[0, 5:20, 12:14] = False  # half of the first digit missed
    result = score(Predictions(half, None), digit_masks, np.array([1, 7, 0]))
    assert result.headline["mean_iou"] == pytest.approx((0.5 + 1 + 1) / 3)
    assert result.headline["pixel_iou"] == pytest.approx((30 + 80) / (60 + 80))
    assert result.headline["mean_dice"] == pytest.approx((2 * 30 / 90 + 2) / 3, abs=1e-6)
    assert result.per_digit == {"mean_iou": {"0": 1.0, "1": 0.5, "7": 1.0}}


def test_per_digit_rows_make_one_row_per_digit():
    rows = per_digit_rows({"mean_iou": {"0": 0.5, "7": 1.0}, "accuracy": {"0": 1.0, "7": 0.0}})
    assert rows == [
        {"digit": "0", "mean_iou": 0.5, "accuracy": 1.0},
        {"digit": "7", "mean_iou": 1.0, "accuracy": 0.0},
    ]


def test_confusion_rows_are_csv_for_dvc():
    assert confusion_rows(np.array([3, 1]), np.array([3, 2])) == "actual,predicted\n3,3\n2,1\n"


def test_scores_are_means_over_items_and_gate_each_item_by_its_own_class():
    """Digit 3 three times (IoU 1, 0.5 with a wrong class, 0.5), digit 8 once (IoU 1): a
    wrong class on an imperfect mask, classes of different sizes. Neither mean IoU times
    accuracy, nor the mean over correct items, nor the mean over classes gives these."""
    target = np.zeros((4, 2, 4), bool)
    target[:, 0, :2] = True  # two pixels each
    pred = target.copy()
    pred[1, 0, 1] = pred[2, 0, 1] = False  # half of items 1 and 2 missed: IoU 0.5
    result = score(Predictions(pred, np.array([3, 5, 3, 8])), target, np.array([3, 3, 3, 8]))
    assert result.headline["mean_iou"] == pytest.approx(3 / 4)
    assert result.headline["accuracy"] == pytest.approx(3 / 4)  # not (2/3 + 1) / 2 by class
    assert result.headline["gated_iou"] == pytest.approx((1 + 0 + 0.5 + 1) / 4)
    assert result.per_digit["mean_iou"] == pytest.approx({"3": 2 / 3, "8": 1.0})
    assert result.per_digit["accuracy"] == pytest.approx({"3": 2 / 3, "8": 1.0})
    assert result.per_digit["gated_iou"] == pytest.approx({"3": (1 + 0 + 0.5) / 3, "8": 1.0})
