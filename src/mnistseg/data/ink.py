"""A handwritten digit's ink on a photo, a scan or a drawing, and what on it is not the digit.

The ink is each pixel's contrast to the paper under it, the paper's level estimated around it,
so that shading, a colour cast and coloured paper drop out; the strokes are where the contrast
is at least half its peak (a line's width at half its contrast). Left out: the paper's own
lines and the picture's frame (straight lines from edge to edge of the picture), marks the crop
cut, and specks away from the digit. A picture where nothing digit-like stands out raises
`NoDigit`, with the reason in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_SIDE = 8  # pixels: a smaller picture holds no digit worth reading

# EXTREME: the share of the pixels, in percent, taken as the picture's darkest and lightest (its
# ink's side) and as the ink's peak contrast: a few pixels of a 35-pixel picture, a thin digit's
# darkest hundreds on a 2600-pixel photo.
EXTREME = 0.01
PAPER_SIDE = 96  # pixels: the paper's level is estimated on the picture shrunk to this short side
PAPER_WINDOW = 1 / 4  # of the short side: wider than any stroke
PEAK_SHARE = 0.5  # of the peak contrast: a stroke's width at half its contrast
# The faintest digit of the real set (pencil) peaks at a contrast of 0.40; bare paper's
# texture, specks and ruled lines in corners of its photos at 0.22 (95th percentile) and 0.48
# (most). Below this, nothing stands out; above it, the shapes below decide. But on a clean
# picture (a drawing program's canvas, a clean scan) a faint stroke stands out of paper with
# no texture: a peak of FAINT_CONTRAST (20 grey levels off white) or more stands out where it
# is CLEAN_RATIO times the paper's texture (the contrast's TEXTURE_PERCENTILE). The faint
# canvas drawings of the second real set peak at 9 times their texture or more (enlarged from
# 28x28 as they are; most on paper with none); past this gate, the photos' bare corners (2 to
# 27 times theirs) are still refused by the rules below but one (docs/predict.md).
MIN_CONTRAST = 0.25
FAINT_CONTRAST = 0.08
CLEAN_RATIO = 8
TEXTURE_PERCENTILE = 80  # most of a picture is paper

# The paper's lines and the picture's frame: straight lines whose ends are both within LINE_END
# of the picture's edges, with a parallel one LINE_GAP or more apart (ruled and squared paper;
# a digit has no two such strokes), or along an edge, within EDGE_MARGIN of it. Lengths and
# distances are shares of the picture's short side.
LINE_SIDE = 512  # pixels: lines are looked for on the picture shrunk to this long side
LINE_PIECE = 0.3  # the shortest straight piece looked for
LINE_ANGLE = 2.0  # degrees: parallel within this
LINE_WIDTH = 0.02  # a piece this close across, carrying on from another's end, is of its line
LINE_END = 0.05
LINE_GAP = 0.05
EDGE_MARGIN = 0.02
WIDER = 1.0  # pixel: a stroke deeper than a line by more runs over it (where two lines
# cross, they are as deep as one and a pixel at most)
LINE_DEPTH = 50  # percentile of the ink's depth along a line: half its width (not where a
# stroke runs along it), and where it is widest (a line's width varies along it)
LINE_DEEPEST = 90

# The digit's parts: those of at least PART_SHARE of the largest's area, and whatever lies
# within NEAR_SHARE of their box's long side; a smaller one further away is a speck.
PART_SHARE = 0.05
NEAR_SHARE = 0.1
MIN_DIGIT_SHARE = 0.04  # of the short side: the digit's largest part is no smaller, and a
# part cut by the picture's edge reaches this far in (a line's or a neighbour's end does not)


class NoDigit(ValueError):  # noqa: N818 (the name the callers catch: "no digit")
    """Nothing digit-like stands out in a picture; the message says why, in one line."""


def paper_level(ink_light: np.ndarray) -> np.ndarray:
    """(H, W) float32: the paper's level under each pixel of a grey picture whose ink is the
    light side: its opening by a window wider than any stroke (what is left when everything
    lighter and narrower than the window is taken away: an even shading is kept whole),
    estimated on the picture shrunk to PAPER_SIDE (the paper's shading varies slowly)."""
    height, width = ink_light.shape
    scale = min(1.0, PAPER_SIDE / min(height, width))
    small = cv2.resize(ink_light, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    side = max(3, int(min(small.shape) * PAPER_WINDOW) | 1)
    window = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    # The paper carried on past the picture's edges, so that shading runs on to them.
    beyond = cv2.copyMakeBorder(small, side, side, side, side, cv2.BORDER_REPLICATE)
    opened = cv2.morphologyEx(beyond, cv2.MORPH_OPEN, window)[side:-side, side:-side]
    level = cv2.blur(opened, (3, 3))
    return cv2.resize(level, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def ink_contrast(image: np.ndarray) -> np.ndarray:
    """(H, W) float32 in [0, 1]: each pixel's contrast to the paper under it, towards the ink,
    as a share of the room the paper leaves (dark ink on paper at 200: (200 - grey) / 200).
    The ink is the side, dark or light, that the picture's extreme pixels reach further from
    its median grey: the paper is most of the picture, and glare is paler than ink is dark."""
    darkest, middle, lightest = np.percentile(image, [EXTREME, 50, 100 - EXTREME])
    ink_light = 255 - image if middle - darkest >= lightest - middle else image
    paper = paper_level(ink_light)
    return np.clip((ink_light - paper) / np.maximum(255 - paper, 1), 0, 1)


@dataclass(frozen=True)
class Line:
    """A straight line of ink: its (n, 4) segments (x1, y1, x2, y2) and its outermost two ends
    (2, 2), in picture pixels."""

    segments: np.ndarray
    ends: np.ndarray

    @property
    def angle(self) -> float:
        """Degrees in [0, 180)."""
        (x1, y1), (x2, y2) = self.ends
        return float(np.degrees(np.arctan2(y2 - y1, x2 - x1)) % 180)

    @property
    def position(self) -> float:
        """Its signed distance from the picture's corner (0, 0), across it."""
        normal = np.radians(self.angle + 90)
        return float(self.ends[0] @ (np.cos(normal), np.sin(normal)))


def parallel(a: float, b: float) -> bool:
    """Whether two angles (degrees) are parallel within LINE_ANGLE."""
    apart = abs(a - b) % 180
    return min(apart, 180 - apart) <= LINE_ANGLE


def line_segments(ink: np.ndarray) -> np.ndarray:
    """(N, 4) float: straight segments (x1, y1, x2, y2) of the ink's skeleton, in picture
    pixels, at least LINE_PIECE of the short side long. The skeleton is taken a pixel wide each
    side, so that a slightly wavy line (notebook paper) stays one segment."""
    height, width = ink.shape
    scale = min(1.0, LINE_SIDE / max(height, width))
    ink_255 = np.where(ink, np.uint8(255), np.uint8(0))
    shrunk = cv2.resize(ink_255, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    skeleton = cv2.ximgproc.thinning(np.where(shrunk > 0, np.uint8(255), np.uint8(0)))
    shortest = LINE_PIECE * min(shrunk.shape)
    found = cv2.HoughLinesP(
        cv2.dilate(skeleton, np.ones((3, 3), np.uint8)), 1, np.radians(LINE_ANGLE / 4),
        threshold=int(shortest / 2), minLineLength=shortest, maxLineGap=shortest / 10,
    )  # fmt: skip
    if found is None:
        return np.zeros((0, 4))
    return (found[:, 0].astype(np.float64) + 0.5) / scale - 0.5


def one_line(a: Line, b: Line, shape: tuple[int, int]) -> bool:
    """Whether two straight pieces are of one line: parallel, and either the same piece found
    twice (a pixel of the shrunk picture apart across) or one carrying on from the other's end
    (LINE_WIDTH apart across at most: a wavy line). Two pieces side by side, a stroke by a
    line of the paper, are two lines."""
    if not parallel(a.angle, b.angle):
        return False
    across = abs(a.position - b.position)
    if across <= max(shape) / LINE_SIDE + 1:
        return True
    direction = a.ends[1] - a.ends[0]
    first, second = np.sort(a.ends @ direction), np.sort(b.ends @ direction)
    end_to_end = first[1] <= second[0] or second[1] <= first[0]
    return across <= LINE_WIDTH * min(shape) and end_to_end


def straight_lines(segments: np.ndarray, shape: tuple[int, int]) -> list[Line]:
    """The segments grouped into lines (`one_line`, and on along its pieces)."""
    pieces = [Line(segment[None], segment.reshape(2, 2)) for segment in segments]
    lines, left = [], list(range(len(pieces)))
    while left:
        group, left = [left[0]], left[1:]
        for i in group:  # grows as it goes
            found = [j for j in left if one_line(pieces[i], pieces[j], shape)]
            group += found
            left = [j for j in left if j not in found]
        lines.append(joined(segments[group]))
    return lines


def joined(segments: np.ndarray) -> Line:
    """The line along the segments: its ends the outermost two of theirs."""
    points = segments.reshape(-1, 2)
    direction = points[1] - points[0]
    along = points @ (direction / max(np.hypot(*direction), 1e-9))
    return Line(segments, points[[along.argmin(), along.argmax()]])


def edge_to_edge(line: Line, shape: tuple[int, int]) -> bool:
    """Whether both ends of a line are within LINE_END of the picture's edges."""
    height, width = shape
    x, y = line.ends.T
    to_edge = np.minimum.reduce([x, y, width - 1 - x, height - 1 - y])
    return bool((to_edge <= LINE_END * min(shape)).all())


def along_an_edge(line: Line, shape: tuple[int, int]) -> bool:
    """Whether a line lies along an edge of the picture, both ends within EDGE_MARGIN of it (a
    frame, a crop's dark border, the paper's edge)."""
    height, width = shape
    margin = EDGE_MARGIN * min(shape)
    x, y = line.ends.T
    return bool(
        (x <= margin).all() or (x >= width - 1 - margin).all()
        or (y <= margin).all() or (y >= height - 1 - margin).all()
    )  # fmt: skip


def paper_lines(ink: np.ndarray) -> np.ndarray:
    """(H, W) bool: the ink that is the paper's own lines or the picture's frame (see the
    module's constants), but where a wider stroke runs over them: it stays whole."""
    lines = straight_lines(line_segments(ink), ink.shape)
    gap = LINE_GAP * min(ink.shape)
    inside = np.pad(ink, 1).astype(np.uint8)  # beyond the picture's edge is paper
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 5)[1:-1, 1:-1]
    # The deepest ink within where a line may be from where it was found: its half width.
    within = 2 * int(np.ceil(found_within(ink.shape))) + 1
    ridge = cv2.dilate(depth, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (within, within)))
    across = [edge_to_edge(line, ink.shape) or along_an_edge(line, ink.shape) for line in lines]
    drawn = np.zeros(ink.shape, np.uint8)
    halves = []
    for line, crossing in zip(lines, across):
        partnered = any(
            parallel(other.angle, line.angle) and abs(other.position - line.position) >= gap
            for other, other_crossing in zip(lines, across)
            if other_crossing
        )
        if along_an_edge(line, ink.shape) or (crossing and partnered):
            halves.append(draw_line(drawn, line, ridge))
    if not halves:
        return np.zeros(ink.shape, bool)
    # How wide the ink is around each pixel: as the paper's lines are at most, or wider.
    half = float(np.median(halves))
    reach = 2 * int(np.ceil(half)) + 3
    around = cv2.dilate(depth, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    return (drawn > 0) & ink & (around <= half + WIDER)


def found_within(shape: tuple[int, int]) -> float:
    """How far, in pixels, a line may be from where it was found: two pixels of the shrunk
    picture it was looked for on."""
    return 2 * max(1.0, max(shape) / LINE_SIDE)


def draw_line(drawn: np.ndarray, line: Line, ridge: np.ndarray) -> float:
    """Draw a line into `drawn`, each segment carried on to the picture's edges (a paper's
    line runs across it), as wide as the ink is along it (`ridge`: the ink's depth, its
    distance to the paper, at its deepest near each pixel) and, each side, as far as the line
    may be from where it was found. Its half width where it is widest (LINE_DEEPEST)."""
    beyond = np.hypot(*drawn.shape)
    pieces = []
    for start, end in line.segments.reshape(-1, 2, 2):
        step = (end - start) / max(np.hypot(*(end - start)), 1e-9) * beyond
        pieces += [(start, end), (end, end + step), (start, start - step)]
    ends = [(tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int))) for a, b in pieces]
    centre = np.zeros_like(drawn)
    for start, end in ends[::3]:  # the segments themselves
        cv2.line(centre, start, end, 1, thickness=1)
    if not centre.any():
        return 0.0
    half, widest = np.percentile(ridge[centre > 0], [LINE_DEPTH, LINE_DEEPEST])
    band = 2 * int(np.ceil(half + found_within(drawn.shape))) + 1
    for start, end in ends:
        cv2.line(drawn, start, end, 1, thickness=band)
    return float(widest)


def reach_inwards(stats: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(N,) how far each component (OpenCV's stats rows: x, y, width, height) reaches into the
    picture from the edges it touches; the picture's size for one that touches none."""
    rows, cols = shape
    x, y, width, height = stats[:, :4].T
    right, bottom = x + width, y + height
    return np.min(
        [np.where(x == 0, right, cols), np.where(right == cols, cols - x, cols),
         np.where(y == 0, bottom, rows), np.where(bottom == rows, rows - y, rows)], axis=0,
    )  # fmt: skip


def digit_parts(ink: np.ndarray) -> np.ndarray:
    """(H, W) bool: the ink of the digit, specks left out (see PART_SHARE). A part cut by the
    picture's edge that hardly reaches in is of something the crop cut, and left out. The digit
    is found among the parts the edge does not cut, if one is large enough: the edge cuts the
    table, the paper's edge or a shadow before it cuts a digit (one that fills its picture)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if count == 1:
        raise NoDigit("no digit: only the paper's lines")
    stats = stats[1:]
    x, y, width, height, area = stats.T
    right, bottom = x + width, y + height
    least = max(MIN_SIDE, MIN_DIGIT_SHARE * min(ink.shape))
    reaching = reach_inwards(stats, ink.shape) >= least
    if not reaching.any():
        raise NoDigit("no digit: only the paper's lines and marks cut by the picture's edge")
    cut = (x == 0) | (y == 0) | (right == ink.shape[1]) | (bottom == ink.shape[0])
    whole = reaching & ~cut & (np.maximum(width, height) >= least)
    candidates = whole if whole.any() else reaching
    largest = np.where(candidates, area, 0).argmax()
    if max(width[largest], height[largest]) < least:
        raise NoDigit(f"no digit: only specks ({width[largest]}x{height[largest]} pixels at most)")
    major = candidates & (area >= PART_SHARE * area[largest])
    left, top = x[major].min(), y[major].min()
    far_right, far_bottom = right[major].max(), bottom[major].max()
    near = NEAR_SHARE * max(far_right - left, far_bottom - top)
    inside = reaching & (
        (right >= left - near) & (x <= far_right + near)
        & (bottom >= top - near) & (y <= far_bottom + near)
    )  # fmt: skip
    return np.concatenate([[False], inside])[labels]


def stands_out(contrast: np.ndarray, peak: float) -> bool:
    """Whether a picture's peak contrast stands out from its paper: MIN_CONTRAST, or on a
    clean picture FAINT_CONTRAST and CLEAN_RATIO times the paper's texture."""
    if peak >= MIN_CONTRAST:
        return True
    texture = float(np.percentile(contrast, TEXTURE_PERCENTILE))
    return peak >= max(FAINT_CONTRAST, CLEAN_RATIO * texture)


def digit_ink(contrast: np.ndarray) -> tuple[np.ndarray, float]:
    """The digit's strokes at half their peak contrast, (H, W) bool, and that peak; NoDigit
    where nothing stands out or only the paper's lines do."""
    peak = float(np.percentile(contrast, 100 - EXTREME))
    if not stands_out(contrast, peak):
        raise NoDigit(f"no digit: nothing stands out from the background (contrast {peak:.2f})")
    strong = contrast >= PEAK_SHARE * peak
    return digit_parts(strong & ~paper_lines(strong)), peak


def with_rims(strokes: np.ndarray, faint: np.ndarray, reach: float) -> np.ndarray:
    """(H, W) bool: the strokes and their rims, the faint ink within `reach` pixels of them
    (so not the faint lines of the paper that cross them, but where they do)."""
    outside = np.where(strokes, np.uint8(0), np.uint8(255))
    return strokes | (faint & (cv2.distanceTransform(outside, cv2.DIST_L2, 5) <= reach))
