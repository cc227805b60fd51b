"""A picture of a digit brought to MNIST's form, and answers about it taken back to the picture.

MNIST was made so (LeCun et al.): binary scans of pen strokes, each digit scaled to fit a
20x20 box with its aspect kept and anti-aliased, then placed in 28x28, white on black, with
its centre of mass at the centre. `digit_form` brings a photo, a scan or a drawing there:

1. the digit's ink (data.ink): each pixel's contrast to the paper under it, so that shading
   and coloured paper drop out, dark or light ink alike; the strokes where it is at least half
   its peak; the paper's lines, the picture's frame and specks left out;
2. a picture where nothing digit-like stands out, or whose ink has no digit's shape (flatter
   than any, or a blot), raises `NoDigit` with the reason in one line;
3. the stroke as MNIST's: the digit's skeleton, re-drawn MNIST_STROKE wide at a resolution
   SUPERSAMPLE times the frame's, whatever the pen's width and the picture's size;
4. MNIST's framing of that binary drawing (`mnist_form`): cropped, anti-aliased into 20x20,
   centred by mass.

A picture already in MNIST's form (`in_mnist_form`: MNIST's own digits are) is taken as it
is. `Framing` remembers how the digit was framed, so that a mask or a circle found in the
28x28 frame is drawn back onto the picture, a mask cut to the picture's own ink.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from mnistseg.data.ink import MIN_SIDE as MIN_SIDE  # the command's, with NoDigit, from here
from mnistseg.data.ink import NoDigit, digit_ink, ink_contrast, with_rims
from mnistseg.digits import DIGIT_SIDE

DIGIT_BOX = 20  # MNIST scales each digit to fit a box of this side, aspect kept

# MNIST's form, as every MNIST digit (test and training) has it: the ink's box 19 or 20 pixels
# on its long side, the centre of mass at most 0.52 pixels from the frame's centre.
SHORTEST_BOX = DIGIT_BOX - 1
CENTRE_TOLERANCE = 0.6  # pixels

# What is not the digit's shape: flatter than MNIST has any (height over width; 2 in 60000
# under 0.5), or with strokes wider than MAX_WIDTH_SHARE of its long side where widest
# (`widest_stroke`): all but 1 in 1000 of MNIST's digits are under 0.38 (median 0.14), the
# real set's under 0.18; a blurred round smudge is at 0.45 and more.
MIN_ASPECT = 0.4
MAX_WIDTH_SHARE = 0.4
RIM_SHARE = 0.25  # of the ink's peak contrast: a stroke's blurred rim, for masks on the picture,
RIM_REACH = 0.5  # as far as half the stroke's width past its edge at half contrast

# The stroke. MNIST's are 2.3 pixels wide in the 20-pixel box (median over its test digits of
# twice the mean distance to the background along the skeleton, at half intensity; 5th to 95th
# percentile 1.5 to 3.8). It is drawn SUPERSAMPLE times finer than the frame, then scaled down
# anti-aliased, as MNIST's binary scans were. A writer's pen says nothing of the width MNIST
# would have had, so the digit is also drawn at MNIST's quartiles (0.86 and 1.22 times its
# median width, measured alike) for a class read over all three (`digit_forms`).
MNIST_STROKE = 2.3
MNIST_STROKES = (MNIST_STROKE, 2.0, 2.8)  # the median first: the frame masks are read on
SUPERSAMPLE = 8
WORK_SIDE = DIGIT_BOX * SUPERSAMPLE  # the digit's long side while its stroke is re-drawn
MASK_REACH = 0.5  # frame pixels: how far a mask on the picture may reach past the drawn stroke
# A picture shorter than this is enlarged to it first, so that its ink is found as on any
# other (lengths in pixels, as MIN_SIDE, hold; a stroke a pixel wide is several): a 28x28
# drawing, a 16x16 scan of a form.
SMALL_SIDE = 96
LARGEST_ENLARGED = 1024  # pixels: a long strip is enlarged no further on its long side


def eight_bit(image: np.ndarray) -> np.ndarray:
    """An image as read (8 or 16 bits a channel) at 8 bits a channel."""
    return (image >> 8).astype(np.uint8) if image.dtype == np.uint16 else image


def grey(image: np.ndarray) -> np.ndarray:
    """(H, W) uint8 from a grey, BGR or BGRA image (8 or 16 bits); transparency is white."""
    image = eight_bit(image)
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        alpha = image[..., 3:].astype(np.float32) / 255
        over_white = image[..., :3].astype(np.float32) * alpha + 255 * (1 - alpha)
        image = (over_white + 0.5).astype(np.uint8)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def white_on_black(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """(H, W) grey as MNIST has it, white ink on a black background, and whether it was
    inverted: it is when its border, mostly background in a picture of a digit, is light.
    A background that is not black is taken to 0 and the brightest ink to 255; a picture
    already white on black (MNIST's own digits) is left as it is."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    inverted = bool(np.median(border) > 127)
    ink = 255 - image if inverted else image
    background = float(np.median(255 - border if inverted else border))
    if background == 0:
        return ink, inverted
    top = float(ink.max())
    if top <= background:
        return np.zeros_like(ink), inverted
    stretched = (ink.astype(np.float32) - background) * (255 / (top - background))
    return (np.clip(stretched, 0, 255) + 0.5).astype(np.uint8), inverted


@dataclass(frozen=True)
class Framing:
    """How a picture's digit was put into the 28x28 frame.

    box: (x, y, width, height) of the digit in the picture, in pixel edges; scaled: its (width,
    height) in the frame; offset: (x, y) of the scaled digit's top-left corner in the frame;
    shape: the picture's (height, width). ink: the picture's (H, W) bool ink of the digit, or
    None; a mask brought back is cut to it, after reaching `reach` picture pixels further.
    """

    box: tuple[float, float, float, float]
    scaled: tuple[int, int]
    offset: tuple[int, int]
    shape: tuple[int, int]
    ink: np.ndarray | None = field(default=None, compare=False, repr=False)
    reach: float = 0.0

    def frame_from_picture(self) -> np.ndarray:
        """The 2x3 affine map from picture pixels to frame pixels (pixel centres, as
        cv2.resize maps them)."""
        x, y, width, height = self.box
        sx, sy = self.scaled[0] / width, self.scaled[1] / height
        ox, oy = self.offset
        return np.array(
            [[sx, 0.0, (0.5 - x) * sx - 0.5 + ox], [0.0, sy, (0.5 - y) * sy - 0.5 + oy]]
        )

    def mask_on_picture(self, mask: np.ndarray) -> np.ndarray:
        """A (28, 28) mask of the frame, as a (H, W) bool mask of the picture: where the frame
        maps, and with an ink map, that ink within `reach` of it."""
        frame = np.where(mask, np.uint8(255), np.uint8(0))
        height, width = self.shape
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        back = cv2.warpAffine(frame, self.frame_from_picture(), (width, height), flags=flags)
        if self.ink is None:
            return back > 127
        side = 2 * round(self.reach) + 1
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
        return (cv2.dilate(back, disc) > 127) & self.ink

    def circle_on_picture(self, cx: float, cy: float, radius: float) -> tuple[float, ...]:
        """A circle of the frame (centre, radius in frame pixels) in picture pixels."""
        (sx, _, tx), (_, sy, ty) = self.frame_from_picture()
        return (cx - tx) / sx, (cy - ty) / sy, radius / ((sx + sy) / 2)


def as_is(shape: tuple[int, int]) -> Framing:
    """The framing of a picture that is already a frame: nothing moves."""
    height, width = shape
    return Framing((0, 0, width, height), (width, height), (0, 0), shape)


def mass_centre(image: np.ndarray) -> tuple[float, float]:
    """(x, y) of a grey image's centre of mass, pixel indices; the image has some ink."""
    mass = image.astype(np.float64)
    rows, cols = np.indices(image.shape)
    return (cols * mass).sum() / mass.sum(), (rows * mass).sum() / mass.sum()


def in_mnist_form(image: np.ndarray) -> bool:
    """Whether a grey picture is a digit in MNIST's form already, to be read as it is: 28x28,
    white on a black background (most pixels exactly 0), everything above 0 within a box 19
    or 20 pixels on its long side, its centre of mass within CENTRE_TOLERANCE of the frame's
    centre (pixel 14, 14). Every MNIST digit passes; a drawing off-centre or of another size
    does not, nor a photo (its paper is never exactly 0)."""
    if image.shape != (DIGIT_SIDE, DIGIT_SIDE) or np.median(image) > 0:
        return False
    _, _, width, height = cv2.boundingRect((image > 0).astype(np.uint8))
    if not SHORTEST_BOX <= max(width, height) <= DIGIT_BOX:
        return False
    centre = np.array(mass_centre(image))
    return bool(np.abs(centre - DIGIT_SIDE / 2).max() <= CENTRE_TOLERANCE)


def mnist_form(image: np.ndarray) -> tuple[np.ndarray, Framing]:
    """A (H, W) uint8 picture of one digit, white on black, put in 28x28 as MNIST's digits
    were: cropped to its ink (Otsu's threshold), scaled into 20x20 (aspect kept, anti-aliased)
    and centred by mass; and how. NoDigit if it has no ink (nothing lighter than its
    background)."""
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if not ink.any():
        raise NoDigit("no digit: nothing stands out from the background")
    x, y, width, height = cv2.boundingRect(ink)
    scale = DIGIT_BOX / max(width, height)
    scaled = (max(1, round(width * scale)), max(1, round(height * scale)))
    digit = cv2.resize(image[y : y + height, x : x + width], scaled, interpolation=cv2.INTER_AREA)
    # Its centre of mass goes to the frame's centre, pixel (14, 14), where MNIST's digits have
    # theirs (their mean over the test digits: 14.00, 13.99).
    centre = mass_centre(digit)  # ink: never all zero
    middle = DIGIT_SIDE / 2
    offset = tuple(
        int(min(max(round(middle - c), 0), DIGIT_SIDE - size)) for c, size in zip(centre, scaled)
    )
    frame = np.zeros((DIGIT_SIDE, DIGIT_SIDE), np.uint8)
    frame[offset[1] : offset[1] + scaled[1], offset[0] : offset[0] + scaled[0]] = digit
    return frame, Framing((x, y, width, height), scaled, offset, image.shape)


def working_drawing(core: np.ndarray) -> tuple[np.ndarray, tuple[int, int], tuple[float, float]]:
    """The digit's ink cropped to its box and scaled to WORK_SIDE on its long side, (h, w)
    bool; the box's (x, y) in the picture and the (x, y) scale. Shrunk, a stroke thinner than
    a working pixel keeps its trace (any ink counts); enlarged, the ink's edge is where it is
    half covered."""
    x, y, width, height = cv2.boundingRect(core.astype(np.uint8))
    scale = WORK_SIDE / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    crop = core[y : y + height, x : x + width].astype(np.float32)
    if scale < 1:
        work = cv2.resize(crop, size, interpolation=cv2.INTER_AREA) > 0
    else:
        work = cv2.resize(crop, size, interpolation=cv2.INTER_LINEAR) >= 0.5
    return work, (x, y), (size[0] / width, size[1] / height)


def stroke_width(core: np.ndarray, skeleton: np.ndarray, scale: float) -> float:
    """The ink's stroke width in the picture's pixels: its area over its skeleton's length
    (`skeleton` drawn `scale` times the picture's size)."""
    return float(core.sum() * scale / max(1, np.count_nonzero(skeleton)))


def skeleton_of(drawing: np.ndarray) -> np.ndarray:
    """(h, w) uint8, 0 or 255: a bool drawing thinned to its one-pixel skeleton (Zhang-Suen)."""
    padded = np.pad(drawing, 1).astype(np.uint8) * 255  # OpenCV leaves the edge rows as they are
    return cv2.ximgproc.thinning(padded)[1:-1, 1:-1]


def without_specks(work: np.ndarray, pen: float) -> np.ndarray:
    """A working drawing without its specks: groups of ink (parts closer than `pen` working
    pixels are one group: the dots of a broken stroke are) smaller than `pen` across. Drawn
    as wide as the pen, a speck would become a dot that no digit drawn with it has."""
    reach = int(np.ceil(pen / 2))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    grown = cv2.dilate(work.astype(np.uint8), disc)
    _, groups, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    across = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) - 2 * reach
    return work & (across >= pen)[groups]  # group 0, the paper, holds none of the ink


def widest_stroke(work: np.ndarray, skeleton: np.ndarray) -> float:
    """How wide a working drawing's strokes are where they are widest, leaving out the widest
    tenth (where strokes meet): twice the 90th percentile of the distance to the paper along
    the skeleton, in working pixels."""
    inside = np.pad(work, 1).astype(np.uint8)  # the drawing's edge is paper
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 5)[1:-1, 1:-1]
    return 2 * float(np.percentile(depth[skeleton > 0], 90)) if skeleton.any() else 0.0


def redrawn(skeleton: np.ndarray, width: float) -> tuple[np.ndarray, int]:
    """(h + 2m, w + 2m) uint8, 0 or 255: a skeleton drawn `width` pixels wide, with the margin
    m that holds it: half the width, and a pixel of paper."""
    margin = int(np.ceil(width / 2)) + 1
    off_skeleton = np.pad(
        np.where(skeleton > 0, np.uint8(0), np.uint8(255)), margin, constant_values=255
    )
    distance = cv2.distanceTransform(off_skeleton, cv2.DIST_L2, 5)
    return np.where(distance <= width / 2, np.uint8(255), np.uint8(0)), margin


def digit_form(image: np.ndarray) -> tuple[np.ndarray, Framing]:
    """A (H, W) uint8 grey picture of one handwritten digit, as read (any polarity), in
    MNIST's form: the (28, 28) uint8 frame, white on black, its stroke MNIST_STROKE wide,
    and how it was framed (see the module's docstring). NoDigit, with its reason, where
    nothing digit-like stands out."""
    frames, framing = digit_forms(image, (MNIST_STROKE,))
    return frames[0], framing


def digit_forms(
    image: np.ndarray, strokes: tuple[float, ...] = MNIST_STROKES
) -> tuple[np.ndarray, Framing]:
    """`digit_form`'s frame with its stroke drawn at each of `strokes` (widths in frame
    pixels), (k, 28, 28) uint8, each framed as MNIST's digits were, and how the first was
    framed; one frame, the picture itself, for a picture in MNIST's form."""
    if in_mnist_form(image):
        return image[None], as_is(image.shape)
    if min(image.shape) < SMALL_SIDE and max(image.shape) < LARGEST_ENLARGED:
        return on_the_picture(*digit_forms(enlarged(image), strokes), image.shape)
    contrast = ink_contrast(image)
    core, peak = digit_ink(contrast)
    _, _, width, height = cv2.boundingRect(core.astype(np.uint8))
    if height < MIN_ASPECT * width:
        raise NoDigit(f"no digit: a line, flatter than any digit ({width}x{height} pixels)")
    work, (x, y), (sx, sy) = working_drawing(core)
    skeleton = skeleton_of(work)
    if widest_stroke(work, skeleton) > MAX_WIDTH_SHARE * max(work.shape):
        raise NoDigit("no digit: a blot, not strokes")
    pen = stroke_width(core, skeleton, (sx + sy) / 2)  # the writer's, in picture pixels
    line = skeleton_of(without_specks(work, MNIST_STROKE * SUPERSAMPLE))
    # Each width framed as MNIST framed its digits; the first's framing is the one returned.
    drawn = [redrawn(line, width * SUPERSAMPLE) for width in strokes]
    (frame, framed), margin = mnist_form(drawn[0][0]), drawn[0][1]
    frames = [frame] + [mnist_form(drawing)[0] for drawing, _ in drawn[1:]]
    bx, by, bw, bh = framed.box
    box = (x + (bx - margin) / sx, y + (by - margin) / sy, bw / sx, bh / sy)
    # A mask drawn back covers the drawn stroke: it reaches on to a wider pen's edges.
    per_frame_pixel = max(box[2], box[3]) / DIGIT_BOX
    beyond = max(0.0, pen / per_frame_pixel - strokes[0]) / 2
    reach = (beyond + MASK_REACH) * per_frame_pixel
    ink = with_rims(core, contrast >= RIM_SHARE * peak, pen * RIM_REACH)
    return np.stack(frames), Framing(box, framed.scaled, framed.offset, image.shape, ink, reach)


def enlarged(image: np.ndarray) -> np.ndarray:
    """A small picture enlarged (bicubic) to SMALL_SIDE on its short side, or less where its
    long side would pass LARGEST_ENLARGED (a strip)."""
    scale = min(SMALL_SIDE / min(image.shape), LARGEST_ENLARGED / max(image.shape))
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def on_the_picture(
    frames: np.ndarray, framing: Framing, shape: tuple[int, int]
) -> tuple[np.ndarray, Framing]:
    """The frames of an enlarged picture, and its framing mapped back onto the picture of
    `shape`: the box and reach scaled down, the ink where it covers half a pixel or more."""
    height, width = shape
    sx, sy = framing.shape[1] / width, framing.shape[0] / height
    x, y, box_width, box_height = framing.box
    covered = cv2.resize(
        framing.ink.astype(np.float32), (width, height), interpolation=cv2.INTER_AREA
    )
    box = (x / sx, y / sy, box_width / sx, box_height / sy)
    return frames, replace(
        framing, box=box, shape=shape, ink=covered >= 0.5, reach=framing.reach / sx
    )


def padded(image: np.ndarray, multiple: int) -> tuple[np.ndarray, Framing]:
    """The picture with black added right and below to sides that are multiples of
    `multiple` (what a network that pools can take), and its framing (nothing moves)."""
    height, width = image.shape
    frame = cv2.copyMakeBorder(
        image, 0, -height % multiple, 0, -width % multiple, cv2.BORDER_CONSTANT, value=0
    )
    return frame, Framing((0, 0, width, height), (width, height), (0, 0), image.shape)
