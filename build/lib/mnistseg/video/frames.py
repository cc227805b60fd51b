"""Reading frames: a video file as it decodes, or a folder of numbered images (CDnet's layout).

Frames are (H, W, 3) uint8 BGR arrays, numbered from 1: a video's as they decode, a folder's by
the number in each file's name (`in000123.jpg` is frame 123).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from mnistseg.errors import InputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
DEFAULT_FPS = 25.0  # for a folder of frames, which has no frame rate of its own


def frame_number(name: str) -> int | None:
    """The frame number in a file name, its last run of digits (`in000123.jpg` -> 123)."""
    digits = re.findall(r"\d+", name.rsplit(".", 1)[0])
    return int(digits[-1]) if digits else None


def renumbered(name: str, number: int) -> str:
    """`name` with its frame number replaced by `number`, padded alike (gt000699 -> gt000700)."""
    stem, dot, suffix = name.rpartition(".")
    digits = list(re.finditer(r"\d+", stem))[-1]
    width = digits.end() - digits.start()
    return f"{stem[: digits.start()]}{number:0{width}d}{stem[digits.end() :]}{dot}{suffix}"


def numbered_images(names: Iterable[str], where: str) -> dict[int, str]:
    """The image files among `names` by frame number, in frame order.

    CDnet's `in000001.jpg` and `gt000001.png` are frame 1 of a sequence; any folder of images
    numbered so works. An image without a number, or two images of one number, is an
    InputError naming them (`where` says which folder).
    """
    found: dict[int, str] = {}
    for name in sorted(names):
        if not name.lower().endswith(IMAGE_SUFFIXES):
            continue
        number = frame_number(name)
        if number is None:
            raise InputError(f"{where}/{name}: no frame number in the name")
        if number in found:
            raise InputError(f"{where}: {found[number]} and {name} are both frame {number}")
        found[number] = name
    return dict(sorted(found.items()))


def read_image(path: Path, flags: int, param: str) -> np.ndarray:
    """An image file as OpenCV reads it; an unreadable one is an InputError naming `param`."""
    image = cv2.imread(str(path), flags)
    if image is None:
        raise InputError(f"{param}: {path}: OpenCV cannot read it as an image")
    return image


def image_folder(path: Path, param: str) -> dict[int, Path]:
    """The numbered images of a folder by frame number (CDnet's in000001.jpg is frame 1)."""
    numbered = numbered_images((p.name for p in path.iterdir()), f"{param}: {path}")
    if not numbered:
        raise InputError(f"{param}: {path}: a folder with no images")
    return {number: path / name for number, name in numbered.items()}


@dataclass
class Frames:
    """A clip's frames as they are read, with what is known of them before reading."""

    images: Iterator[np.ndarray]
    numbers: Iterable[int]  # each frame's number, in order
    files: dict[int, Path] | None  # a folder's frames by number; None for a video
    fps: float
    expected: int  # how many there should be (a video's header says; only a hint)


def open_frames(path: Path, param: str) -> Frames:
    """The frames of a video file or of a folder of numbered images; `param` names the
    parameter (or the sequence) that points at it in every error."""
    path = Path(path)
    if path.is_dir():
        files = image_folder(path, param)
        images = (read_image(file, cv2.IMREAD_COLOR, param) for file in files.values())
        return Frames(images, list(files), files, DEFAULT_FPS, len(files))
    if not path.is_file():
        raise FileNotFoundError(f"{param}: {path}: no such file or folder")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise InputError(f"{param}: {path}: OpenCV cannot open it as a video")

    def decoded() -> Iterator[np.ndarray]:
        ok, frame = capture.read()
        while ok:
            yield frame
            ok, frame = capture.read()
        capture.release()

    # The container's frame count is only a hint (for previews): frames are counted as decoded.
    hint = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    fps = capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
    return Frames(decoded(), itertools.count(1), None, fps, hint)
