"""CDnet 2014: its counts and figures, its labels and temporal ROI."""

import numpy as np
import pytest

from mnistseg.errors import InputError
from mnistseg.video.cdnet import Counts, cdnet_metrics, parse_temporal_roi


def test_cdnet_figures_from_hand_made_counts():
    figures = cdnet_metrics(Counts(tp=30, fp=10, fn=20, tn=940))
    assert figures["recall"] == pytest.approx(30 / 50)
    assert figures["specificity"] == pytest.approx(940 / 950)
    assert figures["fpr"] == pytest.approx(10 / 950)
    assert figures["fnr"] == pytest.approx(20 / 50)
    assert figures["pwc"] == pytest.approx(100 * 30 / 1000)
    assert figures["precision"] == pytest.approx(30 / 40)
    assert figures["f_measure"] == pytest.approx(2 * 0.75 * 0.6 / (0.75 + 0.6))
    assert cdnet_metrics(Counts())["f_measure"] == 0.0


def test_per_frame_iou_and_f1_from_counts():
    pred = np.array([[255, 255, 0, 0]], np.uint8)
    truth = np.array([[255, 0, 255, 0]], np.uint8)
    frame = Counts.of(pred, truth)
    assert frame.iou() == pytest.approx(1 / 3) and frame.f1() == pytest.approx(2 / 4)
    assert Counts.of(pred * 0, truth * 0).iou() == 1.0 == Counts.of(pred * 0, truth * 0).f1()


def test_counts_add_field_by_field_and_any_nonzero_is_foreground():
    assert Counts(1, 2, 3, 4) + Counts(10, 20, 30, 40) == Counts(11, 22, 33, 44)
    pred = np.array([[1, 1, 0, 0]], np.uint8)  # a mask of ones, not of 255s
    truth = np.array([[255, 0, 255, 0]], np.uint8)
    assert Counts.of(pred, truth) == Counts(tp=1, fp=1, fn=1, tn=1)


def test_cdnet_labels_count_as_cdnet_counts_them():
    """255 is foreground; 0 and 50 (hard shadow) background; 85 (outside the ROI) and 170
    (unknown motion) count nowhere, whichever way they are predicted."""
    truth = np.array([[255, 255, 0, 0, 50, 50, 85, 85, 170, 170]], np.uint8)
    pred = np.array([[255, 0, 255, 0, 255, 0, 255, 0, 255, 0]], np.uint8)
    assert Counts.of(pred, truth) == Counts(tp=1, fn=1, fp=2, tn=2)


def test_temporal_roi():
    assert parse_temporal_roi("470 1700\n", "roi") == range(470, 1701)
    assert parse_temporal_roi("1 1", "roi") == range(1, 2)
    with pytest.raises(InputError, match="roi: expected two frame numbers"):
        parse_temporal_roi("470", "roi")
    for text in ("0 5", "6 5"):
        with pytest.raises(InputError) as err:
            parse_temporal_roi(text, "roi")
        assert str(err.value) == f"roi: expected 1 <= first <= last, got {text}"


def test_a_figure_whose_denominator_is_zero_is_zero():
    assert cdnet_metrics(Counts(tn=10)) == {  # no positives: recall, FNR, precision undefined
        "recall": 0.0, "specificity": 1.0, "fpr": 0.0, "fnr": 0.0, "pwc": 0.0,
        "precision": 0.0, "f_measure": 0.0,
    }  # fmt: skip
    assert cdnet_metrics(Counts(tp=4)) == {  # no negatives: specificity, FPR undefined
        "recall": 1.0, "specificity": 0.0, "fpr": 0.0, "fnr": 0.0, "pwc": 0.0,
        "precision": 1.0, "f_measure": 1.0,
    }  # fmt: skip


def test_the_f_measure_is_taken_from_precision_and_recall_as_cdnet_does():
    precision, recall = 1 / 1, 1 / 5
    figures = cdnet_metrics(Counts(tp=1, fn=4, tn=5))
    # 0.33333333333333337: one ulp away from 2 TP / (2 TP + FP + FN) = 0.3333333333333333
    assert figures["f_measure"] == 2 * precision * recall / (precision + recall)
