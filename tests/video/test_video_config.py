"""The `video` section: nested by job, each block's rules, a subtractor's BGSLibrary settings."""

import pytest
from clips import DEFAULTS, video_params

from mnistseg.errors import ParamError
from mnistseg.video.config import SUBTRACTOR_KNOBS, SUBTRACTORS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cleanup": {"median_kernel": 4}}, "video.cleanup.median_kernel: must be 0 or odd, got 4"),
        ({"cleanup": {"threshold": 255}}, "video.cleanup.threshold: input should be less than or"),
        ({"mog2": {"history": 0}}, "video.mog2.history: input should be greater than or equal"),
        ({"output": {"feather": -1}}, "video.output.feather: input should be greater than or"),
        ({"subtractor": "vibe2"}, "video.subtractor: input should be 'mog2', 'knn', 'gsoc', "),
        ({"subsense": {"required_samples": 60}},
         r"video.subsense.required_samples: must be <= samples \(50\), got 60"),
        ({"lobster": {"required_samples": 36}},
         r"video.lobster.required_samples: must be <= samples \(35\), got 36"),
        ({"output": {"codec": "toolong"}}, "video.output.codec: string should have at most 4"),
        ({"output": {"container": "m.p4"}}, "video.output.container: string should match"),
        ({"cnt": {"min_stability": 20, "max_stability": 10}},
         r"video.cnt.max_stability: must be >= min_stability \(20\), got 10"),
        ({"gsoc": {"replace_rate": 1.5}}, "video.gsoc.replace_rate: input should be less than"),
        ({"knn": {"speed": 3}}, "video.knn.speed is not a known key"),
    ],
)  # fmt: skip
def test_bad_video_params_name_the_block_and_key(change, message):
    with pytest.raises(ParamError, match=message):
        video_params(**change)


def test_knob_rules_at_their_bounds():
    assert video_params(cleanup={"median_kernel": 0}).cleanup.median_kernel == 0
    assert video_params(cleanup={"median_kernel": 1}).cleanup.median_kernel == 1
    same = video_params(cnt={"min_stability": 7, "max_stability": 7})
    assert same.cnt.max_stability == 7
    assert video_params(subsense={"samples": 5, "required_samples": 5}).subsense.samples == 5


def test_every_subtractor_has_its_block_and_the_chosen_ones_are_its_knobs():
    assert set(SUBTRACTORS) == set(SUBTRACTOR_KNOBS)
    for name in SUBTRACTORS:
        params = video_params(subtractor=name)
        assert params.knobs() is getattr(params, name)
        assert isinstance(params.knobs(), SUBTRACTOR_KNOBS[name])
    assert DEFAULTS.subtractor == "mog2" and DEFAULTS.knobs() == DEFAULTS.mog2


def test_the_settings_files_are_the_knobs_and_bgslibrarys_defaults():
    assert video_params(vibe={"threshold": 33}).vibe.settings() == {
        "matchingThreshold": 33, "matchingNumber": 2, "updateFactor": 16,
    }  # fmt: skip
    # Every key as pybgs writes it, BGSLibrary's defaults for those that are no knob here.
    assert DEFAULTS.subsense.settings() == {
        "fRelLBSPThreshold": 0.333, "nDescDistThresholdOffset": 3, "nMinColorDistThreshold": 30,
        "nBGSamples": 50, "nRequiredBGSamples": 2, "nSamplesForMovingAvgs": 100,
    }  # fmt: skip
    assert DEFAULTS.pawcs.settings() == {
        "fRelLBSPThreshold": 0.333, "nDescDistThresholdOffset": 2, "nMinColorDistThreshold": 20,
        "nMaxNbWords": 50, "nSamplesForMovingAvgs": 100,
    }  # fmt: skip
    assert DEFAULTS.lobster.settings() == {
        "fRelLBSPThreshold": 0.365, "nLBSPThresholdOffset": 0, "nDescDistThreshold": 4,
        "nColorDistThreshold": 30, "nBGSamples": 35, "nRequiredBGSamples": 2,
    }  # fmt: skip
