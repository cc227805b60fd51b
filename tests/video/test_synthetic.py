import numpy as np
import pytest

from mnistseg.errors import ParamError
from mnistseg.video.synthetic import ClipParams, render_clip
from scratch import changed, committed_section

SMALL = changed(
    committed_section(ClipParams, "video_source"), "video_source",
    frames=5, width=120, height=100, digits=2, scale=2, noise=0,
)  # fmt: skip


def test_rendered_clip_masks_are_exact():
    digits = np.zeros((3, 28, 28), np.uint8)
    digits[:, 8:20, 12:16] = 255
    frames, masks, background = render_clip(digits, SMALL)
    assert frames.shape == (5, 100, 120, 3) and masks.shape == (5, 100, 120)
    still = (masks[0] == 0) & (masks[1] == 0)
    np.testing.assert_array_equal(frames[0][still], frames[1][still])
    assert masks.max() == 255 and background.shape[:2] != (100, 120)


def test_same_seed_same_clip():
    digits = np.full((3, 28, 28), 200, np.uint8)
    first, second = render_clip(digits, SMALL), render_clip(digits, SMALL)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_digits_too_big_for_the_frame():
    with pytest.raises(ParamError) as err:
        changed(SMALL, "video_source", scale=4)
    assert str(err.value) == (
        "params.yaml: video_source.scale: draws digits of 112 px, which do not fit a 120x100 "
        "frame, got 4"
    )
