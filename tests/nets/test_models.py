"""The models, each one class: its params.yaml section and what dvc.yaml, the datasets, the
networks and the scores say of it."""

import subprocess
import sys

import numpy as np
import pytest
import yaml

from conftest import REPO, model_of
from mnistseg.data.arrays import CIRCLE_ARRAYS, COMPOSITE_ARRAYS, OTSU_ARRAYS
from mnistseg.errors import ParamError
from mnistseg.nets.models import MODELS, TASKS, CirclenetModel, EpochParams, SegnetModel, archs
from mnistseg.nets.scoring import Predictions, score
from mnistseg.params import validate_section
from scratch import committed_params

PIPELINE = yaml.safe_load((REPO / "dvc.yaml").read_text())
MODEL_VARS = next(v["models"] for v in PIPELINE["vars"] if "models" in v)
# What each dataset stage writes (its --out in dvc.yaml) and the arrays it holds.
DATASET_ARRAYS = {
    "data/otsu": OTSU_ARRAYS,
    "data/circles": CIRCLE_ARRAYS,
    "data/composites": COMPOSITE_ARRAYS,
}
BASE = {"arch": "simple_segnet", "batch_size": 8, "lr": 0.001, "seed": 0, "val_fraction": 0.1,
        "width": 8}  # fmt: skip


def test_dvc_yaml_trains_and_evaluates_exactly_the_models():
    assert list(MODEL_VARS) == list(MODELS)
    for stage in ("train", "evaluate"):
        assert PIPELINE["stages"][stage]["foreach"] == "${models}"


@pytest.mark.parametrize("name", list(MODELS))
def test_each_model_reads_arrays_its_dataset_holds(name):
    model = MODELS[name]
    assert model.name == name and model.task in TASKS
    assert set(model.arrays) <= set(DATASET_ARRAYS[MODEL_VARS[name]["dataset"]])
    # A model reads digits if its dataset is of digits at MNIST's size, with their labels.
    assert model.digits == (MODEL_VARS[name]["dataset"] != "data/composites")


@pytest.mark.parametrize("name", list(MODELS))
def test_each_models_committed_section_is_valid(name):
    assert name in committed_params()
    assert model_of(name).arch in archs(MODELS[name])


@pytest.mark.parametrize("name", list(MODELS))
def test_each_models_headline_is_among_its_scores(name):
    model = MODELS[name]
    masks = np.zeros((2, 4, 4), bool)
    labels = np.array([1, 2])
    pred = Predictions(masks, labels if model.task == "circle" else None)
    assert set(model.headline) <= set(score(pred, masks, labels).headline)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch_size": 0}, "segnet.batch_size: input should be greater than or equal to 1, got 0"),
        ({"lr": "fast"}, "segnet.lr: input should be a valid number, got 'fast'"),
        ({"lr": 0}, r"segnet.lr: input should be greater than 0, got 0"),
        ({"arch": "vgg"}, r"segnet.arch: input should be 'simple_segnet', 'simple_unet' or 'unet'"),
        ({"arch": "circlization_cnn"}, "segnet.arch: input should be"),
        ({"val_fraction": 1.0}, r"segnet.val_fraction: input should be less than 1, got 1.0"),
        ({"arch": "unet", "depth": 5}, r"segnet.depth: input should be less than or equal to 4"),
        ({"batch_sise": 3}, "segnet.batch_sise is not a known key"),
        ({"seed": None}, "segnet.seed: input should be a valid integer, got None"),
        ({"input": "image"}, "segnet.input is not a known key"),
    ],
)
def test_bad_params_name_the_key(change, message):
    with pytest.raises(ParamError, match=message):
        validate_section(SegnetModel, {**BASE, **change}, "segnet", "params.yaml")


def test_depth_is_the_unets_alone():
    """An unused knob is refused, never a silent dependency: the assignment's networks pool
    twice whatever a depth would say, so they take none; the U-Net needs one."""
    with pytest.raises(ParamError, match=r"segnet.depth: only arch unet has one, not simple_"):
        validate_section(SegnetModel, {**BASE, "depth": 2}, "segnet", "params.yaml")
    with pytest.raises(ParamError, match=r"segnet.depth: arch unet needs it"):
        validate_section(SegnetModel, {**BASE, "arch": "unet"}, "segnet", "params.yaml")
    unet = validate_section(SegnetModel, {**BASE, "arch": "unet", "depth": 3}, "segnet", "p")
    assert unet.pooling_levels() == 3
    assert validate_section(SegnetModel, BASE, "segnet", "p").pooling_levels() == 2


def test_a_segmentation_model_sees_the_image_and_a_circle_model_what_it_says():
    assert validate_section(SegnetModel, BASE, "segnet", "p").sees() == ("image", "decoder")
    values = {**BASE, "arch": "circlization_cnn", "input": "circle_mask",
              "circle_from": "digit_mask"}  # fmt: skip
    circle = validate_section(CirclenetModel, values, "circlenet", "p")
    assert circle.sees() == ("circle_mask", "digit_mask")
    with pytest.raises(ParamError, match=r"circlenet.circle_from: input should be 'decoder' or"):
        validate_section(CirclenetModel, {**values, "circle_from": "hough"}, "circlenet", "x")
    with pytest.raises(ParamError, match=r"circlenet.arch: input should be 'circlization_cnn'"):
        validate_section(CirclenetModel, {**values, "arch": "simple_segnet"}, "circlenet", "x")


def test_missing_param():
    values = {k: v for k, v in BASE.items() if k != "lr"}
    with pytest.raises(ParamError, match=r"segnet\.lr is missing"):
        validate_section(SegnetModel, values, "segnet", "x")


def test_epochs():
    assert validate_section(EpochParams, {"epochs": 3}, None, "p").epochs == 3
    with pytest.raises(ParamError, match="p: epochs: input should be greater than or equal to 1"):
        validate_section(EpochParams, {"epochs": 0}, None, "p")


def test_naming_and_listing_the_models_imports_no_torch():
    probe = "import sys, mnistseg.nets.models as m; list(m.MODELS); print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
