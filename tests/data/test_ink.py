"""A digit's ink on a picture: contrast to the paper, the paper's lines, specks, no digit."""

import cv2
import numpy as np
import pytest

from handwriting import paper, pen_ink, photo, ruled, write
from mnistseg.data.ink import (
    MIN_CONTRAST,
    MIN_DIGIT_SHARE,
    MIN_SIDE,
    PAPER_SIDE,
    NoDigit,
    digit_ink,
    digit_parts,
    ink_contrast,
    paper_level,
    paper_lines,
    with_rims,
)

BOX = (300, 200, 350, 500)  # where the digit is written on a 900 x 1000 page


def test_ink_is_its_contrast_to_the_paper_under_it_on_either_side():
    shaded = photo(write(paper((900, 1000), shading=0.6), "4", BOX, pen=8, darkness=0.5))
    ink = pen_ink(shaded.shape, "4", BOX, 8)
    rims = cv2.dilate(ink.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # anti-aliased
    for picture in (shaded, 255 - shaded):  # pen on paper; chalk on a board
        contrast = ink_contrast(picture)
        # Half the paper's level under it, on the lit side and in the shadow alike ...
        assert np.median(contrast[ink]) == pytest.approx(0.5, abs=0.05)
        assert np.median(contrast[:, 600:][ink[:, 600:]]) == pytest.approx(0.5, abs=0.05)
        # ... and the shadow, 0.6 darker at the right, is paper: one threshold for the whole
        # picture takes it for ink.
        assert contrast[~rims].max() < MIN_CONTRAST / 2
    _, otsu = cv2.threshold(shaded, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    assert otsu.sum() > 10 * ink.sum()


def test_faint_paper_has_nothing_that_stands_out():
    # A camera's noise, as the photos' bare corners have it: a faint stroke does not stand out.
    faint = photo(write(paper((300, 400), noise=8), "7", (100, 50, 150, 200), pen=4, darkness=0.15))
    with pytest.raises(NoDigit, match=r"^no digit: nothing stands out"):
        digit_ink(ink_contrast(faint))
    darker = photo(write(paper((300, 400), noise=8), "7", (100, 50, 150, 200), pen=4, darkness=0.3))
    assert digit_ink(ink_contrast(darker))[0].any()


def test_a_faint_stroke_on_clean_paper_stands_out_and_a_fainter_one_does_not():
    box = (100, 50, 150, 200)
    clean = photo(write(paper((300, 400), noise=0), "7", box, pen=4, darkness=0.15))
    assert digit_ink(ink_contrast(clean))[0].any()  # a drawing program's light grey
    # Its texture: no grey level of noise, but a few of shading: 0.15 is over 8 times it.
    shaded = photo(write(paper((300, 400), noise=0, shading=0.1), "7", box, pen=4, darkness=0.15))
    assert digit_ink(ink_contrast(shaded))[0].any()
    faintest = photo(write(paper((300, 400), noise=0), "7", box, pen=4, darkness=0.07))
    with pytest.raises(NoDigit, match=r"^no digit: nothing stands out .*contrast 0.0"):
        digit_ink(ink_contrast(faintest))
    # As faint, on paper with a few grey levels of texture: 0.15 is under 8 times it.
    textured = photo(write(paper((300, 400), noise=4), "7", box, pen=4, darkness=0.15))
    with pytest.raises(NoDigit, match=r"^no digit: nothing stands out"):
        digit_ink(ink_contrast(textured))


def lines(shape, rows=(), columns=(), width=3):
    """(H, W) bool: straight lines across a picture at these rows and columns."""
    drawn = np.zeros(shape, bool)
    for row in rows:
        drawn[row : row + width] = True
    for column in columns:
        drawn[:, column : column + width] = True
    return drawn


def near_none_of(drawn):
    """(H, W) float32: each pixel's distance to the nearest drawn one."""
    return cv2.distanceTransform(np.where(drawn, np.uint8(0), np.uint8(1)), cv2.DIST_L2, 5)


def test_the_papers_lines_cross_it_in_parallel_and_a_stroke_does_not():
    shape = (400, 500)
    grid = lines(shape, rows=(50, 150, 250, 350), columns=(60, 180, 300, 420))
    one = np.zeros(shape, bool)
    one[80:320, 236:244] = True  # a "1", parallel to the grid's columns, ending inside,
    # written with a pen wider than the printed lines
    found = paper_lines(grid | one)
    # The grid, but where the "1", wider, runs over it: the "1" stays whole.
    assert found[grid & (near_none_of(one) > 4)].all()
    assert not (found & one).any()
    # One line alone across the picture may be a stroke; two parallel ones are the paper's.
    single = lines(shape, rows=(200,))
    assert not paper_lines(single).any()
    assert paper_lines(single | lines(shape, rows=(300,))).all(axis=1)[[200, 300]].all()


def test_a_line_along_the_pictures_edge_is_its_frame():
    shape = (300, 400)
    frame = lines(shape, rows=(0,), width=2)  # a crop's dark border
    seven = pen_ink(shape, "7", (120, 60, 150, 180), 5)
    assert not paper_lines(seven).any()
    np.testing.assert_array_equal(paper_lines(frame | seven), frame)
    inside = lines(shape, rows=(40,), width=2)  # the same line further in: a stroke
    assert not paper_lines(inside | seven).any()


def test_a_stroke_beside_or_over_a_line_of_the_paper_is_not_that_line():
    shape = (900, 1000)
    grid = lines(shape, rows=range(0, 900, 80), columns=range(0, 1000, 80))
    four = pen_ink(shape, "4", BOX, 8)  # two of its strokes along the grid's, 10 pixels off
    found = paper_lines(grid | four)
    assert found[grid & (near_none_of(four) > 4)].all()
    assert not (found & four).any()


def blobs(shape, boxes):
    """(H, W) bool: filled boxes (x, y, width, height)."""
    drawn = np.zeros(shape, bool)
    for x, y, width, height in boxes:
        drawn[y : y + height, x : x + width] = True
    return drawn


def test_specks_away_from_the_digit_are_left_out_and_its_broken_parts_kept():
    digit = blobs((400, 400), [(150, 100, 10, 200), (170, 100, 40, 10)])  # a stroke, a piece
    specks = blobs((400, 400), [(20, 30, 3, 3), (350, 360, 4, 2), (165, 320, 3, 3)])
    # The piece is a tenth of the stroke's area: a part; the speck at (165, 320) is near it.
    np.testing.assert_array_equal(
        digit_parts(digit | specks), digit | blobs((400, 400), [(165, 320, 3, 3)])
    )


def test_the_digit_is_not_what_the_pictures_edge_cuts():
    shape = (600, 500)
    table = blobs(shape, [(0, 0, 500, 90)])  # beyond the paper's edge, larger than the digit
    digit = blobs(shape, [(200, 250, 12, 200), (200, 250, 80, 12)])
    np.testing.assert_array_equal(digit_parts(table | digit), digit)
    # A digit that fills its picture is cut by the edge, and kept.
    filling = blobs(shape, [(200, 0, 12, 600)])
    np.testing.assert_array_equal(digit_parts(filling), filling)
    # A line's end that the edge cuts hardly reaches in: not a digit.
    with pytest.raises(NoDigit, match="cut by the picture's edge"):
        digit_parts(blobs(shape, [(0, 200, 8, 40)]))


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (ruled(paper((600, 800)), 60, 0.4, squared=True, tilt=3), "paper's lines"),
        (ruled(paper((600, 800)), 60, 0.4, tilt=-4), "paper's lines"),
        (paper((600, 800), shading=0.5), "nothing stands out"),
    ],
    ids=["squared", "ruled", "shaded"],
)
def test_bare_paper_has_no_digit(page, reason):
    with pytest.raises(NoDigit, match=f"^no digit: .*{reason}"):
        digit_ink(ink_contrast(photo(page)))


def test_specks_alone_are_no_digit():
    page = paper((600, 800))
    for x, y in ((100, 100), (500, 300), (700, 550)):
        page[y : y + 5, x : x + 5] *= 0.3  # dust
    with pytest.raises(NoDigit, match=r"^no digit: only specks"):
        digit_ink(ink_contrast(photo(page)))


def ramp(shape, step, across=True):
    """(H, W) uint8: paper shaded evenly, `step` grey levels a pixel, across or down."""
    height, width = shape
    if across:
        return np.tile((np.arange(width) * step + 20).astype(np.uint8), (height, 1))
    return np.tile((np.arange(height) * step + 20).astype(np.uint8)[:, None], (1, width))


@pytest.mark.parametrize("shape", [(40, 60), (10, 12), (300, 400)], ids=["small", "tiny", "photo"])
def test_an_even_shading_is_the_papers_level_as_it_is(shape):
    # An opening keeps an even shading whole, at any window; its edge pixels are blurred.
    for across in (True, False):
        step = 2 if min(shape) <= PAPER_SIDE else 0.5
        shaded = ramp(shape, step, across)
        level = paper_level(shaded)
        assert level.dtype == np.float32 and level.shape == shape
        # Exactly on a picture the level is estimated at its own size; within a grey level
        # on one shrunk for it.
        tolerance = 0 if min(shape) <= PAPER_SIDE else 1
        np.testing.assert_allclose(level[1:-1, 1:-1], shaded[1:-1, 1:-1], atol=tolerance)


def test_a_fine_texture_of_the_paper_is_in_its_level_as_its_mean():
    # Ink light: a dark paper with a light line every third column, a pixel wide (its weave,
    # a print's raster), on a picture large enough to be shrunk for the estimate.
    picture = np.full((960, 960), 40, np.uint8)
    picture[:, ::3] = 100
    assert np.abs(paper_level(picture) - picture.mean()).max() <= 2


def test_paper_wider_than_a_quarter_of_the_picture_is_paper_and_a_stroke_is_not():
    shape = (120, 160)
    picture = np.full(shape, 40, np.uint8)  # ink light: the paper dark, as paper_level takes it
    picture[:, 10:50] = 120  # lighter paper, a third of the short side wide: a shadow's edge
    picture[:, 100:110] = 200  # a stroke ten pixels wide
    level = paper_level(picture)
    assert np.abs(level[:, 15:45] - 120).max() <= 1
    assert np.abs(level[:, 95:115] - 40).max() <= 1


def test_the_ink_is_the_side_further_from_the_median_grey():
    picture = np.full((100, 100), 120, np.uint8)
    picture[50:] = 130  # half the picture at 120, half at 130: the median between them
    picture[0, 0], picture[-1, -1] = 0, 255
    # 125 is nearer the dark end than the light: the ink is light.
    contrast = ink_contrast(picture)
    assert contrast[-1, -1] > 0.9 and contrast[0, 0] == 0
    # As far either way: dark ink on paper, as written most.
    even = np.full((100, 100), 100, np.uint8)
    even[10:20, 10:20], even[60:70, 60:70] = 0, 200
    contrast = ink_contrast(even)
    assert contrast[15, 15] == pytest.approx(1.0) and contrast[65, 65] == 0


def test_contrast_runs_from_0_on_the_paper_to_1_at_the_inks_extreme():
    page = np.full((200, 200), 180, np.uint8)
    page[50:150, 95:105] = 0  # black ink
    page[10:14, 10:14] = 250  # glare, lighter than the paper
    contrast = ink_contrast(page)
    assert contrast[100, 100] == 1.0
    assert contrast.min() == 0.0 and contrast[12, 12] == 0.0


def blocks_of_contrast(shape, boxes, value):
    contrast = np.zeros(shape, np.float32)
    for x, y, width, height in boxes:
        contrast[y : y + height, x : x + width] = value
    return contrast


def test_a_digit_at_the_least_contrast_stands_out_with_its_strokes_at_half_the_peak():
    shape = (200, 200)
    digit = [(90, 40, 12, 120)]
    contrast = blocks_of_contrast(shape, digit, MIN_CONTRAST)
    assert digit_ink(contrast)[0].sum() == 12 * 120
    contrast = blocks_of_contrast(shape, digit, 0.8)
    contrast[40:160, 102:104] = 0.4  # its rim, at half the peak exactly: the stroke's width
    strokes, peak = digit_ink(contrast)
    assert peak == pytest.approx(0.8) and strokes.sum() == 14 * 120


def test_a_part_the_edge_cuts_that_reaches_in_as_far_as_a_digit_must_is_kept():
    shape = (200, 200)
    least = max(MIN_SIDE, MIN_DIGIT_SHARE * min(shape))  # 8 pixels
    mark = blobs(shape, [(0, 60, int(least), 40)])
    np.testing.assert_array_equal(digit_parts(mark), mark)
    with pytest.raises(NoDigit, match="cut by the picture's edge"):
        digit_parts(blobs(shape, [(0, 60, int(least) - 1, 40)]))


@pytest.mark.parametrize("edge", ["left", "top", "right", "bottom"])
def test_the_digit_is_the_part_no_edge_cuts_though_a_cut_one_is_larger(edge):
    shape = (200, 300)  # not square: rows and columns are not mixed up
    cut = {
        "left": (0, 20, 40, 160), "top": (20, 0, 40, 160),
        "right": (260, 20, 40, 160), "bottom": (20, 40, 40, 160),
    }[edge]  # fmt: skip
    digit = blobs(shape, [(150, 60, 8, 8)])  # whole, and just as large as a digit must be
    np.testing.assert_array_equal(digit_parts(blobs(shape, [cut]) | digit), digit)


def test_specks_alone_are_named_by_their_size():
    shape = (200, 200)
    corner = blobs(shape, [(0, 0, 3, 3)])  # cut by the edge, first in the picture
    with pytest.raises(NoDigit, match=r"only specks \(1x1 pixels at most\)"):
        digit_parts(corner | blobs(shape, [(100, 100, 1, 1)]))
    with pytest.raises(NoDigit, match=r"only specks \(7x7"):
        digit_parts(blobs(shape, [(100, 100, 7, 7)]))
    assert digit_parts(blobs(shape, [(100, 100, 8, 8)])).sum() == 64


def test_a_part_a_twentieth_of_the_largest_is_a_part_of_the_digit_wherever_it_is():
    shape = (300, 300)
    largest = blobs(shape, [(100, 100, 20, 20)])
    # A stroke's piece, as long as a digit's part must be: area 20, PART_SHARE of 400.
    part = blobs(shape, [(250, 250, 1, 20)])
    np.testing.assert_array_equal(digit_parts(largest | part), largest | part)
    smaller = blobs(shape, [(250, 250, 1, 19)])  # a speck, far from the digit
    np.testing.assert_array_equal(digit_parts(largest | smaller), largest)


@pytest.mark.parametrize("side", ["left", "right", "above", "below"])
def test_a_speck_within_a_tenth_of_the_digits_side_is_kept_and_one_further_is_not(side):
    shape = (300, 300)
    digit = blobs(shape, [(100, 100, 50, 50)])  # near: 5 pixels
    at = {  # a 2x2 speck, its near edge `gap` pixels (of pixel edges) from the digit's box
        "left": lambda gap: (100 - gap - 2, 120), "right": lambda gap: (150 + gap, 120),
        "above": lambda gap: (120, 100 - gap - 2), "below": lambda gap: (120, 150 + gap),
    }[side]  # fmt: skip
    near = blobs(shape, [(*at(5), 2, 2)])
    np.testing.assert_array_equal(digit_parts(digit | near), digit | near)
    far = blobs(shape, [(*at(6), 2, 2)])
    np.testing.assert_array_equal(digit_parts(digit | far), digit)


def test_the_rims_are_the_faint_ink_as_far_as_reach_from_the_strokes():
    strokes = blobs((50, 50), [(20, 10, 4, 30)])
    faint = blobs((50, 50), [(10, 10, 30, 30)])
    rims = with_rims(strokes, faint, 2.0)
    np.testing.assert_array_equal(rims, blobs((50, 50), [(18, 10, 8, 30)]) | strokes)
    assert not with_rims(strokes, np.zeros_like(faint), 2.0)[~strokes].any()
