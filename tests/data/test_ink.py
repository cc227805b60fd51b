"""A digit's ink on a picture: contrast to the paper, the paper's lines, specks, no digit."""

import cv2
import numpy as np
import pytest

from handwriting import paper, pen_ink, photo, ruled, write
from mnistseg.data.ink import (
    MIN_CONTRAST,
    NoDigit,
    digit_ink,
    digit_parts,
    ink_contrast,
    paper_lines,
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
    faint = photo(write(paper((300, 400), noise=3), "7", (100, 50, 150, 200), pen=4, darkness=0.15))
    with pytest.raises(NoDigit, match=r"^no digit: nothing stands out"):
        digit_ink(ink_contrast(faint))
    darker = photo(write(paper((300, 400), noise=3), "7", (100, 50, 150, 200), pen=4, darkness=0.3))
    assert digit_ink(ink_contrast(darker))[0].any()


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
