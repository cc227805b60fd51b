"""Training and inference loops: data held in memory as tensors, batches taken by index."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812
from tqdm import tqdm

DEVICES = ("auto", "cpu", "cuda", "mps")


@dataclass(frozen=True)
class MaskData:
    """A dataset in memory. inputs, masks: (N, 1, H, W) uint8; labels: (N,) int64 or None."""

    inputs: torch.Tensor
    masks: torch.Tensor
    labels: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, index: torch.Tensor) -> MaskData:
        labels = None if self.labels is None else self.labels[index]
        return MaskData(self.inputs[index], self.masks[index], labels)


Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]


def mask_data(inputs: np.ndarray, masks: np.ndarray, labels: np.ndarray | None = None) -> MaskData:
    """Wrap (N, H, W) uint8 inputs and {0, 255} masks (and labels) as uint8 tensors."""
    return MaskData(
        inputs=torch.from_numpy(np.ascontiguousarray(inputs)).unsqueeze(1),
        masks=torch.from_numpy(np.ascontiguousarray(masks > 0).astype(np.uint8)).unsqueeze(1),
        labels=None if labels is None else torch.from_numpy(np.asarray(labels, dtype=np.int64)),
    )


def set_seeds(seed: int) -> None:
    """Seed Python's, NumPy's and torch's generators (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def select_device(name: str = "auto") -> torch.device:
    """`auto` picks CUDA, then MPS, then the CPU; any other name forces that device."""
    if name not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {name!r}")
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    return torch.device(name)


def split_indices(count: int, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded (train, validation) split of range(count); validation gets >= 1 item if asked."""
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
    val_count = min(count - 1, max(1, round(count * val_fraction))) if val_fraction > 0 else 0
    return order[val_count:].sort().values, order[:val_count].sort().values


def batches(
    data: MaskData, batch_size: int, device: torch.device, generator: torch.Generator | None = None
) -> Iterator[Batch]:
    """Mini-batches on `device`: inputs float in [0, 1], masks float {0, 1}, labels int64.

    With a generator the order is shuffled (training); without, it is the data's order.
    """
    order = (
        torch.arange(len(data))
        if generator is None
        else torch.randperm(len(data), generator=generator)
    )
    for start in range(0, len(data), batch_size):
        index = order[start : start + batch_size]
        # channels_last: the CPU's oneDNN kernels (pooling above all) run faster on it.
        x = (
            data.inputs[index]
            .to(device)
            .float()
            .div_(255)
            .contiguous(memory_format=torch.channels_last)
        )
        y = data.masks[index].to(device).float()
        labels = None if data.labels is None else data.labels[index].to(device)
        yield x, y, labels


def compute_loss(
    outputs: torch.Tensor | tuple[torch.Tensor, torch.Tensor], batch: Batch
) -> torch.Tensor:
    """BCE on mask logits, plus cross-entropy on class logits for the circle task."""
    _, masks, labels = batch
    if isinstance(outputs, tuple):
        class_logits, mask_logits = outputs
        return F.binary_cross_entropy_with_logits(mask_logits, masks) + F.cross_entropy(
            class_logits, labels
        )
    return F.binary_cross_entropy_with_logits(outputs, masks)


def train_one_epoch(
    model: nn.Module,
    batches: Iterable[Batch],
    optimizer: torch.optim.Optimizer,
    device: torch.device,
) -> float:
    """One pass over `batches`; returns the mean training loss per item."""
    model.train()
    total, seen = 0.0, 0
    for batch in batches:
        x = batch[0].to(device)
        loss = compute_loss(model(x), batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
        seen += len(x)
    return total / max(seen, 1)


@dataclass(frozen=True)
class Predictions:
    """masks: (N, H, W) bool at probability 0.5; labels: (N,) int64 or None."""

    masks: np.ndarray
    labels: np.ndarray | None


@torch.no_grad()
def evaluate(
    model: nn.Module, batches: Iterable[Batch], device: torch.device
) -> tuple[float, Predictions]:
    """Mean loss per item and the predictions over `batches`, in one pass in eval mode.

    Masks are thresholded at probability 0.5 (logit > 0, without computing the sigmoid).
    """
    model.eval()
    total, seen, masks, labels = 0.0, 0, [], []
    for batch in batches:
        x = batch[0].to(device)
        outputs = model(x)
        total += compute_loss(outputs, batch).item() * len(x)
        seen += len(x)
        if isinstance(outputs, tuple):
            labels.append(outputs[0].argmax(dim=1).cpu().numpy())
            outputs = outputs[1]
        masks.append((outputs[:, 0] > 0).cpu().numpy())
    predictions = Predictions(np.concatenate(masks), np.concatenate(labels) if labels else None)
    return total / max(seen, 1), predictions


def progress(items: Iterable, description: str, total: int) -> Iterable:
    """A progress bar on an interactive terminal; silent in logs and CI."""
    return tqdm(items, desc=description, total=total, leave=False, disable=None)
