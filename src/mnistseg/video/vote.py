"""The vote: several methods' masks combined pixel by pixel, at a reduced scale if asked, with
cast shadows turned back to background.

Each frame is scaled down so that its longer side is at most `max_side` (INTER_AREA), every
member marks its foreground on it, a pixel is foreground where at least `votes` members mark
it, the shadow rule (mnistseg.video.shadows) clears the pixels that look like one member's
background (`shadows.background`) in shadow, and the mask is scaled back to the frame's size
(INTER_LINEAR, then above 127: the edge of the small mask, not its blocks). With one member
and `votes: 1` it is that method at a reduced scale.

Several members run at once, each in a process of its own: BGSLibrary's methods hold Python's
lock while they work, and each draws from its own process's rand(), seeded when it is built,
so the masks are the same from run to run whatever the order the processes finish in.
"""

from __future__ import annotations

import multiprocessing
import traceback
import weakref
from collections.abc import Sequence

import cv2
import numpy as np

from mnistseg.params import Section
from mnistseg.video.config import Vote
from mnistseg.video.shadows import shadow_pixels
from mnistseg.video.subtractors import background_image, make_subtractor, require

# A member marks foreground with 255; MOG2's and KNN's shadows (127) are no vote.
MARKED = 127


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """(width, height) scaled so the longer side is at most `max_side` (0: as it is)."""
    longer = max(width, height)
    if not max_side or longer <= max_side:
        return width, height
    factor = max_side / longer
    return max(1, round(width * factor)), max(1, round(height * factor))


def scale_down(frame: np.ndarray, max_side: int) -> np.ndarray:
    """`frame` with its longer side at most `max_side` pixels (pixel areas averaged)."""
    height, width = frame.shape[:2]
    size = scaled_size(width, height, max_side)
    if size == (width, height):
        return frame
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def scale_back(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    """A 0/255 mask at `width` x `height`: interpolated, then above 127."""
    if mask.shape == (height, width):
        return mask
    grown = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.where(grown > 127, 255, 0).astype(np.uint8)


def count_votes(masks: Sequence[np.ndarray], votes: int) -> np.ndarray:
    """(H, W) uint8: 255 where at least `votes` of `masks` mark the pixel (above 127), else 0."""
    marks = np.zeros(masks[0].shape, np.uint8)
    for mask in masks:
        marks += mask > MARKED
    return np.where(marks >= votes, 255, 0).astype(np.uint8)


class _Member:
    """One method, in this process."""

    def __init__(self, name: str, knobs: Section) -> None:
        self.subtractor = make_subtractor(name, knobs)

    def send(self, frame: np.ndarray) -> None:
        self.mask = self.subtractor.apply(frame)

    def receive(self, background: bool) -> tuple[np.ndarray, np.ndarray | None]:
        return self.mask, background_image(self.subtractor) if background else None


def _serve(connection, name: str, knobs: Section, background: bool) -> None:
    """A member's process: a mask (and its background if asked) for each frame received, until
    the other end closes."""
    try:
        member = _Member(name, knobs)
        while True:
            try:
                frame = connection.recv()
            except EOFError:
                return
            member.send(frame)
            connection.send(member.receive(background))
    except Exception:  # handed to the parent, which raises it
        connection.send(traceback.format_exc())


class _Process:
    """One method in a process of its own, fed frames through a pipe."""

    def __init__(self, context, name: str, knobs: Section, background: bool) -> None:
        self.name = name
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(theirs, name, knobs, background), daemon=True
        )
        self.process.start()
        theirs.close()

    def send(self, frame: np.ndarray) -> None:
        try:
            self.connection.send(frame)
        except BrokenPipeError:
            raise self.ended() from None

    def receive(self, background: bool) -> tuple[np.ndarray, np.ndarray | None]:
        try:
            reply = self.connection.recv()
        except EOFError:
            raise self.ended() from None
        if isinstance(reply, str):  # its traceback
            raise RuntimeError(f"vote member {self.name}: {reply}")
        return reply

    def ended(self) -> RuntimeError:
        self.process.join(timeout=1)
        return RuntimeError(
            f"vote member {self.name}: its process ended (exit code {self.process.exitcode})"
        )


def _stop(processes: list[_Process]) -> None:
    for member in processes:
        member.connection.close()
    for member in processes:
        member.process.join(timeout=10)
        if member.process.is_alive():
            member.process.terminate()


class VoteSubtractor:
    """The vote as a subtractor: `apply(frame)` gives its (H, W) uint8 0/255 mask."""

    def __init__(self, knobs: Vote) -> None:
        self.knobs = knobs
        members = knobs.members.chosen()
        for name in members:
            require(name, "video.vote.members")
        # Which member's background the shadow rule compares with, if any.
        shadows = knobs.shadows
        self.wanted = [shadows.remove and name == shadows.background for name in members]
        if len(members) == 1:
            self.members = [_Member(*next(iter(members.items())))]
            return
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        self.members = [
            _Process(context, name, member_knobs, wanted)
            for (name, member_knobs), wanted in zip(members.items(), self.wanted)
        ]
        weakref.finalize(self, _stop, list(self.members))

    def apply(self, frame: np.ndarray) -> np.ndarray:
        height, width = frame.shape[:2]
        small = scale_down(frame, self.knobs.max_side)
        for member in self.members:
            member.send(small)
        replies = [member.receive(wanted) for member, wanted in zip(self.members, self.wanted)]
        mask = count_votes([mask for mask, _ in replies], self.knobs.votes)
        if any(self.wanted):
            background = replies[self.wanted.index(True)][1]
            mask[shadow_pixels(small, background, self.knobs.shadows)] = 0
        return scale_back(mask, width, height)
