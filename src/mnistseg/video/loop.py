"""The per-frame loop: masks of a clip's frames, each over a new background if asked, scored
against ground truth as they come. The `video` stage and the CDnet benchmark's stages run it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from mnistseg.errors import InputError
from mnistseg.video.cdnet import Counts
from mnistseg.video.compositing import Replaced, composite, fit_background
from mnistseg.video.masks import ForegroundMasker
from mnistseg.video.scoring import VideoScorer
from mnistseg.video.truth import GroundTruth

NO_GROUND_TRUTH = "none"


@dataclass(frozen=True)
class Replacement:
    """Background replacement: each frame's foreground over `background` (resized to the
    frames), with a soft edge of `feather` pixels if above 0, handed to `write`."""

    background: np.ndarray
    feather: float
    write: Callable[[np.ndarray], None]


def masked_frames(
    frames: Iterable[np.ndarray],
    masker: ForegroundMasker,
    replacement: Replacement | None,
    source: str,
) -> Iterator[Replaced]:
    """Each frame with its mask, and its composite if `replacement` is given, in order.

    Every frame must have the first one's size; `source` names the frames in the error.
    """
    first, fitted = None, None
    for t, frame in enumerate(frames):
        if first is None:
            first = frame.shape
            if replacement is not None:
                fitted = fit_background(replacement.background, frame.shape[1], frame.shape[0])
        elif frame.shape != first:
            raise InputError(
                f"{source}: frame {t + 1} is {frame.shape[1]}x{frame.shape[0]}, the first was "
                f"{first[1]}x{first[0]}: every frame must have one size"
            )
        mask = masker(frame)
        made = None if fitted is None else composite(frame, fitted, mask, replacement.feather)
        yield Replaced(frame, mask, made)


def preview_frames(expected: int, count: int = 3) -> set[int]:
    """Frame positions to show: evenly spread over `expected` frames."""
    return {int(expected * k / (count + 1)) for k in range(1, count + 1)}


@dataclass
class Clip:
    """What the loop made of a clip: its size, foreground, preview shots and scores."""

    frames: int = 0
    width: int = 0
    height: int = 0
    foreground: int = 0  # foreground pixels over all frames
    seconds: float = 0.0  # in the loop itself: masks, composites, writing; not the scoring
    shots: list[Replaced] = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # VideoScorer.metrics(), with ground truth
    counts: Counts = field(default_factory=Counts)  # CDnet's, pooled over the scored frames

    def record(self, fps: float) -> dict:
        """The video stage's full record (data/video/scores.json)."""
        pixels = self.frames * self.width * self.height
        return {
            "frames": self.frames,
            "width": self.width,
            "height": self.height,
            "fps": fps,
            "mean_foreground_fraction": self.foreground / pixels,
            **self.scores,
        }


def process_clip(
    frames: Iterable[np.ndarray],
    numbers: Iterable[int],
    masker: ForegroundMasker,
    source: str,
    truth: GroundTruth | None = None,
    replacement: Replacement | None = None,
    shown: set[int] = frozenset(),
) -> Clip:
    """Mask `frames` (numbered `numbers`; `source` names them in errors), composite and write
    each one if asked, and score the masks against `truth`; the frames at the positions `shown`
    are kept as shots (the last frame if none of them is reached)."""
    clip = Clip()
    background = None if replacement is None else replacement.background
    scorer = VideoScorer(truth.scored, background) if truth is not None else None
    last: Replaced | None = None  # shown when no position in `shown` is reached
    last_number = 0
    started = time.perf_counter()
    for t, (number, result) in enumerate(
        zip(numbers, masked_frames(frames, masker, replacement, source))
    ):
        if replacement is not None:
            replacement.write(result.composite)
        clip.seconds += time.perf_counter() - started
        clip.frames += 1
        clip.height, clip.width = result.mask.shape
        clip.foreground += cv2.countNonZero(result.mask)
        if truth is not None:
            mask = truth.mask(number, result.mask.shape)
            if mask is not None:
                scorer.add(number, result, mask)
        if t in shown:
            clip.shots.append(result)
        last, last_number = result, number
        started = time.perf_counter()
    if last is None:
        raise InputError(f"{source}: holds no frames")
    if truth is not None and max(truth.numbers, default=0) > last_number:  # a video's frames
        raise InputError(
            f"{truth.param}: {truth.path}: {len(truth.numbers)} masks for "
            f"{clip.frames} frames ({source})"
        )
    clip.shots = clip.shots or [last]
    if scorer is not None:
        clip.scores, clip.counts = scorer.metrics(), scorer.counts
    return clip
