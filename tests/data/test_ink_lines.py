"""The geometry under the paper's lines: angles, pieces of one line, the picture's edges, a
line drawn across the picture, how far a part reaches in. Each rule at its limits."""

import numpy as np
import pytest

from mnistseg.data.ink import (
    EDGE_MARGIN,
    LINE_END,
    LINE_SIDE,
    LINE_WIDTH,
    Line,
    along_an_edge,
    draw_line,
    edge_to_edge,
    found_within,
    joined,
    line_segments,
    one_line,
    paper_lines,
    parallel,
    reach_inwards,
)


def piece(x1, y1, x2, y2) -> Line:
    """A straight piece from (x1, y1) to (x2, y2), as line_segments finds one."""
    segment = np.array([[x1, y1, x2, y2]], np.float64)
    return Line(segment, segment.reshape(2, 2))


def test_angles_are_parallel_within_two_degrees_either_way_round():
    assert parallel(10, 12) and parallel(12, 10) and not parallel(10, 12.5)
    # 0 and 180 degrees are one direction: 178 and 1 are 2 and 3 degrees from 0.
    assert parallel(0, 178) and parallel(179, 1) and not parallel(1, 178)
    assert not parallel(0, 90) and not parallel(45, 135)


def test_a_piece_found_twice_is_one_line_and_two_side_by_side_are_two():
    shape = (LINE_SIDE, LINE_SIDE)  # a pixel of the picture lines are looked for on: 1
    twice = max(shape) / LINE_SIDE + 1  # pixels apart across, at most, for the same piece
    assert one_line(piece(0, 100, 100, 100), piece(0, 100 + twice, 100, 100 + twice), shape)
    # Further apart and side by side along their length: a stroke beside a line.
    assert not one_line(piece(0, 100, 100, 100), piece(0, 103, 100, 103), shape)
    assert not one_line(piece(0, 100, 100, 100), piece(50, 105, 150, 105), shape)
    assert not one_line(piece(0, 100, 100, 100), piece(-50, 105, 50, 105), shape)


def test_a_piece_carrying_on_from_anothers_end_is_of_its_line():
    shape = (500, 500)
    across = LINE_WIDTH * min(shape)  # 10 pixels: as far as a wavy line strays
    first, on = piece(0, 100, 100, 100), piece(100, 100 + across, 200, 100 + across)
    assert one_line(first, on, shape) and one_line(on, first, shape)
    further = piece(100, 101 + across, 200, 101 + across)
    assert not one_line(first, further, shape)
    assert one_line(first, piece(150, 105, 250, 105), shape)  # a gap along it
    # Far from the picture's corner, where a direction of the wrong sign or size shows.
    low, on_above = piece(0, 500, 100, 500), piece(110, 492, 210, 492)
    assert one_line(low, on_above, (1000, 1000))
    assert not one_line(low, piece(50, 492, 150, 492), (1000, 1000))


def test_pieces_joined_end_at_their_outermost_two():
    line = joined(np.array([[0, 100, 50, 50], [60, 40, 100, 0]], np.float64))
    assert sorted(map(tuple, line.ends)) == [(0, 100), (100, 0)]
    assert line.angle == pytest.approx(135)
    # Along the first piece's direction, wherever the pieces lie from the picture's corner.
    line = joined(np.array([[20, 140, 140, 20], [150, 10, 160, 0]], np.float64))
    assert sorted(map(tuple, line.ends)) == [(20, 140), (160, 0)]


def test_a_line_from_edge_to_edge_ends_within_a_twentieth_of_the_short_side():
    shape = (100, 200)
    end = LINE_END * min(shape)  # 5 pixels
    assert edge_to_edge(piece(end, 50, 199 - end, 50), shape)
    assert not edge_to_edge(piece(0, 50, 198 - end, 50), shape)
    assert edge_to_edge(piece(100, 0, 100, 99 - end), shape)
    assert not edge_to_edge(piece(100, 0, 100, 98 - end), shape)
    assert not edge_to_edge(piece(end + 1, 50, 199, 50), shape)


@pytest.mark.parametrize("side", ["left", "right", "top", "bottom"])
def test_a_line_along_an_edge_lies_within_a_fiftieth_of_the_short_side(side):
    shape = (100, 200)
    height, width = shape
    margin = EDGE_MARGIN * min(shape)  # 2 pixels
    at = {
        "left": lambda d: piece(d, 10, d, 90),
        "right": lambda d: piece(width - 1 - d, 10, width - 1 - d, 90),
        "top": lambda d: piece(10, d, 190, d),
        "bottom": lambda d: piece(10, height - 1 - d, 190, height - 1 - d),
    }[side]
    assert along_an_edge(at(margin), shape)
    assert not along_an_edge(at(margin + 1), shape)


def test_how_far_a_part_reaches_in_from_the_edges_it_touches():
    rows, cols = 100, 200
    stats = np.array([
        [0, 40, 30, 10],  # touching the left edge: its right side is 30 in
        [170, 40, 30, 10],  # the right edge
        [80, 0, 10, 20],  # the top
        [80, 90, 10, 10],  # the bottom
        [0, 0, 200, 100],  # all four: the picture itself
        [80, 40, 10, 10],  # none: the picture's size
    ])  # fmt: skip
    np.testing.assert_array_equal(reach_inwards(stats, (rows, cols)), [30, 30, 20, 10, 100, 100])


def band_rows(drawn: np.ndarray) -> list[int]:
    """The rows drawn across the whole picture."""
    return np.flatnonzero(drawn.all(axis=1)).tolist()


def rows_of_band(top: int, bottom: int, half: int) -> list[int]:
    """The rows OpenCV covers with a line 2 * half + 1 wide along rows top to bottom: a pixel
    further than half each side (its ends rounded)."""
    return list(range(top - half - 1, bottom + half + 2))


def test_a_line_is_drawn_across_the_picture_as_wide_as_its_ink():
    drawn = np.zeros((100, 100), np.uint8)
    ridge = np.zeros((100, 100), np.float32)
    ridge[50, 20:81] = 1.5  # the ink's depth along the line, nowhere else
    assert draw_line(drawn, piece(20, 50, 80, 50), ridge) == 1.5
    # Half its width and how far it may be from where it was found, each side of the row.
    half = int(np.ceil(1.5 + found_within(drawn.shape)))
    assert band_rows(drawn) == rows_of_band(50, 50, half)
    assert np.flatnonzero(drawn.any(axis=1)).tolist() == band_rows(drawn)


def test_each_piece_of_a_line_is_drawn_across_the_picture():
    drawn = np.zeros((100, 100), np.uint8)
    ridge = np.zeros((100, 100), np.float32)
    ridge[50, 5:16] = ridge[56, 20:31] = 1.0  # a wavy line: two pieces, its ink along them only
    segments = np.array([[5, 50, 15, 50], [20, 56, 30, 56]], np.float64)
    line = Line(segments, np.array([[5, 50], [30, 56]], np.float64))
    # Its width from the ink along its pieces, not along where they are carried on to.
    assert draw_line(drawn, line, ridge) == 1.0
    half = int(np.ceil(1.0 + found_within(drawn.shape)))
    assert band_rows(drawn) == rows_of_band(50, 56, half)


def test_a_short_piece_far_from_the_corner_is_drawn_to_both_edges():
    for segment in ((90, 95, 95, 95), (50, 50, 50.1, 50)):  # the second under a pixel long
        drawn = np.zeros((100, 100), np.uint8)
        draw_line(drawn, piece(*segment), np.ones((100, 100), np.float32))
        assert segment[1] in band_rows(drawn)


def test_a_line_outside_the_picture_draws_nothing():
    drawn = np.zeros((100, 100), np.uint8)
    assert draw_line(drawn, piece(-50, -50, -40, -50), np.ones((100, 100), np.float32)) == 0.0
    assert not drawn.any()


def test_straight_pieces_are_found_in_the_pictures_own_pixels():
    ink = np.zeros((200, 300), bool)
    ink[50, :] = True
    segments = line_segments(ink)
    # Found once or a pixel either side (the skeleton is widened to a pixel each side).
    assert len(segments) >= 1 and np.isin(segments[:, [1, 3]], [49, 50, 51]).all()
    assert segments[:, [0, 2]].min() <= 2 and segments[:, [0, 2]].max() >= 297


def test_a_hair_line_on_a_large_scan_is_found_on_the_shrunk_picture():
    ink = np.zeros((2048, 2048), bool)
    ink[1003, :] = True  # a row the shrunk picture's pixel centres do not fall on
    segments = line_segments(ink)
    assert len(segments) >= 1
    assert np.abs(segments[:, [1, 3]] - 1003).max() <= found_within(ink.shape)


def test_a_straight_piece_shorter_than_three_tenths_of_the_short_side_is_not_a_line():
    ink = np.zeros((300, 300), bool)
    ink[150, 100:170] = True  # 70 pixels: a stroke's straight part
    assert len(line_segments(ink)) == 0
    ink[150, 100:220] = True  # 120 pixels
    assert len(line_segments(ink)) >= 1


def test_found_within_two_pixels_of_the_shrunk_picture():
    assert found_within((100, 300)) == 2.0
    assert found_within((1024, 2048)) == 8.0
    assert found_within((LINE_SIDE, 10)) == 2.0


def test_nothing_straight_is_no_pieces():
    assert line_segments(np.zeros((300, 400), bool)).shape == (0, 4)


def test_pieces_found_on_the_shrunk_picture_are_put_back_at_its_pixel_centres():
    ink = np.zeros((1024, 1024), bool)
    ink[500:502] = True  # one pixel of the picture shrunk by half: its centre is at 500.5
    rows = set(line_segments(ink)[:, [1, 3]].ravel())
    # There, or a pixel of the shrunk picture either side (the skeleton widened).
    assert 500.5 in rows and rows <= {498.5, 500.5, 502.5}


def test_a_gap_wider_than_a_tenth_of_the_shortest_piece_breaks_a_piece():
    ink = np.zeros((300, 300), bool)
    ink[150, :100] = ink[150, 160:] = True  # 60 pixels apart: 9 are bridged
    segments = line_segments(ink)
    starts, ends = segments[:, [0, 2]].min(axis=1), segments[:, [0, 2]].max(axis=1)
    assert len(segments) >= 2 and not ((starts < 110) & (ends > 150)).any()


def test_two_strokes_side_by_side_closer_than_ruled_lines_are_spaced_are_not_the_papers():
    shape = (400, 500)  # the paper's lines are 20 pixels apart at least
    ink = np.zeros(shape, bool)
    ink[100:103] = ink[112:115] = True  # 12 apart, each across the picture
    assert not paper_lines(ink).any()
    ink[300:303] = True  # and a third, far enough: ruled paper
    np.testing.assert_array_equal(paper_lines(ink), ink)


@pytest.mark.parametrize(("width", "taken"), [(6, True), (7, False)])
def test_a_stroke_over_the_papers_lines_is_taken_for_them_unless_a_pixel_deeper(width, taken):
    ink = np.zeros((400, 500), bool)
    ink[100:103] = ink[300:303] = True  # printed lines 3 wide: 2 deep at their middle
    ink[50:350, 200 : 200 + width] = True  # a stroke 3 deep (6 wide) or 4 (7 wide)
    # Only a pixel deeper, it is as two lines crossing: the line's band takes it by the line.
    stroke = paper_lines(ink)[:, 200 : 200 + width]
    assert bool(stroke.any()) is taken and not stroke[110:290].any()
