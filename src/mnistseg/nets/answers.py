"""A trained model's answers about pictures of any size: each brought to what its network
reads (MNIST's form for a digit network), answered, and the answers mapped back onto it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from mnistseg.data.circles import circle_params
from mnistseg.data.mnist_form import Framing, digit_form, padded, white_on_black
from mnistseg.digits import DIGIT_SIDE
from mnistseg.errors import InputError
from mnistseg.nets.device import Placement
from mnistseg.nets.networks import ARCHS, ModelConfig
from mnistseg.nets.predict import predict
from mnistseg.nets.training import mask_data


def reads_digits(cfg: ModelConfig) -> bool:
    """Whether the network reads one digit at MNIST's size (else any picture its pooling takes:
    the composites' network)."""
    return cfg.image_size == DIGIT_SIDE


@dataclass(frozen=True)
class Answer:
    """A model's answer about one picture, in the picture's pixels."""

    mask: np.ndarray  # (H, W) bool: the digit (segmentation) or its circle (circle model)
    label: int | None = None  # the circle model's class
    probability: float | None = None  # ... and its softmax probability
    circle: tuple[float, float, float] | None = None  # (x, y, radius), None for an empty mask


def framed(picture: np.ndarray, name: str) -> tuple[np.ndarray, Framing]:
    """A picture in MNIST's form; one with no digit is an InputError naming it."""
    try:
        return digit_form(picture)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None


def answer(
    model: nn.Module,
    cfg: ModelConfig,
    pictures: list[np.ndarray],
    place: Placement,
    names: list[str],
) -> list[Answer]:
    """The model's answers about (H, W) uint8 grey pictures as read, any polarity (`names`
    name them in errors): for a digit network each is brought to MNIST's form first
    (data.mnist_form.digit_form), for the composites' network made white on black and padded
    to sides its pooling takes; each answer is mapped back onto its picture."""
    if reads_digits(cfg):  # all 28x28: through the network together
        placed = [framed(picture, name) for picture, name in zip(pictures, names)]
        groups = [list(range(len(placed)))]
    else:  # each of its own size
        multiple = 2 ** ARCHS[cfg.arch].network.pooling_levels(cfg)
        placed = [padded(white_on_black(picture)[0], multiple) for picture in pictures]
        groups = [[i] for i in range(len(placed))]
    found: dict[int, tuple[np.ndarray, int | None, float | None]] = {}
    for group in groups:
        frames = np.stack([placed[i][0] for i in group])
        labels = np.zeros(len(frames), np.int64) if cfg.task == "circle" else None
        pred = predict(model, cfg, mask_data(frames, np.zeros_like(frames), labels), place)
        for k, i in enumerate(group):
            label = None if pred.labels is None else int(pred.labels[k])
            probability = None if pred.confidence is None else float(pred.confidence[k])
            found[i] = (pred.masks[k], label, probability)
    answers = []
    for i, (_, framing) in enumerate(placed):
        mask, label, probability = found[i]
        circle = None
        if cfg.task == "circle":
            fitted = circle_params(mask.astype(np.uint8) * 255)
            circle = None if fitted is None else framing.circle_on_picture(*fitted)
        answers.append(Answer(framing.mask_on_picture(mask), label, probability, circle))
    return answers
