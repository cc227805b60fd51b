"""A trained model's answers: a checkpoint on a device, and the circles fitted to its masks."""

import numpy as np
import pytest
import torch

from mnistseg.data.circles import circle_masks
from mnistseg.errors import InputError
from mnistseg.nets.device import Placement, placement
from mnistseg.nets.networks import ModelConfig, build_model, checkpoint_bytes
from mnistseg.nets.predict import fit_circles, load_model, predict
from mnistseg.nets.scoring import Predictions
from mnistseg.nets.training import batches, evaluate, mask_data

ON_CPU = placement(torch.device("cpu"))


def test_fitted_circles_replace_predicted_digits(digit_masks):
    cfg = ModelConfig(task="circle", arch="unet", circle_from="digit_mask")
    labels = np.array([1, 7, 0])
    done = fit_circles(Predictions(digit_masks, labels), cfg)
    expected, _, _ = circle_masks(digit_masks.astype(np.uint8) * 255)
    np.testing.assert_array_equal(done.masks, expected > 0)
    np.testing.assert_array_equal(done.labels, labels)
    assert not done.masks[2].any()


def test_decoder_predictions_are_left_alone(digit_masks):
    pred = Predictions(digit_masks, None)
    assert fit_circles(pred, ModelConfig(task="circle", arch="unet")) is pred


def test_a_checkpoint_file_predicts_what_its_network_does(tmp_path, digits):
    torch.manual_seed(0)
    cfg = ModelConfig(task="circle", arch="circlization_cnn", width=4)
    network = build_model(cfg)
    path = tmp_path / "model.pt"
    path.write_bytes(checkpoint_bytes(network, cfg))
    model, loaded = load_model(path, ON_CPU)
    assert loaded == cfg
    images, labels = digits
    data = mask_data(images[:50], images[:50], labels[:50])
    ours = predict(model, loaded, data, ON_CPU)
    _, theirs = evaluate(network, batches(data, 7, ON_CPU))
    np.testing.assert_array_equal(ours.masks, theirs.masks)
    np.testing.assert_array_equal(ours.labels, theirs.labels)


def test_fitted_circles_keep_the_classes_probabilities(digit_masks):
    cfg = ModelConfig(task="circle", arch="unet", circle_from="digit_mask")
    confidence = np.array([0.9, 0.5, 0.25], np.float32)
    done = fit_circles(Predictions(digit_masks, np.array([1, 7, 0]), confidence), cfg)
    np.testing.assert_array_equal(done.confidence, confidence)


def saved(tmp_path, cfg: ModelConfig):
    torch.manual_seed(0)
    path = tmp_path / "model.pt"
    path.write_bytes(checkpoint_bytes(build_model(cfg), cfg))
    return path


def test_a_loaded_model_is_on_the_placements_device_in_its_memory_format(tmp_path):
    path = saved(tmp_path, ModelConfig(task="segment", arch="simple_segnet", width=4))
    model, _ = load_model(path, ON_CPU)
    convs = [m.weight for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert all(w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    meta = Placement(torch.device("meta"), torch.contiguous_format, 1 << 18)
    model, _ = load_model(path, meta)
    assert {p.device.type for p in model.parameters()} == {"meta"}


class NotAWeight:
    """Any object a pickle may hold: torch.load with weights_only refuses to build it."""


def test_a_file_that_is_no_checkpoint_is_named_with_the_first_line_of_why(tmp_path):
    pickled = tmp_path / "pickled.pt"
    torch.save({"config": NotAWeight(), "state_dict": {}}, pickled)
    with pytest.raises(InputError) as caught:
        load_model(pickled, ON_CPU)
    message = str(caught.value)
    assert message.startswith(f"{pickled}: not a checkpoint of this project's networks (")
    assert "Weights only load failed" in message and "\n" not in message
    keyless = tmp_path / "keyless.pt"
    torch.save({"state_dict": {}}, keyless)
    with pytest.raises(InputError, match=r"keyless.pt: not a checkpoint .* \('config'\)$"):
        load_model(keyless, ON_CPU)


def test_an_error_without_words_is_named_by_its_kind(tmp_path, monkeypatch):
    keyless = tmp_path / "keyless.pt"
    torch.save({"state_dict": {}}, keyless)

    def refuse(payload):
        raise ValueError()

    monkeypatch.setattr("mnistseg.nets.predict.model_from_checkpoint", refuse)
    with pytest.raises(InputError, match=r"keyless.pt: not a checkpoint .* \(ValueError\)$"):
        load_model(keyless, ON_CPU)
