"""A trained model on a user's own pictures of any size: each brought to what its network reads
(MNIST's form for a digit model, sides its pooling takes for the composites' model), answered,
and the answers mapped back onto the picture. The circle model's class is read over the digit
drawn at MNIST's stroke widths (data.mnist_form.digit_forms): the mean of its softmax."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from mnistseg.data.circles import circle_params
from mnistseg.data.mnist_form import (
    MNIST_STROKES,
    Framing,
    digit_forms,
    padded,
    white_on_black,
)
from mnistseg.nets.device import Placement
from mnistseg.nets.inference import predict
from mnistseg.nets.models import Model

# A picture as the network reads it, (k, H, W): the frame its masks are read on first, and for
# the circle model the same digit drawn at other stroke widths; and how to map back.
Framed = tuple[np.ndarray, Framing]


@dataclass(frozen=True)
class Answer:
    """A model's answer about one picture, in the picture's pixels."""

    mask: np.ndarray  # (H, W) bool: the digit (segmentation) or its circle (circle model)
    label: int | None = None  # the circle model's class
    probability: float | None = None  # ... and its softmax probability
    circle: tuple[float, float, float] | None = None  # (x, y, radius), None for an empty mask


def framed(model: Model, picture: np.ndarray) -> Framed:
    """A (H, W) uint8 grey picture as read, either polarity, as `model`'s network reads it:
    for a digit model in MNIST's form (data.mnist_form.digit_forms, at each stroke width for
    the circle model's class; NoDigit, a ValueError, if nothing digit-like stands out), else
    white on black and padded to sides its pooling takes."""
    if model.digits:
        return digit_forms(picture, MNIST_STROKES if model.task == "circle" else MNIST_STROKES[:1])
    frame, framing = padded(white_on_black(picture)[0], 2 ** model.pooling_levels())
    return frame[None], framing


def answer(
    network: nn.Module, model: Model, pictures: list[Framed], place: Placement
) -> list[Answer]:
    """The network's answers about framed pictures, each mapped back onto its picture: the
    masks of each one's first frame, the class of the mean softmax over all its frames. A
    digit model's frames (all 28x28) go through the network together, others one by one."""
    every = range(len(pictures))
    groups = [list(every)] if model.digits else [[i] for i in every]
    answers: dict[int, Answer] = {}
    for group in groups:
        pred = predict(network, model, np.concatenate([pictures[i][0] for i in group]), place)
        starts = np.cumsum([0] + [len(pictures[i][0]) for i in group])
        for first, end, i in zip(starts, starts[1:], group):
            framing = pictures[i][1]
            mask = framing.mask_on_picture(pred.masks[first])
            if pred.probabilities is None:
                answers[i] = Answer(mask)
                continue
            fitted = circle_params(pred.masks[first].astype(np.uint8) * 255)
            circle = None if fitted is None else framing.circle_on_picture(*fitted)
            probabilities = pred.probabilities[first:end].mean(axis=0)
            label = int(probabilities.argmax())
            answers[i] = Answer(mask, label, float(probabilities[label]), circle)
    return [answers[i] for i in range(len(pictures))]
