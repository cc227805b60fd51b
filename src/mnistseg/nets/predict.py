"""A trained model's answers: its checkpoint loaded onto a device, masks and classes predicted,
and for the circle model's `circle_from: digit_mask` variant the circles fitted to its masks."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

from mnistseg.data.circles import circle_masks
from mnistseg.errors import InputError
from mnistseg.nets.device import Placement
from mnistseg.nets.networks import ModelConfig, model_from_checkpoint
from mnistseg.nets.scoring import Predictions
from mnistseg.nets.training import MaskData, batches, eval_batch_size, evaluate


def load_model(path: Path, place: Placement) -> tuple[nn.Module, ModelConfig]:
    """The network of a checkpoint file, on `place`'s device in its memory format; a file
    that is no checkpoint of this project's networks is an InputError naming it."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        model, cfg = model_from_checkpoint(payload)
    except (pickle.UnpicklingError, zipfile.BadZipFile, EOFError, RuntimeError, KeyError,
            TypeError, ValueError) as exc:  # fmt: skip
        reason = str(exc).strip().partition("\n")[0] or type(exc).__name__  # torch's run long
        message = f"{path}: not a checkpoint of this project's networks ({reason})"
        raise InputError(message) from None
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
    _, pred = evaluate(model, in_batches)
    return fit_circles(pred, cfg)
