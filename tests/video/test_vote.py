"""The vote: its count, its scale, its members in processes, its shadow rule, its knobs."""

import cv2
import numpy as np
import pytest
from clips import DEFAULTS, HAVE_PYBGS, H, W, moving_square, noisy_clip, video_params
from test_shadows import BANDS, band_share, scene

from mnistseg.errors import ParamError
from mnistseg.video.subtractors import make_subtractor
from mnistseg.video.vote import (
    VoteSubtractor,
    count_votes,
    scale_back,
    scale_down,
    scaled_size,
)

OFF = {"remove": False}
MOG2 = DEFAULTS.mog2.model_dump()
CHEAP = {"mog2": MOG2, "knn": DEFAULTS.knn.model_dump(), "cnt": DEFAULTS.cnt.model_dump()}


def vote_knobs(members: dict, votes: int, max_side: int = 0, shadows: dict = OFF):
    """The committed vote with these members (each with its knobs) and settings."""
    values = video_params().vote.model_dump()
    values.update(members=members, votes=votes, max_side=max_side,
                  shadows={**values["shadows"], **shadows})  # fmt: skip
    return video_params(vote=values).vote


def test_votes_count_members_that_mark_a_pixel():
    # Pixels marked by 0, 1, 2 and 3 of three members; MOG2's shadows (127) are no mark.
    first = np.array([[0, 255, 255, 255, 127]], np.uint8)
    second = np.array([[0, 0, 255, 255, 255]], np.uint8)
    third = np.array([[0, 0, 0, 255, 127]], np.uint8)
    masks = [first, second, third]
    assert count_votes(masks, 1).tolist() == [[0, 255, 255, 255, 255]]
    assert count_votes(masks, 2).tolist() == [[0, 0, 255, 255, 0]]
    assert count_votes(masks, 3).tolist() == [[0, 0, 0, 255, 0]]


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [
        ((720, 480), 320, (320, 213)),
        ((480, 720), 320, (213, 320)),
        ((320, 240), 320, (320, 240)),
        ((320, 240), 160, (160, 120)),
        ((720, 576), 0, (720, 576)),
        ((1000, 2), 100, (100, 1)),  # a side never below one pixel, and never held above it
        ((2, 1000), 100, (1, 100)),
    ],
)
def test_frames_are_scaled_to_their_longer_side(size, max_side, expected):
    assert scaled_size(*size, max_side) == expected
    frame = np.zeros((size[1], size[0], 3), np.uint8)
    assert scale_down(frame, max_side).shape == (expected[1], expected[0], 3)


def test_a_mask_comes_back_interpolated_not_in_blocks():
    small = np.zeros((6, 8), np.uint8)
    small[1:4, 2:5] = 255
    small[4, 6] = 255  # one pixel alone
    grown = scale_back(small, 32, 24)
    assert grown.shape == (24, 32) and grown.dtype == np.uint8
    assert set(np.unique(grown)) == {0, 255}
    linear = cv2.resize(small, (32, 24), interpolation=cv2.INTER_LINEAR) > 127
    blocks = cv2.resize(small, (32, 24), interpolation=cv2.INTER_NEAREST) > 127
    np.testing.assert_array_equal(grown > 0, linear)
    assert (linear != blocks).any()  # the two rules differ on this mask (its corners)
    assert scale_back(small, 8, 6) is small  # at its size, as it is


# With BGSLibrary, one of its methods: each process seeds the C library's rand() for it.
IN_PROCESSES = {
    "mog2": MOG2,
    "knn": DEFAULTS.knn.model_dump(),
    **({"vibe": DEFAULTS.vibe.model_dump()} if HAVE_PYBGS else {"cnt": DEFAULTS.cnt.model_dump()}),
}


def test_members_in_processes_vote_with_the_masks_each_gives_alone():
    clip = noisy_clip(30)
    alone = {name: make_subtractor(name, getattr(DEFAULTS, name)) for name in IN_PROCESSES}
    masks = [[alone[name].apply(frame) for name in IN_PROCESSES] for frame in clip]
    counts = {}
    for votes in (1, 2, 3):
        vote = VoteSubtractor(vote_knobs(IN_PROCESSES, votes))
        assert len(vote.members) == 3  # each in its own process
        ours = [vote.apply(frame) for frame in clip]
        for t, frame_masks in enumerate(masks):
            np.testing.assert_array_equal(ours[t], count_votes(frame_masks, votes), f"frame {t}")
        counts[votes] = sum(int(m.sum()) // 255 for m in ours)
    assert counts[1] > counts[2] > counts[3] > 0  # the members disagree on this clip


def test_a_vote_of_one_is_that_method_at_the_reduced_scale():
    clip, _ = moving_square()
    alone = make_subtractor("mog2", DEFAULTS.mog2)
    vote = VoteSubtractor(vote_knobs({"mog2": MOG2}, 1, max_side=36))
    full = make_subtractor("mog2", DEFAULTS.mog2)
    differs = False
    for frame in clip:
        small = cv2.resize(frame, (36, 27), interpolation=cv2.INTER_AREA)
        expected = scale_back(count_votes([alone.apply(small)], 1), W, H)
        ours = vote.apply(frame)
        np.testing.assert_array_equal(ours, expected)
        differs |= not np.array_equal(ours, count_votes([full.apply(frame)], 1))
    assert differs  # not the method at full size


def test_the_vote_turns_a_shadow_back_to_background_and_keeps_a_dark_object():
    frame, background = scene()
    # MOG2 without its own shadow marks learns the background, then sees every band change.
    knobs = {"mog2": {**MOG2, "detect_shadows": False}}
    removing = VoteSubtractor(vote_knobs(knobs, 1, shadows={"remove": True, "background": "mog2"}))
    # The same member named as the rule's background, the rule off: it must stay off.
    keeping = VoteSubtractor(vote_knobs(knobs, 1, shadows={"remove": False, "background": "mog2"}))
    for _ in range(30):
        removing.apply(background)
        keeping.apply(background)
    kept, cleared = keeping.apply(frame) > 0, removing.apply(frame) > 0
    assert band_share(kept, BANDS["shadow"]) > 0.9
    assert band_share(cleared, BANDS["shadow"]) == 0.0
    for name in ("flat dark object", "dark object of another colour", "too dark"):
        assert band_share(cleared, BANDS[name]) > 0.9, name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"votes": 4}, r"video.vote.votes: must be <= the number of members \(3: knn, subsense, "),
        ({"members": {}}, "video.vote.members: must name at least one method, got none"),
        ({"members": {"vote": {}}}, "video.vote.members.vote is not a known key"),
        ({"members": {"mog2": {"history": 0, "var_threshold": 16, "detect_shadows": True}}},
         "video.vote.members.mog2.history: input should be greater than or equal to 1"),
        ({"max_side": -1}, "video.vote.max_side: input should be greater than or equal to 0"),
        ({"shadows": {"window": 4}}, "video.vote.shadows.window: must be odd, got 4"),
        ({"shadows": {"darkest": 0.9, "lightest": 0.8}},
         r"video.vote.shadows.lightest: must be above darkest \(0.9\), got 0.8"),
        ({"shadows": {"background": "vibe"}},
         "video.vote.shadows.background: input should be 'mog2', 'knn', 'gsoc', 'cnt', "
         "'subsense', 'pawcs' or 'lobster', got 'vibe'"),
        ({"shadows": {"background": "lobster"}},
         r"video.vote.shadows.background: must be one of the members \(knn, subsense, pawcs\), "
         "got 'lobster'"),
    ],
)  # fmt: skip
def test_bad_vote_params_name_the_key(change, message):
    values = DEFAULTS.vote.model_dump(exclude_none=True)
    for key, value in change.items():
        values[key] = {**values[key], **value} if key == "shadows" else value
    with pytest.raises(ParamError, match=message):
        video_params(vote=values)


def test_a_member_this_machine_cannot_run_is_named(monkeypatch):
    monkeypatch.delattr(cv2, "bgsegm")
    with pytest.raises(ParamError) as err:
        VoteSubtractor(vote_knobs(CHEAP, 2))
    assert str(err.value) == (
        "video.vote.members: 'cnt' needs OpenCV's contrib modules "
        "(opencv-contrib-python-headless), which this machine's OpenCV "
        f"{cv2.__version__} lacks"
    )


def test_a_member_whose_process_ends_is_named():
    vote = VoteSubtractor(vote_knobs({"mog2": MOG2, "knn": DEFAULTS.knn.model_dump()}, 1))
    frame = noisy_clip(1)[0]
    vote.apply(frame)
    knn = next(member for member in vote.members if member.name == "knn")
    knn.process.kill()
    knn.process.join()
    with pytest.raises(RuntimeError, match=r"^vote member knn: its process ended \(exit code -9\)"):
        vote.apply(frame)
