"""A trained network's answers: a checkpoint on a device, batches of pictures through it with no
loss, and the circles fitted to its masks."""

import numpy as np
import pytest
import torch

from conftest import model_of
from mnistseg.data.circles import circle_masks
from mnistseg.errors import InputError
from mnistseg.nets.device import Placement, placement
from mnistseg.nets.inference import eval_batch_size, load_model, predict, read_outputs
from mnistseg.nets.networks import build_network, checkpoint_bytes
from mnistseg.nets.training import batches, mask_data, validate

ON_CPU = placement(torch.device("cpu"))


class Fixed(torch.nn.Module):
    """A circle network whose mask is `masks` and whose class logits are `logits`, whatever
    it is shown (one row per picture, in order)."""

    def __init__(self, masks: np.ndarray, logits: np.ndarray) -> None:
        super().__init__()
        self.masks = torch.from_numpy(np.where(masks, 5.0, -5.0)).float()[:, None]
        self.logits = torch.from_numpy(logits).float()
        self.seen = 0

    def forward(self, x):
        batch = slice(self.seen, self.seen + len(x))
        self.seen += len(x)
        return self.logits[batch], self.masks[batch]


def test_fitted_circles_replace_predicted_digits_and_keep_classes_and_probabilities(digit_masks):
    model = model_of("circlenet", arch="unet", depth=2, circle_from="digit_mask")
    logits = np.log(np.array([[1, 8, 1] + [0] * 7, [0] * 7 + [2, 2, 0], [6] + [0] * 9]) + 1e-9)
    pred = predict(Fixed(digit_masks, logits), model, np.zeros((3, 28, 28), np.uint8), ON_CPU)
    expected, _, _ = circle_masks(digit_masks.astype(np.uint8) * 255)
    np.testing.assert_array_equal(pred.masks, expected > 0)
    assert not pred.masks[2].any() and (pred.masks[0] != digit_masks[0]).any()
    np.testing.assert_array_equal(pred.labels, [1, 7, 0])  # a tie (7, 8) goes to the first
    np.testing.assert_allclose(pred.probabilities.max(axis=1), [0.8, 0.5, 1.0], rtol=1e-6)
    np.testing.assert_allclose(pred.probabilities.sum(axis=1), 1, rtol=1e-6)


def test_decoder_masks_are_left_as_the_network_draws_them(digit_masks):
    model = model_of("circlenet")
    pred = predict(Fixed(digit_masks, np.zeros((3, 10))), model, np.zeros((3, 28, 28)), ON_CPU)
    np.testing.assert_array_equal(pred.masks, digit_masks)


@pytest.mark.parametrize(
    ("arch", "depth"), [("circlization_cnn", None), ("unet", 2)], ids=["cnn", "batch-norm-dropout"]
)
def test_a_checkpoint_file_predicts_what_validation_sees(tmp_path, digits, arch, depth):
    """Both in eval mode: the U-Net's batch norm and dropout would answer otherwise in
    training mode, the network as it is built and loaded."""
    torch.manual_seed(0)
    model = model_of("circlenet", width=4, arch=arch, depth=depth)
    network = build_network(model)
    path = tmp_path / "model.pt"
    path.write_bytes(checkpoint_bytes(network, model))
    loaded_network, loaded = load_model(path, ON_CPU)
    assert loaded == model
    images, labels = digits
    ours = predict(loaded_network, loaded, images[:50], ON_CPU)
    _, theirs = validate(
        network, batches(mask_data(images[:50], images[:50], labels[:50]), 7, ON_CPU)
    )
    np.testing.assert_array_equal(ours.masks, theirs.masks)
    np.testing.assert_array_equal(ours.labels, theirs.labels)
    np.testing.assert_allclose(ours.probabilities, theirs.probabilities, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    ("side", "expected"), [((28, 28), 334), ((56, 56), 83), ((56, 112), 41), ((2048, 512), 1)]
)
def test_inference_batches_hold_a_fixed_number_of_pixels(side, expected):
    assert eval_batch_size(side, 1 << 18) == expected


def test_a_mask_is_where_the_logit_is_above_0_and_a_class_its_softmax_winner():
    logits = torch.tensor([-0.5, 0.0, 0.5, 2.0]).reshape(1, 1, 2, 2)
    masks, labels, probabilities = read_outputs(logits)
    assert masks.tolist() == [[[False, False], [True, True]]] and labels is probabilities is None
    classes = torch.tensor([[0.0, 2.0, 1.0]])
    masks, labels, probabilities = read_outputs((classes, logits))
    assert masks.tolist() == [[[False, False], [True, True]]] and labels.tolist() == [1]
    total = 1 + np.exp(2) + np.exp(1)
    assert probabilities[0].tolist() == pytest.approx(
        [1 / total, np.exp(2) / total, np.exp(1) / total]
    )


def test_batches_of_any_size_give_the_same_answers_in_order(digits):
    torch.manual_seed(0)
    model = model_of("segnet", width=4)
    network = build_network(model)
    images, _ = digits
    whole = predict(network, model, images[:30], ON_CPU)
    small = Placement(ON_CPU.device, ON_CPU.memory_format, eval_pixels=7 * 28 * 28)
    np.testing.assert_array_equal(predict(network, model, images[:30], small).masks, whole.masks)
    assert whole.labels is None and whole.probabilities is None


def saved(tmp_path, name: str):
    torch.manual_seed(0)
    model = model_of(name, width=4)
    path = tmp_path / "model.pt"
    path.write_bytes(checkpoint_bytes(build_network(model), model))
    return path


def test_a_loaded_model_is_on_the_placements_device_in_its_memory_format(tmp_path):
    path = saved(tmp_path, "segnet")
    network, _ = load_model(path, ON_CPU)
    convs = [m.weight for m in network.modules() if isinstance(m, torch.nn.Conv2d)]
    assert all(w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    meta = Placement(torch.device("meta"), torch.contiguous_format, 1 << 18)
    network, _ = load_model(path, meta)
    assert {p.device.type for p in network.parameters()} == {"meta"}


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
    nameless = tmp_path / "nameless.pt"
    torch.save({"config": {}, "state_dict": {}}, nameless)
    with pytest.raises(InputError, match=r"nameless.pt: not a checkpoint .* \('model'\)$"):
        load_model(nameless, ON_CPU)
    unknown = tmp_path / "unknown.pt"
    torch.save({"model": "resnet", "config": {}, "state_dict": {}}, unknown)
    with pytest.raises(InputError, match=r"unknown.pt: not a checkpoint .* \('resnet'\)$"):
        load_model(unknown, ON_CPU)


def test_an_error_without_words_is_named_by_its_kind(tmp_path, monkeypatch):
    path = saved(tmp_path, "segnet")

    def refuse(payload):
        raise ValueError()

    monkeypatch.setattr("mnistseg.nets.inference.network_from_checkpoint", refuse)
    with pytest.raises(InputError, match=r"model.pt: not a checkpoint .* \(ValueError\)$"):
        load_model(path, ON_CPU)
