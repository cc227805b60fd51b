"""Each subtractor built with its block of knobs, reproducibly; what stops one, in one line."""

import re
import sys

import cv2
import numpy as np
import pytest
from clips import (
    DEFAULTS,
    EMPTY,
    HAVE_PYBGS,
    H,
    W,
    moving_square,
    noisy_clip,
    replaced,
    video_params,
)

from mnistseg.errors import ParamError
from mnistseg.video.scoring import VideoScorer
from mnistseg.video.subtractors import (
    BGSLIBRARY,
    background_image,
    make_subtractor,
    require,
    settings_xml,
)

needs_pybgs = pytest.mark.skipif(not HAVE_PYBGS, reason="BGSLibrary absent: make bgslibrary")
EVERY_SUBTRACTOR = [
    *("mog2", "knn", "gsoc", "cnt"),
    *(pytest.param(name, marks=needs_pybgs) for name in BGSLIBRARY),
    pytest.param("vote", marks=needs_pybgs),  # as committed, a vote of BGSLibrary's methods
]


@pytest.mark.parametrize("subtractor", EVERY_SUBTRACTOR)
def test_every_subtractor_finds_the_square(subtractor):
    clip, truth = moving_square()
    params = video_params(subtractor=subtractor)
    scorer = VideoScorer(range(EMPTY + 4, len(clip)), np.zeros((H, W, 3), np.uint8))
    for t, result in enumerate(replaced(clip, np.zeros((H, W, 3), np.uint8), params)):
        scorer.add(t, result, truth[t])
    assert scorer.metrics()["cdnet"]["f_measure"] > 0.5, (subtractor, scorer.metrics())


def test_each_subtractor_is_built_with_its_knobs():
    mog2 = make_subtractor(
        "mog2", video_params(mog2={"history": 77, "var_threshold": 9, "detect_shadows": False}).mog2
    )
    assert isinstance(mog2, cv2.BackgroundSubtractorMOG2)
    assert (mog2.getHistory(), mog2.getVarThreshold(), mog2.getDetectShadows()) == (77, 9, False)
    knobs = {"history": 55, "dist2_threshold": 300, "detect_shadows": False}
    knn = make_subtractor("knn", video_params(knn=knobs).knn)
    assert isinstance(knn, cv2.BackgroundSubtractorKNN)
    assert (knn.getHistory(), knn.getDist2Threshold(), knn.getDetectShadows()) == (55, 300, False)
    cnt = make_subtractor("cnt", video_params(cnt={"min_stability": 4, "max_stability": 40}).cnt)
    assert isinstance(cnt, cv2.bgsegm.BackgroundSubtractorCNT)
    assert (cnt.getMinPixelStability(), cnt.getMaxPixelStability()) == (4, 40)
    assert cnt.getUseHistory() is True and cnt.getIsParallel() is True
    gsoc = make_subtractor("gsoc", DEFAULTS.gsoc)
    assert isinstance(gsoc, cv2.bgsegm.BackgroundSubtractorGSOC)


def test_gsoc_gets_its_knobs():
    # GSOC has no getters: its masks must equal those of a GSOC built with the knobs directly,
    # and differ when any one knob differs (one thread and a seeded RNG: GSOC draws at random).
    clip, _ = moving_square()
    knobs = {"nSamples": 4, "replaceRate": 0.05, "propagationRate": 0.9}
    ours_knobs = video_params(gsoc={"samples": 4, "replace_rate": 0.05, "propagation_rate": 0.9})
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)

    def masks(subtractor) -> list[np.ndarray]:
        return [subtractor.apply(frame) for frame in clip]

    try:
        cv2.setRNGSeed(0)
        ours = masks(make_subtractor("gsoc", ours_knobs.gsoc))
        cv2.setRNGSeed(0)
        theirs = masks(cv2.bgsegm.createBackgroundSubtractorGSOC(**knobs))
        others = []
        for key, value in (("nSamples", 20), ("replaceRate", 0.003), ("propagationRate", 0.0)):
            cv2.setRNGSeed(0)
            others.append(masks(cv2.bgsegm.createBackgroundSubtractorGSOC(**{**knobs, key: value})))
    finally:
        cv2.setNumThreads(threads)
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))
    for other in others:
        assert not all(np.array_equal(a, b) for a, b in zip(ours, other))


@pytest.mark.parametrize("name", ["gsoc", "cnt"])
def test_a_contrib_subtractor_without_the_contrib_build_says_so(monkeypatch, name):
    monkeypatch.delattr(cv2, "bgsegm")
    with pytest.raises(ParamError) as err:
        make_subtractor(name, getattr(DEFAULTS, name))
    assert str(err.value) == (
        f"video.subtractor: '{name}' needs OpenCV's contrib modules "
        f"(opencv-contrib-python-headless), which this machine's OpenCV {cv2.__version__} lacks"
    )


def test_a_name_that_is_no_single_method_says_which_are():
    with pytest.raises(ParamError) as err:
        require("vote", "bench.subtractors")
    assert str(err.value) == (
        "bench.subtractors: 'vote' is no single method; choose one of mog2, knn, gsoc, cnt, "
        "subsense, pawcs, lobster, vibe"
    )


# The vote's masks are its members' (tests/video/test_vote.py: the vote in processes equals
# the vote of each member's masks made alone), so the members' runs stand for its runs.
@pytest.mark.parametrize("subtractor", EVERY_SUBTRACTOR[:-1])
def test_the_same_frames_give_the_same_masks(subtractor):
    clip = noisy_clip(30, 60, 80)
    params = video_params(subtractor=subtractor)
    threads = cv2.getNumThreads()
    cv2.setNumThreads(2)  # as a 2-core machine starts, whatever an earlier test left
    try:
        runs = [[r.mask for r in replaced(clip, params=params)] for _ in range(3)]
        # GSOC's threads share the RNG, and which draws first varies: one thread. (The race
        # shows only now and then, so the thread count is checked, not just the masks.)
        assert subtractor != "gsoc" or cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(threads)
    for other in runs[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(runs[0], other)), subtractor


@needs_pybgs
def test_bgslibrary_knobs_count_and_its_settings_file_stays_out_of_the_project(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    clip, _ = moving_square()
    cleanup = {"open_kernel": 0, "median_kernel": 0}
    found = [
        r.mask for r in replaced(clip, params=video_params(subtractor="vibe", cleanup=cleanup))
    ]
    assert max(int(m.sum()) for m in found) > 0
    # No colour is that far: all background.
    deaf = video_params(subtractor="vibe", cleanup=cleanup, vibe={"threshold": 400})
    assert all(not r.mask.any() for r in replaced(clip, params=deaf))
    assert list(tmp_path.iterdir()) == []  # pybgs wrote its config/ elsewhere


def test_the_settings_file_is_the_knobs_with_the_window_shut():
    assert settings_xml({"a": 1, "b": 0.5}) == (
        '<?xml version="1.0"?>\n<opencv_storage>\n<a>1</a>\n<b>0.5</b>\n'
        "<showOutput>0</showOutput>\n</opencv_storage>\n"
    )


def test_a_bgslibrary_method_without_pybgs_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pybgs", None)  # as if not installed
    with pytest.raises(ParamError) as err:
        make_subtractor("subsense", DEFAULTS.subsense)
    assert str(err.value) == (
        "video.subtractor: 'subsense' is one of BGSLibrary's methods, whose Python wrapper "
        "pybgs is not installed here: run `make bgslibrary` (docs/video.md: BGSLibrary)"
    )


def test_a_bgslibrary_method_on_windows_stops_with_one_line_naming_it(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(ParamError) as err:
        make_subtractor("vibe", DEFAULTS.vibe)
    assert str(err.value) == (
        "video.subtractor: 'vibe' is one of BGSLibrary's methods, which draw from the C library's "
        "rand(): on Windows it cannot be seeded, and the masks would change from run to run; "
        "choose one of mog2, knn, gsoc, cnt"
    )


@needs_pybgs
@pytest.mark.parametrize("name", sorted(BGSLIBRARY))
def test_each_bgslibrary_knob_is_a_setting_its_method_reads(tmp_path, monkeypatch, name):
    import pybgs

    # Built with no settings file, a method writes one with every setting it reads.
    (tmp_path / "config").mkdir()
    monkeypatch.chdir(tmp_path)
    getattr(pybgs, BGSLIBRARY[name])()
    written = (tmp_path / "config" / f"{BGSLIBRARY[name]}.xml").read_text()
    reads = set(re.findall(r"<(\w+)>", written)) - {"opencv_storage"}
    assert set(getattr(DEFAULTS, name).settings()) <= reads


@pytest.mark.parametrize(
    "name", ["mog2", "cnt", *(pytest.param(n, marks=needs_pybgs) for n in ("subsense", "lobster"))]
)
def test_the_learned_background_is_a_colour_picture_of_the_scene(name):
    # OpenCV's methods give it by getBackgroundImage (CNT's grey), pybgs's by
    # getBackgroundModel: either way (H, W, 3) BGR, the scene the method saw. BGSLibrary's
    # leave a border (their descriptors' reach) and blur where the colour changes: not scored.
    scene = np.zeros((H, W, 3), np.uint8)
    scene[:, : W // 2], scene[:, W // 2 :] = (60, 120, 180), (180, 90, 40)
    subtractor = make_subtractor(name, getattr(DEFAULTS, name))
    for _ in range(40):
        subtractor.apply(scene)
    learned = background_image(subtractor)
    assert learned.shape == (H, W, 3) and learned.dtype == np.uint8
    grey = cv2.cvtColor(cv2.cvtColor(scene, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    expected = grey if name == "cnt" else scene
    inside = np.zeros((H, W), bool)
    inside[4:-4, 4 : W // 2 - 4], inside[4:-4, W // 2 + 4 : -4] = True, True
    assert np.abs(learned.astype(int) - expected)[inside].max() <= 2, name
