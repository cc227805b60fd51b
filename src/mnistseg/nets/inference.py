"""A trained network's answers, with no loss and no training: its checkpoint loaded onto a
device, pictures through it in batches, masks and classes out, and for the circle model's
`circle_from: digit_mask` variant the circles fitted to its masks."""

from __future__ import annotations

import pickle
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from mnistseg.data.circles import circle_masks
from mnistseg.errors import InputError
from mnistseg.nets.device import Placement
from mnistseg.nets.models import Model
from mnistseg.nets.networks import network_from_checkpoint
from mnistseg.nets.scoring import Predictions

Outputs = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # mask logits, or (class, mask) logits
Answers = tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]  # a batch's, on the device


def load_model(path: Path, place: Placement) -> tuple[nn.Module, Model]:
    """The network of a checkpoint file, on `place`'s device in its memory format, and its
    model; a file that is no checkpoint of this project's networks is an InputError naming it."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        network, model = network_from_checkpoint(payload)
    except (pickle.UnpicklingError, zipfile.BadZipFile, EOFError, RuntimeError, KeyError,
            TypeError, ValueError) as exc:  # fmt: skip
        reason = str(exc).strip().partition("\n")[0] or type(exc).__name__  # torch's run long
        message = f"{path}: not a checkpoint of this project's networks ({reason})"
        raise InputError(message) from None
    return network.to(place.device).to(memory_format=place.memory_format), model


def as_input(images: torch.Tensor, place: Placement) -> torch.Tensor:
    """(N, 1, H, W) uint8 images, where they are held, as the network's input on the device:
    float in [0, 1], in the device's memory format."""
    return images.to(place.device).float().div_(255).contiguous(memory_format=place.memory_format)


def eval_batch_size(side: tuple[int, int], pixels: int) -> int:
    """How many pictures of `side` (height, width) an inference batch of about `pixels` takes."""
    return max(1, pixels // (side[0] * side[1]))


def read_outputs(outputs: Outputs) -> Answers:
    """A batch's answers, left on the device: masks where the logit is above 0 (the sigmoid
    above 0.5 in exact arithmetic, without computing it), and for the circle task each class
    and the softmax over the classes."""
    if not isinstance(outputs, tuple):
        return outputs[:, 0] > 0, None, None
    class_logits, mask_logits = outputs
    return mask_logits[:, 0] > 0, class_logits.argmax(dim=1), class_logits.softmax(dim=1)


def collect(answers: Iterable[Answers]) -> Predictions:
    """The batches' answers as one Predictions, brought back from the device once."""
    masks, labels, probabilities = zip(*answers)

    def joined(parts: tuple[torch.Tensor | None, ...]) -> np.ndarray | None:
        return None if parts[0] is None else torch.cat(parts).cpu().numpy()

    return Predictions(joined(masks), joined(labels), joined(probabilities))


@torch.no_grad()
def predict(network: nn.Module, model: Model, images: np.ndarray, place: Placement) -> Predictions:
    """The network's answers for (N, H, W) uint8 images, in order, in eval mode; for
    `circle_from: digit_mask` the circles fitted to the digits it segments."""
    network.eval()
    held = torch.from_numpy(np.ascontiguousarray(images)).unsqueeze(1).to(place.device)
    size = eval_batch_size(images.shape[-2:], place.eval_pixels)
    pred = collect(
        read_outputs(network(as_input(held[start : start + size], place)))
        for start in range(0, len(held), size)
    )
    if model.sees()[1] != "digit_mask":
        return pred
    circles, _, _ = circle_masks(pred.masks.astype(np.uint8) * 255)
    return Predictions(circles.astype(bool), pred.labels, pred.probabilities)
