"""The registry is the one list of models: dvc.yaml, params.yaml and the code agree with it."""

import numpy as np
import pytest
import yaml

from conftest import REPO
from mnistseg.data.arrays import CIRCLE_ARRAYS, COMPOSITE_ARRAYS, OTSU_ARRAYS
from mnistseg.nets.networks import ARCHS, TASKS
from mnistseg.nets.registry import MODELS
from mnistseg.nets.scoring import Predictions, score
from scratch import committed_params, committed_section

PIPELINE = yaml.safe_load((REPO / "dvc.yaml").read_text())
MODEL_VARS = next(v["models"] for v in PIPELINE["vars"] if "models" in v)
# What each dataset stage writes (its --out in dvc.yaml) and the arrays it holds.
DATASET_ARRAYS = {
    "data/otsu": OTSU_ARRAYS,
    "data/circles": CIRCLE_ARRAYS,
    "data/composites": COMPOSITE_ARRAYS,
}


def test_dvc_yaml_trains_and_evaluates_exactly_the_registered_models():
    assert list(MODEL_VARS) == list(MODELS)
    for stage in ("train", "evaluate"):
        assert PIPELINE["stages"][stage]["foreach"] == "${models}"


@pytest.mark.parametrize("model", list(MODELS))
def test_each_model_reads_arrays_its_dataset_holds(model):
    spec = MODELS[model]
    assert set(spec.arrays) <= set(DATASET_ARRAYS[MODEL_VARS[model]["dataset"]])
    assert spec.task in TASKS
    # A model reads digits if its dataset is of digits at MNIST's size, with their labels.
    assert spec.digits == (MODEL_VARS[model]["dataset"] != "data/composites")


@pytest.mark.parametrize("model", list(MODELS))
def test_each_model_has_its_params_section_and_a_network_for_its_task(model):
    spec = MODELS[model]
    params = committed_section(spec.params, model)
    assert spec.task in ARCHS[params.arch].tasks
    assert model in committed_params()


@pytest.mark.parametrize("model", list(MODELS))
def test_each_models_headline_is_among_its_scores(model):
    spec = MODELS[model]
    masks = np.zeros((2, 4, 4), bool)
    labels = np.array([1, 2])
    pred = Predictions(masks, labels if spec.task == "circle" else None)
    headline = score(pred, masks, labels).headline
    assert set(spec.headline) <= set(headline)
