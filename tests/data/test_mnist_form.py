"""A picture of a digit brought to MNIST's form, and answers taken back onto the picture."""

from dataclasses import replace

import cv2
import numpy as np
import pytest

from handwriting import paper, pen_ink, photo, ruled, write
from mnistseg.data.circles import circle_params
from mnistseg.data.mnist_form import (
    DIGIT_BOX,
    LARGEST_ENLARGED,
    MNIST_STROKE,
    MNIST_STROKES,
    SMALL_SIDE,
    NoDigit,
    as_is,
    digit_form,
    digit_forms,
    enlarged,
    grey,
    in_mnist_form,
    mass_centre,
    mnist_form,
    padded,
    redrawn,
    skeleton_of,
    stroke_width,
    white_on_black,
    widest_stroke,
    without_specks,
    working_drawing,
)


def test_grey_from_any_image_as_read():
    bgr = np.zeros((4, 5, 3), np.uint8)
    bgr[..., 2] = 255  # red
    assert grey(bgr)[0, 0] == cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)[0, 0] == 76
    transparent = np.zeros((4, 5, 4), np.uint8)  # black, but all transparent: white paper
    assert (grey(transparent) == 255).all()
    opaque = np.dstack([bgr, np.full((4, 5), 255, np.uint8)])
    np.testing.assert_array_equal(grey(opaque), grey(bgr))
    sixteen = np.full((4, 5), 0x8000, np.uint16)
    assert (grey(sixteen) == 0x80).all() and grey(sixteen).dtype == np.uint8
    plain = np.arange(20, dtype=np.uint8).reshape(4, 5)
    assert grey(plain) is plain


def test_dark_ink_on_light_paper_is_inverted_and_stretched():
    paper = np.full((20, 30), 200, np.uint8)
    paper[5:15, 10:12] = 40  # a stroke
    image, inverted = white_on_black(paper)
    assert inverted
    assert image[0, 0] == 0 and image[8, 10] == 255  # the paper black, the ink full white
    chalk = np.full((20, 30), 30, np.uint8)  # light ink on a dark board: not inverted
    chalk[5:15, 10:12] = 130
    image, inverted = white_on_black(chalk)
    assert not inverted and image[0, 0] == 0 and image[8, 10] == 255


def test_a_picture_white_on_black_is_left_as_it_is(digits):
    images, _ = digits
    for picture in np.where(images[:20] > 40, images[:20], 0).astype(np.uint8):  # as MNIST's
        image, inverted = white_on_black(picture)
        assert not inverted and image is picture


def big_digit(digit: np.ndarray, scale: int = 5, at=(40, 90), size=(240, 320)) -> np.ndarray:
    """The digit `scale` times larger, dark on light paper, at `at` (row, column)."""
    big = cv2.resize(digit, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    paper = np.full(size, 220, np.uint8)
    y, x = at
    paper[y : y + big.shape[0], x : x + big.shape[1]] -= (
        big.astype(np.uint16) * 200 // 255
    ).astype(np.uint8)
    return paper


def test_a_digit_is_cropped_scaled_into_20_by_20_and_centred_by_mass(digits):
    images, _ = digits
    apart = []
    for digit in images[:20]:
        # A digit in MNIST's form (MNIST's own are; drawn ones are brought there first) ...
        reference, _ = mnist_form(white_on_black(big_digit(digit, scale=3))[0])
        # ... drawn large on paper and brought back.
        frame, framing = mnist_form(white_on_black(big_digit(reference, scale=5))[0])
        assert frame.shape == (28, 28) and max(framing.scaled) == DIGIT_BOX
        ys, xs = np.nonzero(frame)
        assert max(xs.max() - xs.min(), ys.max() - ys.min()) + 1 <= DIGIT_BOX
        mass = frame.astype(np.float64)
        rows, cols = np.indices(frame.shape)
        centre = ((cols * mass).sum() / mass.sum(), (rows * mass).sum() / mass.sum())
        assert np.abs(np.array(centre) - 14).max() <= 0.5 + 1e-9, centre
        apart.append(np.abs(frame.astype(int) - reference).mean())
    # The same digit, within what resampling twice changes (a pixel's shift, at worst).
    assert np.mean(apart) < 12 and max(apart) < 30, apart


def test_a_picture_of_mnists_size_is_taken_as_it_is(digits):
    # MNIST's digit (or, without ../shared/mnist, a drawn one) as MNIST's own process makes it
    digit = mnist_form(np.where(digits[0][0] > 40, digits[0][0], 0).astype(np.uint8))[0]
    assert in_mnist_form(digit)
    frame, framing = digit_form(digit)
    np.testing.assert_array_equal(frame, digit)
    assert framing == as_is((28, 28))
    mask = digit > 100
    np.testing.assert_array_equal(framing.mask_on_picture(mask), mask)


def test_a_picture_with_nothing_on_it_has_no_digit():
    with pytest.raises(ValueError, match="no digit"):
        mnist_form(np.zeros((40, 50), np.uint8))


def test_a_mask_of_the_frame_covers_the_digit_on_the_picture(digits):
    images, _ = digits
    for digit in images[:10]:
        picture = big_digit(digit, scale=4, at=(100, 20))
        frame, framing = mnist_form(white_on_black(picture)[0])
        back = framing.mask_on_picture(frame > 127)
        assert back.shape == picture.shape
        truth = np.zeros(picture.shape, bool)
        big = cv2.resize(digit, None, fx=4, fy=4, interpolation=cv2.INTER_LINEAR)
        truth[100 : 100 + big.shape[0], 20 : 20 + big.shape[1]] = big > 127
        iou = (back & truth).sum() / (back | truth).sum()
        assert iou > 0.7, iou


def test_a_circle_of_the_frame_lands_where_the_frame_came_from():
    picture = np.zeros((100, 80), np.uint8)
    picture[30:70, 20:40] = 255  # a bar 20 wide, 40 tall: scaled by a half into 10 x 20
    _, framing = mnist_form(picture)
    assert framing.box == (20, 30, 20, 40) and framing.scaled == (10, 20)
    frame_x, frame_y = framing.frame_from_picture() @ [29.5, 49.5, 1]  # the bar's centre
    offset_x, offset_y = framing.offset
    assert (frame_x, frame_y) == pytest.approx((offset_x + 4.5, offset_y + 9.5))
    assert framing.circle_on_picture(frame_x, frame_y, 5) == pytest.approx((29.5, 49.5, 10))


def test_a_picture_is_padded_to_sides_the_network_takes_and_cropped_back():
    picture = np.full((45, 61), 9, np.uint8)
    frame, framing = padded(picture, 4)
    assert frame.shape == (48, 64) and (frame[:45, :61] == 9).all() and not frame[45:].any()
    mask = np.zeros((48, 64), bool)
    mask[10:20, 50:64] = True
    np.testing.assert_array_equal(framing.mask_on_picture(mask), mask[:45, :61])
    assert padded(np.zeros((8, 12), np.uint8), 4)[0].shape == (8, 12)


def test_transparency_is_white_paper_showing_through():
    pixels = np.zeros((1, 2, 4), np.uint8)
    pixels[0, 0] = (0, 0, 0, 128)  # black ink, half covering: 255 * 127/255 of white shows
    pixels[0, 1] = (100, 100, 100, 51)  # grey at a fifth: 100 * 0.2 + 255 * 0.8
    np.testing.assert_array_equal(grey(pixels), [[127, 224]])


def test_the_background_is_the_median_of_all_four_edges():
    # Top and bottom rows at 10, the left and right columns at 30: half the edge pixels
    # each, so the background is 20, and any other row or column in their place moves it.
    image = np.zeros((7, 3), np.uint8)
    image[[0, -1]] = 10
    image[1:-1, [0, -1]] = 30
    image[3, 1], image[4, 1] = 25, 28
    out, inverted = white_on_black(image)
    assert not inverted
    # 20 -> 0 and the brightest, 30, -> 255: 25 -> 127.5 -> 128, 28 -> 204, darker stays 0.
    np.testing.assert_array_equal(out[:, 1], [0, 0, 0, 128, 204, 0, 0])
    assert (out[1:-1, [0, -1]] == 255).all() and not out[[0, -1]].any()


def test_a_border_lighter_than_half_is_paper():
    assert not white_on_black(np.full((5, 5), 127, np.uint8))[1]
    assert white_on_black(np.full((5, 5), 128, np.uint8))[1]


def test_a_picture_all_background_has_no_ink():
    for level in (50, 200):  # dark and light paper, nothing on it
        image, _ = white_on_black(np.full((6, 9), level, np.uint8))
        assert image.shape == (6, 9) and image.dtype == np.uint8 and not image.any()


def test_faint_specks_are_not_part_of_the_digit():
    picture = np.zeros((100, 100), np.uint8)
    picture[30:70, 40:60] = 250
    picture[2, 2] = picture[95, 97] = 20  # dust: Otsu's threshold leaves it out
    frame, framing = mnist_form(picture)
    assert framing.box == (40, 30, 20, 40) and frame.dtype == np.uint8


def test_a_one_pixel_line_keeps_one_pixel_of_width():
    picture = np.zeros((120, 60), np.uint8)
    picture[10:110, 30] = 255  # scaled by 0.2: 1 x 100 -> 0.2 x 20, kept at 1 x 20
    _, framing = mnist_form(picture)
    assert framing.scaled == (1, 20)
    picture = np.zeros((60, 120), np.uint8)
    picture[30, 10:110] = 255
    assert mnist_form(picture)[1].scaled == (20, 1)


def test_the_digit_is_scaled_with_anti_aliasing_as_mnist_was():
    picture = np.zeros((100, 100), np.uint8)
    picture[:, ::2] = 255  # one-pixel stripes, scaled by 0.2: each frame pixel averages them
    frame, _ = mnist_form(picture)
    ink = frame[frame > 0]
    assert ink.size and (ink > 80).all() and (ink < 180).all(), np.unique(ink)


def test_a_digit_off_balance_stays_inside_the_frame():
    heavy_right = np.zeros((40, 40), np.uint8)
    heavy_right[29, 10:30] = 255  # a thin foot, 20 wide ...
    heavy_right[10:30, 25:30] = 255  # ... under a block at its right: centring by mass
    # would push the digit out of the frame on the left
    frame, framing = mnist_form(heavy_right)
    assert framing.offset[0] == 0 and frame[:, 0].any()
    heavy_left = np.fliplr(heavy_right)
    frame, framing = mnist_form(heavy_left)
    assert framing.offset[0] == 28 - 20 and frame[:, -1].any()


def test_a_picture_pixel_halfway_between_mask_and_background_is_in_the_mask():
    picture = np.zeros((40, 40), np.uint8)
    picture[10:20, 10:20] = 255  # scaled by 2: picture pixel 11 falls between frame pixels
    _, framing = mnist_form(picture)
    offset = framing.offset[0]
    mask = np.zeros((28, 28), bool)
    mask[:, offset + 3 :] = True  # frame pixels offset + 2 (out) and + 3 (in), half each
    np.testing.assert_array_equal(
        framing.mask_on_picture(mask)[15, 8:14], [False, False, False, True, True, True]
    )


# Pictures people take of what they write: brought to MNIST's form by digit_form.

PAGE = (1200, 1300)  # a phone photo's crop
SEVEN = (450, 250, 400, 600)  # where the 7 is written on it: 400 x 600 pixels


def ink_mass(frame: np.ndarray) -> float:
    """A frame's ink in fully white pixels."""
    return float(frame.sum()) / 255


def test_a_thin_pen_on_a_large_photo_is_drawn_as_wide_as_mnists_strokes():
    pen = photo(write(paper(PAGE), "7", SEVEN, pen=3))
    marker = photo(write(paper(PAGE), "7", SEVEN, pen=45))
    frame, _ = digit_form(pen)
    bold, _ = digit_form(marker)
    assert ink_mass(frame) == pytest.approx(ink_mass(bold), rel=0.1)
    assert np.abs(frame.astype(int) - bold).mean() < 10
    # The 7's strokes are 13.3 + 21.8 = 35 frame pixels long (its 400 x 600 box scaled into
    # 20): ink as wide as MNIST's strokes (1.5 to 3.8 pixels).
    assert 1.5 < ink_mass(frame) / 35 < 3.8
    # Scaled as it is, the pen is a trace a fifth as wide.
    trace, _ = mnist_form(white_on_black(pen)[0])
    assert ink_mass(trace) < 0.3 * ink_mass(frame)


def test_paper_shaded_across_gives_the_frame_of_evenly_lit_paper():
    box = (300, 200, 350, 500)
    even = photo(write(paper((900, 1000)), "4", box, pen=8, darkness=0.5))
    shaded = photo(write(paper((900, 1000), shading=0.6), "4", box, pen=8, darkness=0.5))
    assert np.abs(digit_form(shaded)[0].astype(int) - digit_form(even)[0]).mean() < 2
    # The old way, one level for the whole background, takes the shadow for the digit.
    framing = mnist_form(white_on_black(shaded)[0])[1]
    assert framing.box[2] > 2 * box[2]


@pytest.mark.parametrize("tilt", [0, 5], ids=["level", "tilted"])
@pytest.mark.parametrize("squared", [False, True], ids=["ruled", "squared"])
def test_the_lines_of_the_paper_are_not_the_digit(squared, tilt):
    box = (300, 200, 350, 500)
    plain = photo(write(paper((900, 1000)), "4", box, pen=8))
    # Lines as dark as two thirds of the pen: ink, by contrast alone. (A line that runs along
    # a stroke for most of its length, a degree or two off it, is not told from it.)
    lined = ruled(paper((900, 1000)), 80, 0.45, squared=squared, tilt=tilt)
    on_lines = photo(write(lined, "4", box, pen=8))
    frame, framing = digit_form(on_lines)
    expected, where = digit_form(plain)
    assert np.abs(frame.astype(int) - expected).mean() < 3
    assert framing.box == pytest.approx(where.box, abs=5)


@pytest.mark.parametrize(
    ("picture", "reason"),
    [
        (photo(ruled(paper((700, 900)), 60, 0.4, squared=True, tilt=2)), "paper's lines"),
        (photo(ruled(paper((700, 900)), 60, 0.4)), "paper's lines"),
        (photo(paper((700, 900), shading=0.5)), "nothing stands out"),
        (
            photo(
                cv2.GaussianBlur(
                    write(paper((700, 900)), "0", (400, 300, 60, 60), pen=40), (0, 0), 8
                )
            ),
            "a blot",
        ),
        (
            photo(write(paper((700, 900)), "7", (300, 300, 300, 60), pen=6)),
            "flatter than any digit",
        ),
    ],
    ids=["squared", "ruled", "shaded", "smudge", "dash"],
)
def test_a_picture_with_nothing_digit_like_is_refused_with_its_reason(picture, reason):
    with pytest.raises(NoDigit, match=f"^no digit: .*{reason}"):
        digit_form(picture)


def test_mnists_digits_are_read_as_they_are_and_a_drawing_of_their_size_is_not(digits):
    images, _ = digits
    drawn = np.zeros((28, 28), np.float32)
    cv2.polylines(drawn, [np.array([(2, 2), (13, 2), (6, 16)])], False, 1.0, 2, cv2.LINE_AA)
    canvas = photo(255 * (1 - drawn))  # black on white, in the top left corner
    for digit in [*images[:50], mnist_form(white_on_black(big_digit(images[0]))[0])[0]]:
        if in_mnist_form(digit):  # MNIST's own (every one is); drawn ones as MNIST made them
            frame, framing = digit_form(digit)
            np.testing.assert_array_equal(frame, digit)
            assert framing == as_is((28, 28)) and len(digit_forms(digit)[0]) == 1
    assert in_mnist_form(mnist_form(white_on_black(big_digit(images[0]))[0])[0])
    assert not in_mnist_form(canvas) and not in_mnist_form(255 - canvas)
    frame, framing = digit_form(canvas)
    ys, xs = np.nonzero(frame)
    assert max(ys.max() - ys.min(), xs.max() - xs.min()) + 1 <= DIGIT_BOX
    assert np.abs(np.array(mass_centre(frame)) - 14).max() <= 0.5
    # The same 7, written large: the same frame.
    large = photo(write(paper(PAGE), "7", SEVEN, pen=20))
    assert np.abs(frame.astype(int) - digit_form(large)[0]).mean() < 25


def test_an_mnist_digit_moved_off_centre_is_framed_again(digits):
    digit = mnist_form(white_on_black(big_digit(digits[0][0]))[0])[0]
    moved = np.roll(digit, 2, axis=1)
    assert in_mnist_form(digit) and not in_mnist_form(moved)
    assert np.abs(np.array(mass_centre(digit_form(moved)[0])) - 14).max() <= 0.5


def test_light_ink_on_a_dark_board_gives_the_frame_of_dark_ink_on_paper():
    written = photo(write(paper((600, 700)), "4", (200, 100, 250, 380), pen=10))
    np.testing.assert_array_equal(digit_form(255 - written)[0], digit_form(written)[0])


@pytest.mark.parametrize("side", [35, 2600], ids=["tiny", "huge"])
def test_a_tiny_and_a_huge_picture_give_the_frame_of_a_phone_photo(side):
    scale = side / 1300
    box = tuple(round(v * scale) for v in SEVEN)
    picture = photo(
        write(paper((round(1200 * scale), side)), "7", box, pen=max(1, round(6 * scale)))
    )
    reference, _ = digit_form(photo(write(paper(PAGE), "7", SEVEN, pen=6)))
    assert np.abs(digit_form(picture)[0].astype(int) - reference).mean() < 12


def test_a_small_digit_is_found_away_from_specks_and_the_crops_border():
    page = paper((1000, 1400))
    page[:3] *= 0.2  # the dark line a crop leaves along its top
    for x, y in ((100, 800), (1300, 150), (700, 900)):
        page[y : y + 4, x : x + 4] *= 0.3  # dust
    picture = photo(write(page, "1", (900, 300, 80, 160), pen=4))
    _, framing = digit_form(picture)
    x, y, width, height = framing.box
    assert x > 880 and x + width < 1000 and y > 280 and y + height < 480


def test_a_mask_of_the_frame_covers_the_pens_ink_on_the_picture():
    for pen in (3, 45):
        picture = photo(write(paper(PAGE), "7", SEVEN, pen=pen))
        frame, framing = digit_form(picture)
        ink = pen_ink(PAGE, "7", SEVEN, pen)
        mask = framing.mask_on_picture(frame > 0)  # the drawn stroke: a perfect segmentation
        assert (mask & ink).sum() >= 0.85 * ink.sum()
        assert (mask & ink).sum() >= 0.9 * mask.sum()
    # A frame pixel is 30 picture pixels: without the picture's ink the pen is a thread in it.
    plain = replace(framing, ink=None).mask_on_picture(frame > 0)
    thin = pen_ink(PAGE, "7", SEVEN, 3)
    assert (plain & thin).sum() < 0.2 * plain.sum()


def test_a_mask_of_part_of_the_frame_is_that_part_of_the_ink():
    picture = photo(write(paper(PAGE), "7", SEVEN, pen=3))
    frame, framing = digit_form(picture)
    top = np.zeros((28, 28), bool)
    top[:10] = frame[:10] > 0  # the 7's bar, without its stem
    mask = framing.mask_on_picture(top)
    ink = pen_ink(PAGE, "7", SEVEN, 3)
    rows = np.nonzero(mask)[0]
    assert rows.max() < SEVEN[1] + SEVEN[3] / 2 and (mask & ink).sum() > 0.2 * ink.sum()


def test_a_circle_of_the_frame_lands_on_the_ring_written_on_the_picture():
    ring = (400, 300, 500, 500)
    picture = photo(write(paper(PAGE), "0", ring, pen=5))
    frame, framing = digit_form(picture)
    circle = circle_params(np.where(frame > 127, np.uint8(255), np.uint8(0)))
    cx, cy, radius = framing.circle_on_picture(*circle)
    assert (cx, cy) == pytest.approx((650, 550), abs=15)
    # Around the ring as drawn in the frame: MNIST's stroke, half of it outside the pen's line.
    assert radius == pytest.approx(250 + MNIST_STROKE / 2 * 500 / DIGIT_BOX, rel=0.04)


def test_specks_by_the_digit_are_no_part_of_its_strokes():
    clean = write(paper(PAGE), "7", SEVEN, pen=3)
    dusty = clean.copy()
    for x, y in ((500, 600), (820, 700), (560, 380)):  # inside the 7's box, off its strokes
        dusty[y : y + 5, x : x + 5] *= 0.3
    frame, _ = digit_form(photo(dusty))
    np.testing.assert_array_equal(frame, digit_form(photo(clean))[0])


# Each rule of the preparation at its limits.


def centred_block(rows: int, cols: int, value: int = 255) -> np.ndarray:
    """A 28x28 frame, black, with a block `rows` x `cols` at its centre (pixel 14, 14)."""
    frame = np.zeros((28, 28), np.uint8)
    top, left = 14 - rows // 2, 14 - cols // 2
    frame[top : top + rows, left : left + cols] = value
    return frame


def test_mnists_form_is_a_box_of_19_or_20_centred_with_anything_above_0_in_it():
    assert in_mnist_form(centred_block(19, 9)) and in_mnist_form(centred_block(20, 9))
    assert not in_mnist_form(centred_block(18, 9)) and not in_mnist_form(centred_block(21, 9))
    faint = centred_block(20, 9)
    faint[1, 14] = 1  # anything above 0 is ink: the box is 27 high
    assert not in_mnist_form(faint)
    # Most of the frame lit, even at 1 of 255: paper, not MNIST's black.
    assert not in_mnist_form(centred_block(20, 20, value=1))
    assert not in_mnist_form(np.zeros((28, 28), np.uint8))
    # MNIST's size only: the same digit on a larger black canvas is framed again.
    larger = np.zeros((30, 30), np.uint8)
    larger[:28, :28] = centred_block(20, 9)
    assert not in_mnist_form(larger)


def test_mnist_form_of_a_picture_with_no_ink_says_why():
    with pytest.raises(NoDigit, match=r"^no digit: nothing stands out from the background$"):
        mnist_form(np.zeros((40, 50), np.uint8))


def test_a_mask_on_the_picture_reaches_its_ink_within_reach_round_a_disc():
    shape = (40, 40)
    framing = replace(as_is(shape), ink=np.ones(shape, bool), reach=2.0)
    mask = np.zeros(shape, bool)
    mask[20, 20] = True
    # A disc of radius `reach` round each mask pixel, centred on it (OpenCV's ellipse).
    for reach, side in ((2.0, 5), (1.0, 3), (0.4, 1)):
        back = replace(framing, reach=reach).mask_on_picture(mask)
        disc = np.zeros(shape, np.uint8)
        half = side // 2
        disc[20 - half : 21 + half, 20 - half : 21 + half] = cv2.getStructuringElement(
            cv2.MORPH_ELLIPSE, (side, side)
        )
        np.testing.assert_array_equal(back, disc > 0)
    assert back.sum() == 1 and not replace(framing, reach=1.0).mask_on_picture(mask)[19, 19]


def test_a_picture_pixel_halfway_between_mask_and_background_is_in_the_mask_cut_to_ink():
    picture = np.zeros((40, 40), np.uint8)
    picture[10:20, 10:20] = 255  # scaled by 2, as in the test without ink
    _, framing = mnist_form(picture)
    framing = replace(framing, ink=np.ones((40, 40), bool), reach=0.0)
    offset = framing.offset[0]
    mask = np.zeros((28, 28), bool)
    mask[:, offset + 3 :] = True
    np.testing.assert_array_equal(
        framing.mask_on_picture(mask)[15, 8:14], [False, False, False, True, True, True]
    )


def test_a_stroke_one_pixel_wide_keeps_one_working_pixel():
    for core in (np.zeros((200, 100), bool), np.zeros((100, 200), bool)):
        if core.shape[0] > core.shape[1]:
            core[:, 50] = True  # a "1" 200 pixels long: shrunk by 0.8
        else:
            core[50, :] = True
        work, _, _ = working_drawing(core)
        assert sorted(work.shape) == [1, 160] and work.all()


def test_a_drawing_enlarged_for_the_work_has_its_edge_where_it_is_half_covered():
    core = np.zeros((120, 120), bool)
    core[10:110, 50:60] = True  # 10 wide, 100 long: enlarged 1.6 times
    work, _, (sx, sy) = working_drawing(core)
    assert (sx, sy) == (16.0 / 10, 1.6) and work.shape == (160, 16) and work.all()
    core[10:110, 50:51] = True  # and a faint trace on a large scan: any ink counts
    big = np.zeros((1000, 1000), bool)
    big[100:900, 503] = True  # a row of the shrunk drawing's pixel centres misses
    big[100:101, 100:900] = True
    work, _, _ = working_drawing(big)
    assert work[:, :].any(axis=0).sum() == work.shape[1] and work.any(axis=1).all()


def test_a_ring_enlarged_for_the_work_keeps_its_area_to_scale():
    core = np.zeros((120, 120), np.uint8)
    cv2.circle(core, (60, 60), 45, 1, 8)  # its edges cut pixels: half covered, or less
    work, _, (sx, sy) = working_drawing(core.astype(bool))
    assert work.sum() == pytest.approx(core.sum() * sx * sy, rel=0.02)


def test_a_digit_as_flat_as_the_flattest_of_mnist_is_a_digit_and_a_flatter_one_is_not():
    def zed(height: int) -> np.ndarray:  # a Z of crisp bars, 200 wide
        page = np.full((400, 400), 230, np.uint8)
        top, bottom = 100, 100 + height
        page[top : top + 8, 100:300] = page[bottom - 8 : bottom, 100:300] = 30
        cv2.line(page, (290, top + 6), (110, bottom - 6), 30, 8)
        return page

    assert digit_form(zed(80))[0].any()  # 200 x 80: MIN_ASPECT exactly
    with pytest.raises(NoDigit, match=r"flatter than any digit \(200x79 pixels\)"):
        digit_form(zed(79))


def test_a_strokes_width_is_its_area_over_its_skeletons_length():
    core = np.zeros((120, 120), bool)
    core[10:110, 50:60] = True  # 10 wide, 100 long
    work, _, (sx, sy) = working_drawing(core)
    skeleton = skeleton_of(work)
    # The skeleton stops short of the bar's ends by about half its width each.
    assert stroke_width(core, skeleton, (sx + sy) / 2) == pytest.approx(10, rel=0.15)
    dot = np.zeros((5, 5), np.uint8)
    dot[2, 2] = 255
    assert stroke_width(np.ones((3, 3), bool), dot, 1.0) == 9.0  # a dot: as wide as its area


@pytest.mark.parametrize("across", [True, False], ids=["across", "down"])
def test_specks_are_groups_smaller_than_the_pen_and_a_broken_strokes_dots_one_group(across):
    pen = 20.0  # working pixels: groups within 20 of each other are one
    work = np.zeros((100, 200), bool) if across else np.zeros((200, 100), bool)

    def dots(gap: int, side: int = 8) -> np.ndarray:
        drawn = work.copy()
        for start in (20, 20 + side + gap):
            if across:
                drawn[40 : 40 + side, start : start + side] = True
            else:
                drawn[start : start + side, 40 : 40 + side] = True
        return drawn

    np.testing.assert_array_equal(without_specks(dots(20), pen), dots(20))  # 36 across
    assert not without_specks(dots(21), pen).any()  # two dots 8 across
    single = work.copy()
    single[40:60, 40:60] = True
    np.testing.assert_array_equal(without_specks(single, pen), single)  # as wide as the pen
    single[40:60, 40:41] = single[40:41, 40:60] = False  # 19 across
    assert not without_specks(single, pen).any()


def test_dots_apart_on_a_diagonal_are_as_far_as_a_round_pen_reaches():
    work = np.zeros((100, 100), bool)
    work[20:28, 20:28] = work[43:51, 43:51] = True  # corners 15 apart each way: 21 apart
    assert not without_specks(work, 20.0).any()
    work[20:28, 20:28] = work[36:44, 36:44] = True  # and 8 apart each way: 11
    assert without_specks(work, 20.0)[20:28, 20:28].all()


def test_the_widest_stroke_is_twice_the_depth_along_the_skeleton():
    work = np.zeros((160, 60), bool)
    work[:, 20:30] = True  # a bar 10 wide, cut by the drawing's edge at both ends
    assert widest_stroke(work, skeleton_of(work)) == pytest.approx(10, abs=1)
    assert widest_stroke(np.zeros((10, 10), bool), np.zeros((10, 10), np.uint8)) == 0.0


def test_a_skeleton_is_redrawn_with_a_pixel_of_paper_around_it():
    skeleton = np.zeros((20, 30), np.uint8)
    skeleton[0, :] = skeleton[:, 0] = 255  # along two edges of the drawing
    drawing, margin = redrawn(skeleton, 18.4)
    assert margin == int(np.ceil(18.4 / 2)) + 1
    assert drawing.shape == (20 + 2 * margin, 30 + 2 * margin)
    assert not drawing[0].any() and not drawing[:, 0].any()
    assert drawing[margin, margin - 9] and not drawing[margin, margin - 10]  # 9.2 each side


def test_a_digit_as_flat_as_the_flattest_of_mnist_is_still_a_digit():
    flat = photo(write(paper((700, 900)), "7", (300, 300, 300, 120), pen=6))
    frame, _ = digit_form(flat)  # 300 x 120 with its pen: at MIN_ASPECT and a little over
    assert frame.any()


@pytest.mark.parametrize("box", [(300, 300, 400, 600), (200, 350, 800, 500)], ids=["tall", "wide"])
def test_a_mask_reaches_on_to_the_edges_of_a_pen_wider_than_mnists(box):
    page = (1200, 1300)
    per_frame_pixel = max(box[2], box[3]) / DIGIT_BOX
    for pen in (3, 120):  # a pen's stroke a tenth of a frame pixel, and 4 to 6 frame pixels
        picture = photo(write(paper(page), "7", box, pen=pen))
        frame, framing = digit_form(picture)
        # The drawn stroke is MNIST's width; half the difference each side, and half a frame
        # pixel for the frame's grid.
        # (The pen is estimated from its area over its skeleton's length: its round ends make
        # it up to a fifth wider.)
        beyond = max(0.0, pen / per_frame_pixel - MNIST_STROKE) / 2
        assert framing.reach == pytest.approx((beyond + 0.5) * per_frame_pixel, rel=0.3)
        ink = pen_ink(page, "7", box, pen)
        mask = framing.mask_on_picture(frame > 0)
        assert (mask & ink).sum() >= 0.9 * ink.sum()


def test_the_inks_rims_are_its_faint_edge_within_half_the_pens_width():
    page = np.full((600, 600), 200, np.float32)
    page[100:500, 290:310] = 100  # a stroke 20 wide at contrast 0.5
    page[100:500, 286:290] = 160  # its rim, at 0.2 of the paper: 0.4 of the peak
    page[100:500, 320:324] = 160  # faint ink 10 pixels off: more than half the pen away
    page[100:500, 120:140] = page[100:500, 460:480] = 100  # the digit's other strokes
    page[100:120, 120:480] = 100
    _, framing = digit_form(photo(page))
    assert framing.ink[300, 286:310].all() and not framing.ink[300, 320:324].any()


def test_the_digit_is_drawn_at_mnists_stroke_widths_each_framed_as_mnist_framed_it():
    picture = photo(write(paper(PAGE), "7", SEVEN, pen=6))
    frames, framing = digit_forms(picture)
    first, first_framing = digit_form(picture)
    np.testing.assert_array_equal(frames[0], first)
    assert framing == first_framing and frames.shape == (len(MNIST_STROKES), 28, 28)
    masses = [ink_mass(frame) for frame in frames]
    for width, mass in zip(MNIST_STROKES, masses):  # the 7's 35 frame pixels of stroke, wide
        assert mass / 35 == pytest.approx(width, rel=0.25)
    for frame in frames:
        ys, xs = np.nonzero(frame > 0)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 in (DIGIT_BOX, DIGIT_BOX + 1)
        assert np.abs(np.array(mass_centre(frame)) - 14).max() <= 0.5
    assert digit_forms(picture, (2.0,))[0][0].sum() < frames[0].sum()


def test_a_small_picture_is_read_as_it_would_be_enlarged_and_answered_on_itself():
    small = photo(write(paper((16, 16), noise=0), "7", (3, 2, 10, 12), pen=1, darkness=0.8))
    frame, framing = digit_form(small)  # a form's box scanned at 16x16: no speck
    big, big_framing = digit_form(enlarged(small))
    np.testing.assert_array_equal(frame, big)
    scale = SMALL_SIDE / 16
    assert framing.shape == (16, 16) and framing.ink.shape == (16, 16)
    assert framing.box == pytest.approx(tuple(v / scale for v in big_framing.box))
    assert framing.reach == pytest.approx(big_framing.reach / scale)
    mask = framing.mask_on_picture(frame > 0)
    ink = pen_ink((16, 16), "7", (3, 2, 10, 12), 1)
    assert mask.shape == (16, 16) and (mask & ink).sum() >= 0.8 * ink.sum()
    cx, cy, _ = framing.circle_on_picture(14, 14, 10)
    assert 3 <= cx <= 13 and 2 <= cy <= 14
    assert len(digit_forms(small, (2.0,))[0]) == 1  # at the widths asked for


def test_a_small_picture_not_square_is_answered_on_itself_in_both_directions():
    small = photo(write(paper((20, 40), noise=0), "7", (14, 3, 10, 14), pen=1, darkness=0.8))
    _, framing = digit_form(small)
    x, y, width, height = framing.box
    assert framing.shape == (20, 40) and framing.ink.shape == (20, 40)
    assert 12 <= x <= 15 and 1 <= y <= 4 and 9 <= width <= 13 and 12 <= height <= 17


def test_a_small_strip_is_enlarged_no_further_than_its_long_side_allows():
    assert enlarged(np.zeros((28, 40), np.uint8)).shape == (SMALL_SIDE, round(40 * SMALL_SIDE / 28))
    assert max(enlarged(np.zeros((20, 900), np.uint8)).shape) == LARGEST_ENLARGED
