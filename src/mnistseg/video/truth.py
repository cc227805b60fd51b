"""The ground truth a clip's masks are scored against: masks by frame number, from a CDnet
folder or a .npy, and which frames count; a CDnet sequence's frames paired with its masks."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from mnistseg.errors import InputError
from mnistseg.video.cdnet import ROI_FILE, parse_temporal_roi
from mnistseg.video.frames import Frames, image_folder, open_frames, read_image, renumbered


class GroundTruth:
    """The masks by frame number: a folder of numbered images (CDnet) or a (T, H, W) .npy
    (frame t + 1 is row t), and the frame numbers that are scored."""

    def __init__(self, spec: str, warmup: int, param: str = "video.ground_truth") -> None:
        path = Path(spec)
        self.path, self.param = path, param  # errors name the param that points here
        if path.is_dir():
            self.masks: dict[int, Path] | np.ndarray = image_folder(path, param)
            self.numbers = set(self.masks)
            roi = path.parent / ROI_FILE
            self.scored = (
                parse_temporal_roi(roi.read_text(), str(roi))
                if roi.is_file()
                else range(warmup + 1, sys.maxsize)
            )
            return
        if not path.is_file():
            raise FileNotFoundError(f"{param}: {path}: no such file (or set it to `none`)")
        self.masks = np.load(path, mmap_mode="r", allow_pickle=False)
        if self.masks.ndim != 3:
            raise InputError(f"{param}: {path}: expected (T, H, W) masks, got {self.masks.shape}")
        self.numbers = set(range(1, len(self.masks) + 1))
        self.scored = range(warmup + 1, sys.maxsize)

    def name(self, number: int) -> str:
        """Where frame `number`'s mask is, or would be."""
        if isinstance(self.masks, dict):
            return str(self.path / renumbered(next(iter(self.masks.values())).name, number))
        return f"{self.path} (row {number - 1})"

    def mask(self, number: int, shape: tuple) -> np.ndarray | None:
        """Frame `number`'s mask, checked against the frame's size; None if it has none."""
        if number not in self.numbers:
            if number in self.scored:
                raise self.missing(number)
            return None
        if isinstance(self.masks, dict):
            name = self.masks[number]
            mask = read_image(name, cv2.IMREAD_GRAYSCALE, self.param)
        else:
            name, mask = self.name(number), np.asarray(self.masks[number - 1])
        if mask.shape != shape:
            raise InputError(
                f"{self.param}: {name}: masks of {mask.shape[-1]}x{mask.shape[0]} do not "
                f"fit frames of {shape[1]}x{shape[0]}"
            )
        return mask

    def check_frames(self, frames: Iterable[int], where: str) -> None:
        """Every mask has its frame and every scored frame its mask, by number; `where` names
        the frames (`video.input: path`)."""
        frames = set(frames)
        orphans = sorted(self.numbers - frames)
        if orphans:
            raise InputError(
                f"{where}: frame {orphans[0]} missing, and its mask "
                f"{self.name(orphans[0])} is there"
            )
        unscored = [n for n in sorted(frames - self.numbers) if n in self.scored]
        if unscored:
            raise self.missing(unscored[0])

    def missing(self, number: int) -> InputError:
        """The error for scored frame `number` without its mask."""
        return InputError(
            f"{self.param}: {self.name(number)}: missing, and frame {number} is scored"
        )


def open_sequence(folder: Path, where: str) -> tuple[Frames, GroundTruth]:
    """A CDnet sequence folder: its frames and its ground truth, paired by number and checked
    (every mask has its frame, every scored frame its mask). `where` starts every error."""
    folder = Path(folder)
    for part in ("input", "groundtruth"):
        if not (folder / part).is_dir():
            raise FileNotFoundError(f"{where}: {folder / part}: no such folder (CDnet's layout)")
    frames = open_frames(folder / "input", where)
    truth = GroundTruth(str(folder / "groundtruth"), warmup=0, param=where)
    truth.check_frames(frames.files, f"{where}: {folder / 'input'}")
    return frames, truth
