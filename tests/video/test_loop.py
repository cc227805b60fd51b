"""The per-frame loop: masks, composites written, scores by frame number, the clip's record."""

import time

import cv2
import numpy as np
import pytest
from clips import (
    DEFAULTS,
    EMPTY,
    H,
    NumberedTruth,
    W,
    masker,
    moving_square,
    replaced,
    video_params,
)

from mnistseg.errors import InputError
from mnistseg.video.loop import Replacement, preview_frames, process_clip
from mnistseg.video.scoring import VideoScorer


def run_clip(frames, numbers, background=None, truth=None, shown=frozenset(), write=None,
             params=DEFAULTS):  # fmt: skip
    replacement = None
    if background is not None:
        replacement = Replacement(background, params.output.feather, write or (lambda _: None))
    return process_clip(frames, numbers, masker(params), "video.input: clip", truth, replacement,
                        shown)  # fmt: skip


def test_process_clip_writes_every_composite_and_counts_the_clip():
    frames, _ = moving_square()
    background = np.zeros((H, W, 3), np.uint8)
    written = []
    numbers = range(101, 101 + len(frames))
    clip = run_clip(frames, numbers, background, shown={0, 30}, write=written.append)
    expected = replaced(frames, background)
    assert len(written) == clip.frames == len(frames)
    for mine, reference in zip(written, expected, strict=True):
        assert np.array_equal(mine, reference.composite)
    assert (clip.width, clip.height, clip.scores) == (W, H, {})
    assert clip.foreground == sum(cv2.countNonZero(r.mask) for r in expected) > 0
    assert [np.array_equal(s.frame, frames[t]) for s, t in zip(clip.shots, (0, 30))] == [1, 1]
    assert clip.seconds > 0
    record = clip.record(fps=12.5)
    assert list(record) == ["frames", "width", "height", "fps", "mean_foreground_fraction"]
    assert record["fps"] == 12.5
    assert record["mean_foreground_fraction"] == clip.foreground / (len(frames) * W * H)


def test_without_a_background_the_clip_is_masked_and_scored_only():
    frames, masks = moving_square()
    truth = NumberedTruth(masks, range(EMPTY + 1, 100))
    clip = run_clip(frames, range(1, 37), truth=truth)
    assert all(shot.composite is None for shot in clip.shots)
    assert clip.scores["scored_frames"] == 36 - EMPTY
    assert "composite_psnr_after_warmup" not in clip.scores
    with_background = run_clip(frames, range(1, 37), frames[0], truth)
    assert clip.counts == with_background.counts
    assert clip.counts.tp > 0


def test_process_clip_times_the_loop_with_its_writing():
    frames, _ = moving_square(frames=5)
    clip = run_clip(frames, range(1, 6), frames[0], write=lambda _: time.sleep(0.02))
    assert 0.1 <= clip.seconds < 5


def test_process_clip_with_no_masks_at_all_and_a_frame_zero():
    frames, _ = moving_square(frames=1)
    clip = run_clip(frames, [0], frames[0], NumberedTruth([], []))
    assert clip.frames == 1 and clip.scores["scored_frames"] == 0


def test_process_clip_shows_the_last_frame_when_no_pick_is_reached():
    frames, _ = moving_square(frames=5)
    clip = run_clip(frames, range(1, 6), frames[0], shown={9})
    assert len(clip.shots) == 1 and np.array_equal(clip.shots[0].frame, frames[-1])


def test_process_clip_scores_each_frame_by_its_number():
    frames, masks = moving_square()
    truth = NumberedTruth(masks, range(EMPTY + 1, 100))
    clip = run_clip(frames, range(1, 37), frames[0], truth)
    scorer = VideoScorer(truth.scored, frames[0])
    for number, result in enumerate(replaced(frames, frames[0]), start=1):
        scorer.add(number, result, masks[number - 1])
    assert clip.scores == scorer.metrics() and clip.scores["scored_frames"] == 36 - EMPTY
    assert clip.counts == scorer.counts


def test_process_clip_refuses_an_empty_clip_and_masks_beyond_its_frames():
    frames, masks = moving_square(frames=6)
    with pytest.raises(InputError, match=r"^video.input: clip: holds no frames$"):
        run_clip([], range(1, 9), frames[0])
    truth = NumberedTruth(masks + masks, range(1, 100))
    with pytest.raises(InputError) as err:
        run_clip(frames, range(1, 7), frames[0], truth)
    assert str(err.value) == (
        "video.ground_truth: truth.npy: 12 masks for 6 frames (video.input: clip)"
    )


def test_frames_of_another_size_stop_the_loop():
    clip, _ = moving_square(3)
    clip[2] = clip[2][:, :-1]
    with pytest.raises(InputError) as err:
        replaced(clip)
    assert str(err.value) == (
        "video.input: clip: frame 3 is 79x60, the first was 80x60: every frame must have one size"
    )


def test_the_loop_feathers_when_asked():
    clip, _ = moving_square(EMPTY + 3)
    background = np.zeros((H, W, 3), np.uint8)
    hard = replaced(clip, background)
    soft = replaced(clip, background, video_params(output={"feather": 2.0}))
    np.testing.assert_array_equal(hard[-1].mask, soft[-1].mask)
    assert not np.array_equal(hard[-1].composite, soft[-1].composite)


@pytest.mark.parametrize(("expected", "count", "picks"), [(100, 3, {25, 50, 75}),
                                                          (10, 4, {2, 4, 6, 8})])  # fmt: skip
def test_preview_frames_spread_evenly(expected, count, picks):
    assert preview_frames(expected, count) == picks
    assert preview_frames(200) == {50, 100, 150}
