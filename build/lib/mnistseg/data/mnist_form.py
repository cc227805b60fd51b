"""A picture of a digit brought to MNIST's form, and answers about it taken back to the picture.

MNIST was made so (LeCun et al.): each digit, white on black, scaled to fit a 20x20 box with
its aspect kept and anti-aliased, then placed in 28x28 with its centre of mass at the centre.
A picture of any size is brought there the same way: grey, inverted when its background is
light, cropped to its ink, scaled into 20x20 and centred by mass. `Framing` remembers how,
so that a mask or a circle found in the 28x28 frame is drawn back onto the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mnistseg.digits import DIGIT_SIDE

DIGIT_BOX = 20  # MNIST scales each digit to fit a box of this side, aspect kept
MIN_SIDE = 8  # pixels: a smaller picture holds no digit worth reading


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

    box: (x, y, width, height) of the digit's ink in the picture; scaled: its (width, height)
    in the frame; offset: (x, y) of the scaled digit's top-left corner in the frame; shape:
    the picture's (height, width).
    """

    box: tuple[int, int, int, int]
    scaled: tuple[int, int]
    offset: tuple[int, int]
    shape: tuple[int, int]

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
        """A (28, 28) mask of the frame, as a (H, W) bool mask of the picture."""
        frame = np.where(mask, np.uint8(255), np.uint8(0))
        height, width = self.shape
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        back = cv2.warpAffine(frame, self.frame_from_picture(), (width, height), flags=flags)
        return back > 127

    def circle_on_picture(self, cx: float, cy: float, radius: float) -> tuple[float, ...]:
        """A circle of the frame (centre, radius in frame pixels) in picture pixels."""
        (sx, _, tx), (_, sy, ty) = self.frame_from_picture()
        return (cx - tx) / sx, (cy - ty) / sy, radius / ((sx + sy) / 2)


def as_is(shape: tuple[int, int]) -> Framing:
    """The framing of a picture that is already a frame: nothing moves."""
    height, width = shape
    return Framing((0, 0, width, height), (width, height), (0, 0), shape)


def mnist_form(image: np.ndarray) -> tuple[np.ndarray, Framing]:
    """A (H, W) uint8 picture of one digit, white on black, in MNIST's form: the (28, 28)
    frame and how the digit was framed. A picture already 28x28 is taken as it is (MNIST's own
    digits are). ValueError if it has no ink (nothing lighter than its background)."""
    if image.shape == (DIGIT_SIDE, DIGIT_SIDE):
        return image, as_is(image.shape)
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if not ink.any():
        raise ValueError("no digit: nothing stands out from the background")
    x, y, width, height = cv2.boundingRect(ink)
    scale = DIGIT_BOX / max(width, height)
    scaled = (max(1, round(width * scale)), max(1, round(height * scale)))
    digit = cv2.resize(image[y : y + height, x : x + width], scaled, interpolation=cv2.INTER_AREA)
    # Its centre of mass goes to the frame's centre, pixel (14, 14), where MNIST's digits have
    # theirs (their mean over the test digits: 14.00, 13.99).
    mass = digit.astype(np.float64)  # ink: never all zero
    rows, cols = np.indices(digit.shape)
    centre = ((cols * mass).sum() / mass.sum(), (rows * mass).sum() / mass.sum())
    middle = DIGIT_SIDE / 2
    offset = tuple(
        int(min(max(round(middle - c), 0), DIGIT_SIDE - size)) for c, size in zip(centre, scaled)
    )
    frame = np.zeros((DIGIT_SIDE, DIGIT_SIDE), np.uint8)
    frame[offset[1] : offset[1] + scaled[1], offset[0] : offset[0] + scaled[0]] = digit
    return frame, Framing((x, y, width, height), scaled, offset, image.shape)


def padded(image: np.ndarray, multiple: int) -> tuple[np.ndarray, Framing]:
    """The picture with black added right and below to sides that are multiples of
    `multiple` (what a network that pools can take), and its framing (nothing moves)."""
    height, width = image.shape
    frame = cv2.copyMakeBorder(
        image, 0, -height % multiple, 0, -width % multiple, cv2.BORDER_CONSTANT, value=0
    )
    return frame, Framing((0, 0, width, height), (width, height), (0, 0), image.shape)
