"""The network stages' params: each model's section, its errors, and the network it describes."""

import pytest

from mnistseg.errors import ParamError
from mnistseg.nets.config import CircleParams, EpochParams, SegmentParams, archs
from mnistseg.nets.networks import ARCHS
from mnistseg.params import validate_section

# Every registered network that segments, in the order of networks.py.
SEGMENT_ARCHS = [name for name, arch in ARCHS.items() if "segment" in arch.tasks]
assert {"simple_segnet", "simple_unet", "unet"} <= set(SEGMENT_ARCHS)

BASE = {
    "arch": "unet", "batch_size": 8, "lr": 0.001, "seed": 0, "val_fraction": 0.1, "width": 8,
    "depth": 2,
}  # fmt: skip


def test_the_archs_of_a_task_are_the_registered_networks_that_do_it():
    assert list(archs("segment")) == SEGMENT_ARCHS
    assert set(archs("circle")) == {"circlization_cnn", "unet"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch_size": 0}, "segnet.batch_size: input should be greater than or equal to 1, got 0"),
        ({"lr": "fast"}, "segnet.lr: input should be a valid number, got 'fast'"),
        ({"lr": 0}, r"segnet.lr: input should be greater than 0, got 0"),
        ({"arch": "vgg"}, r"segnet.arch: input should be 'simple_segnet', 'simple_unet' or 'unet'"),
        ({"arch": "circlization_cnn"}, "segnet.arch: input should be"),
        ({"val_fraction": 1.0}, r"segnet.val_fraction: input should be less than 1, got 1.0"),
        ({"depth": 5}, r"segnet.depth: input should be less than or equal to 4, got 5"),
        ({"batch_sise": 3}, "segnet.batch_sise is not a known key"),
        ({"seed": None}, "segnet.seed: input should be a valid integer, got None"),
        ({"input": "image"}, "segnet.input is not a known key"),
    ],
)
def test_bad_params_name_the_key(change, message):
    with pytest.raises(ParamError, match=message):
        validate_section(SegmentParams, {**BASE, **change}, "segnet", "params.yaml")


def test_a_segmentation_model_sees_the_image_and_its_decoder_draws():
    params = validate_section(SegmentParams, BASE, "segnet", "params.yaml")
    assert params.sees() == ("image", "decoder")
    cfg = params.network("segment", image_size=56)
    assert (cfg.task, cfg.arch, cfg.width, cfg.depth, cfg.image_size) == (
        "segment", "unet", 8, 2, 56,
    )  # fmt: skip
    assert (cfg.input, cfg.circle_from) == ("image", "decoder")


def test_circle_params_add_what_the_net_sees():
    base = {**BASE, "input": "circle_mask", "circle_from": "digit_mask"}
    params = validate_section(CircleParams, base, "circlenet", "params.yaml")
    assert params.sees() == ("circle_mask", "digit_mask")
    cfg = params.network("circle", image_size=28)
    assert (cfg.input, cfg.circle_from, cfg.arch, cfg.width) == (
        "circle_mask", "digit_mask", "unet", 8,
    )  # fmt: skip
    with pytest.raises(ParamError, match=r"circlenet.circle_from: input should be 'decoder' or"):
        validate_section(CircleParams, {**base, "circle_from": "hough"}, "circlenet", "x")
    with pytest.raises(ParamError, match=r"circlenet.arch: input should be 'circlization_cnn'"):
        validate_section(CircleParams, {**base, "arch": "simple_segnet"}, "circlenet", "x")


def test_missing_param():
    values = {k: v for k, v in BASE.items() if k != "lr"}
    with pytest.raises(ParamError, match=r"segnet\.lr is missing"):
        validate_section(SegmentParams, values, "segnet", "x")


def test_epochs():
    assert validate_section(EpochParams, {"epochs": 3}, None, "p").epochs == 3
    with pytest.raises(ParamError, match="p: epochs: input should be greater than or equal to 1"):
        validate_section(EpochParams, {"epochs": 0}, None, "p")
