"""A trained model's answers: a checkpoint on a device, and the circles fitted to its masks."""

import numpy as np
import torch

from mnistseg.data.circles import circle_masks
from mnistseg.nets.device import placement
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
