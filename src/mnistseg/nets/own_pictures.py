"""A trained model on a user's own pictures of any size: each brought to what its network reads
(MNIST's form for a digit model, sides its pooling takes for the composites' model), answered,
and the answers mapped back onto the picture."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from mnistseg.data.circles import circle_params
from mnistseg.data.mnist_form import Framing, digit_form, padded, white_on_black
from mnistseg.nets.device import Placement
from mnistseg.nets.inference import predict
from mnistseg.nets.models import Model

Framed = tuple[np.ndarray, Framing]  # a picture as the network reads it, and how to map back


@dataclass(frozen=True)
class Answer:
    """A model's answer about one picture, in the picture's pixels."""

    mask: np.ndarray  # (H, W) bool: the digit (segmentation) or its circle (circle model)
    label: int | None = None  # the circle model's class
    probability: float | None = None  # ... and its softmax probability
    circle: tuple[float, float, float] | None = None  # (x, y, radius), None for an empty mask


def framed(model: Model, picture: np.ndarray) -> Framed:
    """A (H, W) uint8 grey picture as read, either polarity, as `model`'s network reads it:
    for a digit model in MNIST's form (data.mnist_form.digit_form; NoDigit, a ValueError, if
    nothing digit-like stands out), else white on black and padded to sides its pooling
    takes."""
    if model.digits:
        return digit_form(picture)
    return padded(white_on_black(picture)[0], 2 ** model.pooling_levels())


def answer(
    network: nn.Module, model: Model, pictures: list[Framed], place: Placement
) -> list[Answer]:
    """The network's answers about framed pictures, each mapped back onto its picture. A digit
    model's frames (all 28x28) go through the network together, others one by one."""
    every = range(len(pictures))
    groups = [list(every)] if model.digits else [[i] for i in every]
    answers: dict[int, Answer] = {}
    for group in groups:
        pred = predict(network, model, np.stack([pictures[i][0] for i in group]), place)
        for k, i in enumerate(group):
            framing = pictures[i][1]
            mask = framing.mask_on_picture(pred.masks[k])
            if pred.labels is None:
                answers[i] = Answer(mask)
                continue
            fitted = circle_params(pred.masks[k].astype(np.uint8) * 255)
            circle = None if fitted is None else framing.circle_on_picture(*fitted)
            label, probability = int(pred.labels[k]), float(pred.confidence[k])
            answers[i] = Answer(mask, label, probability, circle)
    return [answers[i] for i in range(len(pictures))]
