import cv2
import numpy as np

from mnistseg.pictures import (
    FALSE_NEGATIVE,
    FALSE_POSITIVE,
    TRUE_POSITIVE,
    circle_preview,
    encode_png,
    error_map,
    image_grid,
    mask_preview,
    prediction_grid,
    video_preview,
)


def test_error_map_colours():
    pred = np.array([[True, True, False, False]])
    target = np.array([[True, False, True, False]])
    out = error_map(pred, target)
    assert [tuple(px) for px in out[0]] == [
        TRUE_POSITIVE,
        FALSE_POSITIVE,
        FALSE_NEGATIVE,
        (0, 0, 0),
    ]


def test_grid_places_tiles_row_by_row():
    tiles = [np.full((2, 3, 3), v, np.uint8) for v in (10, 20, 30)]
    sheet = image_grid(tiles, columns=2, scale=1, gap=1)
    assert sheet.shape == (2 * 3 + 1, 2 * 4 + 1, 3)
    assert sheet[1, 1, 0] == 10 and sheet[1, 5, 0] == 20 and sheet[4, 1, 0] == 30
    assert sheet[0, 0, 0] == 255  # the gap is white


def test_previews_have_the_expected_layout(digits):
    images, _ = digits
    masks = ((images > 100) * 255).astype(np.uint8)
    assert mask_preview(images, masks, count=4).shape == (3 * (2 * 30 + 2), 3 * (4 * 30 + 2), 3)
    circles = np.array([[14, 14, 10]] * 4, np.float32)
    assert circle_preview(images, masks, circles, count=4).shape[1] == 3 * (4 * 30 + 2)
    grid = prediction_grid(images, masks > 0, masks > 0, count=2)
    assert grid.shape == (3 * (2 * 30 + 2), 3 * (2 * 30 + 2), 3)
    frame = np.zeros((10, 12, 3), np.uint8)
    shot = (frame, np.zeros((10, 12), np.uint8), frame)
    assert video_preview([shot, shot]).shape == (2 * 12 + 2, 3 * 14 + 2, 3)


def test_png_round_trip():
    image = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    decoded = cv2.imdecode(np.frombuffer(encode_png(image), np.uint8), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(decoded, image)
