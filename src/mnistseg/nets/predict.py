"""A trained model's answers: its checkpoint loaded onto a device, masks and classes predicted
(for the circle model's `circle_from: digit_mask` variant, the circles fitted to its masks),
and answers on pictures of any size, mapped back onto them."""

from __future__ import annotations

import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from mnistseg.data.circles import circle_masks, circle_params
from mnistseg.data.mnist_form import Framing, mnist_form, padded
from mnistseg.digits import DIGIT_SIDE
from mnistseg.errors import InputError
from mnistseg.nets.device import Placement
from mnistseg.nets.networks import ARCHS, ModelConfig, model_from_checkpoint
from mnistseg.nets.scoring import Predictions
from mnistseg.nets.training import MaskData, batches, eval_batch_size, evaluate, mask_data


def load_model(path: Path, place: Placement) -> tuple[nn.Module, ModelConfig]:
    """The network of a checkpoint file, on `place`'s device in its memory format; a file
    that is no checkpoint of this project's networks is an InputError naming it."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        model, cfg = model_from_checkpoint(payload)
    except (pickle.UnpicklingError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise InputError(
            f"{path}: not a checkpoint of this project's networks ({reason})"
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a checkpoint of this project's networks ({exc})") from None
    return model.to(place.device).to(memory_format=place.memory_format), cfg


def fit_circles(pred: Predictions, cfg: ModelConfig) -> Predictions:
    """For `circle_from: digit_mask`, the circles fitted to the predicted digits (as the
    circles dataset draws them); else `pred`."""
    if cfg.circle_from != "digit_mask":
        return pred
    circles, _, _ = circle_masks(pred.masks.astype(np.uint8) * 255)
    return Predictions(circles.astype(bool), pred.labels, pred.confidence)


def predict(model: nn.Module, cfg: ModelConfig, data: MaskData, place: Placement) -> Predictions:
    """The model's answers for every item of `data`, in order."""
    held = data.to(place.device)
    in_batches = batches(held, eval_batch_size(held, place.eval_pixels), place)
    _, pred = evaluate(model, in_batches, place.device)
    return fit_circles(pred, cfg)


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
        return mnist_form(picture)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None


def answer(
    model: nn.Module,
    cfg: ModelConfig,
    pictures: list[np.ndarray],
    place: Placement,
    names: list[str],
) -> list[Answer]:
    """The model's answers about (H, W) uint8 pictures, white on black (`names` name them in
    errors): for a digit network each is brought to MNIST's form first (data.mnist_form), for
    the composites' network padded to sides its pooling takes; each answer is mapped back
    onto its picture."""
    if reads_digits(cfg):  # all 28x28: through the network together
        placed = [framed(picture, name) for picture, name in zip(pictures, names)]
        groups = [list(range(len(placed)))]
    else:  # each of its own size
        multiple = 2 ** ARCHS[cfg.arch].network.pooling_levels(cfg)
        placed = [padded(picture, multiple) for picture in pictures]
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
