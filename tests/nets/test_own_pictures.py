"""A model's answers about pictures of any size, mapped back onto them (untrained networks:
what is checked is where each answer goes, not how good it is)."""

import numpy as np
import pytest
import torch

from conftest import model_of
from handwriting import paper, photo, ruled, write
from mnistseg.data.circles import circle_params
from mnistseg.data.mnist_form import MNIST_STROKES, digit_form, digit_forms
from mnistseg.nets.device import placement
from mnistseg.nets.inference import predict
from mnistseg.nets.networks import build_network
from mnistseg.nets.own_pictures import answer, framed

ON_CPU = placement(torch.device("cpu"))


def network(name: str, **changes):
    torch.manual_seed(0)
    model = model_of(name, width=4, **changes)
    return build_network(model).eval(), model


def answers(net, model, pictures):
    return answer(net, model, [framed(model, p) for p in pictures], ON_CPU)


def picture(height: int, width: int, box: tuple[int, int, int, int]) -> np.ndarray:
    """White on black: a filled rectangle (x, y, w, h), a composite's digit."""
    image = np.zeros((height, width), np.uint8)
    x, y, w, h = box
    image[y : y + h, x : x + w] = 255
    return image


def seven(height: int, width: int, box: tuple[int, int, int, int], pen: int = 3) -> np.ndarray:
    """A 7 written in `box` (x, y, w, h), dark on light paper."""
    return photo(write(paper((height, width)), "7", box, pen))


def test_a_digit_networks_answers_come_from_mnists_form_back_onto_the_picture():
    net, model = network("segnet")
    big, small = seven(120, 90, (30, 20, 25, 60)), seven(28, 28, (4, 4, 12, 20), pen=2)
    small = digit_form(small)[0]  # in MNIST's form: read as it is
    found_all = answers(net, model, [big, small])
    frames = [digit_form(big), digit_form(small)]
    expected = predict(net, model, np.stack([f for f, _ in frames]), ON_CPU)
    for found, (_, framing), mask, image in zip(found_all, frames, expected.masks, (big, small)):
        assert found.mask.shape == image.shape
        np.testing.assert_array_equal(found.mask, framing.mask_on_picture(mask))
        assert (found.label, found.probability, found.circle) == (None, None, None)
    np.testing.assert_array_equal(found_all[1].mask, expected.masks[1])  # 28x28: as it is


def test_the_circle_models_answer_is_a_class_its_probability_and_the_circle():
    net, model = network("circlenet")
    image = seven(60, 80, (40, 10, 12, 30))
    (found,) = answers(net, model, [image])
    frames, framing = digit_forms(image)
    assert len(frames) == len(MNIST_STROKES) and (frames[0] != frames[1]).any()
    expected = predict(net, model, frames, ON_CPU)
    # The class over the digit drawn at MNIST's stroke widths; the circle of the first.
    probabilities = expected.probabilities.mean(axis=0)
    assert found.label == probabilities.argmax()
    assert found.probability == pytest.approx(float(probabilities.max()))
    np.testing.assert_array_equal(found.mask, framing.mask_on_picture(expected.masks[0]))
    fitted = circle_params(expected.masks[0].astype(np.uint8) * 255)
    if fitted is None:
        assert found.circle is None
    else:
        assert found.circle == pytest.approx(framing.circle_on_picture(*fitted))


def test_only_the_circle_models_class_reads_the_digit_at_each_stroke_width():
    image = seven(60, 80, (40, 10, 12, 30))
    assert len(framed(model_of("circlenet"), image)[0]) == len(MNIST_STROKES)
    assert len(framed(model_of("segnet"), image)[0]) == 1
    assert framed(model_of("unet"), image)[0].shape == (1, 60, 80)


def test_the_composites_network_answers_on_the_picture_padded_to_its_pooling():
    net, model = network("unet")
    image = picture(45, 61, (5, 5, 30, 20))
    (found,) = answers(net, model, [image])
    padded = np.zeros((48, 64), np.uint8)
    padded[:45, :61] = image
    expected = predict(net, model, padded[None], ON_CPU)
    assert found.mask.shape == (45, 61)
    np.testing.assert_array_equal(found.mask, expected.masks[0][:45, :61])


def test_composites_of_different_sizes_are_answered_each_at_its_own():
    net, model = network("unet")
    small, large = picture(45, 61, (5, 5, 30, 20)), picture(70, 90, (10, 20, 40, 30))
    found = answers(net, model, [small, large])
    assert [f.mask.shape for f in found] == [(45, 61), (70, 90)]
    (alone,) = answers(net, model, [large])
    np.testing.assert_array_equal(found[1].mask, alone.mask)


def test_a_deeper_unet_takes_pictures_padded_to_its_own_pooling():
    net, model = network("unet", arch="unet", depth=3)
    image = picture(45, 61, (5, 5, 30, 20))
    (found,) = answers(net, model, [image])
    padded = np.zeros((48, 64), np.uint8)  # sides that divide 2**3, not only 2**2
    padded[:45, :61] = image
    expected = predict(net, model, padded[None], ON_CPU)
    np.testing.assert_array_equal(found.mask, expected.masks[0][:45, :61])


def test_the_circle_models_circle_is_fitted_to_its_mask_and_drawn_on_the_picture():
    net, model = network("circlenet")
    last = [m for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    torch.nn.init.zeros_(last[-1].weight)
    torch.nn.init.constant_(last[-1].bias, 5.0)  # every pixel in: the mask is the whole frame
    image = seven(60, 80, (40, 10, 12, 30))
    (found,) = answers(net, model, [image])
    _, framing = digit_form(image)
    whole = circle_params(np.full((28, 28), 255, np.uint8))
    assert found.circle is not None
    assert found.circle == pytest.approx(framing.circle_on_picture(*whole))
    np.testing.assert_array_equal(found.mask, framing.mask_on_picture(np.ones((28, 28), bool)))


def test_the_composites_network_reads_a_picture_of_either_polarity_white_on_black():
    net, model = network("unet")
    image = picture(45, 61, (5, 5, 30, 20))
    (found,) = answers(net, model, [image])
    (inverted,) = answers(net, model, [255 - image])
    np.testing.assert_array_equal(inverted.mask, found.mask)


@pytest.mark.parametrize(
    ("blank", "reason"),
    [
        (np.zeros((40, 40), np.uint8), "no digit"),
        (
            photo(ruled(paper((300, 400)), 40, 0.4, squared=True)),
            "no digit: only the paper's lines$",
        ),
    ],
    ids=["black", "squared paper"],
)
def test_a_picture_without_a_digit_is_refused_with_the_reason(blank, reason):
    with pytest.raises(ValueError, match=rf"^{reason}"):
        framed(model_of("circlenet"), blank)
