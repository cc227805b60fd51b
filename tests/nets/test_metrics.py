import numpy as np
import pytest
from sklearn.metrics import f1_score, jaccard_score

from mnistseg.nets.metrics import (
    dice_per_image,
    gated_iou,
    iou_per_image,
    per_class_mean,
    pixel_iou,
)


@pytest.fixture
def masks():
    rng = np.random.default_rng(0)
    pred = rng.random((40, 12, 12)) > 0.6
    target = rng.random((40, 12, 12)) > 0.5
    pred[0] = target[0] = False  # both empty
    pred[1], target[1] = False, True  # missed everything
    pred[2] = target[2]  # perfect
    return pred, target


def test_iou_agrees_with_sklearn(masks):
    pred, target = masks
    ours = iou_per_image(pred=pred, target=target)
    for p, t, value in zip(pred, target, ours):
        ref = jaccard_score(t.ravel(), p.ravel(), average="binary", zero_division=1.0)
        assert value == pytest.approx(ref)
    assert ours[0] == 1.0 and ours[1] == 0.0 and ours[2] == 1.0


def test_iou_zero_division_is_configurable(masks):
    pred, target = masks
    assert iou_per_image(pred=pred, target=target, zero_division=0.0)[0] == 0.0


def test_dice_is_f1_within_eps(masks):
    pred, target = masks
    ours = dice_per_image(pred=pred, target=target)
    for p, t, value in zip(pred[1:], target[1:], ours[1:]):
        assert value == pytest.approx(f1_score(t.ravel(), p.ravel(), zero_division=1.0), abs=1e-6)
    assert ours[0] == 1.0


def test_pixel_iou_pools_all_pixels(masks):
    pred, target = masks
    ref = jaccard_score(target.ravel(), pred.ravel())
    assert pixel_iou(pred=pred, target=target) == pytest.approx(ref)
    empty = np.zeros((2, 3, 3), bool)
    assert pixel_iou(pred=empty, target=empty) == 1.0


def test_gated_iou_zeroes_wrong_classes():
    iou = np.array([0.9, 0.8, 0.7])
    gated = gated_iou(iou=iou, pred_labels=np.array([1, 2, 3]), labels=np.array([1, 0, 3]))
    np.testing.assert_allclose(gated, [0.9, 0.0, 0.7])


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in shape"):
        iou_per_image(pred=np.zeros((2, 3, 3), bool), target=np.zeros((2, 3, 4), bool))


def test_per_class_mean_skips_absent_classes():
    assert per_class_mean(np.array([1.0, 0.0, 0.5]), np.array([3, 3, 7])) == {"3": 0.5, "7": 0.5}
    every = per_class_mean(np.arange(12.0), np.arange(12) % 10)
    assert list(every) == [str(c) for c in range(10)] and every["1"] == 6.0


@pytest.mark.parametrize(
    ("pred", "target", "iou"),
    [([1, 0], [0, 0], 0.0), ([1, 0], [1, 0], 1.0), ([0, 1], [1, 1], 0.5), ([0, 0], [0, 0], 1.0)],
)
def test_iou_of_one_or_two_pixels(pred, target, iou):
    pred, target = np.array([pred], bool), np.array([target], bool)
    assert iou_per_image(pred=pred, target=target).tolist() == [iou]
    assert pixel_iou(pred=pred, target=target) == iou


def test_dice_uses_the_assignments_eps_of_1e_6():
    pred = np.array([[[True, False]], [[True, False]]])
    target = np.array([[[False, False]], [[True, True]]])
    dice = dice_per_image(pred=pred, target=target)
    assert dice[0] == pytest.approx(1e-6 / (1 + 1e-6), rel=1e-9)  # not 0 (exact F1), not 1e-7
    assert dice[1] == pytest.approx((2 + 1e-6) / (3 + 1e-6), rel=1e-12)
