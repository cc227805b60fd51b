"""Tiny clips for the video tests: a moving square on a still background, and its masks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

from mnistseg.params import validate_section
from mnistseg.video.config import VideoParams
from mnistseg.video.loop import Replacement, masked_frames
from mnistseg.video.masks import ForegroundMasker
from scratch import committed_section

# BGSLibrary's Python wrapper, an optional install (make bgslibrary)
HAVE_PYBGS = importlib.util.find_spec("pybgs") is not None

DEFAULTS = committed_section(VideoParams, "video")  # the assignment's loop

H, W, SIDE = 60, 80, 12
EMPTY, SPEED = 20, 4  # frames of background alone (MOG2 learns it), then pixels per frame


def video_params(**changes) -> VideoParams:
    """The committed `video` section with `changes`; a dict changes keys of a block."""
    values = DEFAULTS.model_dump()
    for key, value in changes.items():
        values[key] = {**values[key], **value} if isinstance(value, dict) else value
    return validate_section(VideoParams, values, "video", "params.yaml")


def masker(params: VideoParams = DEFAULTS) -> ForegroundMasker:
    return ForegroundMasker(params.subtractor, params.knobs(), params.cleanup)


def replaced(frames, background=None, params: VideoParams = DEFAULTS) -> list:
    """Each frame through the loop with `params`, over `background` if given."""
    replacement = (
        None
        if background is None
        else Replacement(background, params.output.feather, lambda frame: None)
    )
    return list(masked_frames(frames, masker(params), replacement, "video.input: clip"))


def moving_square(frames: int = 36) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A still, lightly noisy background; after EMPTY frames a bright square slides right."""
    rng = np.random.default_rng(0)
    scene = rng.integers(60, 120, size=(H, W, 3), dtype=np.uint8)
    clip, truth = [], []
    for t in range(frames):
        frame, mask = scene.copy(), np.zeros((H, W), np.uint8)
        if t >= EMPTY:
            x = 2 + SPEED * (t - EMPTY)
            frame[20 : 20 + SIDE, x : x + SIDE] = (30, 220, 250)
            mask[20 : 20 + SIDE, x : x + SIDE] = 255
        noise = rng.normal(0, 1.5, size=frame.shape)
        clip.append(np.clip(frame + noise, 0, 255).astype(np.uint8))
        truth.append(mask)
    return clip, truth


def noisy_clip(frames: int = 40, height: int = 60, width: int = 80) -> list[np.ndarray]:
    """Noisy enough that random sample updates (KNN, GSOC) and their knobs change the masks."""
    rng = np.random.default_rng(0)
    clip = [rng.normal(100, 20, (height, width, 3)).clip(0, 255).astype(np.uint8)
            for _ in range(frames)]  # fmt: skip
    for i, frame in enumerate(clip[15:]):
        frame[height // 3 : 2 * height // 3, 5 + 2 * i : 25 + 2 * i] = 250
    return clip


class NumberedTruth:
    """GroundTruth's interface over masks in memory: frame t + 1 is masks[t]."""

    def __init__(self, masks, scored):
        self.masks, self.scored = masks, scored
        self.path, self.param = "truth.npy", "video.ground_truth"
        self.numbers = set(range(1, len(masks) + 1))

    def mask(self, number, shape):
        if number not in self.numbers:
            return None
        assert shape == self.masks[number - 1].shape
        return self.masks[number - 1]


def write_clip(path: Path, frames, fourcc: str = "FFV1") -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10, (W, H))
    for frame in frames:
        writer.write(frame)
    writer.release()


def cdnet_folder(root: Path) -> Path:
    """The moving square as CDnet lays a sequence out: input/*.jpg, groundtruth/*.png, ROI."""
    clip, truth = moving_square()
    (root / "seq" / "input").mkdir(parents=True)
    (root / "seq" / "groundtruth").mkdir()
    for t, (frame, mask) in enumerate(zip(clip, truth), start=1):
        cv2.imwrite(str(root / "seq" / "input" / f"in{t:06d}.jpg"), frame)
        cv2.imwrite(str(root / "seq" / "groundtruth" / f"gt{t:06d}.png"), mask)
    (root / "seq" / "temporalROI.txt").write_text(f"{EMPTY + 1} {len(clip)}\n")
    return root / "seq"
