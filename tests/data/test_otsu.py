import cv2
import numpy as np
import pytest

from mnistseg.data.otsu import otsu_masks


def test_matches_opencv_byte_for_byte(digits):
    images, _ = digits
    masks, thresholds = otsu_masks(images)
    assert masks.dtype == thresholds.dtype == np.uint8 and thresholds.shape == (len(images),)
    for image, mask, threshold in zip(images, masks, thresholds):
        ref_threshold, ref_mask = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        assert threshold == ref_threshold
        assert mask.tobytes() == ref_mask.tobytes()
    assert set(np.unique(masks)) == {0, 255}


def test_black_image_gives_empty_mask():
    masks, thresholds = otsu_masks(np.zeros((2, 28, 28), np.uint8))
    assert masks.max() == 0 and thresholds.tolist() == [0, 0]


@pytest.mark.parametrize(
    "images",
    [np.zeros((28, 28), np.uint8), np.zeros((2, 28, 28), np.float32), np.zeros((28, 28), float)],
    ids=["one-image", "float-stack", "both"],
)
def test_rejects_anything_but_a_uint8_stack(images):
    with pytest.raises(ValueError, match=r"takes \(N, H, W\) uint8 images, got \("):
        otsu_masks(images)
