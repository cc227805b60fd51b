"""Pictures for `dvc plots show`: dataset previews, prediction maps, PNG encoding."""

from __future__ import annotations

import cv2
import numpy as np


def to_bgr(gray: np.ndarray) -> np.ndarray:
    """(H, W) uint8 -> (H, W, 3) uint8."""
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def overlay(image: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """The grey or BGR image with the mask's pixels tinted half-way towards `colour` (BGR)."""
    out = (to_bgr(image) if image.ndim == 2 else image).astype(np.float32)
    on = mask > 0
    out[on] = 0.5 * out[on] + 0.5 * np.array(colour, dtype=np.float32)
    return out.astype(np.uint8)


def image_grid(tiles: list[np.ndarray], columns: int, scale: int = 3, gap: int = 2) -> np.ndarray:
    """Lay same-sized (H, W, 3) tiles out in rows of `columns`, enlarged `scale` times."""
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    sheet = np.full((rows * (h + gap) + gap, columns * (w + gap) + gap, 3), 255, dtype=np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, columns)
        y, x = gap + r * (h + gap), gap + c * (w + gap)
        sheet[y : y + h, x : x + w] = tile
    return cv2.resize(sheet, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def mask_preview(images: np.ndarray, masks: np.ndarray, count: int = 8) -> np.ndarray:
    """Two rows per sample column: the images on top, their masks overlaid below."""
    count = min(count, len(images))
    top = [to_bgr(img) for img in images[:count]]
    bottom = [overlay(img, m, (0, 0, 255)) for img, m in zip(images[:count], masks[:count])]
    return image_grid(top + bottom, columns=count)


def circle_preview(
    images: np.ndarray, circle_masks: np.ndarray, circles: np.ndarray, count: int = 8
) -> np.ndarray:
    """Each digit with its filled circle tinted and the fitted circle's outline in green."""
    tiles = []
    for img, disc, (cx, cy, r) in zip(images[:count], circle_masks[:count], circles[:count]):
        tile = overlay(img, disc, (255, 0, 0))
        if r >= 0:
            cv2.circle(tile, (int(cx), int(cy)), int(r), (0, 200, 0), thickness=1)
        tiles.append(tile)
    return image_grid(tiles, columns=min(count, len(tiles)))


# BGR colours of the prediction picture.
TRUE_POSITIVE = (255, 255, 255)
FALSE_POSITIVE = (0, 0, 255)
FALSE_NEGATIVE = (255, 128, 0)


def error_map(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(H, W, 3) picture: true positives white, false positives red, false negatives blue."""
    out = np.zeros((*pred.shape, 3), dtype=np.uint8)
    out[pred & target] = TRUE_POSITIVE
    out[pred & ~target] = FALSE_POSITIVE
    out[~pred & target] = FALSE_NEGATIVE
    return out


def prediction_grid(
    images: np.ndarray, pred: np.ndarray, target: np.ndarray, count: int = 8
) -> np.ndarray:
    """Inputs on top, error maps below, for the first `count` test items."""
    count = min(count, len(images))
    top = [to_bgr(img) for img in images[:count]]
    bottom = [error_map(p, t) for p, t in zip(pred[:count], target[:count])]
    return image_grid(top + bottom, columns=count)


def encode_png(image: np.ndarray) -> bytes:
    """The PNG bytes of a grey or BGR uint8 image."""
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(image))
    if not ok:
        raise ValueError(f"OpenCV could not encode a {image.shape} image as PNG")
    return encoded.tobytes()


def video_preview(shots: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """One row per (frame, mask, composite) shot: the three side by side, at full size."""
    tiles = [tile for frame, mask, result in shots for tile in (frame, to_bgr(mask), result)]
    return image_grid(tiles, columns=3, scale=1)
